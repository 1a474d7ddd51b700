// PeerStorage: one peer's persisted Raft state, read by Raft through raft::Storage and written by
// the peer's ready loop (TinyKV's peer_storage.go).
//
// What lives where (keys in store/raftstore/keys.h):
//  * raft engine: log entries [FirstIndex, LastIndex] and RaftLocalState (hard state, last index
//    and term). Written by SaveReadyState in one synced batch per Ready.
//  * kv engine: RaftApplyState (applied index, truncated state = the entry just before
//    FirstIndex) and RegionLocalState. The apply path writes the apply state in the same batch as
//    the data it covers, so after a crash the applied index never runs ahead of, or behind, the
//    surviving data; entries after it are simply applied again from the log.
// In memory the storage caches the three states; the engines are the truth at Open.
//
// Recovery: Open reads whatever the engines hold after a crash. Only synced raft batches survive
// as a whole, so the raft state and the log agree; the kv engine may have lost its newest
// un-synced batches, which only moves the applied index back. A snapshot whose data was still
// being written when the store crashed is found again (interrupted_snapshot_apply()); its
// apply state and region state are already in place, only its data must be written again.
//
// Owned by its Peer; used on the store's raft worker fiber (raft reads it through const methods).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/metapb.pb.h"
#include "proto/raft_serverpb.pb.h"
#include "raft/raw_node.h"
#include "raft/storage.h"
#include "store/raftstore/engines.h"
#include "store/raftstore/snapshot_apply.h"

namespace tinykv::raftstore {

class PeerStorage final : public raft::Storage {
 public:
  // Loads the states of `region_id` from the engines. NotFound when the region has no state on
  // this store (not bootstrapped); Corruption when a state does not parse or the states disagree.
  static store::Status Open(Engines engines, uint64_t region_id, std::unique_ptr<PeerStorage>* out);
  // The storage of a peer created by a message for a region this store holds no state of (lab3b,
  // store/raftstore/store_peers.h): the region is known by id only — no range, no peers, an
  // *uninitialized* peer — until a snapshot from its leader brings it. Nothing is written here.
  // Log empty (last index 0), applied = truncated = 0; the term and vote of an earlier
  // uninitialized peer of the region, if its raft state is still on disk, are read back, so a
  // vote granted before a crash is still kept after it. Corruption when that state does not
  // parse.
  static store::Status OpenUninitialized(Engines engines, uint64_t region_id,
                                         std::unique_ptr<PeerStorage>* out);

  // ---- raft::Storage ----
  raft::Result<raft::InitialState> GetInitialState() const override;
  raft::Result<std::vector<eraftpb::Entry>> Entries(uint64_t lo, uint64_t hi) const override;
  raft::Result<uint64_t> Term(uint64_t i) const override;
  raft::Result<uint64_t> LastIndex() const override;
  raft::Result<uint64_t> FirstIndex() const override;
  // The latest snapshot handed in by SetSnapshotProvider's callback, or
  // SnapshotTemporarilyUnavailable while it is being generated (raft asks again later).
  raft::Result<eraftpb::Snapshot> GetSnapshot() const override;

  // ---- writes from the ready loop (persist step) ----
  // Adds `entries` to `raft_wb`, deleting any previously persisted suffix after the last new
  // entry (a conflicting tail the leader overwrote), and updates the cached last index / term.
  // Entries at or before the truncated index are skipped.
  void Append(const std::vector<eraftpb::Entry>& entries, store::WriteBatch* raft_wb);
  // Persists the Ready's entries and hard state in one synced raft-engine batch (nothing is
  // written when the Ready carries neither).
  store::Status SaveReadyState(const raft::Ready& rd);

  // ---- apply state (kv engine) ----
  const raft_serverpb::RaftApplyState& apply_state() const { return apply_state_; }
  raft_serverpb::RaftApplyState* mutable_apply_state() { return &apply_state_; }
  // Adds the cached apply state to `kv_wb` (the caller writes it with the data it covers).
  void WriteApplyState(store::WriteBatch* kv_wb) const;
  uint64_t applied_index() const { return apply_state_.applied_index(); }
  uint64_t truncated_index() const { return apply_state_.truncated_state().index(); }
  uint64_t truncated_term() const { return apply_state_.truncated_state().term(); }
  // How many log entries of the region with index <= `index` the raft engine holds, whether or
  // not raft still needs them: checks that log GC really deleted what it truncated use it.
  uint64_t CountLogEntriesUpTo(uint64_t index) const;

  // ---- snapshots (lab2c) ----
  // Step 1 of applying a received snapshot (store/raftstore/snapshot_apply.h): in one synced kv
  // batch, the apply state (applied = truncated = the snapshot's index and term), the region
  // state (the snapshot's region) and the snapshot itself under PendingSnapshotKey; then, in one
  // synced raft batch, the old log deleted and the raft state's last index / term set to the
  // snapshot's (commit at least that index). Updates the cached states and fills `*task` for the
  // snapshot-apply worker, which writes the data. Corruption (and nothing written) when the
  // payload does not parse; an engine error when the store is going down.
  store::Status ApplySnapshot(const eraftpb::Snapshot& snap, SnapshotApplyTask* task);
  // Adds to `kv_wb` the deletion of this (initialized) peer's data outside `now`, the region a
  // snapshot brings (lab3b): a peer that missed a split gets a snapshot of a smaller range, and
  // what it held of the other part belongs to another region — whose peer here, if any, gets it
  // from its own leader. ApplySnapshot calls it.
  void ClearExtraData(const metapb::Region& now, store::WriteBatch* kv_wb) const;
  // The apply that a crash interrupted (found by Open), to schedule again; nullopt when none.
  const std::optional<SnapshotApplyTask>& interrupted_snapshot_apply() const {
    return interrupted_apply_;
  }
  // Called by GetSnapshot when raft needs a snapshot; returns true and sets *snap when one is
  // ready, false to let raft retry later (the provider starts generating in the background).
  using SnapshotProvider = std::function<bool(eraftpb::Snapshot* snap)>;
  void SetSnapshotProvider(SnapshotProvider provider) { snapshot_provider_ = std::move(provider); }

  const raft_serverpb::RaftLocalState& raft_state() const { return raft_state_; }
  const metapb::Region& region() const { return region_; }
  // Replaces the cached region (a membership change or a split was applied; the caller writes
  // the region state in the apply batch, store/raftstore/apply.cc).
  void set_region(metapb::Region region) { region_ = std::move(region); }
  // False until the peer knows its region's range and members (see OpenUninitialized).
  bool initialized() const { return region_.peers_size() > 0; }
  uint64_t region_id() const { return region_.id(); }
  // Adds the region state (Normal, the cached region) to `kv_wb`.
  void WriteRegionState(store::WriteBatch* kv_wb) const;
  Engines engines() const { return engines_; }

 private:
  PeerStorage(Engines engines) : engines_(engines) {}

  Engines engines_;
  metapb::Region region_;
  raft_serverpb::RaftLocalState raft_state_;
  raft_serverpb::RaftApplyState apply_state_;
  SnapshotProvider snapshot_provider_;
  std::optional<SnapshotApplyTask> interrupted_apply_;
};

// Reads and parses the protobuf stored at `key` of the default CF. NotFound when absent,
// Corruption when it does not parse.
store::Status GetMsg(store::Engine* engine, std::string_view key, google::protobuf::Message* msg);
// Adds a put of `msg` at `key` (default CF) to `wb`.
void PutMsg(store::WriteBatch* wb, std::string key, const google::protobuf::Message& msg);

}  // namespace tinykv::raftstore
