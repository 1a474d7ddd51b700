// MemoryStorage: the reference Storage, holding everything in memory.
//
// Used by tests, benchmarks and as the model for real storages. The application (or the test
// driver) mutates it with SetHardState / Append / ApplySnapshot / CreateSnapshot / Compact while
// handling a Ready; raft only calls the const Storage methods. Single-fiber: no locking.
//
// Layout: ents_[0] is a dummy entry whose (index, term) is the last entry covered by the latest
// snapshot, so the log proper is ents_[1..] and FirstIndex() == ents_[0].index + 1.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "raft/storage.h"

namespace tinykv::raft {

class MemoryStorage : public Storage {
 public:
  // An empty log: FirstIndex 1, LastIndex 0, empty snapshot.
  MemoryStorage();

  Result<InitialState> GetInitialState() const override;
  Result<std::vector<eraftpb::Entry>> Entries(uint64_t lo, uint64_t hi) const override;
  Result<uint64_t> Term(uint64_t i) const override;
  Result<uint64_t> LastIndex() const override;
  Result<uint64_t> FirstIndex() const override;
  Result<eraftpb::Snapshot> GetSnapshot() const override;

  void SetHardState(const eraftpb::HardState& hs) { hard_state_ = hs; }
  const eraftpb::HardState& hard_state() const { return hard_state_; }

  // Replaces everything with the snapshot's state. Compacted (and nothing changes) when the
  // snapshot is older than the current one.
  Status ApplySnapshot(const eraftpb::Snapshot& snap);
  // Records a snapshot of the application state as of entry i (which must be held:
  // REQUIRES i <= LastIndex()). Compacted if i is older than the current snapshot. Entries
  // are not removed; call Compact for that.
  Status CreateSnapshot(uint64_t i, const eraftpb::ConfState& cs, std::string data);
  // Drops entries before compact_index (the entry at compact_index becomes the dummy).
  // Compacted if already compacted past it. REQUIRES: compact_index <= LastIndex().
  Status Compact(uint64_t compact_index);
  // Appends entries, truncating any existing suffix they overlap. Entries older than the
  // first index are ignored. REQUIRES: entries are consecutive and leave no gap after
  // LastIndex(). The rvalue overload moves the entries in (e.g. Append(std::move(rd.entries))).
  Status Append(const std::vector<eraftpb::Entry>& entries);
  Status Append(std::vector<eraftpb::Entry>&& entries);

 private:
  eraftpb::HardState hard_state_;
  eraftpb::Snapshot snapshot_;
  std::vector<eraftpb::Entry> ents_;
};

}  // namespace tinykv::raft
