// MemEngine: a deterministic in-memory Engine with an explicit durability model, the "disk" of a
// simulated node (DESIGN.md §3: "in-memory engine with an explicit durability model").
//
// Two objects, because a disk outlives the process that writes to it:
//
//  * MemDisk is the node's storage device. The simulated node owns it (e.g. in a
//    std::shared_ptr that the cluster keeps across restarts). It holds the *durable* state — what
//    would survive a power cut — the *live* state that readers see, and the ordered list of
//    batches written since the last sync.
//  * MemEngine is the open database of one incarnation of the node. MemEngine::Open(disk) opens
//    it on whatever state the disk holds; at most one engine is open on a disk at a time.
//
// The durability model (what the simulator's crash hook relies on):
//  * Write(sync=false) applies the batch to the live state at once (readers see it) and appends
//    it to the disk's un-synced list.
//  * Write(sync=true) applies the batch and makes it *and every batch written before it* durable
//    (as an fsync of a write-ahead log does). An empty synced batch just syncs.
//  * MemDisk::Crash(keep) models the node losing power: the first `keep` un-synced batches (in
//    write order) become durable, the rest are lost, and the live state becomes the durable one.
//    A synced batch is never lost; batches are never torn (each survives whole or not at all) and
//    never reordered (a surviving batch implies every earlier batch survived). The caller chooses
//    `keep` (from the run's seed, in [0, UnsyncedBatchCount()]); MemDisk has no clock and no
//    randomness of its own.
//  * Crash also closes the engine open on the disk: every later call on that MemEngine fails with
//    IOError (snapshots and iterators taken before keep reading what they saw). A new
//    MemEngine::Open on the disk then sees the surviving state.
//  * Destroying a MemEngine is a clean close: nothing is lost, un-synced batches stay un-synced
//    (like data in the OS page cache after a process exits) and a later Crash may still drop them.
//
// Costs: a snapshot or iterator is O(1) (PersistentMap versions share structure); a write is
// O(log n) per key. Un-synced batches are kept until the next sync or crash.
//
// Threads: not thread-safe; one node's fibers (one OS thread) use a disk and its engine.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "store/engine/engine.h"
#include "store/engine/persistent_map.h"

namespace tinykv::store {

// One version of all three column families.
using MemState = std::array<PersistentMap, kNumCfs>;

class MemDisk {
 public:
  MemDisk() = default;
  MemDisk(const MemDisk&) = delete;
  MemDisk& operator=(const MemDisk&) = delete;

  // Power loss: keeps the first min(keep_unsynced, UnsyncedBatchCount()) un-synced batches, drops
  // the rest, and closes the open engine (if any). Crashing a disk with no open engine is allowed
  // (it drops un-synced batches left by a clean close).
  void Crash(size_t keep_unsynced);

  // Batches written without sync since the last sync or crash.
  size_t UnsyncedBatchCount() const { return unsynced_.size(); }
  // Is a MemEngine open on this disk?
  bool engine_open() const { return engine_open_; }

  // What a crash that keeps no un-synced batch would leave (for tests and checkers).
  const MemState& durable_state() const { return durable_; }
  // What readers currently see.
  const MemState& live_state() const { return live_; }

 private:
  friend class MemEngine;

  MemState durable_;
  MemState live_;
  std::vector<WriteBatch> unsynced_;
  // Bumped by every Open and Crash; an engine whose generation differs is closed.
  uint64_t generation_ = 0;
  bool engine_open_ = false;
};

class MemEngine final : public Engine {
 public:
  // Opens an engine on `disk`'s current state. Busy when an engine is already open on it.
  // REQUIRES: disk != nullptr.
  static Status Open(std::shared_ptr<MemDisk> disk, std::unique_ptr<MemEngine>* engine);

  // An engine on a fresh private disk (for tests and benchmarks that need no crash model).
  static std::unique_ptr<MemEngine> OpenFresh();

  ~MemEngine() override;
  MemEngine(const MemEngine&) = delete;
  MemEngine& operator=(const MemEngine&) = delete;

  Status Get(Cf cf, std::string_view key, std::string* value) override;
  Status Write(const WriteOptions& options, const WriteBatch& batch) override;
  std::unique_ptr<Snapshot> GetSnapshot() override;
  std::unique_ptr<Iterator> NewIterator(Cf cf) override;

  // False once the disk crashed under this engine.
  bool is_open() const;
  const std::shared_ptr<MemDisk>& disk() const { return disk_; }

 private:
  MemEngine(std::shared_ptr<MemDisk> disk, uint64_t generation)
      : disk_(std::move(disk)), generation_(generation) {}
  Status CheckOpen() const;

  std::shared_ptr<MemDisk> disk_;
  uint64_t generation_;
};

// Applies `batch` to `state` in order (used by MemEngine and by MemDisk::Crash).
MemState ApplyBatch(MemState state, const WriteBatch& batch);

}  // namespace tinykv::store
