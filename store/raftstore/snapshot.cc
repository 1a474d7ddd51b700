#include "store/raftstore/snapshot.h"

#include <algorithm>
#include <string>

#include "store/raftstore/keys.h"
#include "store/raftstore/peer_storage.h"

namespace tinykv::raftstore {

using store::Cf;
using store::Status;
using store::WriteBatch;

std::pair<std::string, std::string> RegionDataRange(const metapb::Region& region) {
  return {DataKey(region.start_key()),
          region.end_key().empty() ? DataEndKey() : DataKey(region.end_key())};
}

Status SnapshotBuilder::Pin(Engines engines, uint64_t region_id,
                            std::unique_ptr<SnapshotBuilder>* out) {
  std::unique_ptr<SnapshotBuilder> b(new SnapshotBuilder());
  b->snap_ = engines.kv->GetSnapshot();
  std::string raw;
  raft_serverpb::RaftApplyState apply;
  Status s = b->snap_->Get(Cf::kDefault, ApplyStateKey(region_id), &raw);
  if (!s.ok()) return s;
  if (!apply.ParseFromString(raw)) return Status::Corruption("bad apply state");
  s = b->snap_->Get(Cf::kDefault, RegionStateKey(region_id), &raw);
  if (!s.ok()) return s;
  if (!b->region_state_.ParseFromString(raw)) return Status::Corruption("bad region state");
  b->index_ = apply.applied_index();
  if (b->index_ == apply.truncated_state().index()) {
    b->term_ = apply.truncated_state().term();
  } else {
    eraftpb::Entry e;
    s = GetMsg(engines.raft, RaftLogKey(region_id, b->index_), &e);
    if (!s.ok()) return s;
    b->term_ = e.term();
  }
  *out = std::move(b);
  return Status::OK();
}

eraftpb::Snapshot SnapshotBuilder::Build(size_t yield_every,
                                         const std::function<void()>& yield) const {
  raft_serverpb::RaftSnapshotData data;
  *data.mutable_region() = region_state_.region();
  const auto [begin, end] = RegionDataRange(region_state_.region());
  size_t n = 0;
  for (Cf cf : store::kAllCfs) {
    auto* file = data.mutable_meta()->add_cf_files();
    file->set_cf(std::string(store::CfName(cf)));
    uint64_t count = 0;
    auto it = snap_->NewIterator(cf);
    for (it->Seek(begin); it->Valid() && it->key() < end; it->Next()) {
      auto* kv = data.add_data();
      kv->set_key(std::string(it->key()));
      kv->set_value(std::string(it->value()));
      ++count;
      if (yield && yield_every != 0 && ++n % yield_every == 0) yield();
    }
    file->set_size(count);
  }
  eraftpb::Snapshot snap;
  auto* meta = snap.mutable_metadata();
  meta->set_index(index_);
  meta->set_term(term_);
  for (const auto& p : region_state_.region().peers())
    meta->mutable_conf_state()->add_nodes(p.id());
  data.set_file_size(data.ByteSizeLong());
  snap.set_data(data.SerializeAsString());
  return snap;
}

void PeerStorage::ClearExtraData([[maybe_unused]] const metapb::Region& now,
                                 [[maybe_unused]] WriteBatch* kv_wb) const {
  // BEGIN SOLUTION(lab3b)
  if (!initialized()) return;  // an uninitialized peer has no data
  const auto [old_begin, old_end] = RegionDataRange(region_);
  const auto [new_begin, new_end] = RegionDataRange(now);
  for (store::Cf cf : store::kAllCfs) {
    if (old_begin < new_begin) kv_wb->DeleteRange(cf, old_begin, std::min(old_end, new_begin));
    if (new_end < old_end) kv_wb->DeleteRange(cf, std::max(new_end, old_begin), old_end);
  }
  // END SOLUTION
}

Status PeerStorage::ApplySnapshot([[maybe_unused]] const eraftpb::Snapshot& snap,
                                  [[maybe_unused]] SnapshotApplyTask* task) {
  // BEGIN SOLUTION(lab2c)
  // STUB: return Status::NotSupported("PeerStorage::ApplySnapshot");
  raft_serverpb::RaftSnapshotData data;
  if (!data.ParseFromString(snap.data())) return Status::Corruption("snapshot payload unparsable");
  const uint64_t index = snap.metadata().index();
  const uint64_t term = snap.metadata().term();
  // kv engine: the states that describe the snapshot, and the snapshot itself until the worker
  // has written its data (a crash in between finds it here and applies it again).
  WriteBatch kv_wb;
  ClearExtraData(data.region(), &kv_wb);
  region_ = data.region();
  apply_state_.set_applied_index(index);
  apply_state_.mutable_truncated_state()->set_index(index);
  apply_state_.mutable_truncated_state()->set_term(term);
  WriteApplyState(&kv_wb);
  WriteRegionState(&kv_wb);
  PutMsg(&kv_wb, PendingSnapshotKey(region_id()), snap);
  Status s = engines_.kv->Write(store::WriteOptions{.sync = true}, kv_wb);
  if (!s.ok()) return s;
  // raft engine: the whole old log goes; the log now starts right after the snapshot.
  WriteBatch raft_wb;
  raft_wb.DeleteRange(Cf::kDefault, RaftLogKey(region_id(), 0),
                      RaftLogKey(region_id(), UINT64_MAX));
  raft_state_.set_last_index(index);
  raft_state_.set_last_term(term);
  if (raft_state_.hard_state().commit() < index) {
    raft_state_.mutable_hard_state()->set_commit(index);
  }
  PutMsg(&raft_wb, RaftStateKey(region_id()), raft_state_);
  s = engines_.raft->Write(store::WriteOptions{.sync = true}, raft_wb);
  if (!s.ok()) return s;
  *task = SnapshotApplyTask{region_id(), std::make_shared<const eraftpb::Snapshot>(snap)};
  return Status::OK();
  // END SOLUTION
}

}  // namespace tinykv::raftstore
