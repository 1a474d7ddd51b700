// MockScheduler: the scheduler of the lab3b scenarios — the bookkeeping half of TinyKV's placement
// driver (ids, stores, the region tree fed by region heartbeats) plus operators a test sets by
// hand (add / remove a peer, transfer a leader) and hands to region leaders in heartbeat answers.
// No balancing, no TSO: lab3c's TinyScheduler (scheduler/) does that.
//
// MockScheduler is a pure core: no fibers, no network, no clock (callers pass the virtual time
// in), ordered containers only, so the same calls give the same answers on every run. It answers
// the schedulerpb.Scheduler methods as request → response functions (Handle*), and whole framed
// requests (HandleRpc, the framing of store/server/sim_rpc.h) for the node that serves it.
// MockSchedulerNode is that node: its main binds raftstore::kSchedulerPort and answers every
// request from a MockScheduler owned outside the node, so a crash and restart of the scheduler
// node loses nothing (the labs never crash it; the real TinyScheduler persists its state).
//
// Errors go back in the response header (schedulerpb.Error), never as a crash:
//   NOT_BOOTSTRAPPED   any store / region method before Bootstrap (AllocID, IsBootstrapped and
//                      Bootstrap work at any time);
//   ALREADY_BOOTSTRAPPED, STORE_TOMBSTONE, REGION_NOT_FOUND as their names say;
//   UNKNOWN            everything else: a request for another cluster id, a malformed region or
//                      store, an unknown store, a stale region epoch.
//
// Region heartbeats (TinyKV's and PD's staleness rules). A heartbeat for region R is stale — it is
// answered with an error and changes nothing — when
//   - the scheduler knows R's id with a newer epoch: R.version < known.version or
//     R.conf_ver < known.conf_ver (TinyKV's IsEpochStale: each of the two only grows, so an epoch
//     lower in either is older or contradictory);
//   - R's range overlaps a known region of another id whose version is >= R's: without merges,
//     of two overlapping regions the one with the higher version is the later state of the keys
//     (conf_ver is not compared across region ids: it counts membership changes of one region).
// Otherwise R replaces what was known about its id, and every region it overlaps is dropped from
// the tree (each is an older state of part of R's keys; a split's right half reporting first
// drops the unsplit parent, whose left half reappears with its own heartbeat). The leader, the
// pending peers and the approximate size of the heartbeat are kept with the region.
//
// Operators: at most one per region; setting one replaces the region's current one. Each accepted
// heartbeat of the region gets the operator's step in its answer until a heartbeat shows the
// operator done, and then the operator is dropped (that heartbeat gets no step):
//   AddPeer(p)         step change_peer AddNode p while p is not in the region; no step while p
//                      is in the region but pending; done when p is in it and not pending;
//   RemovePeer(p)      step change_peer RemoveNode p while p is in the region; done when it is not;
//   TransferLeader(p)  step transfer_leader p while the heartbeat's leader is not p; done when it
//   is.
// Peers are matched by peer id. The answer's region_id / region_epoch / target_peer are the
// heartbeat's region id, epoch and leader, so the store proposes the step on that leader.
//
// Ids: AllocID hands out id_base + 1, id_base + 2, … and never repeats an id; it also stays above
// every id the scheduler has seen in a store, region or peer, so a too-small id_base cannot make
// it collide with bootstrap ids (region 1, peers = store ids 1..N).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grading/harness/scheduler_view.h"
#include "proto/schedulerpb.pb.h"
#include "sim/network.h"
#include "sim/time.h"

namespace tinykv::harness {

struct MockSchedulerOptions {
  uint64_t cluster_id = 1;
  // AllocID's first id is id_base + 1. Keep it >= every id bootstrap uses (stores 1..N, region 1).
  uint64_t id_base = 1000;
};

// Peer `id` on store `store_id` (for operators and tests).
metapb::Peer MakePeer(uint64_t id, uint64_t store_id);

// One region operator as the test set it.
struct MockOperator {
  enum class Kind { kAddPeer, kRemovePeer, kTransferLeader };
  Kind kind = Kind::kAddPeer;
  metapb::Peer peer;  // the peer to add / remove / make leader
};

// What the scheduler knows of one store.
struct MockStoreInfo {
  metapb::Store store;
  schedulerpb::StoreStats stats;               // the last heartbeat's; empty before the first
  std::optional<sim::Time> last_heartbeat_at;  // virtual time of the last store heartbeat
};

class MockScheduler final : public SchedulerView {
 public:
  explicit MockScheduler(MockSchedulerOptions options = {});

