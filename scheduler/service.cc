#include "scheduler/service.h"

#include <cstdio>
#include <string>
#include <utility>

#include "scheduler/region_heartbeat.h"
#include "scheduler/rpc_header.h"

namespace tinykv::scheduler {
namespace {

void SetError(schedulerpb::ResponseHeader* header, schedulerpb::ErrorType type,
              std::string message) {
  SetResponseError(header, type, std::move(message));
}

constexpr std::string_view kBootstrappedKey = "cluster/bootstrapped";
constexpr std::string_view kStorePrefix = "store/";
constexpr std::string_view kRegionPrefix = "region/";

std::string IdKey(std::string_view prefix, uint64_t id) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(id));
  return std::string(prefix) + digits;
}

// True when `a` and `b` describe the same range, epoch and peers (what is persisted).
bool SameMeta(const metapb::Region& a, const metapb::Region& b) {
  return a.SerializeAsString() == b.SerializeAsString();
}

int64_t Millis(Time t) { return std::chrono::duration_cast<std::chrono::milliseconds>(t).count(); }

RegionInfo FromHeartbeat(const schedulerpb::RegionHeartbeatRequest& req) {
  RegionInfo r;
  r.meta = req.region();
  if (req.leader().id() != 0) r.leader = req.leader();
  r.pending_peers.assign(req.pending_peers().begin(), req.pending_peers().end());
  r.approximate_size = static_cast<int64_t>(req.approximate_size());
  return r;
}

}  // namespace

SchedulerService::SchedulerService(MetaStore* meta, ServiceOptions options)
    : meta_(meta),
      options_(options),
      tso_(meta, options.tso),
      ids_(meta),
      operators_(options.operators),
      coordinator_(cluster_, operators_, ids_, options_.schedule) {}

Status SchedulerService::Start(Time now) {
  if (Status s = tso_.Start(Millis(now)); !s.ok()) return s;
  std::string flag;
  if (Status s = meta_->Load(kBootstrappedKey, &flag); s.ok()) {
    bootstrapped_ = flag == "1";
  } else if (!s.IsNotFound()) {
    return s;
  }
  Status stores = meta_->Scan(kStorePrefix, [this](std::string_view key, std::string_view value) {
    metapb::Store store;
    if (!store.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return Status::IoError("the saved store at " + std::string(key) + " is corrupted");
    }
    cluster_.PutStore(store);
    ids_.Observe(store.id());
    return Status::OK();
  });
  if (!stores.ok()) return stores;
  // Through the heartbeat rules: whatever order the regions come in, a stale one loses.
  return meta_->Scan(kRegionPrefix, [this](std::string_view key, std::string_view value) {
    RegionInfo region;
    if (!region.meta.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return Status::IoError("the saved region at " + std::string(key) + " is corrupted");
    }
    ObserveIds(region.meta);
    (void)ProcessRegionHeartbeat(cluster_, region);
    return Status::OK();
  });
}

bool SchedulerService::CheckHeader(const schedulerpb::RequestHeader& req,
                                   schedulerpb::ResponseHeader* resp, bool need_bootstrap) const {
  return CheckRequestHeader(req, resp, options_.cluster_id, bootstrapped_, need_bootstrap);
}

schedulerpb::BootstrapResponse SchedulerService::Bootstrap(
    const schedulerpb::BootstrapRequest& req) {
  schedulerpb::BootstrapResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), false)) return resp;
  if (bootstrapped_) {
    SetError(resp.mutable_header(), schedulerpb::ALREADY_BOOTSTRAPPED,
             "the cluster is already bootstrapped");
  } else if (req.store().id() == 0) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN, "Bootstrap: the store has id 0");
  } else if (Status s = SaveStore(req.store()); !s.ok()) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN, "Bootstrap: " + s.message());
  } else if (Status f = meta_->Save(kBootstrappedKey, "1"); !f.ok()) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN, "Bootstrap: " + f.message());
  } else {
    cluster_.PutStore(req.store());
    ids_.Observe(req.store().id());
    bootstrapped_ = true;
  }
  return resp;
}

schedulerpb::IsBootstrappedResponse SchedulerService::IsBootstrapped(
    const schedulerpb::IsBootstrappedRequest& req) {
  schedulerpb::IsBootstrappedResponse resp;
  if (CheckHeader(req.header(), resp.mutable_header(), false)) resp.set_bootstrapped(bootstrapped_);
  return resp;
}

schedulerpb::AllocIDResponse SchedulerService::AllocID(const schedulerpb::AllocIDRequest& req) {
  schedulerpb::AllocIDResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), false)) return resp;
  uint64_t id = 0;
  if (Status s = ids_.Alloc(&id); !s.ok()) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN, "AllocID: " + s.message());
  } else {
    resp.set_id(id);
  }
  return resp;
}

