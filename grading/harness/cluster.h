// Cluster: N simulated TinyKV stores (one region, bootstrapped on all of them) in one executor,
// plus KV clients whose every operation is recorded for the linearizability checker.
//
// The harness students meet in lab2b/lab2c scenarios. Everything runs on the cluster's executor
// from its seed: the stores' fibers, the clients (world fibers), and the controls below, which the
// scenario's driver fiber calls. Clients talk to stores over the simulated network (as world
// fibers sending from a client node each: store partitions cut a client off only when the
// partition places it on one side; unreliable links delay and reorder its packets), find the
// leader from NotLeader hints, and retry only when a request certainly had no
// effect. A put whose outcome is unknown (timeout, lost reply) is recorded as such (Jepsen :info)
// and not retried, so retries never make a correct store look wrong.
//
// For debugging, the cluster registers one sim inspector per store (gdb: `sim-inspect [STORE]`
// shows its Raft state, see DescribeRaft) and checks every completed read against the history so
// far (CheckRead): a read that cannot be linearizable is recorded at once as a violation event, so
// a replay with `BREAK=on:violation` stops while the cluster is still in the state that produced
// it.
//
// Lifetime: the Cluster owns the executor, network and stores; destroy it only after Run returns
// (its destructor shuts the executor down first).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "grading/check/history.h"
#include "sim/debug.h"
#include "sim/executor.h"
#include "sim/network.h"
#include "store/raftstore/config.h"
#include "store/raftstore/engine_wrapper.h"
#include "store/raftstore/transport_wrapper.h"

namespace errorpb {
class Error;
class NotLeader;
}  // namespace errorpb

namespace kvrpcpb {
class Context;
class RawScanResponse;
}  // namespace kvrpcpb

namespace metapb {
class Peer;
class Region;
}  // namespace metapb

namespace tinykv::raftstore {
class StoreNode;
}

namespace tinykv::scheduler {
class SchedulerNode;
}  // namespace tinykv::scheduler

namespace tinykv::harness {

class InvariantMonitor;
class MockScheduler;
class MockSchedulerNode;
class SchedulerView;
enum class StoreEvent;

// The simulated node of the mock scheduler (ClusterOptions::with_scheduler).
inline constexpr sim::NodeId kSchedulerNode = 4000;

struct ClusterOptions {
  int stores = 5;
  uint64_t seed = 1;
  raftstore::RaftstoreConfig raft;
  // Every synced disk write of a store takes this long (seeded): a crash can land while it waits.
  raftstore::SyncLatency sync_latency{std::chrono::microseconds(200),
                                      std::chrono::microseconds(1500)};
  // Harness self-tests only: decorate the stores' engines and transports (planted bugs).
  raftstore::EngineWrapper wrap_engine;
  raftstore::TransportWrapper wrap_transport;
  bool keep_full_trace = false;
  // Stores 1..N hold the first region when the cluster starts; 0: every store. The others start
  // empty and get peers through membership changes (lab3b).
  int initial_region_stores = 0;
  // Runs a mock scheduler (mock_scheduler.h) on node kSchedulerNode: the stores register and
  // send heartbeats to it, and it hands out the operators of AddPeer / RemovePeer /
  // TransferLeader (lab3b). It takes no part in partitions (as TinyKV's in-process one); an
  // isolated store cannot reach it.
  bool with_scheduler = false;
  // With with_scheduler: the real scheduler node (scheduler/scheduler_node.h) instead of the
  // mock — its coordinator balances and repairs regions with `max_replicas` peers each.
  bool real_scheduler = false;
  int max_replicas = 3;
  bool scheduler_balance_leader = true;  // the real scheduler's balance-leader on or off
  // The real scheduler's max-store-down-time: a store silent this long is down, and the replica
  // checker moves its peers elsewhere (lab3c; TinyKV's default is 30 minutes).
  sim::Duration max_store_down_time = std::chrono::minutes(30);
  // The last `joining_stores` stores are not started by Run: Join(id) starts each, empty, when
  // the scenario wants it to join the running cluster (lab3c).
  int joining_stores = 0;
  sim::Time time_limit = sim::Time(std::chrono::minutes(10));
};

class Cluster {
 public:
  explicit Cluster(ClusterOptions options);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Starts every store, then runs `driver` as the world's driver fiber until it returns.
  sim::RunResult Run(std::function<void()> driver);

