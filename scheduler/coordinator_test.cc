// Balance-leader, the replica checker and the coordinator's round.
#include "scheduler/coordinator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scheduler/balance_leader.h"
#include "scheduler/meta_store.h"
#include "scheduler/region_heartbeat.h"
#include "scheduler/replica_checker.h"

namespace tinykv::scheduler {
namespace {

constexpr Time kNow = std::chrono::hours(1);

class Bed {
 public:
  Bed() { options.max_store_down_time = std::chrono::minutes(5); }
  void AddStores(int n) {
    for (int i = 1; i <= n; ++i) {
      metapb::Store s;
      s.set_id(static_cast<uint64_t>(i));
      cluster.PutStore(s);
      Heartbeat(static_cast<uint64_t>(i), kNow);
    }
  }
  void Heartbeat(uint64_t store, Time at) {
    schedulerpb::StoreStats stats;
    stats.set_store_id(store);
    ASSERT_TRUE(cluster.StoreHeartbeat(stats, at).ok());
  }
  void SetDown(uint64_t store) { Heartbeat(store, kNow - std::chrono::minutes(10)); }
  // Region `id` with peers on `stores` (the first leads), size 10.
  const RegionInfo& AddRegion(uint64_t id, const std::vector<uint64_t>& stores) {
    RegionInfo r;
    r.meta.set_id(id);
    r.meta.set_start_key("r" + std::to_string(id));
    r.meta.set_end_key("r" + std::to_string(id) + "~");
    for (uint64_t s : stores) {
      metapb::Peer* p = r.meta.add_peers();
      p->set_id(id * 100 + s);
      p->set_store_id(s);
    }
    r.leader = r.meta.peers(0);
    r.approximate_size = 10;
    EXPECT_TRUE(ProcessRegionHeartbeat(cluster, r).ok());
    return *cluster.GetRegion(id);
  }

  // `stores` stores; regions 1 and 2 on stores 1, 2, 3, both led from store 1.
  void TwoRegionsLedFromStore1(int stores) {
    AddStores(stores);
    AddRegion(1, {1, 2, 3});
    AddRegion(2, {1, 2, 3});
  }

