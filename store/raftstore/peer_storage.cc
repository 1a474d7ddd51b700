#include "store/raftstore/peer_storage.h"

#include <string>
#include <utility>

#include "store/raftstore/keys.h"

namespace tinykv::raftstore {

using store::Cf;
using store::Status;
using store::WriteBatch;

Status GetMsg(store::Engine* engine, std::string_view key, google::protobuf::Message* msg) {
  std::string value;
  Status s = engine->Get(Cf::kDefault, key, &value);
  if (!s.ok()) return s;
  if (!msg->ParseFromString(value)) {
    return Status::Corruption("cannot parse " + msg->GetTypeName() + " stored in the engine");
  }
  return Status::OK();
}

void PutMsg(WriteBatch* wb, std::string key, const google::protobuf::Message& msg) {
  wb->Put(Cf::kDefault, store::KeyValue{std::move(key), msg.SerializeAsString()});
}

Status PeerStorage::Open(Engines engines, uint64_t region_id, std::unique_ptr<PeerStorage>* out) {
  std::unique_ptr<PeerStorage> ps(new PeerStorage(engines));
  raft_serverpb::RegionLocalState region_state;
  Status s = GetMsg(engines.kv, RegionStateKey(region_id), &region_state);
  if (!s.ok()) return s;
  if (region_state.state() == raft_serverpb::Tombstone) {
    return Status::NotFound("region " + std::to_string(region_id) + " is a tombstone here");
  }
  ps->region_ = region_state.region();
  s = GetMsg(engines.raft, RaftStateKey(region_id), &ps->raft_state_);
  if (!s.ok()) return s.IsNotFound() ? Status::Corruption("region state without raft state") : s;
  s = GetMsg(engines.kv, ApplyStateKey(region_id), &ps->apply_state_);
  if (!s.ok()) return s.IsNotFound() ? Status::Corruption("region state without apply state") : s;
  const auto& rs = ps->raft_state_;
  // A snapshot still being applied when the store went down (snapshot_apply.h).
  auto pending = std::make_shared<eraftpb::Snapshot>();
  s = GetMsg(engines.kv, PendingSnapshotKey(region_id), pending.get());
  if (s.ok()) {
    if (pending->metadata().index() != ps->applied_index()) {
      return Status::Corruption("pending snapshot of region " + std::to_string(region_id) +
                                " at index " + std::to_string(pending->metadata().index()) +
                                " disagrees with its apply state");
    }
    ps->interrupted_apply_ = SnapshotApplyTask{region_id, std::move(pending)};
    // ApplySnapshot writes the kv batch before the raft batch that drops the old log. The new
    // log never holds the snapshot's own index (it starts after it), the old one did if it
    // reached that far: then only the kv batch survived, and the old log, superseded by the
    // snapshot, must not be read as this peer's log.
    eraftpb::Entry old_entry;
    bool repaired = false;
    if (rs.last_index() < ps->truncated_index() ||
        GetMsg(engines.raft, RaftLogKey(region_id, ps->truncated_index()), &old_entry).ok()) {
      ps->raft_state_.set_last_index(ps->truncated_index());
      ps->raft_state_.set_last_term(ps->truncated_term());
      repaired = true;
    }
    if (rs.hard_state().commit() < ps->truncated_index()) {
      ps->raft_state_.mutable_hard_state()->set_commit(ps->truncated_index());
      repaired = true;
    }
    if (repaired) {
      // Finish the lost raft batch now, before the apply resumes: once the resumed apply has
      // written the data it deletes the pending snapshot, and a crash after that must find a raft
      // state that agrees with the apply state (not the superseded one still on disk).
      WriteBatch raft_wb;
      raft_wb.DeleteRange(Cf::kDefault, RaftLogKey(region_id, 0),
                          RaftLogKey(region_id, UINT64_MAX));
      PutMsg(&raft_wb, RaftStateKey(region_id), ps->raft_state_);
      s = engines.raft->Write(store::WriteOptions{.sync = true}, raft_wb);
      if (!s.ok()) return s;
    }
  } else if (!s.IsNotFound()) {
    return s;
  }
  // Invariants a crash must never break (raft batches are synced before anything is applied).
  if (rs.last_index() < ps->truncated_index() || ps->applied_index() > rs.last_index() ||
      ps->applied_index() < ps->truncated_index()) {
    return Status::Corruption(
        "inconsistent raft / apply state of region " + std::to_string(region_id) + ": last " +
        std::to_string(rs.last_index()) + " applied " + std::to_string(ps->applied_index()) +
        " truncated " + std::to_string(ps->truncated_index()));
  }
  *out = std::move(ps);
  return Status::OK();
}

Status PeerStorage::OpenUninitialized(Engines engines, uint64_t region_id,
                                      std::unique_ptr<PeerStorage>* out) {
  std::unique_ptr<PeerStorage> ps(new PeerStorage(engines));
  ps->region_.set_id(region_id);
  raft_serverpb::RaftLocalState earlier;
  Status s = GetMsg(engines.raft, RaftStateKey(region_id), &earlier);
  if (s.ok()) {
    // Only the promise of the vote is kept: whatever log the earlier peer had is not this one's
    // (the snapshot that initializes the peer replaces the log anyway).
    ps->raft_state_.mutable_hard_state()->set_term(earlier.hard_state().term());
    ps->raft_state_.mutable_hard_state()->set_vote(earlier.hard_state().vote());
  } else if (!s.IsNotFound()) {
    return s;
  }
  *out = std::move(ps);
  return Status::OK();
}

raft::Result<raft::InitialState> PeerStorage::GetInitialState() const {
  raft::InitialState init;
  init.hard_state = raft_state_.hard_state();
  for (const auto& p : region_.peers()) init.conf_state.add_nodes(p.id());
  return init;
}

raft::Result<std::vector<eraftpb::Entry>> PeerStorage::Entries(uint64_t lo, uint64_t hi) const {
  if (lo <= truncated_index()) return raft::Status::Compacted();
  if (hi > raft_state_.last_index() + 1) return raft::Status::Unavailable();
  std::vector<eraftpb::Entry> out;
  if (lo >= hi) return out;
  out.reserve(hi - lo);
  // A restarting peer reads its whole log through here, so the loop touches as little as it can:
  // entries are parsed in place, and keys are not compared one by one. Each entry's index is
  // checked instead, and the key of the last one read must be hi - 1's: keys only increase, so a
  // read that ran past a hole into another key is caught even if that value parsed as an entry
  // with the expected index.
  auto it = engines_.raft->NewIterator(Cf::kDefault);
  const uint64_t want = hi - lo;
  for (it->Seek(RaftLogKey(region_id(), lo)); it->Valid(); it->Next()) {
    eraftpb::Entry& e = out.emplace_back();
    const std::string_view v = it->value();
    if (!e.ParseFromArray(v.data(), static_cast<int>(v.size())) ||
        e.index() != lo + out.size() - 1) {
      out.pop_back();
      break;  // a hole or garbage: reported below as unavailable
    }
    if (out.size() == want) break;  // stay on the last entry: its key is checked below
  }
  if (out.size() != want || it->key() != RaftLogKey(region_id(), hi - 1)) {
    return raft::Status::Unavailable("raft log of region " + std::to_string(region_id()) +
                                     " misses entries in [" + std::to_string(lo) + ", " +
                                     std::to_string(hi) + ")");
  }
  return out;
}

raft::Result<uint64_t> PeerStorage::Term(uint64_t i) const {
  if (i == truncated_index()) return truncated_term();
  if (i < truncated_index()) return raft::Status::Compacted();
  if (i > raft_state_.last_index()) return raft::Status::Unavailable();
  if (i == raft_state_.last_index()) return raft_state_.last_term();
  auto ents = Entries(i, i + 1);
  if (!ents.ok()) return ents.status();
  return ents->front().term();
}

raft::Result<uint64_t> PeerStorage::LastIndex() const { return raft_state_.last_index(); }

raft::Result<uint64_t> PeerStorage::FirstIndex() const { return truncated_index() + 1; }

raft::Result<eraftpb::Snapshot> PeerStorage::GetSnapshot() const {
  eraftpb::Snapshot snap;
  if (snapshot_provider_ && snapshot_provider_(&snap)) return snap;
  return raft::Status::SnapshotTemporarilyUnavailable();
}

void PeerStorage::Append([[maybe_unused]] const std::vector<eraftpb::Entry>& entries,
                         [[maybe_unused]] WriteBatch* raft_wb) {
  // BEGIN SOLUTION(lab2b)
  if (entries.empty()) return;
  const uint64_t prev_last = raft_state_.last_index();
  uint64_t last = 0;
  uint64_t last_term = 0;
  for (const auto& e : entries) {
    if (e.index() <= truncated_index()) continue;  // already covered by a snapshot
    PutMsg(raft_wb, RaftLogKey(region_id(), e.index()), e);
    last = e.index();
    last_term = e.term();
  }
  if (last == 0) return;
  // Whatever was persisted after the new last entry belongs to a superseded leader.
  for (uint64_t i = last + 1; i <= prev_last; ++i) {
    raft_wb->Delete(Cf::kDefault, RaftLogKey(region_id(), i));
  }
  raft_state_.set_last_index(last);
  raft_state_.set_last_term(last_term);
  // END SOLUTION
}

Status PeerStorage::SaveReadyState([[maybe_unused]] const raft::Ready& rd) {
  // BEGIN SOLUTION(lab2b)
  // STUB: return Status::OK();
  if (rd.entries.empty() && !rd.hard_state) return Status::OK();
  WriteBatch wb;
  Append(rd.entries, &wb);
  if (rd.hard_state) *raft_state_.mutable_hard_state() = *rd.hard_state;
  PutMsg(&wb, RaftStateKey(region_id()), raft_state_);
  // Synced: messages sent after this (votes, append acks) must never refer to lost state.
  return engines_.raft->Write(store::WriteOptions{.sync = true}, wb);
  // END SOLUTION
}

void PeerStorage::WriteRegionState(WriteBatch* kv_wb) const {
  raft_serverpb::RegionLocalState state;
  state.set_state(raft_serverpb::Normal);
  *state.mutable_region() = region_;
  PutMsg(kv_wb, RegionStateKey(region_id()), state);
}

void PeerStorage::WriteApplyState(WriteBatch* kv_wb) const {
  PutMsg(kv_wb, ApplyStateKey(region_id()), apply_state_);
}

uint64_t PeerStorage::CountLogEntriesUpTo(uint64_t index) const {
  const std::string end = RaftLogKey(region_id(), index + 1);
  auto it = engines_.raft->NewIterator(store::Cf::kDefault);
  uint64_t count = 0;
  for (it->Seek(RaftLogKey(region_id(), 0)); it->Valid() && it->key() < end; it->Next()) ++count;
  return count;
}

}  // namespace tinykv::raftstore
