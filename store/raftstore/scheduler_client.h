// SchedulerClient: the store's seam to the scheduler (TinyKV's placement driver). A store asks it
// for fresh ids (splits), reports its regions and itself in heartbeats, and receives the
// scheduler's decisions (add / remove a peer, transfer a leader) as the answer to a region
// heartbeat.
//
// Who calls it: fibers of the store's own node (in raftstore, the scheduler worker fiber; never
// the raft worker, which must not block on the network). Every call is one request/response
// round trip that blocks the calling fiber until the answer arrives or the call's timeout passes;
// there are no retries inside — the caller decides whether and when to try again (a region
// heartbeat, for instance, is simply sent again at the next heartbeat tick). Single-threaded like
// everything in sim/: use one client from the fibers of one executor.
//
// Errors (store::Status):
//  - IOError: no answer within the timeout (lost packet, partition, scheduler down), or the
//    scheduler's reply did not parse;
//  - NotFound: the scheduler answered REGION_NOT_FOUND (no region holds the key / has the id);
//  - InvalidArgument: the scheduler answered with any other error in the response header (stale
//    epoch, not bootstrapped, unknown store …) — the message is the scheduler's, prefixed with
//    the method and the error type — or rejected the request frame as malformed.
// Where a method hands back a whole response (AskSplit, RegionHeartbeat), the response is filled
// in whenever the scheduler answered at all, so the caller can read `header().error().type()`.
//
// SimSchedulerClient is the implementation over the simulated network; the real-mode gRPC client
// implements the same interface.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/schedulerpb.pb.h"
#include "sim/network.h"
#include "store/status.h"

namespace tinykv::raftstore {

// The port the scheduler serves on (PD's default client port).
inline constexpr sim::Port kSchedulerPort = 2379;

class SchedulerClient {
 public:
  virtual ~SchedulerClient() = default;

  // A fresh id, never handed out before by this scheduler (region, peer and store ids share one
  // space). On success *id holds it.
  virtual store::Status AllocId(uint64_t* id) = 0;

  // Bootstraps the cluster with `store` as its first store. Fails (InvalidArgument,
  // ALREADY_BOOTSTRAPPED) if the cluster already is. Stores of the simulated labs are bootstrapped
  // by the harness; real-mode stores call this once on an empty cluster.
  virtual store::Status Bootstrap(const metapb::Store& store) = 0;
  // On success *bootstrapped tells whether the cluster has been bootstrapped.
  virtual store::Status IsBootstrapped(bool* bootstrapped) = 0;

  // Registers `store` (or updates its address / state). A store calls it at each start.
  virtual store::Status PutStore(const metapb::Store& store) = 0;
  // The store's metadata and, if `stats` is not null, its last reported stats.
  virtual store::Status GetStore(uint64_t store_id, metapb::Store* store,
                                 schedulerpb::StoreStats* stats) = 0;
  // The store's periodic report of its load and capacity.
  virtual store::Status StoreHeartbeat(const schedulerpb::StoreStats& stats) = 0;

  // Ids for splitting `region`: a new region id and one new peer id per peer of `region`, in
  // *resp. Fails if the scheduler does not know the region or `region`'s epoch is stale.
  virtual store::Status AskSplit(const metapb::Region& region,
                                 schedulerpb::AskSplitResponse* resp) = 0;
  // Tells the scheduler that a split produced `left` and `right` (adjacent: left's end key is
  // right's start key). Informational: the region tree itself follows region heartbeats.
  virtual store::Status ReportSplit(const metapb::Region& left, const metapb::Region& right) = 0;

  // The leader of a region reports it (range, epoch, peers, pending peers, size). On success
  // *resp may carry one operator step for the region — `change_peer` (AddNode / RemoveNode) or
  // `transfer_leader` — with `region_id`, `region_epoch` and `target_peer` telling the store
  // which peer should propose it; neither set means "nothing to do". The scheduler repeats a
  // step until a heartbeat shows it done, so the store must ignore a step it already carries out.
  // A heartbeat whose epoch is stale fails (InvalidArgument) and changes nothing.
  virtual store::Status RegionHeartbeat(const schedulerpb::RegionHeartbeatRequest& req,
                                        schedulerpb::RegionHeartbeatResponse* resp) = 0;

