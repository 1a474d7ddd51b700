// Membership changes through the mock scheduler (lab3b): peers added by snapshot, removed peers
// destroying themselves, the leader removed, a two-peer region, leader transfer, a store added
// back under a new peer id.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "grading/harness/cluster.h"
#include "grading/harness/invariant_monitor.h"
#include "grading/harness/kv_scenario.h"
#include "grading/harness/mock_scheduler.h"
#include "proto/raft_serverpb.pb.h"
#include "store/raftstore/store_node.h"
#include "store/raftstore/store_peers.h"

namespace tinykv::harness {
namespace {

using namespace std::chrono_literals;

metapb::Peer P(uint64_t id, uint64_t store) { return MakePeer(id, store); }

ClusterOptions Options(int stores, int initial, uint64_t seed) {
  ClusterOptions o;
  o.stores = stores;
  o.initial_region_stores = initial;
  o.with_scheduler = true;
  o.seed = seed;
  o.time_limit = sim::Time(120s);
  return o;
}

size_t RegionPeers(Cluster& c, sim::NodeId id) {
  const raftstore::Peer* p = c.store(id).peer();
  return p == nullptr ? 0 : static_cast<size_t>(p->region().peers_size());
}

// Writes k0..k(n-1) = v0.. through `client`; true when all were acknowledged.
bool PutKeys(Cluster& c, KvClient& client, int n) {
  for (int i = 0; i < n; ++i) {
    if (!PutUntilAcknowledged(c, client, "k" + std::to_string(i), "v" + std::to_string(i), 10s)) {
      return false;
    }
  }
  return true;
}

// PutKeys, then the store that leads region 1 (0 when none does within 5 s).
sim::NodeId PutKeysAndFindLeader(Cluster& c, KvClient& client, int n) {
  if (!PutKeys(c, client, n) || !WaitFor(
                                    c, [&] { return c.Leader().has_value(); }, 5s))
    return 0;
  return *c.Leader();
}

TEST(Membership, AnAddedPeerGetsTheRegionBySnapshot) {
  Cluster c(Options(5, 3, 1));
  KvClient client(c, 1);
  bool added = false;
  std::optional<std::string> value;
  const sim::RunResult run = c.Run([&] {
    ASSERT_TRUE(PutKeys(c, client, 20));
    added = c.MustAddPeer(1, P(4, 4), 10s);
    WaitFor(
        c, [&] { return c.store(4).LocalValue("k19").has_value(); }, 10s);
    value = c.store(4).LocalValue("k19");
  });
  ASSERT_EQ(run.outcome, sim::RunOutcome::kCompleted) << run.report << c.monitor().violation();
  EXPECT_TRUE(added);
  EXPECT_EQ(value, "v19");
  EXPECT_EQ(RegionPeers(c, 4), 4u);
  EXPECT_EQ(RegionPeers(c, 1), 4u);
  EXPECT_GE(c.store(4).snapshots_applied(), 1u);
  EXPECT_EQ(c.store(5).peer(), nullptr) << "store 5 was never added";
}

TEST(Membership, ARemovedPeerDestroysItsStateAndTheRegionGoesOn) {
  Cluster c(Options(3, 3, 2));
  KvClient client(c, 1);
  bool removed = false;
  bool gone = false;
  bool written_after = false;
  const sim::RunResult run = c.Run([&] {
    const sim::NodeId leader = PutKeysAndFindLeader(c, client, 10);
    ASSERT_NE(leader, 0u);
    // Remove a follower (the leader's own removal is the next test).
    const sim::NodeId victim = leader % 3 + 1;
    removed = c.MustRemovePeer(1, P(victim, victim), 10s);
    gone = WaitFor(
        c, [&] { return c.store(victim).peer() == nullptr; }, 10s);
    written_after = PutUntilAcknowledged(c, client, "after", "x", 10s);
    ASSERT_TRUE(gone);
    EXPECT_FALSE(c.store(victim).LocalValue("k0").has_value()) << "its data range is deleted";
    auto state = c.store(victim).RegionState(1);
    ASSERT_TRUE(state.has_value());
    EXPECT_EQ(state->state(), raft_serverpb::Tombstone);
    EXPECT_EQ(c.store(victim).RaftKeyCount(1), 0u) << "its raft state and log are deleted";
  });
  ASSERT_EQ(run.outcome, sim::RunOutcome::kCompleted) << run.report << c.monitor().violation();
  EXPECT_TRUE(removed);
  EXPECT_TRUE(written_after);
}

TEST(Membership, RemovingTheLeaderHandsLeadershipOverFirst) {
  Cluster c(Options(3, 3, 3));
  KvClient client(c, 1);
  sim::NodeId old_leader = 0;
  bool removed = false;
  bool written_after = false;
  const sim::RunResult run = c.Run([&] {
    old_leader = PutKeysAndFindLeader(c, client, 5);
    ASSERT_NE(old_leader, 0u);
    removed = c.MustRemovePeer(1, P(old_leader, old_leader), 10s);
    written_after = PutUntilAcknowledged(c, client, "after", "x", 10s);
    WaitFor(
        c, [&] { return c.store(old_leader).peer() == nullptr; }, 10s);
  });
  ASSERT_EQ(run.outcome, sim::RunOutcome::kCompleted) << run.report << c.monitor().violation();
  EXPECT_TRUE(removed);
  EXPECT_TRUE(written_after);
  EXPECT_EQ(c.store(old_leader).peer(), nullptr);
}

TEST(Membership, ATwoPeerRegionSurvivesTheRemovalOfItsLeader) {
  Cluster c(Options(2, 2, 4));
  KvClient client(c, 1);
  sim::NodeId old_leader = 0;
  bool removed = false;
  bool written_after = false;
  std::optional<std::string> read_after;
  const sim::RunResult run = c.Run([&] {
    old_leader = PutKeysAndFindLeader(c, client, 5);
    ASSERT_NE(old_leader, 0u);
    removed = c.MustRemovePeer(1, P(old_leader, old_leader), 10s);
    written_after = PutUntilAcknowledged(c, client, "after", "x", 10s);
    read_after = client.Get("k4", 10s);
  });
  ASSERT_EQ(run.outcome, sim::RunOutcome::kCompleted) << run.report << c.monitor().violation();
  EXPECT_TRUE(removed);
  EXPECT_TRUE(written_after);
  EXPECT_EQ(read_after, "v4");
}

TEST(Membership, TransferLeaderMovesTheLeadership) {
  Cluster c(Options(3, 3, 5));
  bool moved = false;
  std::optional<sim::NodeId> leader;
  sim::NodeId target = 0;
  const sim::RunResult run = c.Run([&] {
    ASSERT_TRUE(WaitFor(
        c, [&] { return c.Leader().has_value(); }, 5s));
    target = *c.Leader() % 3 + 1;
    moved = c.MustTransferLeader(1, P(target, target), 10s);
    leader = c.Leader();
  });
  ASSERT_EQ(run.outcome, sim::RunOutcome::kCompleted) << run.report << c.monitor().violation();
  EXPECT_TRUE(moved);
  EXPECT_EQ(leader, target);
}

TEST(Membership, AStoreAddedBackGetsANewPeerAndTheRegionAgain) {
  Cluster c(Options(3, 3, 6));
  KvClient client(c, 1);
  bool removed = false;
  bool readded = false;
  std::optional<std::string> value;
  uint64_t new_peer_id = 0;
  const sim::RunResult run = c.Run([&] {
    const sim::NodeId leader = PutKeysAndFindLeader(c, client, 10);
    ASSERT_NE(leader, 0u);
    const sim::NodeId victim = leader % 3 + 1;
    removed = c.MustRemovePeer(1, P(victim, victim), 10s);
    WaitFor(
        c, [&] { return c.store(victim).peer() == nullptr; }, 10s);
    ASSERT_TRUE(PutUntilAcknowledged(c, client, "k3", "v3-again", 10s));
    readded = c.MustAddPeer(1, P(100, victim), 10s);
    WaitFor(
        c, [&] { return c.store(victim).LocalValue("k3") == "v3-again"; }, 10s);
    value = c.store(victim).LocalValue("k3");
    if (const raftstore::Peer* p = c.store(victim).peer()) new_peer_id = p->id();
  });
  ASSERT_EQ(run.outcome, sim::RunOutcome::kCompleted) << run.report << c.monitor().violation();
  EXPECT_TRUE(removed);
  EXPECT_TRUE(readded);
  EXPECT_EQ(value, "v3-again");
  EXPECT_EQ(new_peer_id, 100u);
}

}  // namespace
}  // namespace tinykv::harness

