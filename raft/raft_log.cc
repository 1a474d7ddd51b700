#include "raft/raft_log.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>

#include "raft/check.h"

namespace tinykv::raft {

RaftLog::RaftLog(Storage* storage) : storage_(storage) {
  // BEGIN SOLUTION(lab2aa)
  // The storage was just validated by Config; a read failure here means it is broken.
  const uint64_t first = storage_->FirstIndex().value();
  const uint64_t last = storage_->LastIndex().value();
  offset_ = first;
  auto dummy = storage_->Term(first - 1);
  RAFT_CHECK(dummy.ok(), "storage cannot answer the term of its snapshot entry");
  dummy_term_ = *dummy;
  if (last >= first) {
    auto ents = storage_->Entries(first, last + 1);
    RAFT_CHECK(ents.ok(), "storage cannot return its own entries");
    entries_ = std::move(ents).value();
  }
  committed_ = first - 1;
  applied_ = first - 1;
  stabled_ = last;
  // END SOLUTION
}

uint64_t RaftLog::FirstIndex() const {
  // BEGIN SOLUTION(lab2aa)
  // STUB: return 1;
  return offset_;
  // END SOLUTION
}

uint64_t RaftLog::LastIndex() const {
  // BEGIN SOLUTION(lab2aa)
  // STUB: return 0;
  return offset_ + entries_.size() - 1;
  // END SOLUTION
}

Result<uint64_t> RaftLog::Term(uint64_t i) const {
  // BEGIN SOLUTION(lab2aa)
  // STUB: return uint64_t{0};
  if (i + 1 == offset_) return dummy_term_;
  if (i + 1 < offset_) return Status::Compacted();
  if (i - offset_ >= entries_.size()) return Status::Unavailable();
  return entries_[i - offset_].term();
  // END SOLUTION
}

uint64_t RaftLog::LastTerm() const {
  // BEGIN SOLUTION(lab2aa)
  // STUB: return 0;
  return entries_.empty() ? dummy_term_ : entries_.back().term();
  // END SOLUTION
}

bool RaftLog::MatchTerm(uint64_t i, uint64_t term) const {
  // BEGIN SOLUTION(lab2aa)
  // STUB: return false;
  auto t = Term(i);
  return t.ok() && *t == term;
  // END SOLUTION
}

bool RaftLog::IsUpToDate(uint64_t last_index, uint64_t last_term) const {
  // BEGIN SOLUTION(lab2aa)
  // STUB: return true;
  const uint64_t my_term = LastTerm();
  return last_term > my_term || (last_term == my_term && last_index >= LastIndex());
  // END SOLUTION
}

Result<std::vector<eraftpb::Entry>> RaftLog::Slice(uint64_t lo, uint64_t hi) const {
  // BEGIN SOLUTION(lab2ab)
  // STUB: return std::vector<eraftpb::Entry>{};
  if (lo < offset_) return Status::Compacted();
  if (hi > LastIndex() + 1 || lo > hi) {
    return Status::Unavailable("slice [" + std::to_string(lo) + ", " + std::to_string(hi) +
                               ") is out of bounds");
  }
  return std::vector<eraftpb::Entry>(entries_.begin() + (lo - offset_),
                                     entries_.begin() + (hi - offset_));
  // END SOLUTION
}

Status RaftLog::CopyEntries(uint64_t lo, uint64_t hi,
                            google::protobuf::RepeatedPtrField<eraftpb::Entry>* out) const {
  // BEGIN SOLUTION(lab2ab)
  // STUB: return Status::OK();
  if (lo < offset_) return Status::Compacted();
  if (hi > LastIndex() + 1 || lo > hi) {
    return Status::Unavailable("entries [" + std::to_string(lo) + ", " + std::to_string(hi) +
                               ") are out of bounds");
  }
  out->Reserve(out->size() + static_cast<int>(hi - lo));
  for (uint64_t i = lo; i < hi; ++i) *out->Add() = entries_[i - offset_];
  return Status::OK();
  // END SOLUTION
}

std::vector<eraftpb::Entry> RaftLog::AllEntries() const { return entries_; }

uint64_t RaftLog::Append(const std::vector<eraftpb::Entry>& entries) {
  return Append(std::vector<eraftpb::Entry>(entries));
}

uint64_t RaftLog::Append(std::vector<eraftpb::Entry>&& entries) {
  // BEGIN SOLUTION(lab2aa)
  // STUB: return 0;
  if (entries.empty()) return LastIndex();
  const uint64_t start = entries.front().index();
  RAFT_CHECK(start > committed_, "appending over committed entries");
  RAFT_CHECK(start >= offset_ && start <= LastIndex() + 1, "appending leaves a gap in the log");
  entries_.resize(start - offset_);
  entries_.insert(entries_.end(), std::make_move_iterator(entries.begin()),
                  std::make_move_iterator(entries.end()));
  stabled_ = std::min(stabled_, start - 1);
  return LastIndex();
  // END SOLUTION
}

std::optional<uint64_t> RaftLog::MaybeAppend(uint64_t index, uint64_t log_term,
                                             uint64_t leader_commit,
                                             const std::vector<eraftpb::Entry>& entries) {
  return MaybeAppend(index, log_term, leader_commit, std::vector<eraftpb::Entry>(entries));
}

std::optional<uint64_t> RaftLog::MaybeAppend(uint64_t index, uint64_t log_term,
                                             uint64_t leader_commit,
                                             std::vector<eraftpb::Entry>&& entries) {
  // BEGIN SOLUTION(lab2ab)
  // STUB: return std::nullopt;
  if (!MatchTerm(index, log_term)) return std::nullopt;
  const uint64_t last_new = index + entries.size();
  const uint64_t conflict = FindConflict(entries);
  if (conflict != 0) {
    RAFT_CHECK(conflict > committed_, "a committed entry conflicts with the leader's log");
    // Entries before the conflict are already here; move in the rest.
    entries.erase(entries.begin(), entries.begin() + (conflict - index - 1));
    Append(std::move(entries));
  }
  CommitTo(std::min(leader_commit, last_new));
  return last_new;
  // END SOLUTION
}

uint64_t RaftLog::FindConflict(const std::vector<eraftpb::Entry>& entries) const {
  // BEGIN SOLUTION(lab2ab)
  // STUB: return 0;
  for (const auto& e : entries) {
    if (!MatchTerm(e.index(), e.term())) return e.index();
  }
  return 0;
  // END SOLUTION
}

bool RaftLog::MaybeCommit(uint64_t max_index, uint64_t term) {
  // BEGIN SOLUTION(lab2ab)
  // STUB: return false;
  if (max_index > committed_ && MatchTerm(max_index, term)) {
    CommitTo(max_index);
    return true;
  }
  return false;
  // END SOLUTION
}

void RaftLog::CommitTo(uint64_t i) {
  // BEGIN SOLUTION(lab2ab)
  if (i <= committed_) return;
  RAFT_CHECK(i <= LastIndex(), "commit index past the last index");
  committed_ = i;
  // END SOLUTION
}

std::vector<eraftpb::Entry> RaftLog::UnstableEntries() const {
  // BEGIN SOLUTION(lab2ac)
  // STUB: return {};
  if (stabled_ >= LastIndex()) return {};
  return std::vector<eraftpb::Entry>(entries_.begin() + (stabled_ + 1 - offset_), entries_.end());
  // END SOLUTION
}

std::vector<eraftpb::Entry> RaftLog::NextEnts() const {
  // BEGIN SOLUTION(lab2ac)
  // STUB: return {};
  if (!HasNextEnts()) return {};
  return std::vector<eraftpb::Entry>(entries_.begin() + (applied_ + 1 - offset_),
                                     entries_.begin() + (committed_ + 1 - offset_));
  // END SOLUTION
}

bool RaftLog::HasNextEnts() const {
  // BEGIN SOLUTION(lab2ac)
  // STUB: return false;
  return committed_ > applied_;
  // END SOLUTION
}

void RaftLog::StableTo(uint64_t i, uint64_t term) {
  // BEGIN SOLUTION(lab2ac)
  // A stale acknowledgement (the suffix was replaced meanwhile) must not mark new entries
  // stable.
  if (i > stabled_ && MatchTerm(i, term)) stabled_ = i;
  // END SOLUTION
}

void RaftLog::AppliedTo(uint64_t i) {
  // BEGIN SOLUTION(lab2ac)
  if (i <= applied_) return;
  RAFT_CHECK(i <= committed_, "applied index past the committed index");
  applied_ = i;
  // END SOLUTION
}

void RaftLog::Restore(const eraftpb::Snapshot& snapshot) { Restore(eraftpb::Snapshot(snapshot)); }

void RaftLog::Restore(eraftpb::Snapshot&& snapshot) {
  // BEGIN SOLUTION(lab2c)
  const auto& meta = snapshot.metadata();
  entries_.clear();
  offset_ = meta.index() + 1;
  dummy_term_ = meta.term();
  committed_ = meta.index();
  applied_ = meta.index();
  stabled_ = meta.index();
  pending_snapshot_ = std::move(snapshot);
  // END SOLUTION
}

void RaftLog::MaybeCompact() {
  // BEGIN SOLUTION(lab2c)
  auto first = storage_->FirstIndex();
  if (!first.ok() || *first <= offset_) return;
  // Never drop what the application has not applied or persisted yet.
  const uint64_t new_offset = std::min({*first, applied_ + 1, stabled_ + 1});
  if (new_offset <= offset_) return;
  auto dummy = Term(new_offset - 1);
  RAFT_CHECK(dummy.ok(), "compacting to an index the log does not hold");
  dummy_term_ = *dummy;
  entries_.erase(entries_.begin(), entries_.begin() + (new_offset - offset_));
  offset_ = new_offset;
  // END SOLUTION
}

}  // namespace tinykv::raft
