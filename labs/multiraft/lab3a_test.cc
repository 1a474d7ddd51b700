// Graded tests for lab 3A: leader transfer and single-step membership change in the Raft
// library. Randomness comes from TestSeed().
#include <gtest/gtest.h>

#include "grading/test_seed.h"
#include "labs/raft/test_util.h"
#include "raft/memory_storage.h"
#include "raft/raw_node.h"
#include "raft/testing/cluster.h"

namespace tinykv::labs {
namespace {

using raft::MemoryStorage;
using raft::testing::MakeLeader;
using raft::testing::NewTestRaft;

uint64_t Seed() { return grading::TestSeed(1); }

Network::Options Opts() {
  Network::Options o;
  o.seed = Seed();
  return o;
}

void ExpectTransferState(const Raft& r, Role role, uint64_t lead) {
  EXPECT_EQ(r.role(), role);
  EXPECT_EQ(r.lead(), lead);
}

eraftpb::ConfChange CC(eraftpb::ConfChangeType t, uint64_t id) {
  eraftpb::ConfChange cc;
  cc.set_change_type(t);
  cc.set_node_id(id);
  return cc;
}

// ------------------------------- membership --------------------------------------------------

TEST(Lab3A, AddNodeUpdatesMembership) {
  MemoryStorage s;
  auto r = NewTestRaft(1, {1}, 10, 1, &s, Seed());
  r->AddNode(2);
  EXPECT_EQ(r->Nodes(), (std::vector<uint64_t>{1, 2}));
  r->AddNode(2);  // duplicate: no-op
  EXPECT_EQ(r->Nodes(), (std::vector<uint64_t>{1, 2}));
}

TEST(Lab3A, RemoveNodeUpdatesMembership) {
  MemoryStorage s;
  auto r = NewTestRaft(1, {1, 2}, 10, 1, &s, Seed());
  r->RemoveNode(2);
  EXPECT_EQ(r->Nodes(), (std::vector<uint64_t>{1}));
  r->RemoveNode(1);
  EXPECT_TRUE(r->Nodes().empty());
}

// The quorum shrinks as soon as a removal is applied, so entries waiting for the removed
// node commit.
TEST(Lab3A, CommitAfterRemoveNode) {
  MemoryStorage s;
  auto r = NewTestRaft(1, {1, 2}, 5, 1, &s, Seed());
  MakeLeader(*r);
  // Commit and apply the leader's empty entry: until then a conf change may be pending.
  Message noop_ack = Msg(2, 1, MessageType::MsgAppendResponse, r->term());
  noop_ack.set_index(1);
  (void)r->Step(noop_ack);
  r->mutable_raft_log().AppliedTo(1);
  r->ReadMessages();
  Message cc = Msg(1, 1, MessageType::MsgPropose);
  auto* e = cc.add_entries();
  e->set_entry_type(eraftpb::EntryConfChange);
  e->set_data(CC(eraftpb::RemoveNode, 2).SerializeAsString());
  ASSERT_TRUE(r->Step(cc).ok());
  const uint64_t cc_index = r->raft_log().LastIndex();
  ASSERT_TRUE(r->Step(Prop(1, "hello")).ok());
  EXPECT_EQ(r->raft_log().committed(), 1u);
  Message ack = Msg(2, 1, MessageType::MsgAppendResponse, r->term());
  ack.set_index(cc_index);
  (void)r->Step(ack);
  EXPECT_EQ(r->raft_log().committed(), cc_index);
  r->RemoveNode(2);
  EXPECT_EQ(r->raft_log().committed(), cc_index + 1) << "the pending entry commits alone";
}

TEST(Lab3A, RemovedLeaderStepsDown) {
  Network nt(3, Opts());
  nt.Send(Hup(1));
  ASSERT_EQ(nt.raft(1).role(), Role::kLeader) << "the election, before the removal";
  nt.raft(1).RemoveNode(1);
  EXPECT_EQ(nt.raft(1).role(), Role::kFollower);
  (void)nt.raft(1).Step(Hup(1));
  EXPECT_EQ(nt.raft(1).role(), Role::kFollower) << "a removed node never campaigns";
}

TEST(Lab3A, TimeoutNowToNonMemberDoesNothing) {
  MemoryStorage s;
  auto r = NewTestRaft(1, {2, 3, 4}, 5, 1, &s, Seed());
  (void)r->Step(Msg(2, 1, MessageType::MsgTimeoutNow, 1));
  (void)r->Step(Msg(2, 1, MessageType::MsgRequestVoteResponse, 1));
  (void)r->Step(Msg(3, 1, MessageType::MsgRequestVoteResponse, 1));
  EXPECT_EQ(r->role(), Role::kFollower);
  // The control: to a member, the same MsgTimeoutNow starts an election at once.
  MemoryStorage s2;
  auto member = NewTestRaft(1, {1, 2, 3}, 5, 1, &s2, Seed());
  (void)member->Step(Msg(2, 1, MessageType::MsgTimeoutNow, 1));
  EXPECT_EQ(member->role(), Role::kCandidate) << "MsgTimeoutNow makes a member campaign";
}

TEST(Lab3A, RawNodeProposeAndApplyConfChange) {
  raft::testing::Cluster c({1}, Seed());
  ASSERT_TRUE(c.node(1).Campaign().ok());
  c.Stabilize();
  ASSERT_TRUE(c.node(1).Propose("somedata").ok());
  ASSERT_TRUE(c.node(1).ProposeConfChange(CC(eraftpb::AddNode, 2)).ok());
  c.Stabilize();
  EXPECT_EQ(c.node(1).raft().Nodes(), (std::vector<uint64_t>{1, 2}));
  const auto& applied = c.applied(1);
  ASSERT_GE(applied.size(), 2u);
  EXPECT_EQ(applied[applied.size() - 2].data(), "somedata");
  EXPECT_EQ(LastOf(applied, "the applied entries").entry_type(), eraftpb::EntryConfChange);
}

// Only one conf change may be unapplied at a time.
TEST(Lab3A, SecondConfChangeIsRefusedUntilFirstIsApplied) {
  MemoryStorage s;
  auto n = raft::RawNode::Create(raft::testing::TestConfig(1, {1}, 10, 1, &s, Seed()));
  ASSERT_TRUE(n.ok());
  raft::RawNode& node = *n.value();
  ASSERT_TRUE(node.Campaign().ok());
  auto drain = [&] {
    while (node.HasReady()) {
      raft::Ready rd = node.GetReady();
      if (!rd.entries.empty()) {
        ASSERT_TRUE(s.Append(rd.entries).ok());
      }
      if (rd.hard_state) s.SetHardState(*rd.hard_state);
      for (const auto& e : rd.committed_entries) {
        if (e.entry_type() == eraftpb::EntryConfChange) {
          eraftpb::ConfChange cc;
          cc.ParseFromString(e.data());
          node.ApplyConfChange(cc);
        }
      }
      node.Advance(rd);
    }
  };
  drain();
  ASSERT_TRUE(node.ProposeConfChange(CC(eraftpb::AddNode, 2)).ok());
  EXPECT_TRUE(node.ProposeConfChange(CC(eraftpb::AddNode, 3)).IsProposalDropped());
  EXPECT_TRUE(node.Propose("normal entries are fine").ok());
  drain();
  EXPECT_EQ(node.raft().Nodes(), (std::vector<uint64_t>{1, 2}));
  // Now the first one is applied; with two members the next one waits for node 2 to commit,
  // but it may be proposed.
  EXPECT_TRUE(node.ProposeConfChange(CC(eraftpb::AddNode, 3)).ok());
}

TEST(Lab3A, AddedNodeCatchesUpAndRemovedNodeStopsReceiving) {
  raft::testing::Cluster c({1, 2, 3}, Seed());
  ASSERT_TRUE(c.node(1).Campaign().ok());
  c.Stabilize();
  ASSERT_TRUE(c.node(1).Propose("a").ok());
  c.Stabilize();
  // A new node starts empty and learns the membership from the snapshot the leader sends.
  c.Compact(1);
  c.AddEmptyNode(4);
  ASSERT_TRUE(c.node(1).ProposeConfChange(CC(eraftpb::AddNode, 4)).ok());
  c.Stabilize();
  c.TickAll(3);
  EXPECT_EQ(c.node(4).raft().Nodes(), (std::vector<uint64_t>{1, 2, 3, 4}));
  ASSERT_TRUE(c.node(1).Propose("b").ok());
  c.Stabilize();
  EXPECT_EQ(LastOf(c.applied(4), "what node 4 applied").data(), "b");
  ASSERT_TRUE(c.node(1).ProposeConfChange(CC(eraftpb::RemoveNode, 2)).ok());
  c.Stabilize();
  c.TickAll(2);
  EXPECT_EQ(c.node(1).raft().Nodes(), (std::vector<uint64_t>{1, 3, 4}));
  const uint64_t before = c.node(2).GetStatus().last_index;
  ASSERT_TRUE(c.node(1).Propose("c").ok());
  c.Stabilize();
  EXPECT_EQ(c.node(2).GetStatus().last_index, before);
  EXPECT_EQ(LastOf(c.applied(3), "what node 3 applied").data(), "c");
}

// ------------------------------- leader transfer ---------------------------------------------

TEST(Lab3A, LeaderTransferToUpToDateNode) {
  Network nt(3, Opts());
  nt.Send(Hup(1));
  Raft& lead = nt.raft(1);
  ASSERT_EQ(lead.lead(), 1u);
  nt.Send(TransferTo(2, 1));
  ExpectTransferState(lead, Role::kFollower, 2);
  nt.Send(Prop(1, ""));  // forwarded to 2
  nt.Send(TransferTo(1, 2));
  ExpectTransferState(lead, Role::kLeader, 1);
}

TEST(Lab3A, LeaderTransferRequestSentToFollowerIsForwarded) {
  Network nt(3, Opts());
  nt.Send(Hup(1));
  Raft& lead = nt.raft(1);
  nt.Send(TransferTo(2, 2));
  ExpectTransferState(lead, Role::kFollower, 2);
  nt.Send(Prop(1, ""));
  nt.Send(TransferTo(1, 1));
  ExpectTransferState(lead, Role::kLeader, 1);
}

TEST(Lab3A, LeaderTransferCatchesUpSlowFollower) {
  Network nt(3, Opts());
  nt.Send(Hup(1));
  nt.Isolate(3);
  nt.Send(Prop(1, ""));
  nt.Recover();
  Raft& lead = nt.raft(1);
  ASSERT_EQ(ProgressOf(lead, 3).match, 1u);
  nt.Send(TransferTo(3, 1));
  ExpectTransferState(lead, Role::kFollower, 3);
}

TEST(Lab3A, LeaderTransferAfterSnapshot) {
  Network nt(3, Opts());
  nt.Send(Hup(1));
  nt.Isolate(3);
  nt.Send(Prop(1, ""));
  nt.SnapshotAndCompact(1);
  nt.raft(1).mutable_raft_log().MaybeCompact();
  nt.Recover();
  Raft& lead = nt.raft(1);
  ASSERT_EQ(ProgressOf(lead, 3).match, 1u);
  nt.Send(TransferTo(3, 1));
  nt.Send(Msg(3, 1, MessageType::MsgHeartbeatResponse, lead.term()));
  ExpectTransferState(lead, Role::kFollower, 3);
}

TEST(Lab3A, LeaderTransferToSelfIsNoop) {
  Network nt(3, Opts());
  nt.Send(Hup(1));
  nt.Send(TransferTo(1, 1));
  ExpectTransferState(nt.raft(1), Role::kLeader, 1);
  EXPECT_EQ(nt.raft(1).lead_transferee(), kNone);
}

TEST(Lab3A, LeaderTransferToNonMemberIsIgnored) {
  Network nt(3, Opts());
  nt.Send(Hup(1));
  nt.Send(TransferTo(4, 1));
  ExpectTransferState(nt.raft(1), Role::kLeader, 1);
  EXPECT_EQ(nt.raft(1).lead_transferee(), kNone);
}

TEST(Lab3A, LeaderTransferToRemovedNodeIsIgnored) {
  Network nt(3, Opts());
  nt.Send(Hup(1));
  nt.raft(1).RemoveNode(3);
  nt.Send(TransferTo(3, 1));
  ExpectTransferState(nt.raft(1), Role::kLeader, 1);
}

TEST(Lab3A, LeaderTransferReceivesHigherTermVote) {
  Network nt(3, Opts());
  nt.Send(Hup(1));
  nt.Isolate(3);
  nt.Send(TransferTo(3, 1));  // pending: 3 is unreachable
  EXPECT_EQ(nt.raft(1).lead_transferee(), 3u);
  nt.Send(Hup(2));
  ExpectTransferState(nt.raft(1), Role::kFollower, 2);
  EXPECT_EQ(nt.raft(1).lead_transferee(), kNone);
}

TEST(Lab3A, LeaderTransferBackToSelfCancels) {
  Network nt(3, Opts());
  nt.Send(Hup(1));
  nt.Isolate(3);
  nt.Send(TransferTo(3, 1));
  nt.Send(TransferTo(1, 1));
  ExpectTransferState(nt.raft(1), Role::kLeader, 1);
  EXPECT_EQ(nt.raft(1).lead_transferee(), kNone);
}

TEST(Lab3A, SecondTransferRequestOverridesFirst) {
  Network nt(3, Opts());
  nt.Send(Hup(1));
  nt.Isolate(3);
  nt.Send(TransferTo(3, 1));
  nt.Send(TransferTo(2, 1));
  ExpectTransferState(nt.raft(1), Role::kFollower, 2);
}

TEST(Lab3A, ProposalsAreRefusedDuringTransfer) {
  Network nt(3, Opts());
  nt.Send(Hup(1));
  nt.Isolate(3);
  nt.Send(TransferTo(3, 1));
  ASSERT_EQ(nt.raft(1).lead_transferee(), 3u);
  const uint64_t last = nt.raft(1).raft_log().LastIndex();
  EXPECT_TRUE(nt.raft(1).Step(Prop(1, "refused")).IsProposalDropped());
  EXPECT_EQ(nt.raft(1).raft_log().LastIndex(), last);
}

TEST(Lab3A, TransferIsAbandonedAfterElectionTimeout) {
  Network nt(3, Opts());
  nt.Send(Hup(1));
  nt.Isolate(3);
  nt.Send(TransferTo(3, 1));
  Raft& lead = nt.raft(1);
  ASSERT_EQ(lead.lead_transferee(), 3u);
  for (int i = 0; i < 9; ++i) lead.Tick();  // heartbeat_tick 1: beats are sent meanwhile
  EXPECT_EQ(lead.lead_transferee(), 3u);
  lead.Tick();
  EXPECT_EQ(lead.lead_transferee(), kNone);
  lead.ReadMessages();
  EXPECT_TRUE(lead.Step(Prop(1, "accepted again")).ok());
}

TEST(Lab3A, TransfereeCampaignsImmediatelyOnTimeoutNow) {
  Network nt(3, Opts());
  nt.Send(Hup(1));
  int timeout_now = 0;
  nt.SetHook([&](const Message& m) {
    if (m.msg_type() == MessageType::MsgTimeoutNow) {
      ++timeout_now;
      EXPECT_EQ(m.to(), 2u);
    }
    return true;
  });
  const uint64_t term = nt.raft(1).term();
  nt.Send(TransferTo(2, 1));
  EXPECT_EQ(timeout_now, 1);
  EXPECT_EQ(nt.raft(2).role(), Role::kLeader);
  EXPECT_EQ(nt.raft(2).term(), term + 1);
}

TEST(Lab3A, RawNodeTransferLeader) {
  raft::testing::Cluster c({1, 2, 3}, Seed());
  ASSERT_TRUE(c.node(1).Campaign().ok());
  c.Stabilize();
  c.node(1).TransferLeader(3);
  c.Stabilize();
  EXPECT_EQ(c.Leader(), 3u);
  ASSERT_TRUE(c.node(3).Propose("x").ok());
  c.Stabilize();
  EXPECT_EQ(LastOf(c.applied(1), "what node 1 applied").data(), "x");
}

}  // namespace
}  // namespace tinykv::labs