namespace tinykv::harness {
namespace {

TEST(Split, ARegionLargerThanTheMaximumSplitsAndEveryKeyStaysReadable) {
  ClusterOptions o = Options(3, 3, 7);
  o.raft.region_max_size = 300;
  o.raft.region_split_size = 200;
  Cluster c(o);
  KvClient client(c, 1);
  std::vector<std::string> missing;
  const sim::RunResult run = c.Run([&] {
    for (int i = 0; i < 60; ++i) {
      const std::string k = "key" + std::to_string(100 + i);
      ASSERT_TRUE(PutUntilAcknowledged(c, client, k, "value-" + std::to_string(i), 10s)) << k;
    }
    ASSERT_TRUE(WaitFor(
        c, [&] { return c.scheduler().RegionCount() >= 3; }, 10s))
        << c.scheduler().RegionCount() << " regions";
    std::vector<std::string> keys;
    for (int i = 0; i < 60; ++i) {
      const std::string k = "key" + std::to_string(100 + i);
      keys.push_back(k);
      if (client.Get(k, 10s) != "value-" + std::to_string(i)) missing.push_back(k);
    }
    // One scan over every region (it goes region by region), then one from the middle of one.
    ASSERT_TRUE(client.Scan("", 1000, keys, 10s));
    ASSERT_TRUE(client.Scan("key130", 1000, keys, 10s));
  });
  ASSERT_EQ(run.outcome, sim::RunOutcome::kCompleted) << run.report << c.monitor().violation();
  EXPECT_TRUE(missing.empty()) << missing.size() << " keys unreadable, first " << missing[0];
  EXPECT_TRUE(c.violations().empty()) << c.violations().front();
  auto verdict = CheckKvHistory(c.history().history());
  ASSERT_TRUE(verdict.ok()) << verdict.status().message();
  EXPECT_EQ(verdict.value().verdict, check::Verdict::kLinearizable) << verdict.value().report;
  // Each scan read every key: no scanned get failed or came back empty.
  size_t scanned = 0;
  for (const auto& op : c.history().history().ops) {
    if (op.client < 1'000'000) continue;
    ++scanned;
    EXPECT_TRUE(op.output.has_value() && !op.output->empty()) << "a scan missed " << op.key;
  }
  EXPECT_EQ(scanned, 60u + 30u);
  // Every store hosts every region, and their ranges tile the key space.
  for (sim::NodeId id : c.store_ids()) {
    const raftstore::StorePeers* peers = c.store(id).peers();
    ASSERT_NE(peers, nullptr);
    std::string next;
    bool first = true;
    std::map<std::string, std::string> ranges;  // start → end
    for (const auto& [rid, peer] : peers->peers()) {
      ranges[peer->region().start_key()] = peer->region().end_key();
    }
    for (const auto& [start, end] : ranges) {
      EXPECT_EQ(start, first ? "" : next) << "store " << id << ": a gap or an overlap";
      first = false;
      next = end;
    }
    EXPECT_EQ(next, "") << "store " << id << ": the last region must reach the end";
    EXPECT_EQ(ranges.size(), c.scheduler().RegionCount()) << "store " << id;
  }
}

}  // namespace
}  // namespace tinykv::harness
