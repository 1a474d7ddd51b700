// Graded tests for lab 2A: leader election (Lab2AA), log replication (Lab2AB) and the
// RawNode / Ready interface (Lab2AC). Situations follow the Raft paper (sections named in the
// tests) and cover what TinyKV's raft tests check. Randomness comes from TestSeed().
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "grading/test_seed.h"
#include "labs/raft/test_util.h"
#include "raft/memory_storage.h"
#include "raft/raw_node.h"
#include "raft/testing/cluster.h"

namespace tinykv::labs {
namespace {

using raft::MemoryStorage;
using raft::testing::MakeCandidate;
using raft::testing::MakeFollower;
using raft::testing::MakeLeader;
using raft::testing::NewTestRaft;
using raft::testing::StorageWithTerms;
using raft::testing::StorageWithVote;

uint64_t Seed() { return grading::TestSeed(1); }

Network::Options Opts() {
  Network::Options o;
  o.seed = Seed();
  return o;
}

using K = PeerSpec::Kind;

std::vector<PeerSpec> Peers(std::initializer_list<K> kinds) {
  std::vector<PeerSpec> out;
  for (K k : kinds) out.push_back(k == K::kBlackHole ? PeerSpec::BlackHole() : PeerSpec::Fresh());
  return out;
}

std::unique_ptr<Raft> New(uint64_t id, std::vector<uint64_t> peers, MemoryStorage* s,
                          int election = 10) {
  return NewTestRaft(id, std::move(peers), election, 1, s, Seed());
}

// Acknowledges everything the leader holds from every follower and clears its outbox, so the
// leader's entries so far are committed.
void AckAll(Raft& r) {
  for (uint64_t p : r.Nodes()) {
    if (p == r.id()) continue;
    Message m = Msg(p, r.id(), MessageType::MsgAppendResponse, r.term());
    m.set_index(r.raft_log().LastIndex());
    (void)r.Step(m);
  }
  r.ReadMessages();
}

// ============================== Lab2AA: leader election ======================================

TEST(Lab2AA, LeaderElectionNeedsAQuorumOfVotes) {
  struct Case {
    std::vector<PeerSpec> peers;
    Role role;
  };
  std::vector<Case> cases;
  cases.push_back({Peers({K::kFresh, K::kFresh, K::kFresh}), Role::kLeader});
  cases.push_back({Peers({K::kFresh, K::kFresh, K::kBlackHole}), Role::kLeader});
  cases.push_back({Peers({K::kFresh, K::kBlackHole, K::kBlackHole}), Role::kCandidate});
  cases.push_back({Peers({K::kFresh, K::kBlackHole, K::kBlackHole, K::kFresh}), Role::kCandidate});
  cases.push_back(
      {Peers({K::kFresh, K::kBlackHole, K::kBlackHole, K::kFresh, K::kFresh}), Role::kLeader});
  for (size_t i = 0; i < cases.size(); ++i) {
    Network nt(std::move(cases[i].peers), Opts());
    nt.Send(Hup(1));
    EXPECT_EQ(nt.raft(1).role(), cases[i].role) << "case " << i;
    EXPECT_EQ(nt.raft(1).term(), 1u) << "case " << i;
  }
}

TEST(Lab2AA, LeaderCycleEveryNodeCanWin) {
  Network nt(3, Opts());
  for (uint64_t c = 1; c <= 3; ++c) {
    nt.Send(Hup(c));
    for (uint64_t id = 1; id <= 3; ++id) {
      EXPECT_EQ(nt.raft(id).role(), id == c ? Role::kLeader : Role::kFollower)
          << "after " << c << " campaigned, node " << id;
      EXPECT_EQ(nt.raft(id).lead(), c);
    }
  }
}

TEST(Lab2AA, StartsAsFollower) {
  MemoryStorage s;
  auto r = New(1, {1, 2, 3}, &s, 5);
  EXPECT_EQ(r->role(), Role::kFollower);
  EXPECT_EQ(r->term(), 0u);
  EXPECT_EQ(r->lead(), kNone);
  // ... and a follower only until its election timeout runs out (a node that merely never moves
  // would pass the lines above).
  for (int i = 0; i < 2 * 5 && r->role() == Role::kFollower; ++i) r->Tick();
  EXPECT_EQ(r->role(), Role::kCandidate) << "a follower that hears no leader campaigns";
  EXPECT_EQ(r->term(), 1u);
}

TEST(Lab2AA, SingleNodeCandidateBecomesLeader) {
  Network nt(1, Opts());
  nt.Send(Hup(1));
  EXPECT_EQ(nt.raft(1).role(), Role::kLeader);
}

TEST(Lab2AA, CampaignWhileLeaderIsIgnored) {
  MemoryStorage s;
  auto r = New(1, {1}, &s, 5);
  (void)r->Step(Hup(1));
  ASSERT_EQ(r->role(), Role::kLeader);
  const uint64_t term = r->term();
  (void)r->Step(Hup(1));
  EXPECT_EQ(r->role(), Role::kLeader);
  EXPECT_EQ(r->term(), term);
}

// §5.1: any message with a newer term turns every role into a follower of that term.
TEST(Lab2AA, StepDownOnHigherTermFromEveryRole) {
  for (Role role : {Role::kFollower, Role::kCandidate, Role::kLeader}) {
    for (MessageType t :
         {MessageType::MsgAppend, MessageType::MsgHeartbeat, MessageType::MsgRequestVote}) {
      MemoryStorage s;
      auto r = New(1, {1, 2, 3}, &s);
      if (role == Role::kFollower) MakeFollower(*r, 1, 2);
      if (role == Role::kCandidate) MakeCandidate(*r);
      if (role == Role::kLeader) MakeLeader(*r);
      ASSERT_EQ(r->role(), role);
      (void)r->Step(Msg(2, 1, t, 2));
      EXPECT_EQ(r->term(), 2u) << RoleName(role) << " type " << t;
      EXPECT_EQ(r->role(), Role::kFollower) << RoleName(role) << " type " << t;
      EXPECT_EQ(r->lead(), t == MessageType::MsgRequestVote ? kNone : 2u);
    }
  }
}

TEST(Lab2AA, VoteFromAnyStateAtANewerTerm) {
  for (Role role : {Role::kFollower, Role::kCandidate, Role::kLeader}) {
    MemoryStorage s;
    auto r = New(1, {1, 2, 3}, &s);
    if (role == Role::kFollower) MakeFollower(*r, 1, 3);
    if (role == Role::kCandidate) MakeCandidate(*r);
    if (role == Role::kLeader) MakeLeader(*r);
    const uint64_t new_term = r->term() + 1;
    Message m = Msg(2, 1, MessageType::MsgRequestVote, new_term);
    m.set_log_term(new_term);
    m.set_index(42);
    (void)r->Step(m);
    auto msgs = r->ReadMessages();
    ASSERT_EQ(msgs.size(), 1u) << RoleName(role);
    EXPECT_EQ(msgs[0].msg_type(), MessageType::MsgRequestVoteResponse);
    EXPECT_FALSE(msgs[0].reject()) << RoleName(role);
    EXPECT_EQ(r->role(), Role::kFollower);
    EXPECT_EQ(r->term(), new_term);
    EXPECT_EQ(r->vote(), 2u);
  }
}

// §5.2, §5.4.1: a vote needs an unused vote in this term and an up-to-date log.
TEST(Lab2AA, RecvRequestVoteChecksVoteAndLog) {
  struct Case {
    Role role;
    uint64_t index, log_term, vote_for;
    bool reject;
  } cases[] = {
      {Role::kFollower, 0, 0, kNone, true},  {Role::kFollower, 0, 1, kNone, true},
      {Role::kFollower, 0, 2, kNone, true},  {Role::kFollower, 0, 3, kNone, false},
      {Role::kFollower, 1, 0, kNone, true},  {Role::kFollower, 1, 1, kNone, true},
      {Role::kFollower, 1, 2, kNone, true},  {Role::kFollower, 1, 3, kNone, false},
      {Role::kFollower, 2, 0, kNone, true},  {Role::kFollower, 2, 1, kNone, true},
      {Role::kFollower, 2, 2, kNone, false}, {Role::kFollower, 2, 3, kNone, false},
      {Role::kFollower, 3, 0, kNone, true},  {Role::kFollower, 3, 1, kNone, true},
      {Role::kFollower, 3, 2, kNone, false}, {Role::kFollower, 3, 3, kNone, false},
      {Role::kFollower, 3, 2, 2, false},     {Role::kFollower, 3, 2, 1, true},
      {Role::kLeader, 3, 3, 1, true},        {Role::kCandidate, 3, 3, 1, true},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    const Case& c = cases[i];
    // Log: (1, 2), (2, 2).
    auto s = StorageWithTerms({2, 2});
    uint64_t term = std::max<uint64_t>(2, c.log_term);
    if (c.role == Role::kFollower) {
      eraftpb::HardState hs;
      hs.set_term(term);
      hs.set_vote(c.vote_for);
      s->SetHardState(hs);
    } else {
      eraftpb::HardState hs;
      hs.set_term(2);
      s->SetHardState(hs);
    }
    auto r = New(1, {1, 2, 3}, s.get());
    if (c.role == Role::kLeader) MakeLeader(*r);
    if (c.role == Role::kCandidate) MakeCandidate(*r);
    term = r->term();
    Message m = Msg(2, 1, MessageType::MsgRequestVote, term);
    m.set_index(c.index);
    m.set_log_term(c.log_term);
    (void)r->Step(m);
    auto msgs = r->ReadMessages();
    ASSERT_EQ(msgs.size(), 1u) << "case " << i;
    EXPECT_EQ(msgs[0].msg_type(), MessageType::MsgRequestVoteResponse) << "case " << i;
    EXPECT_EQ(msgs[0].reject(), c.reject) << "case " << i;
  }
}

// §5.1: a vote request of a stale term is rejected, and the answer carries the newer term, so the
// candidate steps up (in a region whose members disagree on the membership, the candidate may
// hear of the newer term from nowhere else).
TEST(Lab2AA, StaleVoteRequestIsRejectedWithTheNewerTerm) {
  for (Role role : {Role::kFollower, Role::kCandidate, Role::kLeader}) {
    auto s = std::make_shared<MemoryStorage>();
    auto r = New(1, {1, 2, 3}, s.get());
    if (role == Role::kLeader) MakeLeader(*r);
    if (role == Role::kCandidate) MakeCandidate(*r);
    // Into term 5 whatever the role (a newer heartbeat from 3 would leave us a follower).
    const uint64_t term = r->term() + 4;
    for (uint64_t t = r->term(); t < term; ++t) {
      if (role == Role::kFollower) (void)r->Step(Msg(3, 1, MessageType::MsgHeartbeat, t + 1));
    }
    if (role != Role::kFollower) {
      for (int i = 0; i < 4; ++i) {
        (void)r->Step(Msg(1, 1, MessageType::MsgHup, 0));
      }
    }
    (void)r->ReadMessages();
    const uint64_t now = r->term();
    Message m = Msg(2, 1, MessageType::MsgRequestVote, now - 1);
    m.set_index(100);
    m.set_log_term(now - 1);
    (void)r->Step(m);
    auto msgs = Filter(r->ReadMessages(), MessageType::MsgRequestVoteResponse);
    ASSERT_EQ(msgs.size(), 1u) << RoleName(role) << ": a stale vote request must be answered";
    EXPECT_TRUE(msgs[0].reject()) << RoleName(role);
    EXPECT_EQ(msgs[0].term(), now) << RoleName(role) << ": the answer carries the newer term";
    EXPECT_EQ(r->term(), now) << RoleName(role);
  }
}

// §5.2: at most one vote per term, first come first served.
TEST(Lab2AA, FollowerVotesOncePerTerm) {
  struct Case {
    uint64_t vote, nvote;
    bool reject;
  } cases[] = {{kNone, 1, false}, {kNone, 2, false}, {1, 1, false},
               {2, 2, false},     {1, 2, true},      {2, 1, true}};
  for (const Case& c : cases) {
    auto s = StorageWithVote(c.vote, 1);
    auto r = New(1, {1, 2, 3}, s.get());
    (void)r->Step(Msg(c.nvote, 1, MessageType::MsgRequestVote, 1));
    auto msgs = r->ReadMessages();
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0].to(), c.nvote);
    EXPECT_EQ(msgs[0].reject(), c.reject) << "vote " << c.vote << " nvote " << c.nvote;
  }
}

