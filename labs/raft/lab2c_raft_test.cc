// Graded tests for lab 2C, raft side: snapshots. A leader sends a snapshot when a follower
// needs compacted entries; a follower restores term, commit and membership from it and ignores
// stale ones; compaction is driven by the application through Storage.
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
using raft::testing::StorageWithTerms;

uint64_t Seed() { return grading::TestSeed(1); }

Network::Options Opts() {
  Network::Options o;
  o.seed = Seed();
  return o;
}

eraftpb::Snapshot Snap(uint64_t index, uint64_t term, std::vector<uint64_t> nodes) {
  eraftpb::Snapshot s;
  s.mutable_metadata()->set_index(index);
  s.mutable_metadata()->set_term(term);
  for (uint64_t n : nodes) s.mutable_metadata()->mutable_conf_state()->add_nodes(n);
  s.set_data("state@" + std::to_string(index));
  return s;
}

Message SnapMsg(uint64_t from, uint64_t to, uint64_t term, const eraftpb::Snapshot& s) {
  Message m = Msg(from, to, MessageType::MsgSnapshot, term);
  *m.mutable_snapshot() = s;
  return m;
}

TEST(Lab2C, FollowerRestoresSnapshot) {
  MemoryStorage s;
  auto r = NewTestRaft(2, {1, 2}, 10, 1, &s, Seed());
  (void)r->Step(SnapMsg(1, 2, 2, Snap(11, 11, {1, 2, 3})));
  EXPECT_EQ(r->raft_log().LastIndex(), 11u);
  EXPECT_EQ(*r->raft_log().Term(11), 11u);
  EXPECT_EQ(r->raft_log().committed(), 11u);
  EXPECT_EQ(r->Nodes(), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(r->lead(), 1u);
  EXPECT_EQ(r->term(), 2u);
  ASSERT_NE(r->raft_log().pending_snapshot(), nullptr);
  auto msgs = r->ReadMessages();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].msg_type(), MessageType::MsgAppendResponse);
  EXPECT_EQ(msgs[0].index(), 11u);
}

TEST(Lab2C, StaleSnapshotIsIgnored) {
  auto s = StorageWithTerms({1, 1, 1});
  eraftpb::HardState hs;
  hs.set_term(1);
  hs.set_commit(3);
  s->SetHardState(hs);
  auto r = NewTestRaft(2, {1, 2}, 10, 1, s.get(), Seed());
  (void)r->Step(SnapMsg(1, 2, 1, Snap(1, 1, {1, 2})));
  EXPECT_EQ(r->raft_log().committed(), 3u);
  EXPECT_EQ(r->raft_log().LastIndex(), 3u);
  EXPECT_EQ(r->raft_log().pending_snapshot(), nullptr);
  auto msgs = r->ReadMessages();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].index(), 3u);
}