  sim::Executor& executor() { return *ex_; }
  sim::Network& network() { return *net_; }
  std::vector<sim::NodeId> store_ids() const;
  raftstore::StoreNode& store(sim::NodeId id);

  // ---- controls (from the driver or a nemesis fiber); each is annotated on the timeline ----
  // `why` (may be empty) is shown with the crash on the timeline.
  void Crash(sim::NodeId id, const std::string& why = "");
  // Restarts a crashed store; a store that has not joined yet or was retired stays down.
  void Restart(sim::NodeId id);
  // Starts store `id`, one of ClusterOptions::joining_stores, for the first time: it registers
  // with the scheduler and waits, empty, for the scheduler to move regions to it.
  void Join(sim::NodeId id);
  bool joined(sim::NodeId id) const;
  // Crashes store `id` for good: it never restarts, and the end-of-run checks expect every region
  // to have replaced its peer there (CheckRegionsSettle).
  void Retire(sim::NodeId id, const std::string& why = "");
  bool retired(sim::NodeId id) const { return retired_.count(id) != 0; }
  // The stores that are in service: joined and not retired (up or crashed for now).
  std::vector<sim::NodeId> serving_store_ids() const;
  // The scheduler node (with_scheduler): crash it and restart it from its disk.
  void CrashScheduler(const std::string& why = "");
  void RestartScheduler();
  // Splits the stores into `groups`. Clients listed in `client_sides` (client id → index of a
  // group) reach only the stores of their group, so a client cut off with a minority keeps
  // talking to it; other clients reach every store. Heal() undoes both.
  void Partition(const std::vector<std::vector<sim::NodeId>>& groups,
                 const std::map<int64_t, size_t>& client_sides = {});
  void Heal();
  // Cuts store `id` off from everyone (stores and clients, both ways) until Rejoin, on top of any
  // partition (Heal does not undo it). Packets already in flight still arrive.
  void Isolate(sim::NodeId id);
  void Rejoin(sim::NodeId id);
  bool isolated(sim::NodeId id) const { return isolated_.count(id) != 0; }
  // Could a majority of the stores still talk to each other if `id` went down too? (Counts the
  // stores that are up, not isolated, and on one side of the current partition, if any.)
  bool MajorityConnectedWithout(sim::NodeId id) const;
  // Unreliable: links between stores lose 10% and duplicate 5% of their packets, with 1–20 ms
  // latency and reordering; links between clients and stores reorder within 1–10 ms but lose
  // nothing (docs/decisions.md: lossy raft traffic is what tests the store; a lost client packet
  // only makes an outcome unknown). Reliable: 1–5 ms, FIFO, nothing lost.
  void SetUnreliable(bool unreliable);
  // The simulated node client `client_id` sends from (registered on first use; never crashes and
  // takes no part in store partitions except through Partition's `client_sides`).
  sim::NodeId ClientNode(int64_t client_id);
  // A store that considers itself leader (the highest-term one, if several), or nothing.
  std::optional<sim::NodeId> Leader() const;
  // The first store that failed to start ("store 3 cannot start: Corruption: ..."), or "" when
  // every store started: a store that cannot start is the cause of whatever else went wrong.
  std::string StartFailure() const;

  // ---- membership (lab3b; REQUIRES with_scheduler) ----
  bool has_scheduler() const { return view_ != nullptr; }
  bool has_real_scheduler() const { return real_view_ != nullptr; }
  SchedulerView& scheduler() { return *view_; }
  // Sets the region's operator on the scheduler, which hands it to the region's leader with the
  // answer to its next heartbeat, and again until a heartbeat shows it done. One operator per
  // region: a new one replaces the last. Annotated on the timeline.
  void AddPeer(uint64_t region_id, const metapb::Peer& peer);
  void RemovePeer(uint64_t region_id, const metapb::Peer& peer);
  void TransferLeader(uint64_t region_id, const metapb::Peer& peer);
  // The same, then waits (virtual time) until the scheduler's view of the region shows it done
  // — the peer is a caught-up member / gone / the leader. False when `deadline` passed first.
  bool MustAddPeer(uint64_t region_id, const metapb::Peer& peer, sim::Duration deadline);
  bool MustRemovePeer(uint64_t region_id, const metapb::Peer& peer, sim::Duration deadline);
  bool MustTransferLeader(uint64_t region_id, const metapb::Peer& peer, sim::Duration deadline);