// §5.2: a follower whose election timer fires becomes a candidate of the next term, votes for
// itself and asks every peer, describing its last entry. So does a candidate whose election
// timed out.
TEST(Lab2AA, FollowerStartsElectionAfterTimeout) {
  const int et = 10;
  for (Role role : {Role::kFollower, Role::kCandidate}) {
    MemoryStorage s;
    auto r = New(1, {1, 2, 3}, &s, et);
    if (role == Role::kFollower) MakeFollower(*r, 1, 2);
    if (role == Role::kCandidate) MakeCandidate(*r);
    const uint64_t term = r->term();
    // The randomized timeout lies in [et, 2 * et): tick until the election starts, but no
    // further (the next timeout could fire as early as et ticks later).
    int ticks = 0;
    while (r->term() == term && ticks < 2 * et) {
      r->Tick();
      ++ticks;
    }
    ASSERT_EQ(r->term(), term + 1)
        << RoleName(role) << ": no election after " << ticks << " ticks (election_tick " << et
        << ": the randomized timeout is below " << 2 * et << ")";
    EXPECT_EQ(r->role(), Role::kCandidate);
    EXPECT_EQ(r->vote(), 1u);
    auto msgs = Filter(r->ReadMessages(), MessageType::MsgRequestVote);
    std::set<uint64_t> to;
    for (const auto& m : msgs) {
      if (m.term() == term + 1) to.insert(m.to());
      EXPECT_EQ(m.index(), r->raft_log().LastIndex());
      EXPECT_EQ(m.log_term(), r->raft_log().LastTerm());
    }
    EXPECT_EQ(to, (std::set<uint64_t>{2, 3})) << RoleName(role);
  }
}

TEST(Lab2AA, LeaderElectionInOneRound) {
  struct Case {
    int size;
    std::map<uint64_t, bool> votes;
    Role role;
  } cases[] = {
      {1, {}, Role::kLeader},
      {3, {{2, true}, {3, true}}, Role::kLeader},
      {3, {{2, true}}, Role::kLeader},
      {5, {{2, true}, {3, true}, {4, true}, {5, true}}, Role::kLeader},
      {5, {{2, true}, {3, true}, {4, true}}, Role::kLeader},
      {5, {{2, true}, {3, true}}, Role::kLeader},
      {3, {{2, false}, {3, false}}, Role::kFollower},
      {5, {{2, false}, {3, false}, {4, false}, {5, false}}, Role::kFollower},
      {5, {{2, true}, {3, false}, {4, false}, {5, false}}, Role::kFollower},
      {3, {}, Role::kCandidate},
      {5, {{2, true}}, Role::kCandidate},
      {5, {{2, false}, {3, false}}, Role::kCandidate},
      {5, {}, Role::kCandidate},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    MemoryStorage s;
    auto r = New(1, Ids(cases[i].size), &s);
    (void)r->Step(Hup(1));
    for (const auto& [id, granted] : cases[i].votes) {
      Message m = Msg(id, 1, MessageType::MsgRequestVoteResponse, r->term());
      m.set_reject(!granted);
      (void)r->Step(m);
    }
    EXPECT_EQ(r->role(), cases[i].role) << "case " << i;
    EXPECT_EQ(r->term(), 1u) << "case " << i;
  }
}

// §5.2: a candidate that hears from a leader of its term (or newer) concedes.
TEST(Lab2AA, CandidateFallsBackOnLeaderMessage) {
  for (uint64_t term : {1u, 2u}) {
    MemoryStorage s;
    auto r = New(1, {1, 2, 3}, &s);
    MakeCandidate(*r);
    ASSERT_EQ(r->term(), 1u);
    (void)r->Step(Msg(2, 1, MessageType::MsgAppend, term));
    EXPECT_EQ(r->role(), Role::kFollower);
    EXPECT_EQ(r->term(), term);
    EXPECT_EQ(r->lead(), 2u);
  }
}

void CandidateResetTerm(MessageType type) {
  Network nt(3, Opts());
  nt.Send(Hup(1));
  ASSERT_EQ(nt.raft(1).role(), Role::kLeader);
  nt.Isolate(3);
  nt.Send(Hup(2));
  nt.Send(Hup(1));
  ASSERT_EQ(nt.raft(1).role(), Role::kLeader);
  ASSERT_EQ(nt.raft(2).role(), Role::kFollower);
  for (int i = 0; i < 100 && nt.raft(3).role() != Role::kCandidate; ++i) nt.raft(3).Tick();
  ASSERT_EQ(nt.raft(3).role(), Role::kCandidate);
  nt.Recover();
  nt.Send(Msg(1, 3, type, nt.raft(1).term()));
  EXPECT_EQ(nt.raft(3).role(), Role::kFollower);
  EXPECT_EQ(nt.raft(3).term(), nt.raft(1).term());
}

TEST(Lab2AA, CandidateResetTermOnHeartbeat) { CandidateResetTerm(MessageType::MsgHeartbeat); }
TEST(Lab2AA, CandidateResetTermOnAppend) { CandidateResetTerm(MessageType::MsgAppend); }

// A leader that hears from a node with a newer term (here: a candidate answering a late
// heartbeat) steps down.
TEST(Lab2AA, DisruptiveFollowerMakesStaleLeaderStepDown) {
  Network nt(3, Opts());
  for (uint64_t id = 1; id <= 3; ++id) MakeFollower(nt.raft(id), 1, kNone);
  nt.Send(Hup(1));
  ASSERT_EQ(nt.raft(1).role(), Role::kLeader);
  ASSERT_EQ(nt.raft(1).term(), 2u);
  for (int i = 0; i < 100 && nt.raft(3).role() != Role::kCandidate; ++i) nt.raft(3).Tick();
  ASSERT_EQ(nt.raft(3).role(), Role::kCandidate);
  ASSERT_EQ(nt.raft(3).term(), 3u);
  ASSERT_EQ(nt.raft(1).role(), Role::kLeader);
  nt.Send(Msg(1, 3, MessageType::MsgHeartbeat, nt.raft(1).term()));
  EXPECT_EQ(nt.raft(1).role(), Role::kFollower);
  EXPECT_EQ(nt.raft(1).term(), 3u);
}