// Where the stale-snapshot rule matters: the follower has compacted its log past the snapshot's
// index, so it can no longer see that it holds the snapshot's last entry. Installing the snapshot
// would move its log and commit index back to 5 and un-commit entries 6..10.
TEST(Lab2C, StaleSnapshotBehindACompactedLogIsIgnored) {
  auto s = StorageWithTerms({1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
  eraftpb::HardState hs;
  hs.set_term(1);
  hs.set_commit(10);
  s->SetHardState(hs);
  eraftpb::ConfState cs;
  cs.add_nodes(1);
  cs.add_nodes(2);
  ASSERT_TRUE(s->CreateSnapshot(8, cs, "state@8").ok());
  ASSERT_TRUE(s->Compact(8).ok());
  auto r = NewTestRaft(2, {1, 2}, 10, 1, s.get(), Seed());
  (void)r->Step(SnapMsg(1, 2, 1, Snap(5, 1, {1, 2})));
  EXPECT_EQ(r->raft_log().committed(), 10u)
      << "a snapshot at index 5 moved the commit index of a follower that committed 10";
  EXPECT_EQ(r->raft_log().LastIndex(), 10u) << "a stale snapshot replaced the log";
  EXPECT_EQ(r->raft_log().pending_snapshot(), nullptr)
      << "a snapshot older than the commit index is handed to the application";
  auto msgs = r->ReadMessages();
  ASSERT_EQ(msgs.size(), 1u) << "the leader must learn where this follower is";
  EXPECT_EQ(msgs[0].index(), 10u);
}

TEST(Lab2C, SnapshotOfHeldEntryOnlyAdvancesCommit) {
  auto s = StorageWithTerms({1, 1, 1, 1});
  eraftpb::HardState hs;
  hs.set_term(1);
  hs.set_commit(1);
  s->SetHardState(hs);
  auto r = NewTestRaft(2, {1, 2}, 10, 1, s.get(), Seed());
  (void)r->Step(SnapMsg(1, 2, 1, Snap(3, 1, {1, 2})));
  EXPECT_EQ(r->raft_log().committed(), 3u);
  EXPECT_EQ(r->raft_log().LastIndex(), 4u) << "entries after the snapshot are kept";
}

TEST(Lab2C, LeaderSendsSnapshotWhenFollowerNeedsCompactedEntries) {
  Network nt(3, Opts());
  nt.Send(Hup(1));
  nt.Isolate(3);
  for (int i = 0; i < 10; ++i) nt.Send(Prop(1, ""));
  nt.SnapshotAndCompact(1);
  nt.raft(1).mutable_raft_log().MaybeCompact();
  nt.Recover();
  int snapshots = 0;
  nt.SetHook([&](const Message& m) {
    if (m.msg_type() == MessageType::MsgSnapshot) {
      ++snapshots;
      EXPECT_EQ(m.to(), 3u);
      EXPECT_EQ(m.snapshot().metadata().conf_state().nodes_size(), 3);
    }
    return true;
  });
  nt.Send(Beat(1));
  EXPECT_EQ(snapshots, 1);
  nt.Send(Prop(1, "after"));
  EXPECT_EQ(nt.raft(3).raft_log().committed(), nt.raft(1).raft_log().committed());
  EXPECT_EQ(nt.raft(3).raft_log().LastIndex(), nt.raft(1).raft_log().LastIndex());
}

TEST(Lab2C, SlowNodeRestoresFromSnapshotAndCatchesUp) {
  Network nt(3, Opts());
  nt.Send(Hup(1));
  nt.Isolate(3);
  for (int i = 0; i <= 100; ++i) nt.Send(Prop(1, ""));
  nt.SnapshotAndCompact(1);
  nt.raft(1).mutable_raft_log().MaybeCompact();
  nt.Recover();
  nt.Send(Beat(1));
  nt.Send(Prop(1, ""));
  nt.Send(Prop(1, ""));
  // More than the 101 proposals made while node 3 was away: equal commit indexes of two nodes
  // that never committed anything would prove nothing.
  EXPECT_GT(nt.raft(1).raft_log().committed(), 101u);
  EXPECT_EQ(nt.raft(3).raft_log().committed(), nt.raft(1).raft_log().committed());
}

// The snapshot message also tells a candidate or stale follower who leads.
TEST(Lab2C, RestoreFromSnapshotMessageSetsLeader) {
  MemoryStorage s;
  auto r = NewTestRaft(2, {1, 2}, 10, 1, &s, Seed());
  (void)r->Step(SnapMsg(1, 2, 2, Snap(11, 11, {1, 2})));
  EXPECT_EQ(r->lead(), 1u);
}

// Storage says the snapshot is not ready: the leader sends nothing and retries later.
TEST(Lab2C, SnapshotTemporarilyUnavailableIsRetried) {
  class SlowStorage : public MemoryStorage {
   public:
    raft::Result<eraftpb::Snapshot> GetSnapshot() const override {
      if (busy) return raft::Status::SnapshotTemporarilyUnavailable();
      return MemoryStorage::GetSnapshot();
    }
    bool busy = true;
  };
  SlowStorage s;
  std::vector<eraftpb::Entry> ents;
  for (uint64_t i = 1; i <= 5; ++i) ents.push_back(E(i, 1));
  ASSERT_TRUE(s.Append(ents).ok());
  eraftpb::ConfState cs;
  cs.add_nodes(1);
  cs.add_nodes(2);
  ASSERT_TRUE(s.CreateSnapshot(4, cs, "").ok());
  ASSERT_TRUE(s.Compact(4).ok());
  eraftpb::HardState hs;
  hs.set_term(1);
  hs.set_commit(5);
  s.SetHardState(hs);
  auto r = NewTestRaft(1, {1, 2}, 10, 1, &s, Seed());
  MakeLeader(*r);
  // Follower 2 is empty: it rejects and needs the snapshot.
  Message rej = Msg(2, 1, MessageType::MsgAppendResponse, r->term());
  rej.set_reject(true);
  rej.set_index(0);
  (void)r->Step(rej);
  EXPECT_TRUE(Filter(r->ReadMessages(), MessageType::MsgSnapshot).empty());
  s.busy = false;
  (void)r->Step(Msg(2, 1, MessageType::MsgHeartbeatResponse, r->term()));
  auto snaps = Filter(r->ReadMessages(), MessageType::MsgSnapshot);
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(snaps[0].snapshot().metadata().index(), 4u);
}

TEST(Lab2C, RawNodeHandsOutSnapshotThenForgetsIt) {
  MemoryStorage s;
  raft::Config c = raft::testing::TestConfig(2, {1, 2}, 10, 1, &s, Seed());
  auto n = raft::RawNode::Create(c);
  ASSERT_TRUE(n.ok());
  auto& node = *n.value();
  ASSERT_TRUE(node.Step(SnapMsg(1, 2, 2, Snap(11, 11, {1, 2}))).ok());
  ASSERT_TRUE(node.HasReady());
  raft::Ready rd = node.GetReady();
  ASSERT_TRUE(rd.snapshot.has_value());
  EXPECT_EQ(rd.snapshot->metadata().index(), 11u);
  EXPECT_TRUE(rd.committed_entries.empty()) << "the snapshot replaces entries up to 11";
  ASSERT_TRUE(rd.hard_state.has_value());
  EXPECT_EQ(rd.hard_state->commit(), 11u);
  ASSERT_TRUE(s.ApplySnapshot(*rd.snapshot).ok());
  s.SetHardState(*rd.hard_state);
  node.Advance(rd);
  EXPECT_FALSE(node.HasReady());
  EXPECT_EQ(node.GetStatus().applied, 11u);
}

TEST(Lab2C, RawNodeRestartsFromSnapshot) {
  MemoryStorage s;
  ASSERT_TRUE(s.ApplySnapshot(Snap(2, 1, {1, 2})).ok());
  ASSERT_TRUE(s.Append({E(3, 1, "foo")}).ok());
  eraftpb::HardState hs;
  hs.set_term(1);
  hs.set_commit(3);
  s.SetHardState(hs);
  raft::Config c = raft::testing::TestConfig(1, {}, 10, 1, &s, Seed());
  auto n = raft::RawNode::Create(c);
  ASSERT_TRUE(n.ok());
  auto& node = *n.value();
  EXPECT_EQ(node.raft().Nodes(), (std::vector<uint64_t>{1, 2}));
  ASSERT_TRUE(node.HasReady());
  raft::Ready rd = node.GetReady();
  ASSERT_EQ(rd.committed_entries.size(), 1u);
  EXPECT_EQ(rd.committed_entries[0].data(), "foo");
  EXPECT_FALSE(rd.hard_state.has_value());
  EXPECT_TRUE(rd.entries.empty());
  node.Advance(rd);
  EXPECT_FALSE(node.HasReady());
}

// Compaction is the application's call: after it compacts storage, Advance lets the in-memory
// log drop the entries, and a lagging follower is caught up by snapshot through Ready.
TEST(Lab2C, ApplicationDrivenCompactionCatchesUpLaggardBySnapshot) {
  raft::testing::Cluster c({1, 2, 3}, Seed());
  ASSERT_TRUE(c.node(1).Campaign().ok());
  c.Stabilize();
  c.Isolate(3);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(c.node(1).Propose("v" + std::to_string(i)).ok());
    c.Stabilize();
  }
  c.Compact(1);
  ASSERT_TRUE(c.node(1).Propose("last").ok());
  c.Stabilize();
  EXPECT_GT(c.node(1).raft().raft_log().FirstIndex(), 20u);
  c.Recover();
  c.TickAll(3);
  EXPECT_EQ(c.snapshot_index(3), 21u);
  EXPECT_EQ(LastOf(c.applied(3), "what node 3 applied").data(), "last");
  EXPECT_EQ(c.node(3).GetStatus().commit, c.node(1).GetStatus().commit);
  EXPECT_EQ(c.storage(3).GetSnapshot()->data(), "snap@21");
}

}  // namespace
}  // namespace tinykv::labs
