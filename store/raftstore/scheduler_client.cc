#include "store/raftstore/scheduler_client.h"

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include "store/server/sim_rpc.h"

namespace tinykv::raftstore {

using store::Status;

Status StatusFromSchedulerHeader(std::string_view method,
                                 const schedulerpb::ResponseHeader& header) {
  if (!header.has_error()) return Status::OK();
  const schedulerpb::Error& error = header.error();
  if (error.type() == schedulerpb::OK && error.message().empty()) return Status::OK();
  const std::string text = std::string(method) + ": scheduler error " +
                           schedulerpb::ErrorType_Name(error.type()) + ": " + error.message();
  if (error.type() == schedulerpb::REGION_NOT_FOUND) return Status::NotFound(text);
  return Status::InvalidArgument(text);
}

SimSchedulerClient::SimSchedulerClient(sim::Network& net, SimSchedulerClientOptions options)
    : net_(net), options_(options) {
  if (options_.self == 0 || options_.scheduler == 0 || options_.timeout <= sim::Duration{0}) {
    // A broken construction is a bug in the caller, not a runtime condition.
    std::fprintf(stderr,
                 "raftstore: fatal: SimSchedulerClient needs self, scheduler and a positive "
                 "timeout (self %u, scheduler %u)\n",
                 options_.self, options_.scheduler);
    std::abort();
  }
}

Status SimSchedulerClient::Transport(std::string_view method, const google::protobuf::Message& req,
                                     google::protobuf::Message* resp) {
  std::optional<std::string> reply = net_.Call(options_.self, options_.scheduler, kSchedulerPort,
                                               store::EncodeRpc(method, req), options_.timeout);
  if (!reply) {
    return Status::IOError(std::string(method) + ": no answer from the scheduler (node " +
                           std::to_string(options_.scheduler) + ") within " +
                           sim::FormatTime(options_.timeout));
  }
  std::string reason;
  if (store::IsRpcErrorFrame(*reply, &reason)) {
    return Status::InvalidArgument(std::string(method) +
                                   ": scheduler rejected the request: " + reason);
  }
  if (!resp->ParseFromString(*reply)) {
    return Status::IOError(std::string(method) + ": scheduler reply does not parse as " +
                           resp->GetTypeName());
  }
  return Status::OK();
}

template <class Req, class Resp>
Status SimSchedulerClient::Call(std::string_view method, Req req, Resp* resp) {
  req.mutable_header()->set_cluster_id(options_.cluster_id);
  resp->Clear();
  if (Status s = Transport(method, req, resp); !s.ok()) return s;
  return StatusFromSchedulerHeader(method, resp->header());
}

Status SimSchedulerClient::AllocId(uint64_t* id) {
  schedulerpb::AllocIDResponse resp;
  if (Status s = Call("AllocID", schedulerpb::AllocIDRequest(), &resp); !s.ok()) return s;
  if (resp.id() == 0) return Status::IOError("AllocID: scheduler answered id 0");
  *id = resp.id();
  return Status::OK();
}

Status SimSchedulerClient::Bootstrap(const metapb::Store& store) {
  schedulerpb::BootstrapRequest req;
  *req.mutable_store() = store;
  schedulerpb::BootstrapResponse resp;
  return Call("Bootstrap", std::move(req), &resp);
}

Status SimSchedulerClient::IsBootstrapped(bool* bootstrapped) {
  schedulerpb::IsBootstrappedResponse resp;
  if (Status s = Call("IsBootstrapped", schedulerpb::IsBootstrappedRequest(), &resp); !s.ok()) {
    return s;
  }
  *bootstrapped = resp.bootstrapped();
  return Status::OK();
}

Status SimSchedulerClient::PutStore(const metapb::Store& store) {
  schedulerpb::PutStoreRequest req;
  *req.mutable_store() = store;
  schedulerpb::PutStoreResponse resp;
  return Call("PutStore", std::move(req), &resp);
}

Status SimSchedulerClient::GetStore(uint64_t store_id, metapb::Store* store,
                                    schedulerpb::StoreStats* stats) {
  schedulerpb::GetStoreRequest req;
  req.set_store_id(store_id);
  schedulerpb::GetStoreResponse resp;
  if (Status s = Call("GetStore", std::move(req), &resp); !s.ok()) return s;
  *store = resp.store();
  if (stats != nullptr) *stats = resp.stats();
  return Status::OK();
}

Status SimSchedulerClient::StoreHeartbeat(const schedulerpb::StoreStats& stats) {
  schedulerpb::StoreHeartbeatRequest req;
  *req.mutable_stats() = stats;
  schedulerpb::StoreHeartbeatResponse resp;
  return Call("StoreHeartbeat", std::move(req), &resp);
}

Status SimSchedulerClient::AskSplit(const metapb::Region& region,
                                    schedulerpb::AskSplitResponse* resp) {
  schedulerpb::AskSplitRequest req;
  *req.mutable_region() = region;
  if (Status s = Call("AskSplit", std::move(req), resp); !s.ok()) return s;
  if (resp->new_region_id() == 0 || resp->new_peer_ids_size() != region.peers_size()) {
    return Status::IOError("AskSplit: scheduler answered " +
                           std::to_string(resp->new_peer_ids_size()) + " peer ids for " +
                           std::to_string(region.peers_size()) + " peers (new region id " +
                           std::to_string(resp->new_region_id()) + ")");
  }
  return Status::OK();
}

Status SimSchedulerClient::ReportSplit(const metapb::Region& left, const metapb::Region& right) {
  schedulerpb::ReportSplitRequest req;
  *req.mutable_left() = left;
  *req.mutable_right() = right;
  schedulerpb::ReportSplitResponse resp;
  return Call("ReportSplit", std::move(req), &resp);
}

Status SimSchedulerClient::RegionHeartbeat(const schedulerpb::RegionHeartbeatRequest& req,
                                           schedulerpb::RegionHeartbeatResponse* resp) {
  return Call("RegionHeartbeat", req, resp);
}

Status SimSchedulerClient::GetRegion(std::string_view key, metapb::Region* region,
                                     metapb::Peer* leader) {
  schedulerpb::GetRegionRequest req;
  req.set_region_key(std::string(key));
  schedulerpb::GetRegionResponse resp;
  if (Status s = Call("GetRegion", std::move(req), &resp); !s.ok()) return s;
  *region = resp.region();
  if (leader != nullptr) *leader = resp.leader();
  return Status::OK();
}

Status SimSchedulerClient::GetRegionById(uint64_t region_id, metapb::Region* region,
                                         metapb::Peer* leader) {
  schedulerpb::GetRegionByIDRequest req;
  req.set_region_id(region_id);
  schedulerpb::GetRegionResponse resp;
  if (Status s = Call("GetRegionByID", std::move(req), &resp); !s.ok()) return s;
  *region = resp.region();
  if (leader != nullptr) *leader = resp.leader();
  return Status::OK();
}

Status SimSchedulerClient::ScanRegions(std::string_view start_key, std::string_view end_key,
                                       int limit, std::vector<metapb::Region>* regions,
                                       std::vector<metapb::Peer>* leaders) {
  schedulerpb::ScanRegionsRequest req;
  req.set_start_key(std::string(start_key));
  req.set_end_key(std::string(end_key));
  req.set_limit(limit);
  schedulerpb::ScanRegionsResponse resp;
  if (Status s = Call("ScanRegions", std::move(req), &resp); !s.ok()) return s;
  regions->assign(resp.regions().begin(), resp.regions().end());
  if (leaders != nullptr) leaders->assign(resp.leaders().begin(), resp.leaders().end());
  return Status::OK();
}

Status SimSchedulerClient::Tso(uint32_t count, uint64_t* last) {
  schedulerpb::TsoRequest req;
  req.set_count(count);
  schedulerpb::TsoResponse resp;
  if (Status s = Call("Tso", std::move(req), &resp); !s.ok()) return s;
  if (resp.count() != count) {
    return Status::IOError("Tso: asked for " + std::to_string(count) + " timestamps, got " +
                           std::to_string(resp.count()));
  }
  // TinyKV's layout (and PD's): 18 bits of logical counter under the physical milliseconds.
  constexpr int kLogicalBits = 18;
  *last = (static_cast<uint64_t>(resp.timestamp().physical()) << kLogicalBits) +
          static_cast<uint64_t>(resp.timestamp().logical());
  return Status::OK();
}

}  // namespace tinykv::raftstore
