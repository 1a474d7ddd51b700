#include "grading/harness/mock_scheduler.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "scheduler/rpc_header.h"
#include "scheduler/scheduler_node.h"
#include "sim/executor.h"
#include "sim/sync.h"
#include "store/raftstore/region_ranges.h"
#include "store/raftstore/scheduler_client.h"
#include "store/server/sim_rpc.h"

namespace tinykv::harness {

// Stores find the mock and the real scheduler on the same port.
static_assert(scheduler::kSchedulerPort == raftstore::kSchedulerPort);

namespace {

void SetError(schedulerpb::ResponseHeader* header, schedulerpb::ErrorType type,
              std::string message) {
  scheduler::SetResponseError(header, type, std::move(message));
}

std::string DescribeRegion(const metapb::Region& r) {
  return "region " + std::to_string(r.id()) + " " + raftstore::RangeText(r) + " version " +
         std::to_string(r.region_epoch().version()) + " conf_ver " +
         std::to_string(r.region_epoch().conf_ver());
}

bool HasPeer(const google::protobuf::RepeatedPtrField<metapb::Peer>& peers, uint64_t peer_id) {
  return std::any_of(peers.begin(), peers.end(),
                     [&](const metapb::Peer& p) { return p.id() == peer_id; });
}

// Why `region` is not a well-formed region to put into the tree, or "".
std::string Malformed(const metapb::Region& region) {
  if (region.id() == 0) return "region id 0";
  if (!region.end_key().empty() && region.start_key() >= region.end_key()) {
    return DescribeRegion(region) + ": start key not below end key";
  }
  if (region.peers_size() == 0) return DescribeRegion(region) + ": no peers";
  return "";
}

// The framing of store/server/sim_rpc.h: parse the body as Req, run `fn`, serialize its answer.
template <class Req, class Fn>
std::string Serve(std::string_view method, std::string_view body, Fn&& fn) {
  Req req;
  if (!req.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return store::EncodeRpcErrorFrame(std::string(method) + ": request body does not parse as " +
                                      req.GetTypeName());
  }
  return fn(req).SerializeAsString();
}

}  // namespace

metapb::Peer MakePeer(uint64_t id, uint64_t store_id) {
  metapb::Peer p;
  p.set_id(id);
  p.set_store_id(store_id);
  return p;
}

MockScheduler::MockScheduler(MockSchedulerOptions options)
    : options_(options), last_id_(options.id_base) {}

bool MockScheduler::CheckHeader(const schedulerpb::RequestHeader& req,
                                schedulerpb::ResponseHeader* resp, bool need_bootstrap) const {
  return scheduler::CheckRequestHeader(req, resp, options_.cluster_id, bootstrapped_,
                                       need_bootstrap);
}

void MockScheduler::SawId(uint64_t id) { last_id_ = std::max(last_id_, id); }

// ---- bootstrap, ids, stores ----

schedulerpb::BootstrapResponse MockScheduler::HandleBootstrap(
    const schedulerpb::BootstrapRequest& req) {
  schedulerpb::BootstrapResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), /*need_bootstrap=*/false)) return resp;
  if (bootstrapped_) {
    SetError(resp.mutable_header(), schedulerpb::ALREADY_BOOTSTRAPPED,
             "cluster is already bootstrapped");
    return resp;
  }
  if (req.store().id() == 0) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN, "Bootstrap: store id 0");
    return resp;
  }
  MockStoreInfo& info = stores_[req.store().id()];
  info.store = req.store();
  SawId(req.store().id());
  bootstrapped_ = true;
  return resp;
}

schedulerpb::IsBootstrappedResponse MockScheduler::HandleIsBootstrapped(
    const schedulerpb::IsBootstrappedRequest& req) const {
  schedulerpb::IsBootstrappedResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), /*need_bootstrap=*/false)) return resp;
  resp.set_bootstrapped(bootstrapped_);
  return resp;
}

schedulerpb::AllocIDResponse MockScheduler::HandleAllocID(const schedulerpb::AllocIDRequest& req) {
  schedulerpb::AllocIDResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), /*need_bootstrap=*/false)) return resp;
  resp.set_id(++last_id_);
  return resp;
}

