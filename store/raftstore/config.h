// RaftstoreConfig: the knobs of one store's raftstore, with defaults for the simulator.
//
// Times are virtual (sim::Duration). Raft counts time in ticks: one tick every `raft_tick`, an
// election after [election_ticks, 2 * election_ticks) silent ticks, heartbeats every
// `heartbeat_ticks`. Validate() names the first broken rule.
#pragma once

#include <cstdint>
#include <string>

#include "sim/time.h"
#include "store/status.h"

namespace tinykv::raftstore {

// How long a synced write of a store's disk takes in the simulator, drawn uniformly from
// [min, max] (store/engine/fault_injection_engine.h, set_sync_delay). Zero: instantaneous.
struct SyncLatency {
  sim::Duration min{0};
  sim::Duration max{0};
};

struct RaftstoreConfig {
  sim::Duration raft_tick = std::chrono::milliseconds(10);
  int election_ticks = 10;
  int heartbeat_ticks = 2;
  // How long a client request waits for its proposal to be applied before it gives up with an
  // "outcome unknown" error (the entry may still commit later).
  sim::Duration proposal_timeout = std::chrono::seconds(2);

  // Raft-log GC (lab2c): every `raft_log_gc_tick`, the leader proposes CompactLog when more than
  // `raft_log_gc_count_limit` applied entries sit in the log. 0 disables log GC.
  sim::Duration raft_log_gc_tick = std::chrono::milliseconds(100);
  uint64_t raft_log_gc_count_limit = 0;
  // Snapshot transfer: chunk size of the streamed snapshot payload.
  size_t snapshot_chunk_bytes = 16 * 1024;
  // Snapshot apply (the worker of snapshot_apply.h): key/value pairs per kv-engine write batch,
  // and the virtual time the worker waits between two batches. The pause throttles a large apply
  // (as TiKV rate-limits snapshot I/O) so the store's other fibers keep their share of the disk;
  // 0 only yields to them.
  size_t snapshot_apply_batch_keys = 1024;
  sim::Duration snapshot_apply_pause = sim::Duration::zero();
  // With a scheduler (lab3b): every leader sends a region heartbeat each
  // `scheduler_heartbeat_tick`, the store a store heartbeat each
  // `scheduler_store_heartbeat_tick` (TinyKV's test configuration: 100 ms and 500 ms).
  sim::Duration scheduler_heartbeat_tick = std::chrono::milliseconds(100);
  sim::Duration scheduler_store_heartbeat_tick = std::chrono::milliseconds(500);
  // Region split (lab3b; needs a scheduler for the new ids): every `split_region_check_tick` a
  // leader has its region measured (the bytes of its keys and values); one larger than
  // `region_max_size` is split at the key where `region_split_size` bytes are reached. 0
  // disables splits. (TinyKV's defaults are 144 MiB / 96 MiB; its split tests use a few hundred
  // bytes, as the lab3b scenarios do.)
  uint64_t region_max_size = 0;
  uint64_t region_split_size = 0;
  sim::Duration split_region_check_tick = std::chrono::milliseconds(100);

  store::Status Validate() const {
    auto bad = [](const std::string& m) { return store::Status::InvalidArgument(m); };
    if (raft_tick <= sim::Duration::zero()) return bad("raft_tick must be positive");
    if (heartbeat_ticks <= 0) return bad("heartbeat_ticks must be positive");
    if (election_ticks <= heartbeat_ticks) return bad("election_ticks must exceed heartbeat_ticks");
    if (proposal_timeout <= sim::Duration::zero()) return bad("proposal_timeout must be positive");
    if (raft_log_gc_tick <= sim::Duration::zero()) return bad("raft_log_gc_tick must be positive");
    if (snapshot_chunk_bytes == 0) return bad("snapshot_chunk_bytes must be positive");
    if (snapshot_apply_batch_keys == 0) return bad("snapshot_apply_batch_keys must be positive");
    if (scheduler_heartbeat_tick < raft_tick || scheduler_store_heartbeat_tick < raft_tick) {
      return bad("scheduler heartbeat ticks must be at least raft_tick");
    }
    if (region_max_size != 0 && (region_split_size == 0 || region_split_size > region_max_size)) {
      return bad("region_split_size must be positive and at most region_max_size");
    }
    if (split_region_check_tick < raft_tick) {
      return bad("split_region_check_tick must be at least raft_tick");
    }
    if (snapshot_apply_pause < sim::Duration::zero()) {
      return bad("snapshot_apply_pause must not be negative");
    }
    return store::Status::OK();
  }
};

}  // namespace tinykv::raftstore
