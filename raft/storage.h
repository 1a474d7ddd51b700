// Storage: the read-only view of a node's persisted Raft state that the library reads.
//
// The application owns the storage: it writes entries, hard state and snapshots there while
// handling a Ready (raft never writes), and compacts the log when it likes. Raft reads it when a
// node starts (InitialState, Entries from FirstIndex) and when a follower needs a snapshot
// (Snapshot). Errors are named: Compacted (index older than FirstIndex), Unavailable (index past
// LastIndex), SnapshotTemporarilyUnavailable (try again later; raft retries on a later
// heartbeat). Calls come from the node's own fiber only.
//
// Index conventions: the storage holds entries [FirstIndex(), LastIndex()]; the entry at
// FirstIndex()-1 is covered by the latest snapshot, and Term(FirstIndex()-1) still answers.
#pragma once

#include <cstdint>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/status.h"

namespace tinykv::raft {

struct InitialState {
  eraftpb::HardState hard_state;
  eraftpb::ConfState conf_state;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // The persisted hard state and the membership as of the latest snapshot.
  virtual Result<InitialState> GetInitialState() const = 0;
  // Entries with index in [lo, hi). Compacted if lo < FirstIndex(); Unavailable if
  // hi > LastIndex() + 1. REQUIRES: lo <= hi.
  virtual Result<std::vector<eraftpb::Entry>> Entries(uint64_t lo, uint64_t hi) const = 0;
  // Term of entry i, for i in [FirstIndex()-1, LastIndex()].
  virtual Result<uint64_t> Term(uint64_t i) const = 0;
  virtual Result<uint64_t> LastIndex() const = 0;
  virtual Result<uint64_t> FirstIndex() const = 0;
  // The most recent snapshot (its metadata index is FirstIndex()-1 or later).
  virtual Result<eraftpb::Snapshot> GetSnapshot() const = 0;
};

}  // namespace tinykv::raft