schedulerpb::PutStoreResponse MockScheduler::HandlePutStore(
    const schedulerpb::PutStoreRequest& req) {
  schedulerpb::PutStoreResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), /*need_bootstrap=*/true)) return resp;
  const uint64_t id = req.store().id();
  if (id == 0) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN, "PutStore: store id 0");
    return resp;
  }
  if (auto it = stores_.find(id);
      it != stores_.end() && it->second.store.state() == metapb::Tombstone) {
    SetError(resp.mutable_header(), schedulerpb::STORE_TOMBSTONE,
             "store " + std::to_string(id) + " is a tombstone");
    return resp;
  }
  stores_[id].store = req.store();
  SawId(id);
  return resp;
}

schedulerpb::GetStoreResponse MockScheduler::HandleGetStore(
    const schedulerpb::GetStoreRequest& req) const {
  schedulerpb::GetStoreResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), /*need_bootstrap=*/true)) return resp;
  auto it = stores_.find(req.store_id());
  if (it == stores_.end()) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN,
             "store " + std::to_string(req.store_id()) + " not found");
    return resp;
  }
  *resp.mutable_store() = it->second.store;
  *resp.mutable_stats() = it->second.stats;
  return resp;
}

schedulerpb::StoreHeartbeatResponse MockScheduler::HandleStoreHeartbeat(
    const schedulerpb::StoreHeartbeatRequest& req, sim::Time now) {
  schedulerpb::StoreHeartbeatResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), /*need_bootstrap=*/true)) return resp;
  auto it = stores_.find(req.stats().store_id());
  if (it == stores_.end()) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN,
             "store heartbeat from unknown store " + std::to_string(req.stats().store_id()) +
                 " (PutStore it first)");
    return resp;
  }
  it->second.stats = req.stats();
  it->second.last_heartbeat_at = now;
  return resp;
}

// ---- the region tree ----

std::optional<uint64_t> MockScheduler::FindRegionId(std::string_view key) const {
  auto it = by_start_.upper_bound(std::string(key));
  if (it == by_start_.begin()) return std::nullopt;
  --it;
  const metapb::Region& r = regions_.at(it->second).region;
  if (!r.end_key().empty() && key >= std::string_view(r.end_key())) return std::nullopt;
  return it->second;
}

std::vector<uint64_t> MockScheduler::Overlapping(const std::string& start,
                                                 const std::string& end) const {
  std::vector<uint64_t> out;
  if (!end.empty() && end <= start) return out;
  auto it = by_start_.upper_bound(start);
  if (it != by_start_.begin()) {
    const auto prev = std::prev(it);
    const metapb::Region& r = regions_.at(prev->second).region;
    if (r.end_key().empty() || r.end_key() > start) out.push_back(prev->second);
  }
  // Every region starting inside (start, end) overlaps it: regions are never empty.
  for (; it != by_start_.end() && (end.empty() || it->first < end); ++it) {
    out.push_back(it->second);
  }
  return out;
}

void MockScheduler::RemoveRegion(uint64_t region_id) {
  auto it = regions_.find(region_id);
  if (it == regions_.end()) return;
  by_start_.erase(it->second.region.start_key());
  regions_.erase(it);
}

std::string MockScheduler::Staleness(const metapb::Region& region) const {
  const metapb::RegionEpoch& epoch = region.region_epoch();
  if (auto it = regions_.find(region.id()); it != regions_.end()) {
    const metapb::RegionEpoch& known = it->second.region.region_epoch();
    if (epoch.version() < known.version() || epoch.conf_ver() < known.conf_ver()) {
      return "epoch is stale: " + DescribeRegion(region) + ", known " +
             DescribeRegion(it->second.region);
    }
  }
  for (uint64_t id : Overlapping(region.start_key(), region.end_key())) {
    if (id == region.id()) continue;
    const metapb::Region& other = regions_.at(id).region;
    if (epoch.version() <= other.region_epoch().version()) {
      return "epoch is stale: " + DescribeRegion(region) + " overlaps the newer " +
             DescribeRegion(other);
    }
  }
  return "";
}

