// The snapshot-apply worker (lab2c; TinyKV's region worker): writes a received snapshot's
// key/values into the kv engine on its own fiber, so that the store's raft worker keeps stepping
// messages and ticking while a large snapshot lands.
//
// How a snapshot is applied (the peer's side is in peer.h, "Applying a snapshot"):
//  1. On the raft worker, PeerStorage::ApplySnapshot makes the snapshot durable as *pending*: one
//     synced kv batch holds the new apply state (applied = truncated = the snapshot's index), the
//     region state and the snapshot itself under PendingSnapshotKey; one synced raft batch then
//     drops the old log and records the new last index. It fills in the task for this worker.
//  2. The peer hands the task over and enters the applying state: it still steps messages and
//     ticks Raft, but processes no Ready and applies no committed entry until the worker reports
//     back, so no read or write is ever served from a half-applied region.
//  3. This worker deletes the region's data range, writes the snapshot's pairs in batches of
//     `batch_keys` (pausing between batches), and in a last, synced batch deletes the pending
//     snapshot. Then it reports to the raft worker.
// Crash safety: batches survive a crash in order and the last one is synced, so after a crash
// either the pending snapshot is gone (all data landed) or it is still there and the data range
// may hold any mix of old and new pairs. PeerStorage::Open finds it; the restarted peer starts in
// the applying state and schedules the same task again. Re-applying is idempotent because step 3
// clears the range first.
//
// The worker runs on one fiber of the store; tasks arrive on a sim::Channel in the order the raft
// worker sent them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "proto/eraftpb.pb.h"
#include "sim/sync.h"
#include "sim/time.h"
#include "store/raftstore/engines.h"

namespace tinykv::raftstore {

struct SnapshotApplyTask {
  uint64_t region_id = 0;
  // The whole snapshot (metadata and RaftSnapshotData payload, see snapshot.h). Shared, not
  // copied: the payload can be large.
  std::shared_ptr<const eraftpb::Snapshot> snapshot;

  uint64_t index() const { return snapshot ? snapshot->metadata().index() : 0; }
};

// What the worker reports for one task.
struct SnapshotApplyResult {
  uint64_t region_id = 0;
  uint64_t index = 0;  // the snapshot's index
  // OK once the data is in and the pending snapshot is gone. An engine error means the store is
  // going down (its restart applies the snapshot again); Corruption, that the payload does not
  // parse (the store cannot make progress on this region).
  store::Status status;
};

// Step 3 for one task, pausing with `between_batches` (may be null) after each write batch but
// the last.
store::Status ApplySnapshotData(Engines engines, const SnapshotApplyTask& task, size_t batch_keys,
                                const std::function<void()>& between_batches);

// Runs tasks from `tasks` until it is closed (or the store crashes), reporting each through
// `done`; `started` (may be empty) runs as each task begins. Between batches it sleeps `pause` of
// virtual time, or just yields when `pause` is zero.
void RunSnapshotApplyWorker(Engines engines, sim::Channel<SnapshotApplyTask>& tasks,
                            size_t batch_keys, sim::Duration pause,
                            const std::function<void(SnapshotApplyResult)>& done,
                            const std::function<void(const SnapshotApplyTask&)>& started = {});

}  // namespace tinykv::raftstore