TEST(Lab2AA, OnlyLeaderAnswersBeatWithHeartbeats) {
  for (Role role : {Role::kLeader, Role::kCandidate, Role::kFollower}) {
    MemoryStorage s;
    auto r = New(1, {1, 2, 3}, &s);
    if (role == Role::kLeader) MakeLeader(*r);
    if (role == Role::kCandidate) MakeCandidate(*r);
    (void)r->Step(Beat(1));
    auto msgs = r->ReadMessages();
    EXPECT_EQ(msgs.size(), role == Role::kLeader ? 2u : 0u) << RoleName(role);
    for (const auto& m : msgs) EXPECT_EQ(m.msg_type(), MessageType::MsgHeartbeat);
  }
}

// §5.2: the leader sends heartbeats every heartbeat_tick ticks.
TEST(Lab2AA, LeaderBroadcastsHeartbeatOnTick) {
  MemoryStorage s;
  auto r = NewTestRaft(1, {1, 2, 3}, 10, 2, &s, Seed());
  MakeLeader(*r);
  r->Tick();
  EXPECT_TRUE(Filter(r->ReadMessages(), MessageType::MsgHeartbeat).empty());
  r->Tick();
  auto hb = Filter(r->ReadMessages(), MessageType::MsgHeartbeat);
  ASSERT_EQ(hb.size(), 2u);
  EXPECT_EQ(hb[0].to(), 2u);
  EXPECT_EQ(hb[1].to(), 3u);
  EXPECT_EQ(hb[0].term(), r->term());
}

// §5.2: election timeouts are random in [et, 2et), and every value occurs.
TEST(Lab2AA, ElectionTimeoutIsRandomized) {
  const int et = 10;
  for (Role role : {Role::kFollower, Role::kCandidate}) {
    std::set<int> seen;
    MemoryStorage s;
    auto r = New(1, {1, 2, 3}, &s, et);
    for (int round = 0; round < 50 * et; ++round) {
      if (role == Role::kFollower) MakeFollower(*r, r->term() + 1, kNone);
      if (role == Role::kCandidate) MakeCandidate(*r);
      const uint64_t term = r->term();
      int ticks = 0;
      while (r->term() == term && ticks < 10 * et) {
        r->Tick();
        ++ticks;
      }
      r->ReadMessages();
      ASSERT_GE(ticks, et) << RoleName(role);
      ASSERT_LT(ticks, 2 * et) << RoleName(role);
      seen.insert(ticks);
    }
    EXPECT_EQ(seen.size(), static_cast<size_t>(et)) << RoleName(role);
  }
}

// §5.2: randomization makes simultaneous timeouts (split votes) rare.
TEST(Lab2AA, ElectionTimeoutsRarelyConflict) {
  const int et = 10, size = 5, rounds = 1000;
  std::vector<std::unique_ptr<MemoryStorage>> storages;
  std::vector<std::unique_ptr<Raft>> rs;
  for (int i = 1; i <= size; ++i) {
    storages.push_back(std::make_unique<MemoryStorage>());
    rs.push_back(New(i, Ids(size), storages.back().get(), et));
  }
  int conflicts = 0;
  for (int round = 0; round < rounds; ++round) {
    for (auto& r : rs) MakeFollower(*r, r->term() + 1, kNone);
    int timed_out = 0;
    // A randomized timeout is below 2 * et ticks, so someone must time out by then; bounding the
    // loop turns "never times out" into a failure instead of a hang.
    for (int tick = 0; tick < 2 * et && timed_out == 0; ++tick) {
      for (auto& r : rs) {
        const uint64_t term = r->term();
        r->Tick();
        if (r->term() != term) ++timed_out;
        r->ReadMessages();
      }
    }
    ASSERT_GT(timed_out, 0) << "round " << round << ": no node timed out within 2 * " << et
                            << " ticks";
    if (timed_out > 1) ++conflicts;
  }
  EXPECT_LE(static_cast<double>(conflicts) / rounds, 0.3);
}

// After a split vote, the next round elects a leader.
TEST(Lab2AA, SplitVoteResolvesInNextRound) {
  Network nt(3, Opts());
  for (uint64_t id = 1; id <= 3; ++id) MakeFollower(nt.raft(id), 1, kNone);
  nt.Send(Hup(1));
  nt.Isolate(1);
  nt.Send({Hup(2), Hup(3)});
  EXPECT_EQ(nt.raft(2).term(), 3u);
  EXPECT_EQ(nt.raft(3).term(), 3u);
  EXPECT_EQ(nt.raft(2).role(), Role::kCandidate);
  EXPECT_EQ(nt.raft(3).role(), Role::kCandidate);
  nt.Send(Hup(2));
  EXPECT_EQ(nt.raft(2).term(), 4u);
  EXPECT_EQ(nt.raft(3).term(), 4u);
  EXPECT_EQ(nt.raft(2).role(), Role::kLeader);
  EXPECT_EQ(nt.raft(3).role(), Role::kFollower);
}

// A new leader appends an empty entry of its term.
TEST(Lab2AA, NewLeaderAppendsEmptyEntry) {
  MemoryStorage s;
  auto r = New(1, {1, 2, 3}, &s);
  MakeLeader(*r);
  auto ents = r->raft_log().AllEntries();
  ASSERT_EQ(ents.size(), 1u);
  EXPECT_EQ(ents[0].index(), 1u);
  EXPECT_EQ(ents[0].term(), r->term());
  EXPECT_TRUE(ents[0].data().empty());
}

// A node that is not a member never campaigns, even when told to.
TEST(Lab2AA, NonMemberDoesNotCampaign) {
  MemoryStorage s;
  auto r = New(1, {2, 3, 4}, &s, 5);
  (void)r->Step(Hup(1));
  for (int i = 0; i < 50; ++i) r->Tick();
  EXPECT_EQ(r->role(), Role::kFollower);
  EXPECT_EQ(r->term(), 0u);
  EXPECT_TRUE(r->ReadMessages().empty());
  // The control: a member of the same configuration, given the same, does campaign — so the
  // silence above is the non-member rule, not a node that does nothing at all.
  MemoryStorage s2;
  auto member = New(2, {2, 3, 4}, &s2, 5);
  (void)member->Step(Hup(2));
  EXPECT_EQ(member->role(), Role::kCandidate);
  EXPECT_EQ(Filter(member->ReadMessages(), MessageType::MsgRequestVote).size(), 2u);
}

// ============================== Lab2AB: log replication ======================================

TEST(Lab2AB, ProgressLeaderTracksItsOwnLog) {
  MemoryStorage s;
  auto r = New(1, {1, 2}, &s, 5);
  MakeLeader(*r);
  for (uint64_t i = 0; i < 5; ++i) {
    const raft::Progress* pr = r->GetProgress(1);
    ASSERT_NE(pr, nullptr);
    EXPECT_EQ(pr->match, i + 1);
    EXPECT_EQ(pr->next, pr->match + 1);
    EXPECT_TRUE(r->Step(Prop(1, "foo")).ok());
  }
}

TEST(Lab2AB, LeaderElectionOverwritesNewerLogs) {
  std::vector<PeerSpec> peers;
  peers.push_back(PeerSpec::FromStorage(StorageWithTerms({1})));  // won term 1
  peers.push_back(PeerSpec::FromStorage(StorageWithTerms({1})));  // got node 1's entry
  peers.push_back(PeerSpec::FromStorage(StorageWithTerms({2})));  // won term 2
  peers.push_back(PeerSpec::FromStorage(StorageWithVote(3, 2)));  // voted, no entries
  peers.push_back(PeerSpec::FromStorage(StorageWithVote(3, 2)));
  Network nt(std::move(peers), Opts());
  nt.Send(Hup(1));  // fails: a quorum knows term 2; pushes node 1 to term 2
  EXPECT_EQ(nt.raft(1).role(), Role::kFollower);
  EXPECT_EQ(nt.raft(1).term(), 2u);
  nt.Send(Hup(1));
  EXPECT_EQ(nt.raft(1).role(), Role::kLeader);
  EXPECT_EQ(nt.raft(1).term(), 3u);
  for (uint64_t id = 1; id <= 5; ++id) {
    EXPECT_EQ(TermsOf(nt.raft(id)), (std::vector<uint64_t>{1, 3})) << "node " << id;
  }
}

TEST(Lab2AB, LogReplicationCommitsOnEveryNode) {
  {
    Network nt(3, Opts());
    nt.Send(Hup(1));
    nt.Send(Prop(1, "somedata"));
    for (uint64_t id = 1; id <= 3; ++id) {
      EXPECT_EQ(nt.raft(id).raft_log().committed(), 2u) << id;
      EXPECT_EQ(At(LogOf(nt.raft(id)), 1, "the log of node " + std::to_string(id)).second,
                "somedata")
          << id;
    }
  }
  {
    Network nt(3, Opts());
    nt.Send(Hup(1));
    nt.Send(Prop(1, "a"));
    nt.Send(Hup(2));
    nt.Send(raft::testing::Propose(1, 2, "b"));
    for (uint64_t id = 1; id <= 3; ++id) {
      EXPECT_EQ(nt.raft(id).raft_log().committed(), 4u) << id;
      auto log = LogOf(nt.raft(id));
      std::vector<std::string> data;
      for (const auto& [t, d] : log) {
        if (!d.empty()) data.push_back(d);
      }
      EXPECT_EQ(data, (std::vector<std::string>{"a", "b"})) << id;
    }
  }
}