  // ---- schedulerpb.Scheduler, one request → one response ----
  // Each sets header.cluster_id and, on failure, header.error (see the file comment).
  schedulerpb::BootstrapResponse HandleBootstrap(const schedulerpb::BootstrapRequest& req);
  schedulerpb::IsBootstrappedResponse HandleIsBootstrapped(
      const schedulerpb::IsBootstrappedRequest& req) const;
  schedulerpb::AllocIDResponse HandleAllocID(const schedulerpb::AllocIDRequest& req);
  schedulerpb::PutStoreResponse HandlePutStore(const schedulerpb::PutStoreRequest& req);
  schedulerpb::GetStoreResponse HandleGetStore(const schedulerpb::GetStoreRequest& req) const;
  schedulerpb::StoreHeartbeatResponse HandleStoreHeartbeat(
      const schedulerpb::StoreHeartbeatRequest& req, sim::Time now);
  schedulerpb::RegionHeartbeatResponse HandleRegionHeartbeat(
      const schedulerpb::RegionHeartbeatRequest& req, sim::Time now);
  // REGION_NOT_FOUND when no known region holds the key / has the id / precedes it.
  schedulerpb::GetRegionResponse HandleGetRegion(const schedulerpb::GetRegionRequest& req) const;
  // The region just before (in key order) the one holding region_key.
  schedulerpb::GetRegionResponse HandleGetPrevRegion(
      const schedulerpb::GetRegionRequest& req) const;
  schedulerpb::GetRegionResponse HandleGetRegionByID(
      const schedulerpb::GetRegionByIDRequest& req) const;
  // Regions overlapping [start_key, end_key) (end "" = +inf), in key order, at most `limit`
  // (<= 0: all), with their leaders (an empty Peer where none has reported).
  schedulerpb::ScanRegionsResponse HandleScanRegions(
      const schedulerpb::ScanRegionsRequest& req) const;
  // A new region id and one new peer id per peer of req.region. REGION_NOT_FOUND for a region
  // the scheduler has not heard of; UNKNOWN if req.region's epoch is stale against the known one.
  schedulerpb::AskSplitResponse HandleAskSplit(const schedulerpb::AskSplitRequest& req);
  // Accepted when left and right are adjacent (left.end_key == right.start_key, non-empty);
  // changes nothing: the children's heartbeats update the tree.
  schedulerpb::ReportSplitResponse HandleReportSplit(const schedulerpb::ReportSplitRequest& req);

  // Decodes one framed request ("<method>\0<body>", store/server/sim_rpc.h), runs it and returns
  // the serialized response — or an error frame for a payload without a method, an unknown
  // method or a body that does not parse. Methods: Bootstrap, IsBootstrapped, AllocID, PutStore,
  // GetStore, StoreHeartbeat, RegionHeartbeat, GetRegion, GetPrevRegion, GetRegionByID,
  // ScanRegions, AskSplit, ReportSplit. Never throws or aborts on any input.
  std::string HandleRpc(std::string_view payload, sim::Time now);

  // ---- operators (tests and the harness) ----
  // Set (replace) region `region_id`'s operator. The region need not be known yet.
  void AddPeer(uint64_t region_id, const metapb::Peer& peer) override;
  void RemovePeer(uint64_t region_id, const metapb::Peer& peer) override;
  void TransferLeader(uint64_t region_id, const metapb::Peer& peer) override;
  bool HasOperator(uint64_t region_id) const override;
  uint64_t LeaderChangesCaused(uint64_t) const override { return 0; }
  uint64_t AllocId() override { return HandleAllocID(schedulerpb::AllocIDRequest()).id(); }
  std::string DescribeStores() const override { return ""; }
  std::vector<std::string> RecentOperators(size_t) const override { return {}; }
  std::optional<MockOperator> OperatorOf(uint64_t region_id) const;

