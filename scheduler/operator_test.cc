// Operators and the operator controller: steps finished by what heartbeats show, the responses
// TinyKV's stores expect, timeouts, staleness, one operator per region.
#include "scheduler/operator_controller.h"

#include <gtest/gtest.h>

#include <string>

namespace tinykv::scheduler {
namespace {

using std::chrono::seconds;

metapb::Peer P(uint64_t id, uint64_t store) {
  metapb::Peer p;
  p.set_id(id);
  p.set_store_id(store);
  return p;
}

// Region 7 on stores 1, 2, 3 (peers 71, 72, 73), led by 71, conf_ver 5.
RegionInfo Region() {
  RegionInfo r;
  r.meta.set_id(7);
  r.meta.mutable_region_epoch()->set_conf_ver(5);
  r.meta.mutable_region_epoch()->set_version(3);
  for (uint64_t s = 1; s <= 3; ++s) *r.meta.add_peers() = P(70 + s, s);
  r.leader = r.meta.peers(0);
  return r;
}

// Move the region's peer from store 1 to store 4: add 74, hand leadership to 72, remove 71.
Operator Move(const RegionInfo& r, seconds at = seconds(0)) {
  return Operator("balance-region", r.id(), r.epoch(),
                  {OpStep::AddPeer(4, 74), OpStep::TransferLeader(1, 2), OpStep::RemovePeer(1)},
                  at);
}

void AddPeer(RegionInfo& r, const metapb::Peer& p) {
  *r.meta.add_peers() = p;
  r.meta.mutable_region_epoch()->set_conf_ver(r.epoch().conf_ver() + 1);
}

TEST(OperatorController, AMoveWalksItsStepsAsHeartbeatsShowThem) {
  OperatorController oc;
  RegionInfo r = Region();
  std::string why;
  ASSERT_TRUE(oc.Add(Move(r), r, &why)) << why;

  auto resp = oc.Dispatch(r, seconds(1));
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->region_id(), 7u);
  EXPECT_EQ(resp->target_peer().id(), 71u);
  ASSERT_TRUE(resp->has_change_peer());
  EXPECT_EQ(resp->change_peer().change_type(), eraftpb::AddNode);
  EXPECT_EQ(resp->change_peer().peer().id(), 74u);
  EXPECT_EQ(resp->change_peer().peer().store_id(), 4u);

  // Added but still catching up: nothing to send, the step is not done.
  AddPeer(r, P(74, 4));
  r.pending_peers = {P(74, 4)};
  EXPECT_FALSE(oc.Dispatch(r, seconds(2)).has_value());
  ASSERT_NE(oc.Get(7), nullptr);

  r.pending_peers.clear();
  resp = oc.Dispatch(r, seconds(3));
  ASSERT_TRUE(resp.has_value() && resp->has_transfer_leader());
  EXPECT_EQ(resp->transfer_leader().peer().id(), 72u);

  r.leader = P(72, 2);
  resp = oc.Dispatch(r, seconds(4));
  ASSERT_TRUE(resp.has_value() && resp->has_change_peer());
  EXPECT_EQ(resp->change_peer().change_type(), eraftpb::RemoveNode);
  EXPECT_EQ(resp->change_peer().peer().id(), 71u);
  EXPECT_EQ(resp->target_peer().id(), 72u);
  EXPECT_EQ(oc.leader_changes_caused(7), 1u)
      << "the transfer is counted once a heartbeat shows it, before the operator ends";