TEST(Lab2AB, SingleNodeCommitsImmediately) {
  Network nt(1, Opts());
  nt.Send(Hup(1));
  nt.Send(Prop(1, "some data"));
  nt.Send(Prop(1, "some data"));
  EXPECT_EQ(nt.raft(1).raft_log().committed(), 3u);
}

// §5.4.2: entries of an earlier term commit once an entry of the new leader's term does (the
// new leader's empty entry suffices).
TEST(Lab2AB, CommitWithoutNewTermEntry) {
  Network nt(5, Opts());
  nt.Send(Hup(1));
  nt.Cut(1, 3);
  nt.Cut(1, 4);
  nt.Cut(1, 5);
  nt.Send(Prop(1, "some data"));
  nt.Send(Prop(1, "some data"));
  EXPECT_EQ(nt.raft(1).raft_log().committed(), 1u);
  nt.Recover();
  nt.Send(Hup(2));
  EXPECT_EQ(nt.raft(2).role(), Role::kLeader);
  EXPECT_EQ(nt.raft(1).raft_log().committed(), 4u);
}

TEST(Lab2AB, DuelingCandidates) {
  Network nt(3, Opts());
  nt.Cut(1, 3);
  nt.Send(Hup(1));
  nt.Send(Hup(3));
  EXPECT_EQ(nt.raft(1).role(), Role::kLeader);
  EXPECT_EQ(nt.raft(3).role(), Role::kCandidate);
  nt.Recover();
  // 3 campaigns at a higher term and disrupts 1, but loses: its log is shorter.
  nt.Send(Hup(3));
  for (uint64_t id = 1; id <= 3; ++id) {
    EXPECT_EQ(nt.raft(id).role(), Role::kFollower) << id;
    EXPECT_EQ(nt.raft(id).term(), 2u) << id;
  }
  for (uint64_t id : {1, 2}) {
    EXPECT_EQ(TermsOf(nt.raft(id)), (std::vector<uint64_t>{1})) << id;
    EXPECT_EQ(nt.raft(id).raft_log().committed(), 1u) << id;
  }
  EXPECT_TRUE(TermsOf(nt.raft(3)).empty());
}

TEST(Lab2AB, CandidateConcedesToLeader) {
  Network nt(3, Opts());
  nt.Isolate(1);
  nt.Send(Hup(1));
  nt.Send(Hup(3));
  nt.Recover();
  nt.Send(Beat(3));
  nt.Send(Prop(3, "force follower"));
  nt.Send(Beat(3));
  EXPECT_EQ(nt.raft(1).role(), Role::kFollower);
  EXPECT_EQ(nt.raft(1).term(), 1u);
  using L = std::vector<std::pair<uint64_t, std::string>>;
  for (uint64_t id = 1; id <= 3; ++id) {
    EXPECT_EQ(LogOf(nt.raft(id)), (L{{1, ""}, {1, "force follower"}})) << id;
    EXPECT_EQ(nt.raft(id).raft_log().committed(), 2u) << id;
  }
}

// Steps `m`, a message of an older term than r's, into r and expects it to change nothing: not
// the term, role, vote or leader, not the log, not the commit index. A reply, if any, goes to
// the stale sender and carries r's newer term (so a stale leader learns it is deposed).
void ExpectStaleMessageIgnored(Raft& r, const Message& m, const std::string& what) {
  ASSERT_LT(m.term(), r.term()) << what << ": the test's message must be stale";
  const uint64_t term = r.term(), vote = r.vote(), lead = r.lead();
  const uint64_t commit = r.raft_log().committed();
  const Role role = r.role();
  const auto log = LogOf(r);
  (void)r.Step(m);
  EXPECT_EQ(r.term(), term) << what << ": the term changed";
  EXPECT_EQ(r.role(), role) << what << ": the " << RoleName(role) << " changed role";
  EXPECT_EQ(r.lead(), lead) << what << ": the leader changed";
  EXPECT_EQ(r.vote(), vote) << what << ": the vote changed";
  EXPECT_EQ(LogOf(r), log) << what << ": the log changed";
  EXPECT_EQ(r.raft_log().committed(), commit) << what << ": the commit index changed";
  for (const Message& out : r.ReadMessages()) {
    EXPECT_EQ(out.to(), m.from()) << what << ": sent " << eraftpb::MessageType_Name(out.msg_type())
                                  << " to " << out.to() << ", not to the stale sender";
    EXPECT_EQ(out.term(), term) << what << ": the reply "
                                << eraftpb::MessageType_Name(out.msg_type())
                                << " does not carry the newer term";
  }
}

// A stale leader's append: after (index, log_term), entries of its term, and a commit index.
Message StaleAppend(uint64_t from, uint64_t to, uint64_t term, uint64_t index, uint64_t log_term,
                    uint64_t last, uint64_t commit) {
  Message m = Msg(from, to, MessageType::MsgAppend, term);
  m.set_index(index);
  m.set_log_term(log_term);
  for (uint64_t i = index + 1; i <= last; ++i) *m.add_entries() = E(i, term, "stale");
  m.set_commit(commit);
  return m;
}

// §5.1: a message from an older term is stale and is ignored. Followers and candidates must not
// take appends or heartbeats from a deposed leader (which may arrive long after it lost its
// term), and a candidate must not count vote responses of an older term. §5.2: a candidate
// counts voters, not responses, so a grant delivered twice is one vote.
TEST(Lab2AB, OldMessagesAreIgnored) {
  // Each stale message goes to a fresh node, so that each case fails on its own.
  std::vector<std::unique_ptr<MemoryStorage>> storages;
  // Follower 3 at term 3 with leader 1, log terms [1 2 3], commit 1; 2 led term 2.
  auto follower = [&storages] {
    storages.push_back(StorageWithTerms({1, 2}));
    auto r = New(3, {1, 2, 3}, storages.back().get());
    MakeFollower(*r, 3, 1);
    Message app = Msg(1, 3, MessageType::MsgAppend, 3);
    app.set_index(2);
    app.set_log_term(2);
    *app.add_entries() = E(3, 3);
    app.set_commit(1);
    (void)r->Step(app);
    r->ReadMessages();
    EXPECT_EQ(TermsOf(*r), (std::vector<uint64_t>{1, 2, 3}));
    EXPECT_EQ(r->raft_log().committed(), 1u);
    EXPECT_EQ(r->lead(), 1u);
    return r;
  };
  // Candidate 1 at term 3, log terms [1 2]; 2 led term 2.
  auto candidate = [&storages] {
    storages.push_back(StorageWithTerms({1, 2}));
    auto r = New(1, {1, 2, 3}, storages.back().get());
    MakeCandidate(*r);
    EXPECT_EQ(r->role(), Role::kCandidate);
    EXPECT_EQ(r->term(), 3u);
    return r;
  };
  ExpectStaleMessageIgnored(
      *follower(), StaleAppend(2, 3, 2, 1, 1, 4, 4),
      "follower at term 3, append of term 2 (entries 2-4) conflicting at index 3");
  ExpectStaleMessageIgnored(*follower(), StaleAppend(2, 3, 2, 2, 2, 2, 2),
                            "follower at term 3, empty append of term 2 with commit 2");
  Message hb = Msg(2, 3, MessageType::MsgHeartbeat, 2);
  hb.set_commit(3);
  ExpectStaleMessageIgnored(*follower(), hb,
                            "follower at term 3, heartbeat of term 2 with commit 3");
  ExpectStaleMessageIgnored(*candidate(), StaleAppend(2, 1, 2, 2, 2, 3, 3),
                            "candidate at term 3, append of term 2");
  hb = Msg(2, 1, MessageType::MsgHeartbeat, 2);
  hb.set_commit(2);
  ExpectStaleMessageIgnored(*candidate(), hb, "candidate at term 3, heartbeat of term 2");
  {
    // Grants from an election this node lost (delivered late) are not votes in this one.
    auto r = candidate();
    for (uint64_t voter : {2, 3}) {
      ExpectStaleMessageIgnored(
          *r, Msg(voter, 1, MessageType::MsgRequestVoteResponse, 2),
          "candidate at term 3, vote grant of term 2 from " + std::to_string(voter));
    }
  }
  {
    // Candidate 1 of a 5-node group at term 1: it needs 3 distinct voters, itself included.
    MemoryStorage s;
    auto r = New(1, Ids(5), &s);
    MakeCandidate(*r);
    ASSERT_EQ(r->term(), 1u);
    const Message grant = Msg(2, 1, MessageType::MsgRequestVoteResponse, 1);
    (void)r->Step(grant);
    (void)r->Step(grant);
    EXPECT_EQ(r->role(), Role::kCandidate)
        << "a 5-node candidate with its own vote and 2's grant delivered twice became leader: "
           "a duplicated response must not count as a second vote";
    Message reject = Msg(3, 1, MessageType::MsgRequestVoteResponse, 1);
    reject.set_reject(true);
    for (int i = 0; i < 3; ++i) (void)r->Step(reject);
    EXPECT_EQ(r->role(), Role::kCandidate)
        << "a 5-node candidate gave up on one voter's rejection delivered three times";
    (void)r->Step(Msg(4, 1, MessageType::MsgRequestVoteResponse, 1));
    EXPECT_EQ(r->role(), Role::kLeader) << "grants from 1, 2 and 4 are a quorum of 5";
  }
}