schedulerpb::RegionHeartbeatResponse MockScheduler::HandleRegionHeartbeat(
    const schedulerpb::RegionHeartbeatRequest& req, sim::Time now) {
  schedulerpb::RegionHeartbeatResponse resp;
  const metapb::Region& region = req.region();
  resp.set_region_id(region.id());
  if (!CheckHeader(req.header(), resp.mutable_header(), /*need_bootstrap=*/true)) return resp;
  if (std::string why = Malformed(region); !why.empty()) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN, "region heartbeat: " + why);
    return resp;
  }
  if (!HasPeer(region.peers(), req.leader().id())) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN,
             "region heartbeat: leader peer " + std::to_string(req.leader().id()) +
                 " is not a peer of " + DescribeRegion(region));
    return resp;
  }
  if (std::string why = Staleness(region); !why.empty()) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN, std::move(why));
    return resp;
  }

  // Accepted: the heartbeat is the newest state of its keys.
  RemoveRegion(region.id());
  for (uint64_t id : Overlapping(region.start_key(), region.end_key())) RemoveRegion(id);
  RegionInfo& info = regions_[region.id()];
  info.region = region;
  info.leader = req.leader();
  info.pending_peers.assign(req.pending_peers().begin(), req.pending_peers().end());
  info.approximate_size = req.approximate_size();
  info.last_heartbeat_at = now;
  by_start_[region.start_key()] = region.id();
  SawId(region.id());
  for (const metapb::Peer& p : region.peers()) SawId(p.id());

  *resp.mutable_region_epoch() = region.region_epoch();
  *resp.mutable_target_peer() = req.leader();
  ApplyOperator(req, &resp);
  return resp;
}

void MockScheduler::ApplyOperator(const schedulerpb::RegionHeartbeatRequest& req,
                                  schedulerpb::RegionHeartbeatResponse* resp) {
  auto it = operators_.find(req.region().id());
  if (it == operators_.end()) return;
  const MockOperator& op = it->second;
  const bool in_region = HasPeer(req.region().peers(), op.peer.id());
  bool done = false;
  switch (op.kind) {
    case MockOperator::Kind::kAddPeer:
      if (!in_region) {
        resp->mutable_change_peer()->set_change_type(eraftpb::AddNode);
        *resp->mutable_change_peer()->mutable_peer() = op.peer;
      } else {
        // Added; done once the leader no longer counts it as catching up.
        done = !HasPeer(req.pending_peers(), op.peer.id());
      }
      break;
    case MockOperator::Kind::kRemovePeer:
      if (in_region) {
        resp->mutable_change_peer()->set_change_type(eraftpb::RemoveNode);
        *resp->mutable_change_peer()->mutable_peer() = op.peer;
      } else {
        done = true;
      }
      break;
    case MockOperator::Kind::kTransferLeader:
      if (req.leader().id() != op.peer.id()) {
        *resp->mutable_transfer_leader()->mutable_peer() = op.peer;
      } else {
        done = true;
      }
      break;
  }
  if (done) operators_.erase(it);
}

void MockScheduler::FillRegion(uint64_t region_id, schedulerpb::GetRegionResponse* resp) const {
  const RegionInfo& info = regions_.at(region_id);
  *resp->mutable_region() = info.region;
  if (info.leader.id() != 0) *resp->mutable_leader() = info.leader;
  for (const metapb::Peer& p : info.region.peers()) {
    if (p.id() != info.leader.id()) *resp->add_slaves() = p;
  }
}

schedulerpb::GetRegionResponse MockScheduler::HandleGetRegion(
    const schedulerpb::GetRegionRequest& req) const {
  schedulerpb::GetRegionResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), /*need_bootstrap=*/true)) return resp;
  if (auto id = FindRegionId(req.region_key())) {
    FillRegion(*id, &resp);
  } else {
    SetError(resp.mutable_header(), schedulerpb::REGION_NOT_FOUND,
             "no known region holds key " + raftstore::QuoteKey(req.region_key()));
  }
  return resp;
}

schedulerpb::GetRegionResponse MockScheduler::HandleGetPrevRegion(
    const schedulerpb::GetRegionRequest& req) const {
  schedulerpb::GetRegionResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), /*need_bootstrap=*/true)) return resp;
  std::optional<uint64_t> prev;
  if (auto id = FindRegionId(req.region_key())) {
    auto it = by_start_.find(regions_.at(*id).region.start_key());
    if (it != by_start_.begin()) prev = std::prev(it)->second;
  }
  if (prev) {
    FillRegion(*prev, &resp);
  } else {
    SetError(resp.mutable_header(), schedulerpb::REGION_NOT_FOUND,
             "no known region before the one holding key " + raftstore::QuoteKey(req.region_key()));
  }
  return resp;
}

schedulerpb::GetRegionResponse MockScheduler::HandleGetRegionByID(
    const schedulerpb::GetRegionByIDRequest& req) const {
  schedulerpb::GetRegionResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), /*need_bootstrap=*/true)) return resp;
  if (regions_.count(req.region_id()) != 0) {
    FillRegion(req.region_id(), &resp);
  } else {
    SetError(resp.mutable_header(), schedulerpb::REGION_NOT_FOUND,
             "region " + std::to_string(req.region_id()) + " not found");
  }
  return resp;
}

