// SchedulerService: the schedulerpb requests end to end over the core — bootstrap, stores,
// ids and timestamps (also across a restart), region heartbeats and lookups, splits, and an
// operator reaching a region leader through its heartbeat answer.
#include "scheduler/service.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace tinykv::scheduler {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr Time kT0 = std::chrono::hours(1);

metapb::Store Store(uint64_t id) {
  metapb::Store s;
  s.set_id(id);
  s.set_address("store" + std::to_string(id));
  return s;
}

class Service : public ::testing::Test {
 protected:
  void SetUp() override {
    ServiceOptions o;
    o.cluster_id = 7;
    o.schedule.max_store_down_time = minutes(1);
    options_ = o;
    svc_ = std::make_unique<SchedulerService>(&meta_, o);
    ASSERT_TRUE(svc_->Start(kT0).ok());
  }
  void BootstrapWithStores(int n) {
    schedulerpb::BootstrapRequest b;
    *b.mutable_store() = Store(1);
    ASSERT_FALSE(svc_->Bootstrap(b).header().has_error());
    for (int i = 2; i <= n; ++i) {
      schedulerpb::PutStoreRequest p;
      *p.mutable_store() = Store(static_cast<uint64_t>(i));
      ASSERT_FALSE(svc_->PutStore(p).header().has_error());
    }
    for (int i = 1; i <= n; ++i) StoreHeartbeat(static_cast<uint64_t>(i), kT0);
  }
  void StoreHeartbeat(uint64_t id, Time at) {
    schedulerpb::StoreHeartbeatRequest h;
    h.mutable_stats()->set_store_id(id);
    ASSERT_FALSE(svc_->StoreHeartbeat(h, at).header().has_error());
  }
  // Region 1 ["", "") on stores 1, 2, 3 (peers 11, 12, 13), led by 11, at `version`.
  schedulerpb::RegionHeartbeatRequest Report(uint64_t version = 1) {
    schedulerpb::RegionHeartbeatRequest r;
    r.mutable_region()->set_id(1);
    r.mutable_region()->mutable_region_epoch()->set_version(version);
    r.mutable_region()->mutable_region_epoch()->set_conf_ver(1);
    for (uint64_t s = 1; s <= 3; ++s) {
      metapb::Peer* p = r.mutable_region()->add_peers();
      p->set_id(10 + s);
      p->set_store_id(s);
    }
    *r.mutable_leader() = r.region().peers(0);
    r.set_approximate_size(10);
    return r;
  }

  MemMetaStore meta_;
  ServiceOptions options_;
  std::unique_ptr<SchedulerService> svc_;
};

TEST_F(Service, NothingButBootstrapBeforeBootstrap) {
  schedulerpb::PutStoreRequest p;
  *p.mutable_store() = Store(2);
  EXPECT_EQ(svc_->PutStore(p).header().error().type(), schedulerpb::NOT_BOOTSTRAPPED);
  EXPECT_FALSE(svc_->IsBootstrapped({}).bootstrapped());
  BootstrapWithStores(1);
  EXPECT_TRUE(svc_->IsBootstrapped({}).bootstrapped());
  schedulerpb::BootstrapRequest again;
  *again.mutable_store() = Store(1);
  EXPECT_EQ(svc_->Bootstrap(again).header().error().type(), schedulerpb::ALREADY_BOOTSTRAPPED);
  EXPECT_EQ(svc_->IsBootstrapped({}).header().cluster_id(), 7u);
}

TEST_F(Service, ARequestForAnotherClusterIsRefused) {
  schedulerpb::AllocIDRequest req;
  req.mutable_header()->set_cluster_id(8);
  const auto resp = svc_->AllocID(req);
  EXPECT_EQ(resp.header().error().type(), schedulerpb::UNKNOWN);
  EXPECT_NE(resp.header().error().message().find("serves cluster 7"), std::string::npos);
  EXPECT_EQ(resp.id(), 0u);
}

TEST_F(Service, IdsAndTimestampsNeverRepeatAcrossARestart) {
  uint64_t last_id = 0;
  int64_t last_ts = 0;
  for (int i = 0; i < 50; ++i) {
    const auto id = svc_->AllocID({});
    EXPECT_GT(id.id(), last_id);
    last_id = id.id();
    schedulerpb::TsoRequest t;
    t.set_count(10);
    const auto ts = svc_->Tso(t, kT0 + seconds(i));
    const int64_t composed = static_cast<int64_t>(
        ComposeTs(ts.timestamp().physical(), static_cast<uint64_t>(ts.timestamp().logical())));
    EXPECT_GT(composed, last_ts);
    last_ts = composed;
  }
  schedulerpb::TsoRequest none;
  EXPECT_TRUE(svc_->Tso(none, kT0).header().has_error()) << "a count of 0";

  SchedulerService restarted(&meta_, options_);
  ASSERT_TRUE(restarted.Start(kT0).ok());  // its clock is behind the first incarnation's
  EXPECT_GT(restarted.AllocID({}).id(), last_id);
  schedulerpb::TsoRequest t;
  t.set_count(1);
  const auto ts = restarted.Tso(t, kT0);
  EXPECT_GT(static_cast<int64_t>(ComposeTs(ts.timestamp().physical(),
                                           static_cast<uint64_t>(ts.timestamp().logical()))),
            last_ts);
}

TEST_F(Service, StoresAreListedAndLookedUp) {
  BootstrapWithStores(3);
  EXPECT_EQ(svc_->GetAllStores({}).stores_size(), 3);
  schedulerpb::GetStoreRequest g;
  g.set_store_id(2);
  EXPECT_EQ(svc_->GetStore(g).store().address(), "store2");
  g.set_store_id(9);
  EXPECT_TRUE(svc_->GetStore(g).header().has_error());
  schedulerpb::StoreHeartbeatRequest h;
  h.mutable_stats()->set_store_id(9);
  EXPECT_TRUE(svc_->StoreHeartbeat(h, kT0).header().has_error()) << "never put";
}