TEST(Lab2AB, ProposalCommitsOnlyWithAQuorum) {
  struct Case {
    std::vector<PeerSpec> peers;
    bool success;
  };
  std::vector<Case> cases;
  cases.push_back({Peers({K::kFresh, K::kFresh, K::kFresh}), true});
  cases.push_back({Peers({K::kFresh, K::kFresh, K::kBlackHole}), true});
  cases.push_back({Peers({K::kFresh, K::kBlackHole, K::kBlackHole}), false});
  cases.push_back({Peers({K::kFresh, K::kBlackHole, K::kBlackHole, K::kFresh}), false});
  cases.push_back({Peers({K::kFresh, K::kBlackHole, K::kBlackHole, K::kFresh, K::kFresh}), true});
  for (size_t i = 0; i < cases.size(); ++i) {
    Network nt(std::move(cases[i].peers), Opts());
    nt.Send(Hup(1));
    nt.Send(Prop(1, "somedata"));
    using L = std::vector<std::pair<uint64_t, std::string>>;
    L want = cases[i].success ? L{{1, ""}, {1, "somedata"}} : L{};
    for (uint64_t id : nt.ids()) {
      if (!nt.IsRaft(id)) continue;
      EXPECT_EQ(LogOf(nt.raft(id)), want) << "case " << i << " node " << id;
      EXPECT_EQ(nt.raft(id).raft_log().committed(), cases[i].success ? 2u : 0u);
    }
    EXPECT_EQ(nt.raft(1).term(), 1u);
  }
}

// §5.3 AppendEntries receiver rules: 1. reject on a missing or mismatched previous entry;
// 2. truncate conflicts, append new entries; 3. commit min(leader commit, last new index).
TEST(Lab2AB, HandleAppendEntries) {
  struct Case {
    uint64_t log_term, index, commit;
    std::vector<Entry> ents;
    uint64_t want_last, want_commit;
    bool reject;
  } cases[] = {
      {3, 2, 3, {}, 2, 0, true},  // previous entry mismatch
      {3, 3, 3, {}, 2, 0, true},  // previous entry missing
      {1, 1, 1, {}, 2, 1, false},
      {0, 0, 1, {E(1, 2)}, 1, 1, false},
      {2, 2, 3, {E(3, 2), E(4, 2)}, 4, 3, false},
      {2, 2, 4, {E(3, 2)}, 3, 3, false},
      {1, 1, 4, {E(2, 2)}, 2, 2, false},
      {1, 1, 3, {}, 2, 1, false},         // commit up to the last new entry (1)
      {1, 1, 3, {E(2, 2)}, 2, 2, false},  // ... (2)
      {2, 2, 3, {}, 2, 2, false},
      {2, 2, 4, {}, 2, 2, false},  // commit up to the last index
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    const Case& c = cases[i];
    auto s = StorageWithTerms({1, 2});
    auto r = New(1, {1}, s.get());
    MakeFollower(*r, 2, kNone);
    Message m = Msg(2, 1, MessageType::MsgAppend, 2);
    m.set_log_term(c.log_term);
    m.set_index(c.index);
    m.set_commit(c.commit);
    for (const auto& e : c.ents) *m.add_entries() = e;
    (void)r->Step(m);
    EXPECT_EQ(r->raft_log().LastIndex(), c.want_last) << "case " << i;
    EXPECT_EQ(r->raft_log().committed(), c.want_commit) << "case " << i;
    auto msgs = r->ReadMessages();
    ASSERT_EQ(msgs.size(), 1u) << "case " << i;
    EXPECT_EQ(msgs[0].msg_type(), MessageType::MsgAppendResponse);
    EXPECT_EQ(msgs[0].reject(), c.reject) << "case " << i;
  }
}

TEST(Lab2AB, AllServersStepDownOnHigherTerm) {
  for (Role role : {Role::kFollower, Role::kCandidate, Role::kLeader}) {
    MemoryStorage s;
    auto r = New(1, {1, 2, 3}, &s);
    if (role == Role::kFollower) MakeFollower(*r, 1, kNone);
    if (role == Role::kCandidate) MakeCandidate(*r);
    if (role == Role::kLeader) MakeLeader(*r);
    const uint64_t want_index = role == Role::kLeader ? 1 : 0;
    for (MessageType t : {MessageType::MsgRequestVote, MessageType::MsgAppend}) {
      Message m = Msg(2, 1, t, 3);
      m.set_log_term(3);
      (void)r->Step(m);
      EXPECT_EQ(r->role(), Role::kFollower);
      EXPECT_EQ(r->term(), 3u);
      EXPECT_EQ(r->raft_log().LastIndex(), want_index) << RoleName(role);
      EXPECT_EQ(r->lead(), t == MessageType::MsgRequestVote ? kNone : 2u);
    }
  }
}

TEST(Lab2AB, HeartbeatCommitIsBoundedByMatch) {
  struct Case {
    int fail, success;
  } cases[] = {{1, 1}, {5, 3}, {5, 10}};
  for (const Case& c : cases) {
    Network nt(3, Opts());
    nt.Send(Hup(1));
    nt.Isolate(1);
    for (int i = 0; i < c.fail; ++i) nt.Send(Prop(1, ""));
    EXPECT_LE(nt.raft(1).raft_log().committed(), 1u);
    nt.Send(Hup(2));
    for (int i = 0; i < c.success; ++i) nt.Send(Prop(2, ""));
    const uint64_t want = 2 + c.success;
    EXPECT_EQ(nt.raft(2).raft_log().committed(), want);
    EXPECT_EQ(nt.raft(3).raft_log().committed(), want);
    nt.Recover();
    nt.Ignore(MessageType::MsgAppend);
    nt.Send(Beat(2));
    // Node 1 holds different entries at those indices: a heartbeat must not commit them.
    EXPECT_LE(nt.raft(1).raft_log().committed(), 1u);
  }
}

TEST(Lab2AB, LeaderIncreasesNextOnAcks) {
  std::vector<PeerSpec> peers;
  peers.push_back(PeerSpec::FromStorage(StorageWithTerms({1, 1, 1})));
  peers.push_back(PeerSpec::Fresh());
  peers.push_back(PeerSpec::Fresh());
  Network nt(std::move(peers), Opts());
  nt.Send(Hup(1));
  nt.Send(Prop(1, "somedata"));
  // previous entries + empty entry + proposal + 1
  EXPECT_EQ(ProgressOf(nt.raft(1), 2).next, 3u + 1 + 1 + 1);
}

// §5.3: the leader appends a proposal and sends it to every follower after the previous entry.
TEST(Lab2AB, LeaderStartsReplication) {
  MemoryStorage s;
  auto r = New(1, {1, 2, 3}, &s);
  MakeLeader(*r);
  AckAll(*r);
  const uint64_t li = r->raft_log().LastIndex();
  ASSERT_TRUE(r->Step(Prop(1, "some data")).ok());
  EXPECT_EQ(r->raft_log().LastIndex(), li + 1);
  EXPECT_EQ(r->raft_log().committed(), li);
  auto msgs = r->ReadMessages();
  ASSERT_EQ(msgs.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(msgs[i].to(), 2 + i);
    EXPECT_EQ(msgs[i].msg_type(), MessageType::MsgAppend);
    EXPECT_EQ(msgs[i].index(), li);
    EXPECT_EQ(msgs[i].log_term(), 1u);
    EXPECT_EQ(msgs[i].commit(), li);
    ASSERT_EQ(msgs[i].entries_size(), 1);
    EXPECT_EQ(msgs[i].entries(0).index(), li + 1);
    EXPECT_EQ(msgs[i].entries(0).data(), "some data");
  }
  auto unstable = r->raft_log().UnstableEntries();
  ASSERT_FALSE(unstable.empty());
  EXPECT_EQ(LastOf(unstable, "the unstable entries").data(), "some data");
}

// §5.3: once a quorum acknowledges, the leader commits and tells every follower.
TEST(Lab2AB, LeaderCommitsAndBroadcastsCommit) {
  MemoryStorage s;
  auto r = New(1, {1, 2, 3}, &s);
  MakeLeader(*r);
  AckAll(*r);
  const uint64_t li = r->raft_log().LastIndex();
  (void)r->Step(Prop(1, "some data"));
  for (const auto& m : r->ReadMessages()) {
    Message ack = Msg(m.to(), 1, MessageType::MsgAppendResponse, r->term());
    ack.set_index(m.index() + m.entries_size());
    (void)r->Step(ack);
  }
  EXPECT_EQ(r->raft_log().committed(), li + 1);
  auto msgs = Filter(r->ReadMessages(), MessageType::MsgAppend);
  std::set<uint64_t> to;
  for (const auto& m : msgs) {
    EXPECT_EQ(m.commit(), li + 1);
    to.insert(m.to());
  }
  EXPECT_EQ(to, (std::set<uint64_t>{2, 3}));
}

