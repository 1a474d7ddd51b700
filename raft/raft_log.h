// RaftLog: one node's view of its log — persisted, not yet persisted, committed and applied.
//
// The log holds entries [FirstIndex(), LastIndex()] in memory; the entry just before FirstIndex()
// is covered by a snapshot (its term is still known). Indices satisfy
//     FirstIndex()-1 <= applied() <= committed() <= LastIndex(),   stabled() <= LastIndex().
// Entries after stabled() have not been handed to the application to persist yet (they are
// "unstable"); committed entries after applied() are waiting to be applied. Owned by one Raft;
// the Raft and its RawNode call the mutators, tests may call the const accessors.
// Student code (lab2aa basics, lab2ab append/commit, lab2ac Ready helpers, lab2c snapshots).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/status.h"
#include "raft/storage.h"

namespace tinykv::raft {

class RaftLog {
 public:
  // Loads every entry the storage holds; stabled() becomes the storage's last index.
  // REQUIRES: storage outlives the log.
  explicit RaftLog(Storage* storage);

  uint64_t committed() const { return committed_; }
  uint64_t applied() const { return applied_; }
  uint64_t stabled() const { return stabled_; }

  // Index of the first entry held (the one after the latest snapshot).
  uint64_t FirstIndex() const;
  uint64_t LastIndex() const;
  // Term of entry i: OK for i in [FirstIndex()-1, LastIndex()], Compacted below that,
  // Unavailable above.
  Result<uint64_t> Term(uint64_t i) const;
  uint64_t LastTerm() const;
  // True when entry i exists here with term `term`.
  bool MatchTerm(uint64_t i, uint64_t term) const;
  // True when a log ending at (last_index, last_term) is at least as up to date as this one
  // (Raft §5.4.1): a later last term wins; equal terms compare length.
  bool IsUpToDate(uint64_t last_index, uint64_t last_term) const;
  // Entries [lo, hi). Compacted if lo < FirstIndex(). REQUIRES: hi <= LastIndex()+1.
  Result<std::vector<eraftpb::Entry>> Slice(uint64_t lo, uint64_t hi) const;
  // Copies entries [lo, hi) to the end of *out (a message's entries), without the temporary
  // vector of Slice. Same errors as Slice; nothing is copied on error.
  Status CopyEntries(uint64_t lo, uint64_t hi,
                     google::protobuf::RepeatedPtrField<eraftpb::Entry>* out) const;
  // Every entry held, in order (for tests and debugging).
  std::vector<eraftpb::Entry> AllEntries() const;

  // Appends entries, truncating any suffix of the log from entries[0].index() on.
  // REQUIRES: entries consecutive, entries[0].index() in (committed(), LastIndex()+1].
  // Returns the new last index. The rvalue overload moves the entries in instead of copying.
  uint64_t Append(const std::vector<eraftpb::Entry>& entries);
  uint64_t Append(std::vector<eraftpb::Entry>&& entries);
  // The follower side of AppendEntries: if entry `index` has term `log_term`, merge `entries`
  // (which follow it), truncating a conflicting suffix, commit up to
  // min(leader_commit, index + entries.size()) and return index + entries.size() (the last
  // index known to match the leader). nullopt when entry `index` does not match. The rvalue
  // overload moves the new entries in instead of copying them.
  std::optional<uint64_t> MaybeAppend(uint64_t index, uint64_t log_term, uint64_t leader_commit,
                                      const std::vector<eraftpb::Entry>& entries);
  std::optional<uint64_t> MaybeAppend(uint64_t index, uint64_t log_term, uint64_t leader_commit,
                                      std::vector<eraftpb::Entry>&& entries);
  // Index of the first entry in `entries` that is not already in the log with the same term
  // (a conflict or a new entry); 0 when all are present.
  uint64_t FindConflict(const std::vector<eraftpb::Entry>& entries) const;
  // Commits up to max_index if that entry has term `term` (the leader's rule: only entries of
  // the current term commit by counting). Returns true if committed() advanced.
  bool MaybeCommit(uint64_t max_index, uint64_t term);
  // Raises committed() to i (never lowers it). REQUIRES: i <= LastIndex().
  void CommitTo(uint64_t i);

  // Entries after stabled(): to be persisted (Ready::entries).
  std::vector<eraftpb::Entry> UnstableEntries() const;
  // Committed entries after applied(): to be applied (Ready::committed_entries).
  std::vector<eraftpb::Entry> NextEnts() const;
  bool HasNextEnts() const;
  // The application persisted entries up to i, whose term was `term` (ignored if the log has
  // changed since, i.e. entry i no longer has that term).
  void StableTo(uint64_t i, uint64_t term);
  // The application applied entries up to i. REQUIRES: i <= committed().
  void AppliedTo(uint64_t i);

  // Replaces the log with the snapshot's position: everything up to its index counts as
  // committed, applied and stable; the snapshot waits in pending_snapshot() until Advance.
  void Restore(const eraftpb::Snapshot& snapshot);
  void Restore(eraftpb::Snapshot&& snapshot);  // moves the snapshot in instead of copying
  // The snapshot received from the leader and not yet handed out / applied, or null.
  const eraftpb::Snapshot* pending_snapshot() const {
    return pending_snapshot_ ? &*pending_snapshot_ : nullptr;
  }
  void ClearPendingSnapshot() { pending_snapshot_.reset(); }
  // Drops in-memory entries the storage has compacted (Storage::FirstIndex moved past them).
  void MaybeCompact();

 private:
  Storage* storage_;
  // entries_[k] has index offset_ + k; the entry at offset_-1 (snapshot) has term dummy_term_.
  std::vector<eraftpb::Entry> entries_;
  uint64_t offset_ = 1;
  uint64_t dummy_term_ = 0;
  uint64_t committed_ = 0;
  uint64_t applied_ = 0;
  uint64_t stabled_ = 0;
  std::optional<eraftpb::Snapshot> pending_snapshot_;
};

}  // namespace tinykv::raft
