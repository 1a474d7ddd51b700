// Tests of the lab3b mock scheduler: its region tree and TinyKV's heartbeat staleness rules, ids,
// operators and their completion, the RPC framing (including malformed payloads), and one
// end-to-end run in the simulator through raftstore::SimSchedulerClient.
#include "grading/harness/mock_scheduler.h"

#include <gtest/gtest.h>

#include <functional>
#include <initializer_list>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sim/executor.h"
#include "sim/network.h"
#include "sim/random.h"
#include "store/raftstore/scheduler_client.h"
#include "store/server/sim_rpc.h"

namespace tinykv::harness {
namespace {

using namespace std::chrono_literals;

constexpr sim::Time kT0{0};

metapb::Peer P(uint64_t id, uint64_t store_id) {
  metapb::Peer p;
  p.set_id(id);
  p.set_store_id(store_id);
  return p;
}

// Region `id` over [start, end) at (version, conf_ver) with peers {peer id, store id}.
metapb::Region R(uint64_t id, std::string start, std::string end, uint64_t version,
                 uint64_t conf_ver, std::initializer_list<std::pair<uint64_t, uint64_t>> peers) {
  metapb::Region r;
  r.set_id(id);
  r.set_start_key(std::move(start));
  r.set_end_key(std::move(end));
  r.mutable_region_epoch()->set_version(version);
  r.mutable_region_epoch()->set_conf_ver(conf_ver);
  for (const auto& [peer, store] : peers) *r.add_peers() = P(peer, store);
  return r;
}

schedulerpb::RegionHeartbeatRequest Hb(const metapb::Region& region, const metapb::Peer& leader,
                                       std::vector<metapb::Peer> pending = {}) {
  schedulerpb::RegionHeartbeatRequest req;
  *req.mutable_region() = region;
  *req.mutable_leader() = leader;
  for (auto& p : pending) *req.add_pending_peers() = std::move(p);
  return req;
}

bool HasError(const schedulerpb::ResponseHeader& h) {
  return h.has_error() && h.error().type() != schedulerpb::OK;
}

// A bootstrapped scheduler with stores 1..3.
class MockSchedulerTest : public ::testing::Test {
 protected:
  MockSchedulerTest() : s_(MockSchedulerOptions{.cluster_id = 7, .id_base = 100}) {
    schedulerpb::BootstrapRequest boot;
    boot.mutable_store()->set_id(1);
    EXPECT_FALSE(HasError(s_.HandleBootstrap(boot).header()));
    for (uint64_t id : {2, 3}) {
      schedulerpb::PutStoreRequest put;
      put.mutable_store()->set_id(id);
      EXPECT_FALSE(HasError(s_.HandlePutStore(put).header()));
    }
  }

  // Sends a heartbeat and says whether it was accepted.
  bool Accepts(const schedulerpb::RegionHeartbeatRequest& req) {
    return !HasError(s_.HandleRegionHeartbeat(req, kT0).header());
  }
  bool Accepts(const metapb::Region& region) { return Accepts(Hb(region, region.peers(0))); }

  // Ids of the known regions, in key order.
  std::vector<uint64_t> RegionIds() const {
    std::vector<uint64_t> out;
    for (const metapb::Region& r : s_.Regions()) out.push_back(r.id());
    return out;
  }