TEST(Lab2AB, LeaderAcknowledgesCommitWithQuorum) {
  struct Case {
    int size;
    std::set<uint64_t> acceptors;
    bool committed;
  } cases[] = {
      {1, {}, true},     {3, {}, false},       {3, {2}, true},
      {3, {2, 3}, true}, {5, {}, false},       {5, {2}, false},
      {5, {2, 3}, true}, {5, {2, 3, 4}, true}, {5, {2, 3, 4, 5}, true},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    MemoryStorage s;
    auto r = New(1, Ids(cases[i].size), &s);
    MakeLeader(*r);
    AckAll(*r);
    const uint64_t li = r->raft_log().LastIndex();
    (void)r->Step(Prop(1, "some data"));
    for (const auto& m : r->ReadMessages()) {
      if (cases[i].acceptors.count(m.to()) == 0) continue;
      Message ack = Msg(m.to(), 1, MessageType::MsgAppendResponse, r->term());
      ack.set_index(m.index() + m.entries_size());
      (void)r->Step(ack);
    }
    EXPECT_EQ(r->raft_log().committed() > li, cases[i].committed) << "case " << i;
  }
}

// §5.3: committing an entry commits every preceding entry, including earlier terms' ones.
TEST(Lab2AB, LeaderCommitsPrecedingEntries) {
  const std::vector<std::vector<uint64_t>> logs = {{}, {2}, {1, 1}, {1}};
  for (const auto& terms : logs) {
    auto s = StorageWithTerms(terms);
    eraftpb::HardState hs;
    hs.set_term(2);
    s->SetHardState(hs);
    auto r = New(1, {1, 2, 3}, s.get());
    MakeLeader(*r);  // term 3
    (void)r->Step(Prop(1, "some data"));
    for (const auto& m : r->ReadMessages()) {
      Message ack = Msg(m.to(), 1, MessageType::MsgAppendResponse, r->term());
      ack.set_index(r->raft_log().LastIndex());
      (void)r->Step(ack);
    }
    const uint64_t li = terms.size();
    EXPECT_EQ(r->raft_log().committed(), li + 2);
    std::vector<uint64_t> want = terms;
    want.push_back(3);
    want.push_back(3);
    EXPECT_EQ(TermsOf(*r), want);
  }
}

// §5.3: a follower commits what the leader says is committed, up to what it holds.
TEST(Lab2AB, FollowerCommitsEntries) {
  struct Case {
    std::vector<Entry> ents;
    uint64_t commit;
  } cases[] = {
      {{E(1, 1, "some data")}, 1},
      {{E(1, 1, "some data"), E(2, 1, "some data2")}, 2},
      {{E(1, 1, "some data2"), E(2, 1, "some data")}, 2},
      {{E(1, 1, "some data"), E(2, 1, "some data2")}, 1},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    MemoryStorage s;
    auto r = New(1, {1, 2, 3}, &s);
    MakeFollower(*r, 1, 2);
    Message m = Msg(2, 1, MessageType::MsgAppend, 1);
    m.set_commit(cases[i].commit);
    for (const auto& e : cases[i].ents) *m.add_entries() = e;
    (void)r->Step(m);
    EXPECT_EQ(r->raft_log().committed(), cases[i].commit) << "case " << i;
  }
}

// §5.3: a follower rejects an append whose previous entry it does not hold.
TEST(Lab2AB, FollowerChecksPreviousEntry) {
  struct Case {
    uint64_t log_term, index;
    bool reject;
    uint64_t want_index;  // accepted: matched index
  } cases[] = {
      {0, 0, false, 1},  // below the commit index: acknowledged as committed
      {1, 1, false, 1}, {2, 2, false, 2}, {1, 2, true, 0},  // term mismatch
      {2, 3, true, 0},                                      // missing
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    auto s = StorageWithTerms({1, 2});
    eraftpb::HardState hs;
    hs.set_term(2);
    hs.set_commit(1);
    s->SetHardState(hs);
    auto r = New(1, {1, 2, 3}, s.get());
    MakeFollower(*r, 2, 2);
    Message m = Msg(2, 1, MessageType::MsgAppend, 2);
    m.set_log_term(cases[i].log_term);
    m.set_index(cases[i].index);
    (void)r->Step(m);
    auto msgs = r->ReadMessages();
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0].reject(), cases[i].reject) << "case " << i;
    if (!cases[i].reject) {
      EXPECT_EQ(msgs[0].index(), cases[i].want_index) << "case " << i;
    } else {
      EXPECT_LT(msgs[0].index(), cases[i].index) << "case " << i;
    }
  }
}

// §5.3: a follower deletes a conflicting suffix and appends what is new.
TEST(Lab2AB, FollowerAppendsAndTruncatesConflicts) {
  struct Case {
    uint64_t index, log_term;
    std::vector<Entry> ents;
    std::vector<uint64_t> want_terms;
    std::vector<uint64_t> want_unstable_terms;
  } cases[] = {
      {2, 2, {E(3, 3)}, {1, 2, 3}, {3}},
      {1, 1, {E(2, 3), E(3, 4)}, {1, 3, 4}, {3, 4}},
      {0, 0, {E(1, 1)}, {1, 2}, {}},
      {0, 0, {E(1, 3)}, {3}, {3}},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    auto s = StorageWithTerms({1, 2});
    auto r = New(1, {1, 2, 3}, s.get());
    MakeFollower(*r, 2, 2);
    Message m = Msg(2, 1, MessageType::MsgAppend, 2);
    m.set_log_term(cases[i].log_term);
    m.set_index(cases[i].index);
    for (const auto& e : cases[i].ents) *m.add_entries() = e;
    (void)r->Step(m);
    EXPECT_EQ(TermsOf(*r), cases[i].want_terms) << "case " << i;
    std::vector<uint64_t> unstable;
    for (const auto& e : r->raft_log().UnstableEntries()) unstable.push_back(e.term());
    EXPECT_EQ(unstable, cases[i].want_unstable_terms) << "case " << i;
  }
}

// §5.3, Figure 7: a new leader brings every kind of divergent follower log in line with its
// own, and fast back-off needs only a few rejections to find the match.
TEST(Lab2AB, LeaderSyncsDivergentFollowerLogsFigure7) {
  const std::vector<uint64_t> leader = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};
  const std::vector<std::vector<uint64_t>> followers = {
      {1, 1, 1, 4, 4, 5, 5, 6, 6},           // (a) missing one entry
      {1, 1, 1, 4},                          // (b) missing many
      {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6},     // (c) one extra uncommitted entry
      {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7},  // (d) extra entries of a later term
      {1, 1, 1, 4, 4, 4, 4},                 // (e) missing and extra
      {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3},     // (f) many entries of other terms
  };
  const uint64_t term = 8;
  for (size_t i = 0; i < followers.size(); ++i) {
    auto ls = StorageWithTerms(leader);
    eraftpb::HardState lhs;
    lhs.set_term(term);
    lhs.set_commit(leader.size());
    ls->SetHardState(lhs);
    auto fs = StorageWithTerms(followers[i]);
    eraftpb::HardState fhs;
    fhs.set_term(term - 1);
    fs->SetHardState(fhs);
    std::vector<PeerSpec> peers;
    peers.push_back(PeerSpec::FromStorage(std::move(ls)));
    peers.push_back(PeerSpec::FromStorage(std::move(fs)));
    peers.push_back(PeerSpec::BlackHole());
    Network nt(std::move(peers), Opts());
    int rejections = 0;
    nt.SetHook([&](const Message& m) {
      if (m.msg_type() == MessageType::MsgAppendResponse && m.reject()) ++rejections;
      return true;
    });
    nt.Send(Hup(1));
    // The black hole's vote (the follower may refuse: its log can be more up to date).
    Message vote = Msg(3, 1, MessageType::MsgRequestVoteResponse, nt.raft(1).term());
    nt.Send(vote);
    ASSERT_EQ(nt.raft(1).role(), Role::kLeader) << "case " << i;
    nt.Send(Prop(1, ""));
    EXPECT_EQ(LogOf(nt.raft(1)), LogOf(nt.raft(2))) << "case " << i;
    EXPECT_EQ(nt.raft(2).raft_log().committed(), nt.raft(1).raft_log().committed());
    EXPECT_LE(rejections, 3) << "case " << i << ": back-off should skip whole terms";
  }
}

// §5.4.1: the candidate sends its last entry's index and term in its vote requests.
TEST(Lab2AB, VoteRequestCarriesLastEntry) {
  struct Case {
    std::vector<Entry> ents;
    uint64_t term;
  } cases[] = {{{E(1, 1)}, 2}, {{E(1, 1), E(2, 2)}, 3}};
  for (const Case& c : cases) {
    MemoryStorage s;
    auto r = New(1, {1, 2, 3}, &s);
    Message m = Msg(2, 1, MessageType::MsgAppend, c.term - 1);
    for (const auto& e : c.ents) *m.add_entries() = e;
    (void)r->Step(m);
    r->ReadMessages();
    for (int i = 1; i < 2 * 10 && r->role() != Role::kCandidate; ++i) r->Tick();
    ASSERT_EQ(r->role(), Role::kCandidate);
    auto msgs = Filter(r->ReadMessages(), MessageType::MsgRequestVote);
    ASSERT_EQ(msgs.size(), 2u);
    for (const auto& v : msgs) {
      EXPECT_EQ(v.term(), c.term);
      EXPECT_EQ(v.index(), c.ents.back().index());
      EXPECT_EQ(v.log_term(), c.ents.back().term());
    }
  }
}