schedulerpb::ScanRegionsResponse MockScheduler::HandleScanRegions(
    const schedulerpb::ScanRegionsRequest& req) const {
  schedulerpb::ScanRegionsResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), /*need_bootstrap=*/true)) return resp;
  for (uint64_t id : Overlapping(req.start_key(), req.end_key())) {
    if (req.limit() > 0 && resp.regions_size() >= req.limit()) break;
    const RegionInfo& info = regions_.at(id);
    *resp.add_regions() = info.region;
    *resp.add_leaders() = info.leader;
  }
  return resp;
}

schedulerpb::AskSplitResponse MockScheduler::HandleAskSplit(
    const schedulerpb::AskSplitRequest& req) {
  schedulerpb::AskSplitResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), /*need_bootstrap=*/true)) return resp;
  auto it = regions_.find(req.region().id());
  if (it == regions_.end()) {
    SetError(
        resp.mutable_header(), schedulerpb::REGION_NOT_FOUND,
        "AskSplit: region " + std::to_string(req.region().id()) + " not found (no heartbeat yet)");
    return resp;
  }
  const metapb::RegionEpoch& epoch = req.region().region_epoch();
  const metapb::RegionEpoch& known = it->second.region.region_epoch();
  if (epoch.version() < known.version() || epoch.conf_ver() < known.conf_ver()) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN,
             "AskSplit: epoch is stale: " + DescribeRegion(req.region()) + ", known " +
                 DescribeRegion(it->second.region));
    return resp;
  }
  resp.set_new_region_id(++last_id_);
  for (int i = 0; i < req.region().peers_size(); ++i) resp.add_new_peer_ids(++last_id_);
  return resp;
}

schedulerpb::ReportSplitResponse MockScheduler::HandleReportSplit(
    const schedulerpb::ReportSplitRequest& req) {
  schedulerpb::ReportSplitResponse resp;
  if (!CheckHeader(req.header(), resp.mutable_header(), /*need_bootstrap=*/true)) return resp;
  if (req.left().end_key().empty() || req.left().end_key() != req.right().start_key()) {
    SetError(resp.mutable_header(), schedulerpb::UNKNOWN,
             "ReportSplit: " + DescribeRegion(req.left()) + " and " + DescribeRegion(req.right()) +
                 " are not adjacent");
  }
  return resp;
}

// ---- framed requests ----

std::string MockScheduler::HandleRpc(std::string_view payload, sim::Time now) {
  std::string_view method;
  std::string_view body;
  if (!store::DecodeRpc(payload, &method, &body)) {
    return store::EncodeRpcErrorFrame("malformed request: want \"<method>\\0<body>\"");
  }
  namespace pb = schedulerpb;
  if (method == "Bootstrap") {
    return Serve<pb::BootstrapRequest>(method, body,
                                       [&](const auto& req) { return HandleBootstrap(req); });
  }
  if (method == "IsBootstrapped") {
    return Serve<pb::IsBootstrappedRequest>(
        method, body, [&](const auto& req) { return HandleIsBootstrapped(req); });
  }
  if (method == "AllocID") {
    return Serve<pb::AllocIDRequest>(method, body,
                                     [&](const auto& req) { return HandleAllocID(req); });
  }
  if (method == "PutStore") {
    return Serve<pb::PutStoreRequest>(method, body,
                                      [&](const auto& req) { return HandlePutStore(req); });
  }
  if (method == "GetStore") {
    return Serve<pb::GetStoreRequest>(method, body,
                                      [&](const auto& req) { return HandleGetStore(req); });
  }
  if (method == "StoreHeartbeat") {
    return Serve<pb::StoreHeartbeatRequest>(
        method, body, [&](const auto& req) { return HandleStoreHeartbeat(req, now); });
  }
  if (method == "RegionHeartbeat") {
    return Serve<pb::RegionHeartbeatRequest>(
        method, body, [&](const auto& req) { return HandleRegionHeartbeat(req, now); });
  }
  if (method == "GetRegion") {
    return Serve<pb::GetRegionRequest>(method, body,
                                       [&](const auto& req) { return HandleGetRegion(req); });
  }
  if (method == "GetPrevRegion") {
    return Serve<pb::GetRegionRequest>(method, body,
                                       [&](const auto& req) { return HandleGetPrevRegion(req); });
  }
  if (method == "GetRegionByID") {
    return Serve<pb::GetRegionByIDRequest>(
        method, body, [&](const auto& req) { return HandleGetRegionByID(req); });
  }
  if (method == "ScanRegions") {
    return Serve<pb::ScanRegionsRequest>(method, body,
                                         [&](const auto& req) { return HandleScanRegions(req); });
  }
  if (method == "AskSplit") {
    return Serve<pb::AskSplitRequest>(method, body,
                                      [&](const auto& req) { return HandleAskSplit(req); });
  }
  if (method == "ReportSplit") {
    return Serve<pb::ReportSplitRequest>(method, body,
                                         [&](const auto& req) { return HandleReportSplit(req); });
  }
  return store::EncodeRpcErrorFrame("unknown method \"" + std::string(method) + "\"");
}