  MockScheduler s_;
};

// ---- staleness ----

TEST_F(MockSchedulerTest, HeartbeatWithLowerVersionIsRejectedAndChangesNothing) {
  ASSERT_TRUE(Accepts(R(1, "", "", 2, 1, {{1, 1}, {2, 2}})));
  const schedulerpb::RegionHeartbeatResponse resp =
      s_.HandleRegionHeartbeat(Hb(R(1, "", "m", 1, 1, {{1, 1}, {2, 2}}), P(2, 2)), kT0);
  ASSERT_TRUE(HasError(resp.header()));
  EXPECT_NE(resp.header().error().message().find("stale"), std::string::npos)
      << resp.header().error().message();
  EXPECT_EQ(resp.header().cluster_id(), 7u);
  ASSERT_EQ(s_.RegionCount(), 1u);
  EXPECT_EQ(s_.GetRegionById(1)->end_key(), "");
  EXPECT_EQ(s_.GetRegionById(1)->region_epoch().version(), 2u);
  EXPECT_EQ(s_.Leader(1)->id(), 1u) << "a rejected heartbeat must not move the leader";
}

TEST_F(MockSchedulerTest, HeartbeatWithLowerConfVerIsRejected) {
  ASSERT_TRUE(Accepts(R(1, "", "", 1, 3, {{1, 1}, {2, 2}, {3, 3}})));
  EXPECT_FALSE(Accepts(R(1, "", "", 1, 2, {{1, 1}, {2, 2}})));
  // Higher version but lower conf_ver is contradictory (both only grow): also rejected.
  EXPECT_FALSE(Accepts(R(1, "", "", 2, 2, {{1, 1}, {2, 2}})));
  EXPECT_EQ(s_.GetRegionById(1)->peers_size(), 3);
  // Equal epoch and a newer one are accepted.
  EXPECT_TRUE(Accepts(R(1, "", "", 1, 3, {{1, 1}, {2, 2}, {3, 3}})));
  EXPECT_TRUE(Accepts(R(1, "", "", 1, 4, {{1, 1}, {2, 2}})));
  EXPECT_EQ(s_.GetRegionById(1)->peers_size(), 2);
}

TEST_F(MockSchedulerTest, HeartbeatOlderThanAnOverlappedRegionIsRejected) {
  ASSERT_TRUE(Accepts(R(2, "m", "", 2, 1, {{4, 1}})));
  // The unsplit parent's late heartbeat: version 1 against the child's 2.
  EXPECT_FALSE(Accepts(R(1, "", "", 1, 1, {{1, 1}})));
  // Equal versions of two overlapping regions cannot both be real: keep what is known.
  EXPECT_FALSE(Accepts(R(1, "", "n", 2, 5, {{1, 1}})));
  EXPECT_EQ(RegionIds(), std::vector<uint64_t>({2}));
  // Not overlapping: accepted whatever the versions.
  EXPECT_TRUE(Accepts(R(1, "", "m", 1, 1, {{1, 1}})));
  EXPECT_EQ(RegionIds(), std::vector<uint64_t>({1, 2}));
}

TEST_F(MockSchedulerTest, NewerHeartbeatReplacesItsIdAndRemovesTheRegionsItOverlaps) {
  ASSERT_TRUE(Accepts(R(2, "b", "c", 2, 1, {{4, 1}})));
  ASSERT_TRUE(Accepts(R(3, "c", "d", 3, 1, {{5, 1}})));
  ASSERT_TRUE(Accepts(R(5, "d", "", 1, 1, {{6, 1}})));
  ASSERT_TRUE(Accepts(R(1, "", "a", 1, 1, {{1, 1}})));
  ASSERT_EQ(RegionIds(), std::vector<uint64_t>({1, 2, 3, 5}));
  // Region 1 grows over [a, d) at version 4: 2 and 3 go, 5 stays; region 1 moves in the tree.
  ASSERT_TRUE(Accepts(R(1, "a", "d", 4, 1, {{1, 1}})));
  EXPECT_EQ(RegionIds(), std::vector<uint64_t>({1, 5}));
  EXPECT_EQ(s_.GetRegion("c")->id(), 1u);
  EXPECT_EQ(s_.GetRegion("b")->id(), 1u);
  EXPECT_FALSE(s_.GetRegion("").has_value())
      << "the old range of region 1 is no longer in the tree";
  EXPECT_FALSE(s_.GetRegionById(2).has_value());
  EXPECT_EQ(s_.GetRegion("d")->id(), 5u);
}

class MockSchedulerSplitOrder : public MockSchedulerTest,
                                public ::testing::WithParamInterface<bool> {};

TEST_P(MockSchedulerSplitOrder, SplitChildrenArrivingInEitherOrderEndAsTwoRegions) {
  const bool left_first = GetParam();
  const metapb::Region parent = R(1, "", "", 1, 1, {{1, 1}, {2, 2}, {3, 3}});
  const metapb::Region left = R(1, "", "m", 2, 1, {{1, 1}, {2, 2}, {3, 3}});
  const metapb::Region right = R(9, "m", "", 2, 1, {{10, 1}, {11, 2}, {12, 3}});
  ASSERT_TRUE(Accepts(parent));
  ASSERT_TRUE(Accepts(left_first ? left : right));
  if (left_first) {
    EXPECT_EQ(RegionIds(), std::vector<uint64_t>({1}));
    EXPECT_FALSE(s_.GetRegion("z").has_value());
  } else {
    // The right child drops the parent; the left half is unknown until its own heartbeat.
    EXPECT_EQ(RegionIds(), std::vector<uint64_t>({9}));
    EXPECT_FALSE(s_.GetRegion("a").has_value());
  }
  ASSERT_TRUE(Accepts(left_first ? right : left));
  EXPECT_EQ(RegionIds(), std::vector<uint64_t>({1, 9}));
  EXPECT_EQ(s_.GetRegion("a")->id(), 1u);
  EXPECT_EQ(s_.GetRegion("m")->id(), 9u);
  // A late heartbeat of the unsplit parent is stale either way.
  EXPECT_FALSE(Accepts(parent));
  EXPECT_EQ(RegionIds(), std::vector<uint64_t>({1, 9}));
}

INSTANTIATE_TEST_SUITE_P(MockSchedulerSplit, MockSchedulerSplitOrder, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "LeftFirst" : "RightFirst"; });

// ---- lookup ----

TEST_F(MockSchedulerTest, LookupByKeyHonoursRangeBoundariesAndAnEmptyEndKey) {
  ASSERT_TRUE(Accepts(R(1, "", "b", 2, 1, {{1, 1}})));
  ASSERT_TRUE(Accepts(R(2, "b", "d", 2, 1, {{2, 1}})));
  ASSERT_TRUE(Accepts(R(3, "d", "", 2, 1, {{3, 1}})));
  EXPECT_EQ(s_.GetRegion("")->id(), 1u);
  EXPECT_EQ(s_.GetRegion("a\xff")->id(), 1u);
  EXPECT_EQ(s_.GetRegion("b")->id(), 2u) << "start keys are inclusive";
  EXPECT_EQ(s_.GetRegion("c\xff\xff")->id(), 2u);
  EXPECT_EQ(s_.GetRegion("d")->id(), 3u) << "end keys are exclusive";
  EXPECT_EQ(s_.GetRegion(std::string(100, '\xff'))->id(), 3u) << "end key \"\" is +inf";

  // The same over the RPCs, with the leader and the other peers.
  schedulerpb::GetRegionRequest get;
  get.set_region_key("c");
  const schedulerpb::GetRegionResponse by_key = s_.HandleGetRegion(get);
  EXPECT_FALSE(HasError(by_key.header()));
  EXPECT_EQ(by_key.region().id(), 2u);
  EXPECT_EQ(by_key.leader().id(), 2u);
  const schedulerpb::GetRegionResponse prev = s_.HandleGetPrevRegion(get);
  EXPECT_EQ(prev.region().id(), 1u);
  get.set_region_key("a");
  EXPECT_EQ(s_.HandleGetPrevRegion(get).header().error().type(), schedulerpb::REGION_NOT_FOUND);
  schedulerpb::GetRegionByIDRequest by_id;
  by_id.set_region_id(3);
  EXPECT_EQ(s_.HandleGetRegionByID(by_id).region().start_key(), "d");
  by_id.set_region_id(4);
  EXPECT_EQ(s_.HandleGetRegionByID(by_id).header().error().type(), schedulerpb::REGION_NOT_FOUND);

  schedulerpb::ScanRegionsRequest scan;
  scan.set_start_key("a");
  scan.set_end_key("d");
  schedulerpb::ScanRegionsResponse scanned = s_.HandleScanRegions(scan);
  ASSERT_EQ(scanned.regions_size(), 2) << "[a, d) overlaps regions 1 and 2, not 3";
  EXPECT_EQ(scanned.regions(0).id(), 1u);
  EXPECT_EQ(scanned.regions(1).id(), 2u);
  ASSERT_EQ(scanned.leaders_size(), 2);
  EXPECT_EQ(scanned.leaders(1).id(), 2u);
  scan.set_end_key("");
  EXPECT_EQ(s_.HandleScanRegions(scan).regions_size(), 3);
  scan.set_limit(1);
  EXPECT_EQ(s_.HandleScanRegions(scan).regions_size(), 1);
}

TEST_F(MockSchedulerTest, KeysInAGapOfTheTreeHaveNoRegion) {
  ASSERT_TRUE(Accepts(R(2, "b", "d", 2, 1, {{2, 1}})));
  EXPECT_FALSE(s_.GetRegion("a").has_value());
  EXPECT_FALSE(s_.GetRegion("d").has_value());
  EXPECT_TRUE(s_.GetRegion("b").has_value());
  schedulerpb::GetRegionRequest get;
  get.set_region_key("d");
  EXPECT_EQ(s_.HandleGetRegion(get).header().error().type(), schedulerpb::REGION_NOT_FOUND);
}

// ---- ids ----

TEST_F(MockSchedulerTest, AllocatedIdsStartAboveTheBaseAndNeverRepeat) {
  std::set<uint64_t> seen;
  uint64_t last = 0;
  for (int i = 0; i < 50; ++i) {
    const uint64_t id = s_.HandleAllocID({}).id();
    EXPECT_GT(id, 100u);
    EXPECT_GT(id, last);
    EXPECT_TRUE(seen.insert(id).second) << id;
    last = id;
  }
  EXPECT_EQ(*seen.begin(), 101u);
  // An id seen in a heartbeat above the allocator's position pushes it further.
  ASSERT_TRUE(Accepts(R(500, "", "", 1, 1, {{600, 1}})));
  EXPECT_EQ(s_.HandleAllocID({}).id(), 601u);
}

TEST_F(MockSchedulerTest, AskSplitGivesANewRegionIdAndOnePeerIdPerPeer) {
  const metapb::Region region = R(1, "", "", 1, 1, {{1, 1}, {2, 2}, {3, 3}});
  schedulerpb::AskSplitRequest ask;
  *ask.mutable_region() = region;
  EXPECT_EQ(s_.HandleAskSplit(ask).header().error().type(), schedulerpb::REGION_NOT_FOUND)
      << "the scheduler has not heard of the region yet";
  ASSERT_TRUE(Accepts(region));
  const schedulerpb::AskSplitResponse a = s_.HandleAskSplit(ask);
  const schedulerpb::AskSplitResponse b = s_.HandleAskSplit(ask);
  ASSERT_FALSE(HasError(a.header()));
  ASSERT_EQ(a.new_peer_ids_size(), 3);
  ASSERT_EQ(b.new_peer_ids_size(), 3);
  std::set<uint64_t> ids = {a.new_region_id(), b.new_region_id()};
  for (uint64_t id : a.new_peer_ids()) ids.insert(id);
  for (uint64_t id : b.new_peer_ids()) ids.insert(id);
  EXPECT_EQ(ids.size(), 8u) << "every id distinct";
  EXPECT_GT(*ids.begin(), 100u);
  EXPECT_TRUE(s_.HandleAllocID({}).id() > *ids.rbegin());

  ASSERT_TRUE(Accepts(R(1, "", "", 2, 1, {{1, 1}, {2, 2}, {3, 3}})));
  EXPECT_TRUE(HasError(s_.HandleAskSplit(ask).header())) << "asked with a stale epoch";

  schedulerpb::ReportSplitRequest report;
  *report.mutable_left() = R(1, "", "m", 2, 1, {{1, 1}});
  *report.mutable_right() = R(9, "m", "", 2, 1, {{10, 1}});
  EXPECT_FALSE(HasError(s_.HandleReportSplit(report).header()));
  report.mutable_right()->set_start_key("n");
  EXPECT_TRUE(HasError(s_.HandleReportSplit(report).header()));
}

// ---- operators ----

TEST_F(MockSchedulerTest, AddPeerStepsUntilThePeerIsInTheRegionAndCaughtUp) {
  const metapb::Region two = R(1, "", "", 1, 1, {{1, 1}, {2, 2}});
  const metapb::Region three = R(1, "", "", 1, 2, {{1, 1}, {2, 2}, {4, 3}});
  s_.AddPeer(1, P(4, 3));
  for (int i = 0; i < 2; ++i) {  // repeated until done
    const schedulerpb::RegionHeartbeatResponse resp =
        s_.HandleRegionHeartbeat(Hb(two, P(1, 1)), kT0);
    ASSERT_TRUE(resp.has_change_peer()) << i;
    EXPECT_EQ(resp.change_peer().change_type(), eraftpb::AddNode);
    EXPECT_EQ(resp.change_peer().peer().id(), 4u);
    EXPECT_EQ(resp.change_peer().peer().store_id(), 3u);
    EXPECT_FALSE(resp.has_transfer_leader());
    EXPECT_EQ(resp.region_id(), 1u);
    EXPECT_EQ(resp.region_epoch().conf_ver(), 1u);
    EXPECT_EQ(resp.target_peer().id(), 1u);
  }
  // Added but still catching up: no step, the operator stays.
  schedulerpb::RegionHeartbeatResponse resp =
      s_.HandleRegionHeartbeat(Hb(three, P(1, 1), {P(4, 3)}), kT0);
  EXPECT_FALSE(resp.has_change_peer());
  EXPECT_TRUE(s_.HasOperator(1));
  EXPECT_EQ(s_.PendingPeers(1).size(), 1u);
  // Caught up: done.
  resp = s_.HandleRegionHeartbeat(Hb(three, P(1, 1)), kT0);
  EXPECT_FALSE(resp.has_change_peer());
  EXPECT_FALSE(s_.HasOperator(1));
  EXPECT_TRUE(s_.PendingPeers(1).empty());
}

TEST_F(MockSchedulerTest, RemovePeerStepsUntilThePeerIsGone) {
  const metapb::Region three = R(1, "", "", 1, 2, {{1, 1}, {2, 2}, {3, 3}});
  s_.RemovePeer(1, P(3, 3));
  for (int i = 0; i < 2; ++i) {
    const schedulerpb::RegionHeartbeatResponse resp =
        s_.HandleRegionHeartbeat(Hb(three, P(2, 2)), kT0);
    ASSERT_TRUE(resp.has_change_peer()) << i;
    EXPECT_EQ(resp.change_peer().change_type(), eraftpb::RemoveNode);
    EXPECT_EQ(resp.change_peer().peer().id(), 3u);
    EXPECT_EQ(resp.target_peer().id(), 2u);
  }
  EXPECT_TRUE(s_.HasOperator(1));
  const schedulerpb::RegionHeartbeatResponse resp =
      s_.HandleRegionHeartbeat(Hb(R(1, "", "", 1, 3, {{1, 1}, {2, 2}}), P(2, 2)), kT0);
  EXPECT_FALSE(resp.has_change_peer());
  EXPECT_FALSE(s_.HasOperator(1));
}

TEST_F(MockSchedulerTest, TransferLeaderStepsUntilTheTargetLeads) {
  const metapb::Region region = R(1, "", "", 1, 1, {{1, 1}, {2, 2}, {3, 3}});
  s_.TransferLeader(1, P(3, 3));
  schedulerpb::RegionHeartbeatResponse resp = s_.HandleRegionHeartbeat(Hb(region, P(1, 1)), kT0);
  ASSERT_TRUE(resp.has_transfer_leader());
  EXPECT_EQ(resp.transfer_leader().peer().id(), 3u);
  EXPECT_FALSE(resp.has_change_peer());
  EXPECT_EQ(resp.target_peer().id(), 1u);
  // Another leader, still not the target.
  resp = s_.HandleRegionHeartbeat(Hb(region, P(2, 2)), kT0);
  ASSERT_TRUE(resp.has_transfer_leader());
  EXPECT_EQ(resp.target_peer().id(), 2u);
  resp = s_.HandleRegionHeartbeat(Hb(region, P(3, 3)), kT0);
  EXPECT_FALSE(resp.has_transfer_leader());
  EXPECT_FALSE(s_.HasOperator(1));
  EXPECT_EQ(s_.Leader(1)->id(), 3u);
}

TEST_F(MockSchedulerTest, ARegionHasOneOperatorAndANewOneReplacesIt) {
  const metapb::Region region = R(1, "", "", 1, 1, {{1, 1}, {2, 2}});
  s_.AddPeer(1, P(4, 3));
  s_.TransferLeader(1, P(2, 2));
  ASSERT_TRUE(s_.OperatorOf(1).has_value());
  EXPECT_EQ(s_.OperatorOf(1)->kind, MockOperator::Kind::kTransferLeader);
  const schedulerpb::RegionHeartbeatResponse resp =
      s_.HandleRegionHeartbeat(Hb(region, P(1, 1)), kT0);
  EXPECT_TRUE(resp.has_transfer_leader());
  EXPECT_FALSE(resp.has_change_peer()) << "the AddPeer operator was replaced";
  // Operators belong to their region only.
  EXPECT_FALSE(s_.HasOperator(3));
  const schedulerpb::RegionHeartbeatResponse other =
      s_.HandleRegionHeartbeat(Hb(R(3, "x", "", 1, 1, {{9, 1}}), P(9, 1)), kT0);
  EXPECT_FALSE(other.has_transfer_leader());
  EXPECT_FALSE(other.has_change_peer());
  EXPECT_TRUE(s_.HasOperator(1));
}

TEST_F(MockSchedulerTest, AStaleHeartbeatGetsNoStepAndKeepsTheOperator) {
  ASSERT_TRUE(Accepts(R(1, "", "", 1, 2, {{1, 1}, {2, 2}})));
  s_.RemovePeer(1, P(2, 2));
  const schedulerpb::RegionHeartbeatResponse resp =
      s_.HandleRegionHeartbeat(Hb(R(1, "", "", 1, 1, {{1, 1}, {2, 2}}), P(1, 1)), kT0);
  EXPECT_TRUE(HasError(resp.header()));
  EXPECT_FALSE(resp.has_change_peer());
  EXPECT_TRUE(s_.HasOperator(1));
}

// ---- stores, bootstrap, headers ----

TEST_F(MockSchedulerTest, StoreHeartbeatsKeepStatsAndTheirVirtualTime) {
  schedulerpb::StoreHeartbeatRequest hb;
  hb.mutable_stats()->set_store_id(2);
  hb.mutable_stats()->set_region_count(5);
  EXPECT_FALSE(HasError(s_.HandleStoreHeartbeat(hb, sim::Time(3s)).header()));
  ASSERT_TRUE(s_.Store(2).has_value());
  EXPECT_EQ(s_.Store(2)->stats.region_count(), 5u);
  EXPECT_EQ(s_.Store(2)->last_heartbeat_at, sim::Time(3s));
  EXPECT_FALSE(s_.Store(3)->last_heartbeat_at.has_value());
  hb.mutable_stats()->set_store_id(9);
  EXPECT_TRUE(HasError(s_.HandleStoreHeartbeat(hb, sim::Time(3s)).header()));
  EXPECT_EQ(s_.StoreIds(), std::vector<uint64_t>({1, 2, 3}));
  schedulerpb::GetStoreRequest get;
  get.set_store_id(2);
  EXPECT_EQ(s_.HandleGetStore(get).stats().region_count(), 5u);
}

TEST(MockScheduler, StoreAndRegionMethodsNeedBootstrapOnce) {
  MockScheduler s;
  EXPECT_FALSE(s.HandleIsBootstrapped({}).bootstrapped());
  EXPECT_NE(s.HandleAllocID({}).id(), 0u) << "ids work before bootstrap";
  schedulerpb::PutStoreRequest put;
  put.mutable_store()->set_id(2);
  EXPECT_EQ(s.HandlePutStore(put).header().error().type(), schedulerpb::NOT_BOOTSTRAPPED);
  EXPECT_EQ(s.HandleRegionHeartbeat(Hb(R(1, "", "", 1, 1, {{1, 1}}), P(1, 1)), kT0)
                .header()
                .error()
                .type(),
            schedulerpb::NOT_BOOTSTRAPPED);
  schedulerpb::BootstrapRequest boot;
  boot.mutable_store()->set_id(1);
  EXPECT_FALSE(HasError(s.HandleBootstrap(boot).header()));
  EXPECT_TRUE(s.HandleIsBootstrapped({}).bootstrapped());
  EXPECT_EQ(s.HandleBootstrap(boot).header().error().type(), schedulerpb::ALREADY_BOOTSTRAPPED);
  EXPECT_FALSE(HasError(s.HandlePutStore(put).header()));
  // Requests for another cluster are refused; cluster id 0 means "any".
  schedulerpb::AllocIDRequest alloc;
  alloc.mutable_header()->set_cluster_id(s.cluster_id() + 1);
  const schedulerpb::AllocIDResponse refused = s.HandleAllocID(alloc);
  EXPECT_TRUE(HasError(refused.header()));
  EXPECT_EQ(refused.id(), 0u);
}

TEST_F(MockSchedulerTest, MalformedRegionHeartbeatsAreRejected) {
  EXPECT_FALSE(Accepts(R(0, "", "", 1, 1, {{1, 1}})));               // region id 0
  EXPECT_FALSE(Accepts(R(1, "b", "a", 1, 1, {{1, 1}})));             // start above end
  EXPECT_FALSE(Accepts(R(1, "a", "a", 1, 1, {{1, 1}})));             // empty range
  EXPECT_FALSE(Accepts(Hb(R(1, "", "", 1, 1, {}), P(1, 1))));        // no peers
  EXPECT_FALSE(Accepts(Hb(R(1, "", "", 1, 1, {{1, 1}}), P(5, 5))));  // leader not a peer
  EXPECT_EQ(s_.RegionCount(), 0u);
}

TEST_F(MockSchedulerTest, MalformedRpcPayloadsGetAnErrorFrame) {
  std::string reason;
  EXPECT_TRUE(store::IsRpcErrorFrame(s_.HandleRpc("", kT0), &reason));
  EXPECT_TRUE(store::IsRpcErrorFrame(s_.HandleRpc("AllocID", kT0), &reason));  // no NUL
  EXPECT_NE(reason.find("malformed"), std::string::npos) << reason;
  EXPECT_TRUE(store::IsRpcErrorFrame(s_.HandleRpc(std::string("\0body", 5), kT0), &reason));
  EXPECT_TRUE(store::IsRpcErrorFrame(
      s_.HandleRpc(store::EncodeRpc("Tso", schedulerpb::TsoRequest()), kT0), &reason));
  EXPECT_NE(reason.find("Tso"), std::string::npos) << reason;
  const std::string garbage("RegionHeartbeat\0\xff\xff\xff", 19);
  EXPECT_TRUE(store::IsRpcErrorFrame(s_.HandleRpc(garbage, kT0), &reason));
  EXPECT_NE(reason.find("does not parse"), std::string::npos) << reason;
  // Every method, fed bytes that are not its request (truncated, wrong wire types, random),
  // answers with an error frame naming it or with a response of this cluster — never a crash.
  sim::Rng rng(3);
  for (const char* method : {"Bootstrap", "IsBootstrapped", "AllocID", "PutStore", "GetStore",
                             "StoreHeartbeat", "RegionHeartbeat", "GetRegion", "GetPrevRegion",
                             "GetRegionByID", "ScanRegions", "AskSplit", "ReportSplit"}) {
    std::vector<std::string> bodies = {std::string("\x0a\x05\x08", 3), std::string("\x12\x00", 2),
                                       std::string("\x08\x01", 2)};
    for (int i = 0; i < 20; ++i) {
      std::string body(rng.Next() % 12, '\0');
      for (char& c : body) c = static_cast<char>(rng.Next());
      bodies.push_back(std::move(body));
    }
    for (const std::string& body : bodies) {
      const std::string reply = s_.HandleRpc(std::string(method) + '\0' + body, kT0);
      if (store::IsRpcErrorFrame(reply, &reason)) {
        EXPECT_NE(reason.find(method), std::string::npos) << reason;
        continue;
      }
      // Every response has `ResponseHeader header = 1`: read it through the smallest one.
      schedulerpb::BootstrapResponse header_only;
      ASSERT_TRUE(header_only.ParseFromString(reply)) << method;
      EXPECT_EQ(header_only.header().cluster_id(), 7u) << method;
    }
  }
  // A well-formed request still works after all that.
  schedulerpb::AllocIDResponse alloc;
  ASSERT_TRUE(alloc.ParseFromString(
      s_.HandleRpc(store::EncodeRpc("AllocID", schedulerpb::AllocIDRequest()), kT0)));
  EXPECT_GT(alloc.id(), 100u);
  EXPECT_EQ(alloc.header().cluster_id(), 7u);
}

// ---- end to end in the simulator ----

constexpr sim::NodeId kSchedulerNode = 100;
constexpr sim::NodeId kStoreNode = 1;

// A simulated world with the scheduler node and one store node whose main runs `store_main`.
struct SchedulerWorld {
  explicit SchedulerWorld(uint64_t seed)
      : ex(sim::ExecutorOptions{.seed = seed}),
        net(ex),
        scheduler(MockSchedulerOptions{.cluster_id = 7, .id_base = 100}),
        node(net, kSchedulerNode, scheduler) {
    schedulerpb::BootstrapRequest boot;
    boot.mutable_store()->set_id(kStoreNode);
    scheduler.HandleBootstrap(boot);
    ex.AddNode(kSchedulerNode, "scheduler", [this] { node.Main(); });
    ex.AddNode(kStoreNode, "store1", [this] {
      if (store_main) store_main();
    });
    net.AddNode(kSchedulerNode);
    net.AddNode(kStoreNode);
  }
  ~SchedulerWorld() { ex.Shutdown(); }