  // ---- inspection ----
  uint64_t cluster_id() const { return options_.cluster_id; }
  bool bootstrapped() const { return bootstrapped_; }
  // The known region holding `key` (end key "" = +inf).
  std::optional<metapb::Region> GetRegion(std::string_view key) const override;
  std::optional<metapb::Region> GetRegionById(uint64_t region_id) const override;
  size_t RegionCount() const override { return regions_.size(); }
  // Every known region, in key order.
  std::vector<metapb::Region> Regions() const override;
  // The leader of the region's last accepted heartbeat.
  std::optional<metapb::Peer> Leader(uint64_t region_id) const override;
  // The pending peers and approximate size of the region's last accepted heartbeat.
  std::vector<metapb::Peer> PendingPeers(uint64_t region_id) const override;
  uint64_t ApproximateSize(uint64_t region_id) const;
  std::optional<MockStoreInfo> Store(uint64_t store_id) const;
  // Store ids in ascending order.
  std::vector<uint64_t> StoreIds() const;

 private:
  struct RegionInfo {
    metapb::Region region;
    metapb::Peer leader;
    std::vector<metapb::Peer> pending_peers;
    uint64_t approximate_size = 0;
    sim::Time last_heartbeat_at{0};
  };

  // Fills header.cluster_id; false (and header.error set) when the request's cluster id is
  // neither 0 nor ours, or when `need_bootstrap` and the cluster is not bootstrapped.
  bool CheckHeader(const schedulerpb::RequestHeader& req, schedulerpb::ResponseHeader* resp,
                   bool need_bootstrap) const;
  // The id of the known region holding `key`, if any.
  std::optional<uint64_t> FindRegionId(std::string_view key) const;
  // Ids of known regions overlapping [start, end) (end "" = +inf), in key order.
  std::vector<uint64_t> Overlapping(const std::string& start, const std::string& end) const;
  void RemoveRegion(uint64_t region_id);
  // Why `region` is stale against what is known, or "" when it is not.
  std::string Staleness(const metapb::Region& region) const;
  // Fills resp's step from the region's operator, or drops the operator when the heartbeat shows
  // it done.
  void ApplyOperator(const schedulerpb::RegionHeartbeatRequest& req,
                     schedulerpb::RegionHeartbeatResponse* resp);
  void FillRegion(uint64_t region_id, schedulerpb::GetRegionResponse* resp) const;
  void SetOperator(uint64_t region_id, MockOperator::Kind kind, const metapb::Peer& peer);
  // Keeps AllocID above `id`.
  void SawId(uint64_t id);

  MockSchedulerOptions options_;
  bool bootstrapped_ = false;
  uint64_t last_id_;  // the last id handed out (or seen)
  std::map<uint64_t, MockStoreInfo> stores_;
  std::map<uint64_t, RegionInfo> regions_;      // by region id
  std::map<std::string, uint64_t> by_start_;    // start key -> region id; ranges are disjoint
  std::map<uint64_t, MockOperator> operators_;  // by region id
};

// The scheduler's node main. Usage (sim node `id` serves the scheduler):
//   MockScheduler scheduler(options);            // outlives every incarnation of the node
//   MockSchedulerNode node(net, id, scheduler);
//   ex.AddNode(id, "scheduler", [&node] { node.Main(); });
//   ex.Start(id);
// Stores reach it with raftstore::SimSchedulerClient({.self = store, .scheduler = id}).
class MockSchedulerNode {
 public:
  // `net` and `scheduler` must outlive every Run of the executor that runs Main.
  MockSchedulerNode(sim::Network& net, sim::NodeId node, MockScheduler& scheduler);

  // Binds kSchedulerPort on `node` and answers each request in arrival order (a request never
  // blocks: the core is pure) until the node goes down. Runs on a fiber of `node`; after a
  // restart it runs again on a fresh inbox, with the state kept in the MockScheduler.
  void Main();

  sim::NodeId node() const { return node_; }
  // Requests answered since the object was created (all incarnations).
  uint64_t requests_served() const { return requests_served_; }

 private:
  sim::Network& net_;
  sim::NodeId node_;
  MockScheduler& scheduler_;
  uint64_t requests_served_ = 0;
};

}  // namespace tinykv::harness