schedulerpb::TsoResponse SchedulerService::Tso(const schedulerpb::TsoRequest& req, Time now) {
  schedulerpb::TsoResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), false)) return resp;
  uint64_t last = 0;
  if (Status s = tso_.Next(req.count(), Millis(now), &last); !s.ok()) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN, "Tso: " + s.message());
    return resp;
  }
  resp.set_count(req.count());
  resp.mutable_timestamp()->set_physical(PhysicalOf(last));
  resp.mutable_timestamp()->set_logical(static_cast<int64_t>(LogicalOf(last)));
  return resp;
}

schedulerpb::PutStoreResponse SchedulerService::PutStore(const schedulerpb::PutStoreRequest& req) {
  schedulerpb::PutStoreResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), true)) return resp;
  const uint64_t id = req.store().id();
  const StoreInfo* known = cluster_.GetStore(id);
  if (id == 0) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN, "PutStore: the store has id 0");
  } else if (known != nullptr && known->meta.state() == metapb::StoreState::Tombstone) {
    SetError(resp.mutable_header(), schedulerpb::STORE_TOMBSTONE,
             "store " + std::to_string(id) + " is a tombstone");
  } else if (Status s = SaveStore(req.store()); !s.ok()) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN, "PutStore: " + s.message());
  } else {
    cluster_.PutStore(req.store());
    ids_.Observe(id);
  }
  return resp;
}

void SchedulerService::ObserveIds(const metapb::Region& region) {
  ids_.Observe(region.id());
  for (const metapb::Peer& p : region.peers()) ids_.Observe(p.id());
}

Status SchedulerService::SaveStore(const metapb::Store& store) {
  return meta_->Save(IdKey(kStorePrefix, store.id()), store.SerializeAsString());
}

schedulerpb::GetStoreResponse SchedulerService::GetStore(const schedulerpb::GetStoreRequest& req) {
  schedulerpb::GetStoreResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), true)) return resp;
  if (const StoreInfo* s = cluster_.GetStore(req.store_id())) {
    *resp.mutable_store() = s->meta;
    *resp.mutable_stats() = s->stats;
  } else {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN,
             "store " + std::to_string(req.store_id()) + " is not known");
  }
  return resp;
}

schedulerpb::GetAllStoresResponse SchedulerService::GetAllStores(
    const schedulerpb::GetAllStoresRequest& req) {
  schedulerpb::GetAllStoresResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), true)) return resp;
  for (const StoreInfo* s : cluster_.GetStores()) {
    if (req.exclude_tombstone_stores() && s->meta.state() == metapb::StoreState::Tombstone) {
      continue;
    }
    *resp.add_stores() = s->meta;
  }
  return resp;
}

schedulerpb::StoreHeartbeatResponse SchedulerService::StoreHeartbeat(
    const schedulerpb::StoreHeartbeatRequest& req, Time now) {
  schedulerpb::StoreHeartbeatResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), true)) return resp;
  if (Status s = cluster_.StoreHeartbeat(req.stats(), now); !s.ok()) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN,
             "store heartbeat: " + s.message() + " (PutStore it first)");
  }
  return resp;
}

schedulerpb::RegionHeartbeatResponse SchedulerService::RegionHeartbeat(
    const schedulerpb::RegionHeartbeatRequest& req, Time now) {
  schedulerpb::RegionHeartbeatResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), true)) return resp;
  if (req.region().id() == 0 || req.region().peers_size() == 0) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN,
             "region heartbeat: a region needs an id and peers");
    return resp;
  }
  const RegionInfo region = FromHeartbeat(req);
  ObserveIds(region.meta);
  const RegionInfo* before = cluster_.GetRegion(region.id());
  const bool meta_changed = before == nullptr || !SameMeta(before->meta, region.meta);
  if (Status s = ProcessRegionHeartbeat(cluster_, region); !s.ok()) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN, "region heartbeat: " + s.message());
    return resp;
  }
  // The region's metadata is saved when it changes (not for a new size or leader): a restarted
  // scheduler knows the regions before their leaders report again. A failed save fails the
  // answer; the leader reports again at its next heartbeat.
  if (meta_changed) {
    if (Status s = meta_->Save(IdKey(kRegionPrefix, region.id()), region.meta.SerializeAsString());
        !s.ok()) {
      SetError(resp.mutable_header(), schedulerpb::UNKNOWN, "region heartbeat: " + s.message());
      return resp;
    }
  }
  if (auto step = operators_.Dispatch(region, now)) {
    *step->mutable_header() = resp.header();
    return *step;
  }
  return resp;
}

void SchedulerService::FillRegion(const RegionInfo& region,
                                  schedulerpb::GetRegionResponse* resp) const {
  *resp->mutable_region() = region.meta;
  if (region.leader) *resp->mutable_leader() = *region.leader;
  for (const metapb::Peer& p : region.meta.peers()) {
    if (!region.IsLeaderPeer(p)) *resp->add_slaves() = p;
  }
}