// §5.4.1: a voter refuses a candidate whose log is less up to date.
TEST(Lab2AB, VoterComparesLogs) {
  struct Case {
    std::vector<uint64_t> terms;
    uint64_t log_term, index;
    bool reject;
  } cases[] = {
      {{1}, 1, 1, false}, {{1}, 1, 2, false}, {{1, 1}, 1, 1, true},
      {{1}, 2, 1, false}, {{1}, 2, 2, false}, {{1, 1}, 2, 1, false},
      {{2}, 1, 1, true},  {{2}, 1, 2, true},  {{2, 1}, 1, 1, true},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    auto s = StorageWithTerms(cases[i].terms);
    auto r = New(1, {1, 2}, s.get());
    Message m = Msg(2, 1, MessageType::MsgRequestVote, 3);
    m.set_log_term(cases[i].log_term);
    m.set_index(cases[i].index);
    (void)r->Step(m);
    auto msgs = r->ReadMessages();
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0].reject(), cases[i].reject) << "case " << i;
  }
}

// §5.4.2: only entries of the current term commit by counting replicas.
TEST(Lab2AB, LeaderOnlyCommitsLogFromCurrentTerm) {
  struct Case {
    uint64_t index, want_commit;
  } cases[] = {{1, 0}, {2, 0}, {3, 3}};
  for (const Case& c : cases) {
    auto s = StorageWithTerms({1, 2});
    auto r = New(1, {1, 2}, s.get());
    MakeLeader(*r);  // term 3, empty entry at index 3
    ASSERT_EQ(r->term(), 3u);
    Message ack = Msg(2, 1, MessageType::MsgAppendResponse, r->term());
    ack.set_index(c.index);
    (void)r->Step(ack);
    EXPECT_EQ(r->raft_log().committed(), c.want_commit) << "ack " << c.index;
  }
}

// Figure 8 (c)-(e): S1 leads term 4 and its term-2 entry sits on a majority, yet it must not
// count as committed: S5 can still win term 5 and overwrite it everywhere.
TEST(Lab2AB, EarlierTermEntryOnMajorityIsNotCommittedFigure8) {
  auto store = [](std::vector<uint64_t> terms, uint64_t term, uint64_t vote) {
    auto s = StorageWithTerms(terms);
    eraftpb::HardState hs;
    hs.set_term(term);
    hs.set_vote(vote);
    hs.set_commit(1);
    s->SetHardState(hs);
    return s;
  };
  std::vector<PeerSpec> peers;
  peers.push_back(PeerSpec::FromStorage(store({1, 2}, 3, kNone)));  // S1
  peers.push_back(PeerSpec::FromStorage(store({1, 2}, 4, 1)));      // S2 voted S1 in term 4
  peers.push_back(PeerSpec::FromStorage(store({1, 2}, 4, 1)));      // S3 voted S1 in term 4
  peers.push_back(PeerSpec::FromStorage(store({1}, 3, kNone)));     // S4
  peers.push_back(PeerSpec::FromStorage(store({1, 3}, 3, kNone)));  // S5 led term 3
  Network nt(std::move(peers), Opts());
  Raft& s1 = nt.raft(1);
  MakeLeader(s1);  // term 4, entry (3, 4) only on S1
  ASSERT_EQ(s1.term(), 4u);
  for (uint64_t p : {2, 3}) {
    Message ack = Msg(p, 1, MessageType::MsgAppendResponse, 4);
    ack.set_index(2);
    (void)s1.Step(ack);
  }
  EXPECT_EQ(s1.raft_log().committed(), 1u) << "index 2 (term 2) must not commit by counting";
  s1.ReadMessages();
  // S1 crashes; S5 wins term 5 with S2, S3, S4 and overwrites index 2.
  nt.Isolate(1);
  nt.Send(Hup(5));
  if (nt.raft(5).role() != Role::kLeader) nt.Send(Hup(5));
  ASSERT_EQ(nt.raft(5).role(), Role::kLeader);
  for (uint64_t id = 2; id <= 5; ++id) {
    auto terms = TermsOf(nt.raft(id));
    ASSERT_GE(terms.size(), 2u);
    EXPECT_EQ(terms[1], 3u) << "node " << id;
    EXPECT_GE(nt.raft(id).raft_log().committed(), 3u) << "node " << id;
  }
  nt.Recover();
  nt.Send(Beat(5));
  EXPECT_EQ(s1.role(), Role::kFollower);
  EXPECT_EQ(TermsOf(s1), TermsOf(nt.raft(5)));
}

// Figure 8 (e): once an entry of the leader's term is on a majority, it commits together with
// the earlier-term entries before it.
TEST(Lab2AB, CurrentTermEntryCommitsEarlierOnesFigure8) {
  auto s = StorageWithTerms({1, 2});
  eraftpb::HardState hs;
  hs.set_term(3);
  hs.set_commit(1);
  s->SetHardState(hs);
  auto r = New(1, {1, 2, 3, 4, 5}, s.get());
  MakeLeader(*r);
  for (uint64_t p : {2, 3}) {
    Message ack = Msg(p, 1, MessageType::MsgAppendResponse, r->term());
    ack.set_index(3);
    (void)r->Step(ack);
  }
  EXPECT_EQ(r->raft_log().committed(), 3u);
}

// Heartbeats carry min(match, commit), and a lagging follower's heartbeat response triggers
// an append of what it misses.
TEST(Lab2AB, HeartbeatCarriesMinMatchCommitAndLaggardGetsAppend) {
  MemoryStorage s;
  auto r = New(1, {1, 2, 3}, &s);
  MakeLeader(*r);
  Message ack = Msg(2, 1, MessageType::MsgAppendResponse, r->term());
  ack.set_index(1);
  (void)r->Step(ack);
  (void)r->Step(Prop(1, "x"));
  ack = Msg(3, 1, MessageType::MsgAppendResponse, r->term());
  ack.set_index(2);
  (void)r->Step(ack);
  ASSERT_EQ(r->raft_log().committed(), 2u);
  r->ReadMessages();
  (void)r->Step(Beat(1));
  auto hb = Filter(r->ReadMessages(), MessageType::MsgHeartbeat);
  ASSERT_EQ(hb.size(), 2u);
  EXPECT_EQ(hb[0].to(), 2u);
  EXPECT_EQ(hb[0].commit(), 1u);
  EXPECT_EQ(hb[1].commit(), 2u);
  (void)r->Step(Msg(2, 1, MessageType::MsgHeartbeatResponse, r->term()));
  auto app = Filter(r->ReadMessages(), MessageType::MsgAppend);
  ASSERT_EQ(app.size(), 1u);
  EXPECT_EQ(app[0].to(), 2u);
  ASSERT_EQ(app[0].entries_size(), 1);
  EXPECT_EQ(app[0].entries(0).index(), 2u);
  // An up-to-date follower's heartbeat response sends nothing.
  (void)r->Step(Msg(3, 1, MessageType::MsgHeartbeatResponse, r->term()));
  EXPECT_TRUE(r->ReadMessages().empty());
}

// A stale rejection (older than what the leader knows is matched) does not move next back.
TEST(Lab2AB, StaleRejectionIsIgnored) {
  MemoryStorage s;
  auto r = New(1, {1, 2}, &s);
  MakeLeader(*r);
  (void)r->Step(Prop(1, "x"));
  Message ack = Msg(2, 1, MessageType::MsgAppendResponse, r->term());
  ack.set_index(2);
  (void)r->Step(ack);
  r->ReadMessages();
  Message rej = Msg(2, 1, MessageType::MsgAppendResponse, r->term());
  rej.set_reject(true);
  rej.set_index(0);
  (void)r->Step(rej);
  EXPECT_EQ(ProgressOf(*r, 2).match, 2u);
  EXPECT_EQ(ProgressOf(*r, 2).next, 3u);
  EXPECT_TRUE(r->ReadMessages().empty());
}

TEST(Lab2AB, ProposalWithoutLeaderIsDropped) {
  MemoryStorage s;
  auto r = New(1, {1, 2, 3}, &s);
  EXPECT_TRUE(r->Step(Prop(1)).IsProposalDropped());
  MakeCandidate(*r);
  EXPECT_TRUE(r->Step(Prop(1)).IsProposalDropped());
  EXPECT_EQ(r->raft_log().LastIndex(), 0u);
}

TEST(Lab2AB, FollowerForwardsProposalToLeader) {
  Network nt(3, Opts());
  nt.Send(Hup(1));
  nt.Send(Prop(2, "via follower"));
  for (uint64_t id = 1; id <= 3; ++id) {
    EXPECT_EQ(LastOf(LogOf(nt.raft(id)), "the log of node " + std::to_string(id)).second,
              "via follower")
        << id;
    EXPECT_EQ(nt.raft(id).raft_log().committed(), 2u) << id;
  }
}