  raftstore::SimSchedulerClientOptions ClientOptions() const {
    return {.self = kStoreNode, .scheduler = kSchedulerNode, .cluster_id = 7, .timeout = 300ms};
  }
  // Waits (virtual time) until `cond` holds, at most `budget`.
  static bool WaitFor(const std::function<bool()>& cond, sim::Duration budget) {
    const sim::Time deadline = sim::Now() + budget;
    while (!cond()) {
      if (sim::Now() >= deadline) return false;
      sim::Sleep(1ms);
    }
    return true;
  }

  sim::Executor ex;
  sim::Network net;
  MockScheduler scheduler;
  MockSchedulerNode node;
  std::function<void()> store_main;
};

TEST(MockSchedulerNode, StoreFiberAllocatesIdsGetsAnAddPeerStepAndTimesOutWhenIsolated) {
  SchedulerWorld w(/*seed=*/11);
  const metapb::Region region = R(1, "", "", 1, 1, {{1, 1}, {2, 2}});
  w.scheduler.AddPeer(1, P(3, 3));

  uint64_t id1 = 0;
  uint64_t id2 = 0;
  store::Status heartbeat_status = store::Status::Corruption("not run");
  schedulerpb::RegionHeartbeatResponse heartbeat;
  store::Status lookup_status = store::Status::Corruption("not run");
  metapb::Region found;
  metapb::Peer found_leader;
  store::Status stale_status;
  bool phase1_done = false;
  bool isolated = false;
  store::Status isolated_status;
  sim::Duration isolated_wait{0};
  bool phase2_done = false;

  w.store_main = [&] {
    raftstore::SimSchedulerClient client(w.net, w.ClientOptions());
    EXPECT_TRUE(client.AllocId(&id1).ok());
    EXPECT_TRUE(client.AllocId(&id2).ok());
    heartbeat_status = client.RegionHeartbeat(Hb(region, P(1, 1)), &heartbeat);
    lookup_status = client.GetRegion("k", &found, &found_leader);
    stale_status = client.RegionHeartbeat(Hb(R(1, "", "", 0, 1, {{1, 1}}), P(1, 1)), &heartbeat);
    // Keep the step of the accepted heartbeat for the checks below.
    heartbeat_status = client.RegionHeartbeat(Hb(region, P(1, 1)), &heartbeat);
    phase1_done = true;
    SchedulerWorld::WaitFor([&] { return isolated; }, 10s);
    const sim::Time start = sim::Now();
    uint64_t id = 0;
    isolated_status = client.AllocId(&id);
    isolated_wait = sim::Now() - start;
    phase2_done = true;
  };

  const sim::RunResult run = w.ex.Run([&] {
    w.ex.Start(kSchedulerNode);
    w.ex.Start(kStoreNode);
    ASSERT_TRUE(SchedulerWorld::WaitFor([&] { return phase1_done; }, 10s));
    w.net.Isolate(kSchedulerNode);
    isolated = true;
    ASSERT_TRUE(SchedulerWorld::WaitFor([&] { return phase2_done; }, 10s));
  });
  ASSERT_EQ(run.outcome, sim::RunOutcome::kCompleted) << run.report;

  EXPECT_EQ(id1, 101u);
  EXPECT_EQ(id2, 102u);
  ASSERT_TRUE(heartbeat_status.ok()) << heartbeat_status.ToString();
  ASSERT_TRUE(heartbeat.has_change_peer());
  EXPECT_EQ(heartbeat.change_peer().change_type(), eraftpb::AddNode);
  EXPECT_EQ(heartbeat.change_peer().peer().id(), 3u);
  EXPECT_EQ(heartbeat.target_peer().id(), 1u);
  ASSERT_TRUE(lookup_status.ok()) << lookup_status.ToString();
  EXPECT_EQ(found.id(), 1u);
  EXPECT_EQ(found_leader.id(), 1u);
  EXPECT_TRUE(stale_status.IsInvalidArgument()) << stale_status.ToString();
  EXPECT_NE(stale_status.message().find("stale"), std::string::npos) << stale_status.ToString();
  EXPECT_TRUE(isolated_status.IsIOError()) << isolated_status.ToString();
  EXPECT_EQ(isolated_wait, sim::Duration(300ms));
  EXPECT_GE(w.node.requests_served(), 5u);
}

TEST(MockSchedulerNode, ARestartedSchedulerNodeKeepsItsState) {
  SchedulerWorld w(/*seed=*/5);
  uint64_t id_before = 0;
  uint64_t id_after = 0;
  int failed_calls = 0;
  metapb::Region region;
  std::vector<store::Status> statuses;
  bool crashed = false;
  bool done = false;
  w.store_main = [&] {
    raftstore::SimSchedulerClient client(w.net, w.ClientOptions());
    statuses.push_back(client.AllocId(&id_before));
    schedulerpb::RegionHeartbeatResponse resp;
    statuses.push_back(client.RegionHeartbeat(Hb(R(1, "", "", 3, 1, {{1, 1}}), P(1, 1)), &resp));
    SchedulerWorld::WaitFor([&] { return crashed; }, 10s);
    statuses.push_back(client.AllocId(&id_after));  // the node is down: no answer
    // Retry until the restarted node answers (each failed try waits out the 300 ms timeout).
    while (!client.AllocId(&id_after).ok() && ++failed_calls < 20) {
    }
    statuses.push_back(client.GetRegionById(1, &region, nullptr));
    done = true;
  };
  const sim::RunResult run = w.ex.Run([&] {
    w.ex.Start(kSchedulerNode);
    w.ex.Start(kStoreNode);
    ASSERT_TRUE(SchedulerWorld::WaitFor([&] { return statuses.size() == 2; }, 10s));
    w.ex.Crash(kSchedulerNode);
    crashed = true;
    sim::Sleep(1s);
    w.ex.Restart(kSchedulerNode);
    ASSERT_TRUE(SchedulerWorld::WaitFor([&] { return done; }, 10s));
  });
  ASSERT_EQ(run.outcome, sim::RunOutcome::kCompleted) << run.report;
  ASSERT_EQ(statuses.size(), 4u);
  EXPECT_TRUE(statuses[0].ok()) << statuses[0].ToString();
  EXPECT_TRUE(statuses[1].ok()) << statuses[1].ToString();
  EXPECT_TRUE(statuses[2].IsIOError()) << statuses[2].ToString();
  EXPECT_TRUE(statuses[3].ok()) << statuses[3].ToString();
  EXPECT_LT(failed_calls, 20);
  EXPECT_EQ(id_before, 101u);
  EXPECT_EQ(id_after, 102u) << "the id allocator survived the restart";
  EXPECT_EQ(region.region_epoch().version(), 3u) << "the region tree survived the restart";
}

}  // namespace
}  // namespace tinykv::harness
