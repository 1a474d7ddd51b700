// The split checker (lab3b; TinyKV's split-check worker): measures a region and finds where to
// split it, on a fiber of its own, so that the raft worker never scans data.
//
// The raft worker hands it, for each region it leads, every `split_region_check_tick`, a task
// holding a kv-engine snapshot pinned at that moment and the region as it was. The checker sums
// the bytes of every key and value in the region's data range (all column families) and, when
// the total exceeds `region_max_size`, picks the split key: the first default-CF key at which
// `region_split_size` bytes of that CF are reached, mapped through `split_key_of` when given
// (store/server/kv_methods.h; never the region's start key: then the next key is tried).
// It reports the size (for the region heartbeat) and the key, if any, to the raft worker, which
// asks the scheduler for the new ids (scheduler_worker.h) and proposes the Split.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "proto/metapb.pb.h"
#include "sim/sync.h"
#include "store/engine/engine.h"
#include "store/server/kv_methods.h"

namespace tinykv::raftstore {

struct SplitCheckTask {
  metapb::Region region;
  std::shared_ptr<store::Snapshot> snapshot;  // the kv engine when the task was made
};

struct SplitCheckResult {
  metapb::Region region;  // as in the task
  uint64_t size = 0;      // bytes of keys and values in the region
  std::string split_key;  // user key; empty when the region need not (or cannot) split
};

// Measures one region. `yield_every` keys, calls `yield` (may be null).
// `split_key_of` may be empty.
SplitCheckResult CheckSplit(const SplitCheckTask& task, uint64_t max_size, uint64_t split_size,
                            const store::SplitKeyOf& split_key_of, size_t yield_every,
                            const std::function<void()>& yield);

// Runs tasks until `tasks` closes (or the store crashes), reporting each through `done`.
void RunSplitChecker(sim::Channel<SplitCheckTask>& tasks, uint64_t max_size, uint64_t split_size,
                     const store::SplitKeyOf& split_key_of,
                     const std::function<void(SplitCheckResult)>& done);

}  // namespace tinykv::raftstore
