// The raft-log GC worker (lab2c): deletes raft log entries that a CompactLog command truncated.
//
// The apply path records the new truncated state in the kv engine's apply state and hands a task
// here; the worker runs on its own fiber. Before deleting, it syncs the kv engine: once entries
// are gone from the raft engine, the apply state that says they are no longer needed must not be
// lost in a crash (or the restarted peer would need entries that no longer exist). The deletion
// itself need not be synced: entries that reappear after a crash are merely garbage.
#pragma once

#include <cstdint>
#include <functional>

#include "sim/sync.h"
#include "store/raftstore/engines.h"

namespace tinykv::raftstore {

struct RaftLogGcTask {
  uint64_t region_id = 0;
  uint64_t begin = 0;  // first index to delete
  uint64_t end = 0;    // one past the last index to delete
};

// Deletes the log entries of one task. Returns the engine's error, if any.
store::Status GcRaftLog(Engines engines, const RaftLogGcTask& task);

// Runs tasks from `tasks` until it is closed (or the store crashes); `done` (may be empty) runs
// after each task.
void RunRaftLogGcWorker(Engines engines, sim::Channel<RaftLogGcTask>& tasks,
                        const std::function<void(const RaftLogGcTask&)>& done = {});

}  // namespace tinykv::raftstore
