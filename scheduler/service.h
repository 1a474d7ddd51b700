// SchedulerService: the schedulerpb.Scheduler requests, answered from the core — the cluster
// metadata (cluster_info.h), region heartbeats (region_heartbeat.h), the TSO, id allocation, and
// the operators the coordinator plans (returned in region-heartbeat answers). One request in,
// one response out; the node (simulated or real) frames them and owns the clock.
//
// Every response carries header.cluster_id; a failure sets header.error (UNKNOWN with a line
// saying what was wrong, or NOT_BOOTSTRAPPED, ALREADY_BOOTSTRAPPED, STORE_TOMBSTONE,
// REGION_NOT_FOUND) and changes nothing. A request for another cluster id is refused; cluster
// id 0 in a request means "whichever this is" (TinyKV's stores send it before they know).
//
// Persisted through the MetaStore: the bootstrap flag, every store's metadata, every region's
// metadata (range, epoch, peers — saved when it changes, not for a new size or leader), the TSO
// window and the id allocator's range. A restarted service knows the cluster at once; store
// statistics and leaders come back with the next heartbeats. Pushed-out regions stay saved and
// lose to the newer ones again when loaded (Start goes through the heartbeat rules).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proto/schedulerpb.pb.h"
#include "scheduler/cluster_info.h"
#include "scheduler/coordinator.h"
#include "scheduler/id_allocator.h"
#include "scheduler/meta_store.h"
#include "scheduler/operator_controller.h"
#include "scheduler/schedule_options.h"
#include "scheduler/tso.h"

namespace tinykv::scheduler {

struct ServiceOptions {
  uint64_t cluster_id = 1;
  ScheduleOptions schedule;
  OperatorControllerOptions operators;
  TsoOptions tso;
};

class SchedulerService {
 public:
  // `meta` outlives the service. Start before the first request.
  SchedulerService(MetaStore* meta, ServiceOptions options = {});
  // Loads what was persisted; `now` starts the TSO. IoError when the MetaStore fails or holds
  // a corrupted value (the line names its key).
  Status Start(Time now);

  schedulerpb::BootstrapResponse Bootstrap(const schedulerpb::BootstrapRequest& req);
  schedulerpb::IsBootstrappedResponse IsBootstrapped(const schedulerpb::IsBootstrappedRequest& req);
  schedulerpb::AllocIDResponse AllocID(const schedulerpb::AllocIDRequest& req);
  schedulerpb::TsoResponse Tso(const schedulerpb::TsoRequest& req, Time now);
  schedulerpb::PutStoreResponse PutStore(const schedulerpb::PutStoreRequest& req);
  schedulerpb::GetStoreResponse GetStore(const schedulerpb::GetStoreRequest& req);
  schedulerpb::GetAllStoresResponse GetAllStores(const schedulerpb::GetAllStoresRequest& req);
  schedulerpb::StoreHeartbeatResponse StoreHeartbeat(const schedulerpb::StoreHeartbeatRequest& req,
                                                     Time now);
  // Processes the report, then answers with its region's operator step, if any.
  schedulerpb::RegionHeartbeatResponse RegionHeartbeat(
      const schedulerpb::RegionHeartbeatRequest& req, Time now);
  schedulerpb::GetRegionResponse GetRegion(const schedulerpb::GetRegionRequest& req);
  schedulerpb::GetRegionResponse GetPrevRegion(const schedulerpb::GetRegionRequest& req);
  schedulerpb::GetRegionResponse GetRegionByID(const schedulerpb::GetRegionByIDRequest& req);
  schedulerpb::ScanRegionsResponse ScanRegions(const schedulerpb::ScanRegionsRequest& req);
  // A new region id and one new peer id per peer of the region; REGION_NOT_FOUND for a region
  // not known, UNKNOWN for a stale epoch.
  schedulerpb::AskSplitResponse AskSplit(const schedulerpb::AskSplitRequest& req);
  // Accepted when left ends where right starts (non-empty); the children's heartbeats update
  // the tree.
  schedulerpb::ReportSplitResponse ReportSplit(const schedulerpb::ReportSplitRequest& req);
  schedulerpb::GetClusterConfigResponse GetClusterConfig(
      const schedulerpb::GetClusterConfigRequest& req);
  // Sets max_replicas (max_peer_count, 1..9).
  schedulerpb::PutClusterConfigResponse PutClusterConfig(
      const schedulerpb::PutClusterConfigRequest& req);

  // Sets the region's operator to `steps` (replacing any), planned at `now` for the region's
  // current epoch — an operator's hand, like PD's operator API. False, *why set, for a region
  // not known.
  bool SetOperator(std::string desc, uint64_t region_id, std::vector<OpStep> steps, Time now,
                   std::string* why);

  // One scheduling round (the node calls it periodically): how many operators it planned.
  int RunSchedulingRound(Time now);

  const ClusterInfo& cluster() const { return cluster_; }
  const OperatorController& operators() const { return operators_; }
  bool bootstrapped() const { return bootstrapped_; }

 private:
  // Fills resp's cluster id; false (with the error set) for another cluster or, when
  // `need_bootstrap`, before Bootstrap.
  bool CheckHeader(const schedulerpb::RequestHeader& req, schedulerpb::ResponseHeader* resp,
                   bool need_bootstrap) const;
  void FillRegion(const RegionInfo& region, schedulerpb::GetRegionResponse* resp) const;
  Status SaveStore(const metapb::Store& store);
  // Keeps the id allocator above the region's and its peers' ids.
  void ObserveIds(const metapb::Region& region);

  MetaStore* meta_;
  ServiceOptions options_;
  ClusterInfo cluster_;
  scheduler::Tso tso_;
  IdAllocator ids_;
  OperatorController operators_;
  Coordinator coordinator_;
  bool bootstrapped_ = false;
};

}  // namespace tinykv::scheduler