  r.meta.mutable_peers()->DeleteSubrange(0, 1);
  r.meta.mutable_region_epoch()->set_conf_ver(r.epoch().conf_ver() + 1);
  EXPECT_FALSE(oc.Dispatch(r, seconds(5)).has_value());
  EXPECT_EQ(oc.Get(7), nullptr);
  EXPECT_EQ(oc.ended(OperatorController::End::kFinished), 1u);
  EXPECT_EQ(oc.leader_changes_caused(7), 1u) << "the move handed leadership over once";
  EXPECT_EQ(oc.leader_changes_caused(8), 0u);
  ASSERT_EQ(oc.log().size(), 1u);
  EXPECT_EQ(oc.log()[0],
            "finished balance-region of region 7: add peer 74 on store 4, transfer leader from "
            "store 1 to store 2, remove peer on store 1");
}

TEST(OperatorController, OneOperatorPerRegion) {
  OperatorController oc;
  RegionInfo r = Region();
  std::string why;
  ASSERT_TRUE(oc.Add(Move(r), r, &why));
  EXPECT_FALSE(oc.Add(Move(r), r, &why));
  EXPECT_NE(why.find("has an operator already"), std::string::npos) << why;
  EXPECT_FALSE(oc.Add(Operator("empty", 8, r.epoch(), {}, seconds(0)), r, &why));
}

TEST(OperatorController, AnOperatorPlannedForAnOlderEpochIsRefused) {
  OperatorController oc;
  RegionInfo r = Region();
  const Operator planned = Move(r);
  r.meta.mutable_region_epoch()->set_version(4);  // split since
  std::string why;
  EXPECT_FALSE(oc.Add(planned, r, &why));
  EXPECT_NE(why.find("older epoch"), std::string::npos) << why;
}

TEST(OperatorController, OperatorsTimeOut) {
  OperatorControllerOptions o;
  o.leader_timeout = seconds(10);
  o.region_timeout = seconds(60);
  OperatorController oc(o);
  RegionInfo r = Region();
  std::string why;
  ASSERT_TRUE(oc.Add(Operator("transfer", 7, r.epoch(), {OpStep::TransferLeader(1, 3)}, seconds(0)),
                     r, &why));
  EXPECT_TRUE(oc.Dispatch(r, seconds(9)).has_value());
  EXPECT_FALSE(oc.Dispatch(r, seconds(11)).has_value());
  EXPECT_EQ(oc.ended(OperatorController::End::kTimedOut), 1u);

  ASSERT_TRUE(oc.Add(Move(r, seconds(100)), r, &why));
  EXPECT_TRUE(oc.Dispatch(r, seconds(150)).has_value()) << "a peer move has a minute";
  EXPECT_FALSE(oc.Dispatch(r, seconds(161)).has_value());
  EXPECT_EQ(oc.ended(OperatorController::End::kTimedOut), 2u);
}

TEST(OperatorController, AMembershipChangeByAnotherHandMakesTheOperatorStale) {
  OperatorController oc;
  RegionInfo r = Region();
  std::string why;
  ASSERT_TRUE(oc.Add(Move(r), r, &why));
  AddPeer(r, P(75, 5));  // not the operator's step
  EXPECT_FALSE(oc.Dispatch(r, seconds(1)).has_value());
  EXPECT_EQ(oc.ended(OperatorController::End::kStale), 1u);
  EXPECT_EQ(oc.Get(7), nullptr);
  EXPECT_EQ(oc.leader_changes_caused(7), 0u) << "it never got to its transfer";
}

TEST(OperatorController, ItsOwnStepsDoNotMakeItStale) {
  OperatorController oc;
  RegionInfo r = Region();
  std::string why;
  ASSERT_TRUE(oc.Add(Move(r), r, &why));
  AddPeer(r, P(74, 4));  // conf_ver 6: the operator's own first step, seen at once
  const auto resp = oc.Dispatch(r, seconds(1));
  ASSERT_TRUE(resp.has_value());
  EXPECT_TRUE(resp->has_transfer_leader());
}

TEST(OperatorController, ATransferToAStoreWithoutAPeerIsStale) {
  OperatorController oc;
  RegionInfo r = Region();
  std::string why;
  ASSERT_TRUE(oc.Add(Operator("transfer", 7, r.epoch(), {OpStep::TransferLeader(1, 9)}, seconds(0)),
                     r, &why));
  EXPECT_FALSE(oc.Dispatch(r, seconds(1)).has_value());
  EXPECT_EQ(oc.ended(OperatorController::End::kStale), 1u);
}

TEST(OperatorController, NoOperatorNoResponse) {
  OperatorController oc;
  EXPECT_FALSE(oc.Dispatch(Region(), seconds(1)).has_value());
}

TEST(OperatorController, RemovingTheLeadersOwnPeerCountsAsOneLeaderChange) {
  OperatorController oc;
  RegionInfo r = Region();
  std::string why;
  // Planned when store 1 did not lead; by the time the removal is due, it does (peer 71).
  ASSERT_TRUE(
      oc.Add(Operator("replace", r.id(), r.epoch(), {OpStep::RemovePeer(1)}, seconds(0)), r, &why))
      << why;
  auto resp = oc.Dispatch(r, seconds(1));
  ASSERT_TRUE(resp.has_value() && resp->has_change_peer());
  EXPECT_EQ(resp->change_peer().peer().id(), 71u);
  EXPECT_EQ(oc.leader_changes_caused(7), 1u)
      << "the leader steps down once it applies its own removal: the next term is the "
         "scheduler's doing";
  (void)oc.Dispatch(r, seconds(2));  // the step is repeated until done: counted once
  EXPECT_EQ(oc.leader_changes_caused(7), 1u);
}

}  // namespace
}  // namespace tinykv::scheduler