TEST_F(Service, RegionHeartbeatsFeedTheLookups) {
  BootstrapWithStores(3);
  ASSERT_FALSE(svc_->RegionHeartbeat(Report(2), kT0).header().has_error());
  schedulerpb::GetRegionRequest g;
  g.set_region_key("anything");
  const auto found = svc_->GetRegion(g);
  EXPECT_EQ(found.region().id(), 1u);
  EXPECT_EQ(found.leader().id(), 11u);
  EXPECT_EQ(found.slaves_size(), 2);
  const auto stale = svc_->RegionHeartbeat(Report(1), kT0);
  EXPECT_EQ(stale.header().error().type(), schedulerpb::UNKNOWN);
  EXPECT_NE(stale.header().error().message().find("older"), std::string::npos);
  schedulerpb::GetRegionByIDRequest by_id;
  by_id.set_region_id(5);
  EXPECT_EQ(svc_->GetRegionByID(by_id).header().error().type(), schedulerpb::REGION_NOT_FOUND);
  EXPECT_EQ(svc_->ScanRegions({}).regions_size(), 1);
}

TEST_F(Service, AskSplitHandsOutOneIdPerPeerPlusTheRegion) {
  BootstrapWithStores(3);
  ASSERT_FALSE(svc_->RegionHeartbeat(Report(2), kT0).header().has_error());
  schedulerpb::AskSplitRequest ask;
  *ask.mutable_region() = Report(2).region();
  const auto ids = svc_->AskSplit(ask);
  ASSERT_FALSE(ids.header().has_error()) << ids.header().error().message();
  EXPECT_NE(ids.new_region_id(), 0u);
  EXPECT_EQ(ids.new_peer_ids_size(), 3);
  ask.mutable_region()->mutable_region_epoch()->set_version(1);
  EXPECT_EQ(svc_->AskSplit(ask).header().error().type(), schedulerpb::UNKNOWN) << "stale";
  ask.mutable_region()->set_id(99);
  EXPECT_EQ(svc_->AskSplit(ask).header().error().type(), schedulerpb::REGION_NOT_FOUND);
}

TEST_F(Service, AnOperatorReachesTheLeaderInItsHeartbeatAnswer) {
  BootstrapWithStores(4);
  ASSERT_FALSE(svc_->RegionHeartbeat(Report(), kT0).header().has_error());
  // Store 3 goes silent for longer than max_store_down_time: its peer is replaced on store 4.
  for (uint64_t s : {1, 2, 4}) StoreHeartbeat(s, kT0 + minutes(2));
  EXPECT_EQ(svc_->RunSchedulingRound(kT0 + minutes(2)), 1);
  const auto resp = svc_->RegionHeartbeat(Report(), kT0 + minutes(2));
  ASSERT_TRUE(resp.has_change_peer()) << resp.ShortDebugString();
  EXPECT_EQ(resp.change_peer().change_type(), eraftpb::AddNode);
  EXPECT_EQ(resp.change_peer().peer().store_id(), 4u);
  EXPECT_EQ(resp.header().cluster_id(), 7u);
  EXPECT_EQ(resp.region_id(), 1u);
}

TEST_F(Service, ARestartedServiceKnowsTheStoresAndRegions) {
  BootstrapWithStores(3);
  ASSERT_FALSE(svc_->RegionHeartbeat(Report(2), kT0).header().has_error());
  SchedulerService restarted(&meta_, options_);
  ASSERT_TRUE(restarted.Start(kT0).ok());
  EXPECT_TRUE(restarted.bootstrapped());
  EXPECT_EQ(restarted.GetAllStores({}).stores_size(), 3);
  schedulerpb::GetRegionByIDRequest by_id;
  by_id.set_region_id(1);
  const auto region = restarted.GetRegionByID(by_id);
  EXPECT_EQ(region.region().region_epoch().version(), 2u);
  EXPECT_FALSE(region.has_leader()) << "leaders come back with the next heartbeat";
  EXPECT_TRUE(restarted.RegionHeartbeat(Report(1), kT0).header().has_error())
      << "the saved epoch still beats a stale report";
}

TEST_F(Service, AStoreThatCannotBeSavedIsNotTaken) {
  BootstrapWithStores(1);
  meta_.set_fail_saves(true);
  schedulerpb::PutStoreRequest p;
  *p.mutable_store() = Store(2);
  EXPECT_TRUE(svc_->PutStore(p).header().has_error());
  EXPECT_EQ(svc_->cluster().GetStore(2), nullptr);
}

TEST_F(Service, ACorruptedSavedStoreStopsTheStart) {
  ASSERT_TRUE(meta_.Save("store/00000000000000000004", "\xff\xff").ok());
  SchedulerService restarted(&meta_, options_);
  const Status s = restarted.Start(kT0);
  EXPECT_TRUE(s.IsIoError());
  EXPECT_NE(s.message().find("store/00000000000000000004"), std::string::npos) << s.message();
}

TEST_F(Service, ClusterConfigSetsMaxReplicas) {
  schedulerpb::PutClusterConfigRequest put;
  put.mutable_cluster()->set_max_peer_count(5);
  EXPECT_FALSE(svc_->PutClusterConfig(put).header().has_error());
  EXPECT_EQ(svc_->GetClusterConfig({}).cluster().max_peer_count(), 5u);
  put.mutable_cluster()->set_max_peer_count(0);
  EXPECT_TRUE(svc_->PutClusterConfig(put).header().has_error());
}

}  // namespace
}  // namespace tinykv::scheduler