// ============================== Lab2AC: RawNode and Ready ====================================

std::unique_ptr<raft::RawNode> NewNode(uint64_t id, std::vector<uint64_t> peers, MemoryStorage* s,
                                       uint64_t applied = 0) {
  raft::Config c = raft::testing::TestConfig(id, std::move(peers), 10, 1, s, Seed());
  c.applied = applied;
  auto n = raft::RawNode::Create(c);
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  return std::move(n).value();
}

// Persists a Ready into storage the way an application must.
void Persist(MemoryStorage& s, const raft::Ready& rd) {
  if (rd.snapshot) {
    ASSERT_TRUE(s.ApplySnapshot(*rd.snapshot).ok());
  }
  if (!rd.entries.empty()) {
    ASSERT_TRUE(s.Append(rd.entries).ok());
  }
  if (rd.hard_state) s.SetHardState(*rd.hard_state);
}

TEST(Lab2AC, RawNodeStartCampaignProposeAndReady) {
  MemoryStorage s;
  auto n = NewNode(1, {1}, &s);
  EXPECT_FALSE(n->HasReady());
  ASSERT_TRUE(n->Campaign().ok());
  ASSERT_TRUE(n->HasReady());
  raft::Ready rd = n->GetReady();
  ASSERT_TRUE(rd.soft_state.has_value());
  EXPECT_EQ(rd.soft_state->role, Role::kLeader);
  EXPECT_EQ(rd.soft_state->lead, 1u);
  ASSERT_TRUE(rd.hard_state.has_value());
  EXPECT_EQ(rd.hard_state->term(), 1u);
  EXPECT_EQ(rd.hard_state->vote(), 1u);
  EXPECT_EQ(rd.hard_state->commit(), 1u);
  ASSERT_EQ(rd.entries.size(), 1u);
  EXPECT_EQ(rd.entries[0].index(), 1u);
  ASSERT_EQ(rd.committed_entries.size(), 1u);
  EXPECT_TRUE(rd.messages.empty());
  EXPECT_FALSE(rd.snapshot.has_value());
  Persist(s, rd);
  n->Advance(rd);
  EXPECT_FALSE(n->HasReady());

  ASSERT_TRUE(n->Propose("foo").ok());
  ASSERT_TRUE(n->HasReady());
  rd = n->GetReady();
  EXPECT_FALSE(rd.soft_state.has_value()) << "soft state unchanged";
  ASSERT_TRUE(rd.hard_state.has_value());
  EXPECT_EQ(rd.hard_state->commit(), 2u);
  ASSERT_EQ(rd.entries.size(), 1u);
  EXPECT_EQ(rd.entries[0].data(), "foo");
  ASSERT_EQ(rd.committed_entries.size(), 1u);
  EXPECT_EQ(rd.committed_entries[0].data(), "foo");
  Persist(s, rd);
  n->Advance(rd);
  EXPECT_FALSE(n->HasReady());
  EXPECT_EQ(n->GetStatus().applied, 2u);
}

TEST(Lab2AC, RawNodeRestartHandsOutCommittedButUnappliedEntries) {
  auto s = StorageWithTerms({1, 1});
  eraftpb::HardState hs;
  hs.set_term(1);
  hs.set_commit(1);
  s->SetHardState(hs);
  auto n = NewNode(1, {}, s.get());
  ASSERT_TRUE(n->HasReady());
  raft::Ready rd = n->GetReady();
  EXPECT_FALSE(rd.hard_state.has_value()) << "nothing changed since the persisted state";
  EXPECT_TRUE(rd.entries.empty()) << "entries from storage are already stable";
  ASSERT_EQ(rd.committed_entries.size(), 1u);
  EXPECT_EQ(rd.committed_entries[0].index(), 1u);
  n->Advance(rd);
  EXPECT_FALSE(n->HasReady());
}

TEST(Lab2AC, RawNodeRestartSkipsAppliedEntries) {
  auto s = StorageWithTerms({1, 1, 1});
  eraftpb::HardState hs;
  hs.set_term(1);
  hs.set_commit(3);
  s->SetHardState(hs);
  auto n = NewNode(1, {}, s.get(), /*applied=*/2);
  ASSERT_TRUE(n->HasReady());
  raft::Ready rd = n->GetReady();
  ASSERT_EQ(rd.committed_entries.size(), 1u);
  EXPECT_EQ(rd.committed_entries[0].index(), 3u);
}

TEST(Lab2AC, RawNodeStepRejectsLocalMessagesAndUnknownPeers) {
  MemoryStorage s;
  auto n = NewNode(1, {1, 2}, &s);
  EXPECT_TRUE(n->Step(Hup(1)).IsStepLocalMsg());
  EXPECT_TRUE(n->Step(Beat(1)).IsStepLocalMsg());
  EXPECT_TRUE(n->Step(Msg(9, 1, MessageType::MsgAppendResponse, 1)).IsStepPeerNotFound());
  EXPECT_TRUE(n->Step(Msg(9, 1, MessageType::MsgHeartbeatResponse, 1)).IsStepPeerNotFound());
  EXPECT_TRUE(n->Step(Msg(2, 1, MessageType::MsgHeartbeat, 1)).ok());
  // ... and a heartbeat of a known leader is stepped, not only accepted: node 1 follows 2 now.
  ASSERT_TRUE(n->HasReady());
  raft::Ready rd = n->GetReady();
  ASSERT_TRUE(rd.soft_state.has_value()) << "following a new leader changes the soft state";
  EXPECT_EQ(rd.soft_state->lead, 2u);
  EXPECT_EQ(Filter(rd.messages, MessageType::MsgHeartbeatResponse).size(), 1u);
}

TEST(Lab2AC, RawNodeProposeWithoutLeaderIsDropped) {
  MemoryStorage s;
  auto n = NewNode(1, {1, 2, 3}, &s);
  EXPECT_TRUE(n->Propose("x").IsProposalDropped());
}

// Messages are only handed out through Ready, after the state they depend on.
TEST(Lab2AC, ReadyCarriesVoteStateTogetherWithVoteRequests) {
  MemoryStorage s;
  auto n = NewNode(1, {1, 2, 3}, &s);
  ASSERT_TRUE(n->Campaign().ok());
  raft::Ready rd = n->GetReady();
  ASSERT_TRUE(rd.hard_state.has_value());
  EXPECT_EQ(rd.hard_state->vote(), 1u);
  EXPECT_EQ(rd.hard_state->term(), 1u);
  EXPECT_EQ(rd.messages.size(), 2u);
  ASSERT_TRUE(rd.soft_state.has_value());
  EXPECT_EQ(rd.soft_state->role, Role::kCandidate);
  Persist(s, rd);
  n->Advance(rd);
  EXPECT_FALSE(n->HasReady());
}

TEST(Lab2AC, ThreeNodesAgreeThroughReadyCycles) {
  raft::testing::Cluster c({1, 2, 3}, Seed());
  ASSERT_TRUE(c.node(1).Campaign().ok());
  c.Stabilize();
  ASSERT_EQ(c.Leader(), 1u);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(c.node(1).Propose("v" + std::to_string(i)).ok());
    c.Stabilize();
  }
  for (uint64_t id = 1; id <= 3; ++id) {
    const auto& applied = c.applied(id);
    ASSERT_EQ(applied.size(), 11u) << id;
    for (int i = 0; i < 10; ++i) {
      EXPECT_EQ(applied[i + 1].data(), "v" + std::to_string(i));
    }
    EXPECT_EQ(c.storage(id).hard_state().commit(), 11u);
    EXPECT_EQ(*c.storage(id).LastIndex(), 11u);
  }
}

TEST(Lab2AC, ElectionHappensByTicksAlone) {
  raft::testing::Cluster c({1, 2, 3}, Seed());
  c.TickAll(40);
  const uint64_t leader = c.Leader();
  ASSERT_NE(leader, kNone);
  ASSERT_TRUE(c.node(leader).Propose("x").ok());
  c.Stabilize();
  for (uint64_t id = 1; id <= 3; ++id) {
    EXPECT_EQ(LastOf(c.applied(id), "what node " + std::to_string(id) + " applied").data(), "x");
  }
}

TEST(Lab2AC, RestartedNodeKeepsTermVoteAndLog) {
  raft::testing::Cluster c({1, 2, 3}, Seed());
  ASSERT_TRUE(c.node(1).Campaign().ok());
  c.Stabilize();
  ASSERT_TRUE(c.node(1).Propose("a").ok());
  c.Stabilize();
  const raft::NodeStatus before = c.node(2).GetStatus();
  c.Restart(2);
  const raft::NodeStatus after = c.node(2).GetStatus();
  EXPECT_EQ(after.term, before.term);
  EXPECT_EQ(after.vote, before.vote);
  EXPECT_EQ(after.last_index, before.last_index);
  EXPECT_EQ(after.commit, before.commit);
  EXPECT_EQ(after.applied, before.applied);
  EXPECT_FALSE(c.node(2).HasReady());
  ASSERT_TRUE(c.node(1).Propose("b").ok());
  c.Stabilize();
  EXPECT_EQ(LastOf(c.applied(2), "what node 2 applied").data(), "b");
}

}  // namespace
}  // namespace tinykv::labs