// ---- operators ----

void MockScheduler::SetOperator(uint64_t region_id, MockOperator::Kind kind,
                                const metapb::Peer& peer) {
  operators_[region_id] = MockOperator{kind, peer};
}

void MockScheduler::AddPeer(uint64_t region_id, const metapb::Peer& peer) {
  SetOperator(region_id, MockOperator::Kind::kAddPeer, peer);
}

void MockScheduler::RemovePeer(uint64_t region_id, const metapb::Peer& peer) {
  SetOperator(region_id, MockOperator::Kind::kRemovePeer, peer);
}

void MockScheduler::TransferLeader(uint64_t region_id, const metapb::Peer& peer) {
  SetOperator(region_id, MockOperator::Kind::kTransferLeader, peer);
}

bool MockScheduler::HasOperator(uint64_t region_id) const {
  return operators_.count(region_id) != 0;
}

std::optional<MockOperator> MockScheduler::OperatorOf(uint64_t region_id) const {
  auto it = operators_.find(region_id);
  if (it == operators_.end()) return std::nullopt;
  return it->second;
}

// ---- inspection ----

std::optional<metapb::Region> MockScheduler::GetRegion(std::string_view key) const {
  if (auto id = FindRegionId(key)) return regions_.at(*id).region;
  return std::nullopt;
}

std::optional<metapb::Region> MockScheduler::GetRegionById(uint64_t region_id) const {
  auto it = regions_.find(region_id);
  if (it == regions_.end()) return std::nullopt;
  return it->second.region;
}

std::vector<metapb::Region> MockScheduler::Regions() const {
  std::vector<metapb::Region> out;
  out.reserve(by_start_.size());
  for (const auto& [start, id] : by_start_) out.push_back(regions_.at(id).region);
  return out;
}

std::optional<metapb::Peer> MockScheduler::Leader(uint64_t region_id) const {
  auto it = regions_.find(region_id);
  if (it == regions_.end() || it->second.leader.id() == 0) return std::nullopt;
  return it->second.leader;
}

std::vector<metapb::Peer> MockScheduler::PendingPeers(uint64_t region_id) const {
  auto it = regions_.find(region_id);
  if (it == regions_.end()) return {};
  return it->second.pending_peers;
}

uint64_t MockScheduler::ApproximateSize(uint64_t region_id) const {
  auto it = regions_.find(region_id);
  return it == regions_.end() ? 0 : it->second.approximate_size;
}

std::optional<MockStoreInfo> MockScheduler::Store(uint64_t store_id) const {
  auto it = stores_.find(store_id);
  if (it == stores_.end()) return std::nullopt;
  return it->second;
}

std::vector<uint64_t> MockScheduler::StoreIds() const {
  std::vector<uint64_t> out;
  out.reserve(stores_.size());
  for (const auto& [id, info] : stores_) out.push_back(id);
  return out;
}

// ---- the node ----

MockSchedulerNode::MockSchedulerNode(sim::Network& net, sim::NodeId node, MockScheduler& scheduler)
    : net_(net), node_(node), scheduler_(scheduler) {}

void MockSchedulerNode::Main() {
  sim::Channel<sim::Packet>& in = net_.Bind(node_, raftstore::kSchedulerPort);
  while (auto packet = in.Recv()) {
    if (packet->rpc_id == 0 || packet->is_response) continue;  // only requests get answers
    ++requests_served_;
    net_.Reply(*packet, scheduler_.HandleRpc(packet->payload, sim::Now()));
  }
}

}  // namespace tinykv::harness
