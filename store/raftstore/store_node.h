// StoreNode: one TinyKV store running inside the simulator — the node main the harness gives
// to Executor::AddNode, plus its disks and a window onto its state for tests.
//
// Usage (one executor, one network; sim NodeId == store id):
//   StoreNodeOptions o; o.store_id = i; o.cluster_store_ids = {1, 2, 3};
//   auto node = std::make_unique<StoreNode>(ex, net, o);      // creates fresh MemDisks
//   ex.AddNode(i, "store" + std::to_string(i), [n = node.get()] { n->Main(); });
//   ex.Start(i);
// Clients call it with store::CallKv(net, from, i, "RawPut", req, timeout)
// (store/server/sim_rpc.h). Crash / restart: ex.Crash(i) kills every fiber of the store; the crash
// hook this object registered at its first start then crashes both disks, keeping a prefix of their
// un-synced batches chosen from the executor stream "raftstore-disk-<id>" (or none / all, per
// CrashLoss). ex.Restart(i) runs Main again: it reopens the engines on what the disks kept and
// rebuilds its peers from them.
//
// Fibers of one incarnation (all on node `store_id`):
//   main       the raft worker: reads raft messages from kRaftPort and PeerMsgs (proposals,
//              ticks, reassembled snapshots) from its inbox, routes them to the store's peers
//              (store_peers.h: by region, creating and destroying peers), then handles their
//              Readys (persist → send → apply → advance);
//   ticker     a raft tick every config.raft_tick, a GC tick every config.raft_log_gc_tick;
//   snap-recv  kSnapshotPort inbox → reassembled snapshot messages → the raft worker;
//   kv-server  kKvPort inbox; one short-lived fiber per client request (it blocks on Raft);
//   raftlog-gc deletes compacted raft log entries after syncing the kv engine;
//   snap-apply writes a received snapshot's data into the kv engine (snapshot_apply.h) and
//              reports back to the raft worker, which meanwhile keeps stepping and ticking;
//   snap-gen   spawned on demand to build a snapshot for a lagging follower;
//   split-check with a scheduler and a region_max_size: measures regions (split_checker.h);
//   scheduler  with a scheduler: registers the store, sends heartbeats, proposes the operators
//              the answers carry (scheduler_worker.h).
//
// The StoreNode object must outlive every Run of the executor; call Executor::Shutdown before
// destroying it. Inspection methods are for the world fiber / tests and return "nothing" while
// the store is down.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/executor.h"
#include "sim/network.h"
#include "store/engine/mem_engine.h"
#include "store/raftstore/config.h"
#include "store/raftstore/engine_wrapper.h"
#include "store/raftstore/peer.h"
#include "store/raftstore/transport_wrapper.h"
#include "store/server/kv_methods.h"

namespace tinykv::raftstore {

// The two disks of a store (raft engine and kv engine). They outlive the store's incarnations.
struct StoreDisks {
  std::shared_ptr<store::MemDisk> raft = std::make_shared<store::MemDisk>();
  std::shared_ptr<store::MemDisk> kv = std::make_shared<store::MemDisk>();
};

// What a crash does to the un-synced writes of the store's disks.
enum class CrashLoss {
  kRandomPrefix,  // keep a seeded-random in-order prefix of each disk's un-synced batches
  kLoseAll,       // keep none (the harshest crash)
  kKeepAll,       // keep all (a process crash with the OS page cache intact)
};

class StoreNode;
class StorePeers;
struct SplitCheckResult;

// What a store publishes as it runs, for whoever watches it — the grading harness's invariant
// monitors and crash-point nemesis. Every call runs on one of the store's own fibers, at a moment
// when the store's state is consistent; an observer only reads (the StoreNode's inspection
// methods, its disks) and must not block or yield. It may ask the executor to crash the store:
// the crash then lands at the store's next blocking point.
class StoreObserver {
 public:
  virtual ~StoreObserver() = default;
  // The raft worker handled a batch of inputs and every Ready they produced; the regions whose
  // peers it may have changed are store.peers()->touched() (every region at least once a tick).
  virtual void AfterRaftBatch(const StoreNode& store) = 0;
  // The store hands `msg` to its transport (before the network sees it: it may still be lost).
  virtual void OnRaftMessageSent(const StoreNode& store, const raft_serverpb::RaftMessage& msg) = 0;
  // The snapshot-apply worker starts writing the data of region `region_id`'s snapshot at
  // `index`.
  virtual void OnSnapshotApplyStart(const StoreNode& store, uint64_t region_id, uint64_t index) = 0;
  // The raft-log GC worker finished a task (region `region_id`'s entries below `end` deleted).
  virtual void OnRaftLogGcDone(const StoreNode& store, uint64_t region_id, uint64_t end) = 0;
  // The store's code is about to write `batch` to its kv engine (any fiber: apply, snapshot
  // apply, destruction). The batch may still fail.
  virtual void BeforeKvWrite(const StoreNode& store, const store::WriteBatch& batch) = 0;
};

struct StoreNodeOptions {
  uint64_t store_id = 0;
  // Stores of the initial region (bootstrap). A store among them bootstraps it at its first
  // start; any other store starts empty and gets its peers from raft messages (lab3b).
  std::vector<uint64_t> cluster_store_ids;
  RaftstoreConfig config;
  CrashLoss crash_loss = CrashLoss::kRandomPrefix;
  StoreObserver* observer = nullptr;  // not owned; may be null
  // How long each synced write of either disk takes (a FaultInjectionEngine's sync delay: a crash
  // can land while the store waits for it); drawn from the executor stream "raftstore-sync-<id>".
  SyncLatency sync_latency;
  // The node serving the scheduler (raftstore::kSchedulerPort), or 0 for none (labs 2B / 2C).
  // With one the store registers itself, sends region and store heartbeats and carries out the
  // operators in the answers (store/raftstore/scheduler_worker.h).
  sim::NodeId scheduler = 0;
  EngineWrapper wrap_engine;        // may be empty
  TransportWrapper wrap_transport;  // may be empty
  // More methods of the store's KV service, after the raw ones (txn/txn_rpc.h: the
  // transactional Kv* commands, wired by whoever builds the stores); may be empty.
  store::KvMethods kv_methods;
  // Where the split checker cuts given the key it picked (txn::SplitKeyOf with the transactional
  // methods, so a key's versions and lock stay in one region); may be empty.
  store::SplitKeyOf split_key_of;
};

class StoreNode {
 public:
  // The crash hook on node `options.store_id` is registered when Main first runs.
  StoreNode(sim::Executor& ex, sim::Network& net, StoreNodeOptions options, StoreDisks disks = {});
  ~StoreNode();
  StoreNode(const StoreNode&) = delete;
  StoreNode& operator=(const StoreNode&) = delete;

