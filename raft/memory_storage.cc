#include "raft/memory_storage.h"

#include <cassert>
#include <iterator>
#include <string>
#include <utility>

namespace tinykv::raft {

MemoryStorage::MemoryStorage() {
  ents_.emplace_back();  // dummy at index 0, term 0
  snapshot_.mutable_metadata()->mutable_conf_state();
}

Result<InitialState> MemoryStorage::GetInitialState() const {
  InitialState st;
  st.hard_state = hard_state_;
  st.conf_state = snapshot_.metadata().conf_state();
  return st;
}

Result<std::vector<eraftpb::Entry>> MemoryStorage::Entries(uint64_t lo, uint64_t hi) const {
  const uint64_t offset = ents_[0].index();
  if (lo <= offset) return Status::Compacted();
  if (hi > offset + ents_.size()) {
    return Status::Unavailable("entries requested past the last index " +
                               std::to_string(offset + ents_.size() - 1));
  }
  return std::vector<eraftpb::Entry>(ents_.begin() + (lo - offset), ents_.begin() + (hi - offset));
}

Result<uint64_t> MemoryStorage::Term(uint64_t i) const {
  const uint64_t offset = ents_[0].index();
  if (i < offset) return Status::Compacted();
  if (i - offset >= ents_.size()) return Status::Unavailable();
  return ents_[i - offset].term();
}

Result<uint64_t> MemoryStorage::LastIndex() const { return ents_[0].index() + ents_.size() - 1; }

Result<uint64_t> MemoryStorage::FirstIndex() const { return ents_[0].index() + 1; }

Result<eraftpb::Snapshot> MemoryStorage::GetSnapshot() const { return snapshot_; }

Status MemoryStorage::ApplySnapshot(const eraftpb::Snapshot& snap) {
  if (snapshot_.metadata().index() >= snap.metadata().index()) {
    return Status::Compacted("snapshot is older than the one already applied");
  }
  snapshot_ = snap;
  ents_.clear();
  eraftpb::Entry dummy;
  dummy.set_index(snap.metadata().index());
  dummy.set_term(snap.metadata().term());
  ents_.push_back(std::move(dummy));
  return Status::OK();
}

Status MemoryStorage::CreateSnapshot(uint64_t i, const eraftpb::ConfState& cs, std::string data) {
  if (i <= snapshot_.metadata().index()) {
    return Status::Compacted("snapshot index is older than the current snapshot");
  }
  const uint64_t offset = ents_[0].index();
  if (i > offset + ents_.size() - 1) {
    return Status::InvalidArgument("snapshot index " + std::to_string(i) +
                                   " is past the last index");
  }
  auto* meta = snapshot_.mutable_metadata();
  meta->set_index(i);
  meta->set_term(ents_[i - offset].term());
  *meta->mutable_conf_state() = cs;
  snapshot_.set_data(std::move(data));
  return Status::OK();
}

Status MemoryStorage::Compact(uint64_t compact_index) {
  const uint64_t offset = ents_[0].index();
  if (compact_index <= offset) return Status::Compacted();
  if (compact_index > offset + ents_.size() - 1) {
    return Status::InvalidArgument("compact index " + std::to_string(compact_index) +
                                   " is past the last index");
  }
  const uint64_t n = compact_index - offset;
  // Keep the entry at compact_index as the new dummy, without its payload.
  ents_[n].clear_data();
  ents_.erase(ents_.begin(), ents_.begin() + n);
  return Status::OK();
}

Status MemoryStorage::Append(const std::vector<eraftpb::Entry>& entries) {
  return Append(std::vector<eraftpb::Entry>(entries));
}

Status MemoryStorage::Append(std::vector<eraftpb::Entry>&& entries) {
  if (entries.empty()) return Status::OK();
  const uint64_t first = ents_[0].index() + 1;
  const uint64_t last = entries.front().index() + entries.size() - 1;
  if (last < first) return Status::OK();  // all compacted already
  size_t skip = 0;
  if (first > entries.front().index()) skip = first - entries.front().index();
  const uint64_t start = entries[skip].index();
  const uint64_t offset = start - ents_[0].index();
  if (offset > ents_.size()) {
    return Status::InvalidArgument("missing log entry: last index " +
                                   std::to_string(ents_[0].index() + ents_.size() - 1) +
                                   ", appending at " + std::to_string(start));
  }
  ents_.resize(offset);
  ents_.insert(ents_.end(), std::make_move_iterator(entries.begin() + skip),
               std::make_move_iterator(entries.end()));
  return Status::OK();
}

}  // namespace tinykv::raft