  check::HistoryRecorder& history() { return history_; }
  // The Raft and store invariants checked as the cluster runs
  // (grading/harness/invariant_monitor.h): the first violation stops the run.
  const InvariantMonitor& monitor() const { return *monitor_; }
  // Receives the monitor's store events (InvariantMonitor::set_event_listener); null: none.
  void set_store_event_listener(std::function<void(uint64_t store, StoreEvent)> listener);
  const raftstore::RaftstoreConfig& options_raft() const { return options_.raft; }
  // Marks an event over [start, now] on the timeline (faults).
  void Annotate(sim::Time start, std::string label);

  // ---- debugging ----
  // Store `id`'s Raft state in a few lines: up/down, its peer's role, term, vote, known leader,
  // commit / applied / last index, pending proposals, and on a leader each member's progress.
  // Only reads; safe at any point of the run (this is what `sim-inspect ID` prints in gdb).
  std::string DescribeRaft(sim::NodeId id) const;
  // Checks the completed get `op` (a history id with status ok) against the history so far: a
  // value no put wrote, or a value older than a put acknowledged before the get was called (its
  // writers all acknowledged before that put was called; the writers of "" are the deletes and
  // the initial state). Each such read is certainly not linearizable (put values are unique per
  // key); it is recorded as a kViolation trace event and kept in violations(). KvClient calls
  // this for every read it completes.
  void CheckRead(size_t op);
  // "#SEQ TIME: what" of each violation found by CheckRead, in order.
  const std::vector<std::string>& violations() const { return violations_; }

 private:
  ClusterOptions options_;
  std::unique_ptr<sim::Executor> ex_;
  std::unique_ptr<sim::Network> net_;
  std::unique_ptr<InvariantMonitor> monitor_;  // before the stores: they report to it
  std::unique_ptr<MockScheduler> scheduler_;   // with_scheduler, the mock
  std::unique_ptr<MockSchedulerNode> scheduler_node_;
  std::unique_ptr<scheduler::SchedulerNode> real_scheduler_node_;  // with real_scheduler
  std::unique_ptr<SchedulerView> real_view_;
  SchedulerView* view_ = nullptr;  // either
  std::vector<std::unique_ptr<raftstore::StoreNode>> stores_;
  check::HistoryRecorder history_;
  size_t partition_annotation_ = 0;  // the current partition's annotation, ended by Heal
  bool partitioned_ = false;
  std::vector<std::vector<sim::NodeId>> groups_;  // of the current partition
  std::map<sim::NodeId, sim::Time> isolated_;     // → since when
  std::set<sim::NodeId> not_joined_;              // joining stores Join has not started yet
  std::set<sim::NodeId> retired_;
  // During a partition: each store's group, and the group of each placed client's node.
  std::map<sim::NodeId, size_t> side_of_;
  std::map<sim::NodeId, int64_t> client_nodes_;  // node → client id
  bool unreliable_ = false;
  void SetClientLinks(sim::NodeId client_node);
  // Is the packet between a placed client and a store of another group?
  bool CrossesClientSide(const sim::Packet& p) const;
  // CheckRead's index over history ops [0, indexed_ops_): per key, every op (in call order:
  // the recorder appends at invoke time) and the writes by the value they write (deletes under
  // ""), so a read finds its writers without comparing its value against every write of the key.
  struct KeyOps {
    std::vector<size_t> ops;
    std::unordered_map<std::string, std::vector<size_t>> writes_by_value;
  };
  std::map<std::string, KeyOps> ops_by_key_;
  size_t indexed_ops_ = 0;
  std::vector<std::string> violations_;
  // Declared last: unregistered before the stores they read are destroyed.
  std::vector<sim::InspectorRegistration> inspectors_;
};

// One client process (a Jepsen :process): at most one operation in flight.
//
// Routing. Without a scheduler (labs 2B / 2C: one region) a client sends to the store it last
// heard leads, and the store routes by key. With one (lab3b) it routes as TinyKV's clients do: it
// asks the scheduler for the region holding the key (kept in a cache), sends to the region's
// leader as it last learnt it with the region's id, epoch and peer in the request context, and
// on a region error (NotLeader, EpochNotMatch, KeyNotInRegion, RegionNotFound — each certainly
// without effect) refreshes what it knows and tries again. A scan goes region by region.
class KvClient {
 public:
  KvClient(Cluster& cluster, int64_t id);
  ~KvClient();