  ClusterInfo cluster;
  ScheduleOptions options;
  MemMetaStore meta;
  IdAllocator ids{&meta};
};

std::string Steps(const std::optional<Operator>& op) { return op ? op->ToString() : "none"; }

TEST(BalanceLeader, MovesALeaderFromTheBusiestStoreWhenTheGapIsTwoOrMore) {
  Bed b;
  b.TwoRegionsLedFromStore1(3);
  EXPECT_EQ(Steps(BalanceLeader(b.cluster, b.options, kNow)),
            "balance-leader of region 1: transfer leader from store 1 to store 2");
  Bed even;
  even.AddStores(3);
  even.AddRegion(1, {1, 2, 3});
  even.AddRegion(2, {2, 1, 3});
  even.AddRegion(3, {3, 1, 2});
  even.AddRegion(4, {1, 2, 3});
  EXPECT_EQ(Steps(BalanceLeader(even.cluster, even.options, kNow)), "none")
      << "2, 1, 1 leaders: a move would only swap two stores";
}

TEST(BalanceLeader, NeverPicksADownOrCatchingUpStore) {
  Bed b;
  b.TwoRegionsLedFromStore1(3);
  b.SetDown(2);
  EXPECT_EQ(Steps(BalanceLeader(b.cluster, b.options, kNow)),
            "balance-leader of region 1: transfer leader from store 1 to store 3");
}

TEST(ReplicaChecker, ReplacesAPeerOnADownStore) {
  Bed b;
  b.AddStores(4);
  const RegionInfo& r = b.AddRegion(1, {1, 2, 3});
  EXPECT_EQ(Steps(CheckReplicas(b.cluster, r, b.options, b.ids, kNow)), "none");
  b.SetDown(3);
  const std::optional<Operator> op = CheckReplicas(b.cluster, r, b.options, b.ids, kNow);
  ASSERT_TRUE(op.has_value());
  EXPECT_EQ(op->desc(), "replace-unhealthy-peer");
  ASSERT_EQ(op->steps().size(), 2u);
  EXPECT_EQ(op->steps()[0].to_store, 4u);
  EXPECT_EQ(op->steps()[1].from_store, 3u);
}

TEST(ReplicaChecker, AddsAMissingPeerAndRemovesAnExtraOne) {
  Bed b;
  b.AddStores(4);
  const std::optional<Operator> add =
      CheckReplicas(b.cluster, b.AddRegion(1, {1, 2}), b.options, b.ids, kNow);
  ASSERT_TRUE(add.has_value());
  EXPECT_EQ(add->desc(), "add-missing-peer");
  EXPECT_EQ(add->steps().size(), 1u);
  EXPECT_EQ(add->steps()[0].kind, OpStep::Kind::kAddPeer);

  b.AddRegion(2, {4});  // store 4 holds the most region data
  b.AddRegion(3, {4});
  const std::optional<Operator> remove =
      CheckReplicas(b.cluster, b.AddRegion(4, {1, 2, 3, 4}), b.options, b.ids, kNow);
  EXPECT_EQ(Steps(remove), "remove-extra-peer of region 4: remove peer on store 4");
}

TEST(ReplicaChecker, DoesNothingWithoutAStoreToGoTo) {
  Bed b;
  b.AddStores(3);
  const RegionInfo& r = b.AddRegion(1, {1, 2, 3});
  b.SetDown(3);
  EXPECT_EQ(Steps(CheckReplicas(b.cluster, r, b.options, b.ids, kNow)), "none");
}

TEST(Coordinator, ARoundAddsOneOperatorPerRegionAtMost) {
  Bed b;
  b.TwoRegionsLedFromStore1(4);
  b.SetDown(3);
  OperatorController operators;
  Coordinator coordinator(b.cluster, operators, b.ids, b.options);
  // Both regions lost store 3: two replacements; balance-leader then finds region 1 and 2 taken.
  EXPECT_EQ(coordinator.RunRound(kNow), 2);
  ASSERT_NE(operators.Get(1), nullptr);
  EXPECT_EQ(operators.Get(1)->desc(), "replace-unhealthy-peer");
  ASSERT_NE(operators.Get(2), nullptr);
  EXPECT_EQ(coordinator.RunRound(kNow), 0) << "every region has an operator already";
}

TEST(Coordinator, CancelsAnOperatorWaitingOnAStoreThatWentDown) {
  Bed b;
  b.TwoRegionsLedFromStore1(4);
  OperatorController operators;
  std::string why;
  // A move of region 1 onto store 4, which then goes down before the new peer catches up.
  ASSERT_TRUE(operators.Add(Operator("balance-region", 1, b.cluster.GetRegion(1)->epoch(),
                                     {OpStep::AddPeer(4, 900), OpStep::RemovePeer(3)}, kNow),
                            *b.cluster.GetRegion(1), &why))
      << why;
  b.options.balance_leader = false;
  b.options.balance_region = false;
  Coordinator coordinator(b.cluster, operators, b.ids, b.options);
  EXPECT_EQ(coordinator.RunRound(kNow), 0) << "store 4 is up: the move goes on";
  ASSERT_NE(operators.Get(1), nullptr);
  b.SetDown(4);
  // Held until its minute-long timeout, the region could not be repaired meanwhile.
  coordinator.RunRound(kNow);
  EXPECT_EQ(operators.Get(1), nullptr);
  EXPECT_EQ(operators.ended(OperatorController::End::kStale), 1u);
  ASSERT_FALSE(operators.log().empty());
  EXPECT_NE(operators.log().back().find("store 4 is down"), std::string::npos)
      << operators.log().back();
}

TEST(Coordinator, KeepsAnOperatorThatRemovesAPeerFromADownStore) {
  Bed b;
  b.TwoRegionsLedFromStore1(4);
  OperatorController operators;
  std::string why;
  ASSERT_TRUE(operators.Add(
      Operator("replace", 1, b.cluster.GetRegion(1)->epoch(), {OpStep::RemovePeer(3)}, kNow),
      *b.cluster.GetRegion(1), &why))
      << why;
  b.SetDown(3);
  b.options.balance_leader = false;
  b.options.balance_region = false;
  Coordinator coordinator(b.cluster, operators, b.ids, b.options);
  coordinator.RunRound(kNow);
  ASSERT_NE(operators.Get(1), nullptr) << "removing the down store's peer is what it needs";
  EXPECT_EQ(operators.Get(1)->desc(), "replace");
}

TEST(Coordinator, OneBalanceRegionMoveAtATime) {
  Bed b;
  b.AddStores(4);
  for (uint64_t id = 1; id <= 6; ++id) b.AddRegion(id, {1, 2, 3});  // store 4 holds nothing
  b.options.balance_leader = false;
  OperatorController operators;
  Coordinator coordinator(b.cluster, operators, b.ids, b.options);
  EXPECT_EQ(coordinator.RunRound(kNow), 1);
  EXPECT_EQ(operators.Count("balance-region"), 1u);
  EXPECT_EQ(coordinator.RunRound(kNow), 0)
      << "while a region moves both stores count it: a second move would be planned on sizes "
         "that do not show the first";
  ASSERT_NE(operators.Get(1), nullptr);
  operators.Remove(1);  // the move ended
  EXPECT_EQ(coordinator.RunRound(kNow), 1) << "the next move once the last one is over";
}

}  // namespace
}  // namespace tinykv::scheduler