  // The region holding `key` (end key "" = +inf) and, if `leader` is not null, its last reported
  // leader (id 0 when none has reported). NotFound when no known region holds the key.
  virtual store::Status GetRegion(std::string_view key, metapb::Region* region,
                                  metapb::Peer* leader) = 0;
  // The same by region id.
  virtual store::Status GetRegionById(uint64_t region_id, metapb::Region* region,
                                      metapb::Peer* leader) = 0;
  // Regions overlapping [start_key, end_key) (end "" = +inf) in key order, at most `limit`
  // (<= 0: no limit); *leaders (may be null) gets their leaders, index for index.
  virtual store::Status ScanRegions(std::string_view start_key, std::string_view end_key, int limit,
                                    std::vector<metapb::Region>* regions,
                                    std::vector<metapb::Peer>* leaders) = 0;

  // `count` (>= 1) timestamps from the scheduler's TSO; *last gets the last of them, composed as
  // physical milliseconds << 18 | logical (the others are the `count - 1` values before it).
  // Strictly increasing across calls, and across restarts of the scheduler.
  virtual store::Status Tso(uint32_t count, uint64_t* last) = 0;
};

struct SimSchedulerClientOptions {
  sim::NodeId self = 0;       // the calling store's node
  sim::NodeId scheduler = 0;  // the node serving kSchedulerPort
  // Sent in every request header; 0 means "whichever cluster the scheduler serves".
  uint64_t cluster_id = 0;
  // How long each call waits for its answer (TinyKV's scheduler client uses one second).
  sim::Duration timeout = std::chrono::seconds(1);
};

// Calls the scheduler over sim::Network::Call, framed as in store/server/sim_rpc.h
// ("<method>\0<request>", the method names of schedulerpb.Scheduler: "AllocID", "RegionHeartbeat",
// "GetRegionByID" …). The network must outlive the client.
class SimSchedulerClient final : public SchedulerClient {
 public:
  // REQUIRES: options.self != 0, options.scheduler != 0, options.timeout > 0.
  SimSchedulerClient(sim::Network& net, SimSchedulerClientOptions options);

  store::Status AllocId(uint64_t* id) override;
  store::Status Bootstrap(const metapb::Store& store) override;
  store::Status IsBootstrapped(bool* bootstrapped) override;
  store::Status PutStore(const metapb::Store& store) override;
  store::Status GetStore(uint64_t store_id, metapb::Store* store,
                         schedulerpb::StoreStats* stats) override;
  store::Status StoreHeartbeat(const schedulerpb::StoreStats& stats) override;
  store::Status AskSplit(const metapb::Region& region,
                         schedulerpb::AskSplitResponse* resp) override;
  store::Status ReportSplit(const metapb::Region& left, const metapb::Region& right) override;
  store::Status RegionHeartbeat(const schedulerpb::RegionHeartbeatRequest& req,
                                schedulerpb::RegionHeartbeatResponse* resp) override;
  store::Status GetRegion(std::string_view key, metapb::Region* region,
                          metapb::Peer* leader) override;
  store::Status GetRegionById(uint64_t region_id, metapb::Region* region,
                              metapb::Peer* leader) override;
  store::Status ScanRegions(std::string_view start_key, std::string_view end_key, int limit,
                            std::vector<metapb::Region>* regions,
                            std::vector<metapb::Peer>* leaders) override;
  store::Status Tso(uint32_t count, uint64_t* last) override;

  const SimSchedulerClientOptions& options() const { return options_; }

 private:
  // Sends `req` (its header's cluster id filled in) as `method`, parses the answer into *resp and
  // maps a timeout, an error frame, an unparsable reply or an error in resp->header() to a Status.
  template <class Req, class Resp>
  store::Status Call(std::string_view method, Req req, Resp* resp);
  store::Status Transport(std::string_view method, const google::protobuf::Message& req,
                          google::protobuf::Message* resp);

  sim::Network& net_;
  SimSchedulerClientOptions options_;
};

// The Status a scheduler response header maps to (see the file comment); OK when it carries no
// error. `method` prefixes the message.
store::Status StatusFromSchedulerHeader(std::string_view method,
                                        const schedulerpb::ResponseHeader& header);

}  // namespace tinykv::raftstore