  // Puts `value` (which should be unique) under `key`. True when acknowledged; false when the
  // outcome is unknown or the deadline passed (the history says which).
  bool Put(const std::string& key, const std::string& value, sim::Duration deadline);
  // Deletes `key`; the same outcomes as Put.
  bool Delete(const std::string& key, sim::Duration deadline);
  // Reads `key` ("" when absent). Retries until `deadline`; nothing when it passes.
  std::optional<std::string> Get(const std::string& key, sim::Duration deadline);
  // Scans at most `limit` pairs from `start` (RawScan) and records what it learnt about each key
  // of `key_space` at or after `start` as a get of that key over the scan's interval: its value,
  // "" when the scan shows it absent, a failed (not done) read when it lies beyond what the limit
  // let through.
  // (One get per key, each under a process of its own, ScanProcess: a history client has one
  // operation in flight, and the kv model checks keys independently — so this checks every key
  // a scan returns or skips, not that the scan saw one instant.) Retries like Get; false when
  // the deadline passed.
  bool Scan(const std::string& start, uint32_t limit, const std::vector<std::string>& key_space,
            sim::Duration deadline);
  // The history process of this client's scans of key `key_index` of the key space.
  int64_t ScanProcess(size_t key_index) const {
    return 1'000'000 + id_ * 100 + static_cast<int64_t>(key_index);
  }

  // For the harness's own tests only: reads skip Raft and return what a randomly chosen live store
  // has applied — exactly what a store serving reads locally would answer. The checks must catch
  // it, or they prove nothing.
  void set_reads_bypass_raft(bool on) { reads_bypass_raft_ = on; }

  int64_t id() const { return id_; }

 private:
  Cluster& cluster_;
  int64_t id_;
  sim::NodeId leader_hint_ = 0;
  size_t next_store_ = 0;
  size_t hintless_answers_ = 0;  // "not leader" answers naming no leader, in a row
  bool reads_bypass_raft_ = false;
  // The store to send a request for `key` to, with *ctx filled in for its region (routing
  // with a scheduler; otherwise ctx stays empty). 0 when no region is known for the key yet.
  sim::NodeId PickStore(const std::string& key, kvrpcpb::Context* ctx);
  // A store refused as not the leader: follow its hint, or rotate (backing off after a round).
  void OnNotLeader(const errorpb::NotLeader& e);
  // Any other region error: forget what the client knew of the region of `key`.
  void OnRegionError(const errorpb::Error& e, const std::string& key);
  // With a scheduler: the region holding `key` (the cache, else the scheduler), or null. Valid
  // until the cache changes.
  const metapb::Region* RegionFor(const std::string& key);
  struct Routes;  // the region cache and each region's leader as last learnt (cluster.cc)
  std::unique_ptr<Routes> routes_;
  // Get and Scan: sends `method` with `req` until a store answers (rotating on errors and
  // timeouts) or `deadline` passes.
  // `key` routes the request (Get: its key; Scan: its start key).
  template <typename Response, typename Request>
  std::optional<Response> Read(const char* method, Request req, const std::string& key,
                               sim::Duration deadline);
  // Put and Delete: sends `method` with `req` until acknowledged, rejected certainly without
  // effect (retried), or the outcome becomes unknown. Records the outcome of history op `op`.
  template <typename Response, typename Request>
  bool Write(size_t op, const char* method, Request req, const std::string& key,
             sim::Duration deadline);
  // One region's part of a Scan: at most `limit` pairs from `start`, and *region_end the end of
  // the region that answered ("" = the last region). Nothing when `deadline` passed.
  std::optional<kvrpcpb::RawScanResponse> ScanRegion(const std::string& start, uint32_t limit,
                                                     std::string* region_end,
                                                     sim::Duration deadline);
};

// ---- blocking steps for hand-written scenarios (call from fibers of the cluster's executor) ----

// Puts until one attempt is acknowledged (each unknown outcome is recorded as such and retried as
// a new operation) or `budget` passes. Returns whether it was acknowledged.
bool PutUntilAcknowledged(Cluster& cluster, KvClient& client, const std::string& key,
                          const std::string& value, sim::Duration budget);

// Polls `done` every 10 ms of virtual time until it holds or `budget` passes; returns `done()`.
bool WaitFor(Cluster& cluster, const std::function<bool()>& done, sim::Duration budget);

}  // namespace tinykv::harness