schedulerpb::GetRegionResponse SchedulerService::GetRegion(
    const schedulerpb::GetRegionRequest& req) {
  schedulerpb::GetRegionResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), true)) return resp;
  if (const RegionInfo* r = cluster_.GetRegionByKey(req.region_key())) {
    FillRegion(*r, &resp);
  } else {
    SetError(resp.mutable_header(), schedulerpb::REGION_NOT_FOUND, "no known region holds the key");
  }
  return resp;
}

schedulerpb::GetRegionResponse SchedulerService::GetPrevRegion(
    const schedulerpb::GetRegionRequest& req) {
  schedulerpb::GetRegionResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), true)) return resp;
  if (const RegionInfo* r = cluster_.GetPrevRegion(req.region_key())) {
    FillRegion(*r, &resp);
  } else {
    SetError(resp.mutable_header(), schedulerpb::REGION_NOT_FOUND,
             "no known region just before the one holding the key");
  }
  return resp;
}

schedulerpb::GetRegionResponse SchedulerService::GetRegionByID(
    const schedulerpb::GetRegionByIDRequest& req) {
  schedulerpb::GetRegionResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), true)) return resp;
  if (const RegionInfo* r = cluster_.GetRegion(req.region_id())) {
    FillRegion(*r, &resp);
  } else {
    SetError(resp.mutable_header(), schedulerpb::REGION_NOT_FOUND,
             "region " + std::to_string(req.region_id()) + " is not known");
  }
  return resp;
}

schedulerpb::ScanRegionsResponse SchedulerService::ScanRegions(
    const schedulerpb::ScanRegionsRequest& req) {
  schedulerpb::ScanRegionsResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), true)) return resp;
  for (const RegionInfo* r : cluster_.ScanRegions(req.start_key(), req.end_key(), req.limit())) {
    *resp.add_regions() = r->meta;
    *resp.add_leaders() = r->leader ? *r->leader : metapb::Peer();
  }
  return resp;
}

schedulerpb::AskSplitResponse SchedulerService::AskSplit(const schedulerpb::AskSplitRequest& req) {
  schedulerpb::AskSplitResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), true)) return resp;
  const RegionInfo* known = cluster_.GetRegion(req.region().id());
  if (known == nullptr) {
    SetError(resp.mutable_header(), schedulerpb::REGION_NOT_FOUND,
             "AskSplit: region " + std::to_string(req.region().id()) + " is not known");
    return resp;
  }
  if (IsOlderEpoch(req.region().region_epoch(), known->epoch())) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN,
             "AskSplit: region " + std::to_string(req.region().id()) + "'s epoch is stale");
    return resp;
  }
  schedulerpb::AskSplitResponse ids;
  uint64_t id = 0;
  Status s = ids_.Alloc(&id);
  ids.set_new_region_id(id);
  for (int i = 0; s.ok() && i < req.region().peers_size(); ++i) {
    s = ids_.Alloc(&id);
    ids.add_new_peer_ids(id);
  }
  if (!s.ok()) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN, "AskSplit: " + s.message());
    return resp;
  }
  *ids.mutable_header() = resp.header();
  return ids;
}

schedulerpb::ReportSplitResponse SchedulerService::ReportSplit(
    const schedulerpb::ReportSplitRequest& req) {
  schedulerpb::ReportSplitResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), true)) return resp;
  if (req.left().end_key().empty() || req.left().end_key() != req.right().start_key()) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN,
             "ReportSplit: the left region must end where the right one starts");
  }
  return resp;
}

schedulerpb::GetClusterConfigResponse SchedulerService::GetClusterConfig(
    const schedulerpb::GetClusterConfigRequest& req) {
  schedulerpb::GetClusterConfigResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), false)) return resp;
  resp.mutable_cluster()->set_id(options_.cluster_id);
  resp.mutable_cluster()->set_max_peer_count(static_cast<uint32_t>(options_.schedule.max_replicas));
  return resp;
}

schedulerpb::PutClusterConfigResponse SchedulerService::PutClusterConfig(
    const schedulerpb::PutClusterConfigRequest& req) {
  schedulerpb::PutClusterConfigResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), false)) return resp;
  const uint32_t n = req.cluster().max_peer_count();
  if (n < 1 || n > 9) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN,
             "PutClusterConfig: max_peer_count must be 1 to 9, not " + std::to_string(n));
  } else {
    options_.schedule.max_replicas = static_cast<int>(n);
  }
  return resp;
}

bool SchedulerService::SetOperator(std::string desc, uint64_t region_id, std::vector<OpStep> steps,
                                   Time now, std::string* why) {
  const RegionInfo* region = cluster_.GetRegion(region_id);
  if (region == nullptr) {
    *why = "region " + std::to_string(region_id) + " is not known";
    return false;
  }
  operators_.Remove(region_id);
  return operators_.Add(
      Operator(std::move(desc), region_id, region->epoch(), std::move(steps), now), *region, why);
}

int SchedulerService::RunSchedulingRound(Time now) {
  return bootstrapped_ ? coordinator_.RunRound(now) : 0;
}

}  // namespace tinykv::scheduler