  // The node's main function. Returns only if the store cannot start (the reason is recorded in
  // the trace and in start_error()).
  void Main();

  uint64_t store_id() const { return options_.store_id; }
  const StoreDisks& disks() const { return disks_; }
  const store::Status& start_error() const { return start_error_; }

  // ---- inspection (null / false / 0 while the store is down or starting) ----
  // Every peer of the store (lab3b).
  const StorePeers* peers() const;
  // The peer of the first region (kFirstRegionId), the only region of labs 2B / 2C; the
  // methods below are about it.
  const Peer* peer() const;
  bool IsLeader() const;
  uint64_t LeaderId() const;
  uint64_t AppliedIndex() const;
  // Reads user key `key` (default CF) straight from this store's kv engine, bypassing Raft: what
  // this store has applied. Tests use it to check that a partitioned store did (not) apply a
  // write. Nothing when the store is down or the key is absent.
  std::optional<std::string> LocalValue(std::string_view key) const;
  // How many user keys in [start, end) (end "" = +inf) this store's kv engine holds (default
  // CF); 0 while the store is down. Tests use it to see that a removed peer's data is gone.
  uint64_t CountLocalKeys(std::string_view start, std::string_view end) const;
  // The bytes of user keys and values this store's kv engine holds (default CF), all regions;
  // 0 while the store is down. What the scheduler's balance-region evens out across stores.
  uint64_t LocalDataBytes() const;
  // The state of region `region_id` in this store's kv engine (Normal, or Tombstone once its
  // peer here was destroyed); nothing when there is none or the store is down.
  std::optional<raft_serverpb::RegionLocalState> RegionState(uint64_t region_id) const;
  // How many keys of region `region_id` (log entries and raft state) this store's raft engine
  // holds; 0 while the store is down.
  uint64_t RaftKeyCount(uint64_t region_id) const;
  // Number of snapshots this store's peer has applied since the StoreNode was created.
  uint64_t snapshots_applied() const { return snapshots_applied_; }
  // Raft packets the raft worker read, and the raft messages they carried (all incarnations).
  uint64_t raft_packets_received() const { return raft_packets_received_; }
  uint64_t raft_messages_received() const { return raft_messages_received_; }

 private:
  struct Runtime;
  // The options of a new peer of `region_id` in incarnation `rt` (StorePeers' factory).
  PeerOptions NewPeerOptions(Runtime* rt, uint64_t region_id);
  // Hands the scheduler worker a heartbeat of every region this store leads, and the store's
  // own when `store_heartbeat`.
  void QueueHeartbeats(Runtime& rt, bool store_heartbeat);
  // Hands the split checker every region this store leads that is not being measured already;
  // then, for each report, records the size and asks the scheduler for a split when one is due.
  void QueueSplitChecks(Runtime& rt);
  void OnSplitChecked(Runtime& rt, const SplitCheckResult& result);
  // The raft worker: steps raft messages from `raft_in` and the inbox's proposals and ticks,
  // then handles the Readys, until the node goes down.
  void RunRaftWorker(const std::shared_ptr<Runtime>& rt, sim::Channel<sim::Packet>& raft_in);
  void OnCrash();

  sim::Executor& ex_;
  sim::Network& net_;
  StoreNodeOptions options_;
  StoreDisks disks_;
  sim::Rng crash_rng_;
  sim::Rng raft_rng_;
  sim::Rng sync_rng_;
  uint64_t crash_hook_ = 0;
  store::Status start_error_;
  uint64_t snapshots_applied_ = 0;
  uint64_t raft_packets_received_ = 0;
  uint64_t raft_messages_received_ = 0;
  std::shared_ptr<Runtime> runtime_;  // the current incarnation; stale once the node is down
};

}  // namespace tinykv::raftstore
