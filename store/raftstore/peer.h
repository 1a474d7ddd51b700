// Peer: one replica of a region on this store — a RawNode over a PeerStorage, the proposals
// waiting for their entries, and the ready loop that persists, sends and applies
// (TinyKV's peer.go + peer_msg_handler.go).
//
// The store's raft worker fiber owns the Peer and is the only caller of every method. It feeds
// Tick() on a timer, Step() with every RaftMessage received for the region, Propose() with client
// commands, and calls HandleReady() after each batch of inputs. HandleReady processes one Ready
// in the order written on raft::Ready: persist (snapshot, entries and hard state in one synced
// raft-engine batch) → send (Transport) → apply (committed entries into the kv engine, each entry
// with its apply state in one batch; then the proposal's callback runs) → Advance.
//
// Proposals: Propose answers at once with NotLeader (leader hint when known) if this peer cannot
// propose, RegionNotFound for another region; otherwise it remembers (index, term, callback) and
// answers once the entry at that index is applied: with the command's responses if the applied
// entry has the proposal's term, StaleCommand if another leader's entry took the index. Reads
// (Get, Snap) are proposed like writes, so they are linearizable: a deposed leader cannot commit
// them and so never answers from stale state.
//
// Applying a snapshot (lab2c, store/raftstore/snapshot_apply.h): a Ready carrying a snapshot from
// the leader is persisted as a pending snapshot, whose data the store's snapshot-apply worker
// writes on its own fiber. Meanwhile the peer is *applying*: Tick and Step go on (Raft keeps its
// timers and log), but HasReady() is false, so no Ready is processed, no message is sent and no
// committed entry is applied until OnSnapshotApplyDone(); committed entries handed out with the
// snapshot's Ready wait in the peer. An applying peer cannot be leader (it sends no votes), so
// every proposal is refused with NotLeader and nothing is ever served from a half-applied region.
// After a crash in the middle, Create finds the interrupted apply and starts applying again.
//
// Regions and membership (lab3b): every proposal is checked against the region's epoch and range
// (region_epoch.h) when proposed and again when applied, so a command meant for an older state
// of the region (before a split or a membership change) is answered EpochNotMatch or
// KeyNotInRegion and never executed. TransferLeader is handled by the leader at once;
// ChangePeer goes through raft's ProposeConfChange with the whole command as the change's
// context and is applied when committed: the region's peers and conf_ver change, and the new
// region state is written in the apply state's batch. A leader asked to remove itself hands
// leadership over instead and refuses (see ProposeChangePeer): the new leader removes it; a
// leader about to apply its own removal (an earlier leader proposed it) holds it back until it
// has handed leadership over (apply.cc). A peer whose removal it applied stops applying and is
// destroyed by the store (Destroy).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "proto/raft_cmdpb.pb.h"
#include "proto/raft_serverpb.pb.h"
#include "raft/raw_node.h"
#include "store/raftstore/config.h"
#include "store/raftstore/engines.h"
#include "store/raftstore/peer_storage.h"
#include "store/raftstore/snapshot_apply.h"
#include "store/raftstore/transport.h"

namespace tinykv::raftstore {

// What a proposal's callback receives.
struct CmdResult {
  raft_cmdpb::RaftCmdResponse response;
  // For a Snap request: the kv engine as of right after the entry was applied.
  std::shared_ptr<store::Snapshot> snapshot;
};
using CmdCallback = std::function<void(CmdResult)>;

// Work the peer hands to the store's background workers (they run on other fibers).
struct PeerHooks {
  // Delete raft log entries [begin, end) of the region (raft-log GC worker).
  std::function<void(uint64_t region_id, uint64_t begin, uint64_t end)> gc_raft_log;
  // Role / leader changed (for traces and inspection).
  std::function<void(const raft::SoftState&, uint64_t term)> on_soft_state;
  // Hands a snapshot's data to the store's snapshot-apply worker (lab2c), whose result comes
  // back through OnSnapshotApplyDone. Required once the peer can receive snapshots.
  std::function<void(SnapshotApplyTask)> schedule_snapshot_apply;
  // Raft needs a snapshot of the region for a lagging follower: true and *snap set when one is
  // ready, false to be asked again later (PeerStorage::SnapshotProvider). May be empty.
  std::function<bool(uint64_t region_id, eraftpb::Snapshot* snap)> provide_snapshot;
  // The region's key range changed: a snapshot made an uninitialized peer initialized or moved
  // its range (persisted before this runs), or a split was applied. `before` is the old region
  // (uninitialized: no peers). The store re-indexes the range (store/raftstore/store_peers.h).
  std::function<void(const metapb::Region& before, const metapb::Region& now)> on_range_changed;
  // A split was applied (after on_range_changed for the shrunk region): `created` is the new
  // region, whose states are on disk unless this store already had a state for it. The store
  // starts its peer (`campaign`: at once, this peer led the old region). Lab3b.
  std::function<void(const metapb::Region& created, bool campaign)> on_split;
};

// The numbers an observer of the store checks after every batch of the raft worker (the harness's
// invariant monitors): a cheap copy, unlike status(), which also copies the leader's progress.
struct PeerVitals {
  raft::Role role = raft::Role::kFollower;
  uint64_t term = 0;
  uint64_t vote = 0;
  uint64_t commit = 0;
  uint64_t last_index = 0;
  uint64_t applied = 0;    // applied_index()
  uint64_t truncated = 0;  // storage().truncated_index()
  bool applying_snapshot = false;

  bool operator==(const PeerVitals&) const = default;
};

struct PeerOptions {
  uint64_t store_id = 0;
  uint64_t region_id = 1;
  RaftstoreConfig config;
  raft::RandomFn rng;              // seeded by the caller
  Transport* transport = nullptr;  // not owned
  raft::Logger* logger = nullptr;  // may be null
  PeerHooks hooks;
};

// What Peer::Destroy writes, for a region whose peer object is gone or was never started (a
// store that crashed after applying its own removal finishes destroying it at its next start):
// in one synced kv batch, the data range (when `with_data`), apply state and pending snapshot
// deleted and a Tombstone region state holding `region` written; then, synced, the raft state
// and log deleted.
store::Status DestroyRegionState(Engines engines, const metapb::Region& region, bool with_data);

class Peer {
 public:
  // Opens the region's storage on `engines` and starts its RawNode from it (restart-safe: the
  // applied index comes from the kv engine's apply state). NotFound when the region is not on
  // this store; InvalidArgument when this store holds no peer of it.
  static store::Status Create(PeerOptions options, Engines engines, std::unique_ptr<Peer>* out);
  // An uninitialized peer `meta` of region options.region_id (lab3b): created when a raft
  // message says this store should host one (store/raftstore/store_peers.h). It knows no range
  // and no members, so it never campaigns; it votes, and waits for its leader's snapshot
  // (PeerStorage::OpenUninitialized). Nothing is written until then.
  static store::Status CreateUninitialized(PeerOptions options, Engines engines,
                                           const metapb::Peer& meta, std::unique_ptr<Peer>* out);
  ~Peer();

  void Tick();
  // Steps a message from another peer; messages for another region or peer are dropped. The
  // sender is remembered (the peer cache), so that a peer added to the region after this one
  // knew it can be answered before the membership change reaches this peer. The store's
  // routing rules (store_peers.h) run before this.
  void Step(raft_serverpb::RaftMessage&& msg);
  // See the file comment. `cb` runs exactly once unless the store crashes first (maybe before
  // Propose returns, for an immediate error).
  void Propose(const raft_cmdpb::RaftCmdRequest& req, CmdCallback cb);
  // Processes at most one Ready, if raft has one. False when an engine write failed (the store
  // is going down): the Ready was not advanced.
  bool HandleReady();
  // False while a snapshot is being applied (see the file comment).
  bool HasReady() const { return !applying_snapshot_ && raw_->HasReady(); }
  // The snapshot-apply worker's report. True when it completed the apply in progress: the peer
  // then answers the proposals the snapshot covered, applies the committed entries that waited,
  // and processes Readys again. A stale report is ignored; a failed one (the store is going
  // down) leaves the peer applying.
  bool OnSnapshotApplyDone(const SnapshotApplyResult& result);
  bool applying_snapshot() const { return applying_snapshot_; }
  // Raft-log GC tick: a leader proposes CompactLog when the log holds too many applied entries.
  void OnRaftLogGcTick();
  // Installs the snapshot generator raft uses when a follower lags behind the compacted log.
  void SetSnapshotProvider(PeerStorage::SnapshotProvider p) {
    storage_->SetSnapshotProvider(std::move(p));
  }

  // ---- membership (lab3b) ----
  // True once the region's range and members are known (see CreateUninitialized).
  bool initialized() const { return storage_->initialized(); }
  // True once a committed membership change removed this peer: it applies nothing more, and the
  // store destroys it (Destroy) after the Ready that applied the change.
  bool removed() const { return removed_; }
  // Destroys the peer's state on this store (DestroyRegionState, with the region as this peer
  // last knew it; its data range when the peer was initialized). The proposals still waiting are
  // answered "outcome unknown" (the remaining peers may still commit them). The store then forgets
  // the peer. REQUIRES: !applying_snapshot(). Returns the engine's error (the store is going down;
  // the restarted store finds the peer again, or its tombstone).
  store::Status Destroy();
  // On a leader, the members whose log is behind the truncated index (they need a snapshot
  // before they count as caught up): the pending peers of the region heartbeat. Empty on others.
  std::vector<metapb::Peer> PendingPeers() const;
  // Starts an election now (a region created by a split on the store that led its parent).
  void Campaign();
  uint64_t approximate_size() const { return approximate_size_; }
  void set_approximate_size(uint64_t bytes) { approximate_size_ = bytes; }

  uint64_t id() const { return meta_.id(); }
  const metapb::Peer& meta() const { return meta_; }
  uint64_t region_id() const { return storage_->region_id(); }
  const metapb::Region& region() const { return storage_->region(); }
  bool IsLeader() const;
  uint64_t LeaderId() const;
  uint64_t Term() const;
  // The last index whose writes are all in the kv engine. While a snapshot is being applied this
  // is the index before it (0 when the apply resumed after a crash), although the persisted
  // apply state already names the snapshot's index.
  uint64_t applied_index() const {
    return applying_snapshot_ ? applied_before_snapshot_ : storage_->applied_index();
  }
  raft::NodeStatus status() const { return raw_->GetStatus(); }
  PeerVitals vitals() const;
  PeerStorage& storage() { return *storage_; }
  const PeerStorage& storage() const { return *storage_; }
  size_t pending_proposals() const { return proposals_.size(); }
  // The proposals still waiting for their answer, oldest first (for sim-inspect and monitors):
  // the log index and term each was proposed at.
  struct PendingProposal {
    uint64_t index = 0;
    uint64_t term = 0;
  };
  std::vector<PendingProposal> PendingProposals() const {
    std::vector<PendingProposal> out;
    for (const Proposal& p : proposals_) out.push_back({.index = p.index, .term = p.term});
    return out;
  }

 private:
  struct Proposal {
    uint64_t index;
    uint64_t term;
    CmdCallback cb;
  };

  Peer(PeerOptions options) : options_(std::move(options)) {}
  // Shared by Create and CreateUninitialized once the storage is open and meta_ set.
  static store::Status Start(std::unique_ptr<Peer> peer, std::unique_ptr<Peer>* out);
  std::optional<metapb::Peer> FindPeer(uint64_t peer_id) const;
  // On a leader: the other member with the highest match (0 when there is none).
  uint64_t MostCaughtUpOtherPeer() const;
  // Is `entry` a membership change that, applied now by this leader, removes it (apply.cc)?
  bool RemovesThisLeader(const eraftpb::Entry& entry) const;
  // The region's member `peer_id`, or the peer cache's entry for it, or null. Points into
  // region() or the cache (valid until either changes).
  const metapb::Peer* FindPeerMeta(uint64_t peer_id) const;
  // Answers a proposal that cannot be proposed (at once, with `err`).
  static void Refuse(CmdCallback& cb, const errorpb::Error& err);
  // The admin commands a leader handles without the log (TransferLeader) or through a
  // membership change (ChangePeer); lab3b.
  void ProposeTransferLeader(const raft_cmdpb::RaftCmdRequest& req, CmdCallback cb);
  void ProposeChangePeer(const raft_cmdpb::RaftCmdRequest& req, CmdCallback cb);
  // Applies a committed membership change entry: checks its epoch, changes the region's peers
  // and conf_ver (region state into `wb`), tells raft. Fills result's response.
  void ApplyConfChangeEntry(const eraftpb::Entry& entry, store::WriteBatch* wb, CmdResult* result);
  void SendMessages(std::vector<eraftpb::Message> msgs);
  // ---- apply path (apply.cc) ----
  // Applies `entries` in order, or keeps them for later while a snapshot is being applied.
  void ApplyCommitted(std::vector<eraftpb::Entry> entries);
  void ApplyEntry(const eraftpb::Entry& entry);
  // Adds the command's writes to `wb`.
  void ApplyWrites(const raft_cmdpb::RaftCmdRequest& req, store::WriteBatch* wb);
  // The command's responses, read once its writes are in the engine.
  CmdResult ReadResults(const raft_cmdpb::RaftCmdRequest& req);
  void ApplyAdmin(const raft_cmdpb::AdminRequest& req, store::WriteBatch* wb,
                  raft_cmdpb::RaftCmdResponse* resp);
  // ---- split (split.cc, lab3b) ----
  // Applies a committed Split: the region ends at the split key, a new region (the request's id
  // and peer ids) covers the rest, both versions grow; both region states go into `wb`, and the
  // new region's initial raft state to the raft engine (synced) unless the store already holds
  // a state of it. Error responses for a split key outside the region or a malformed request.
  void ApplySplit(const raft_cmdpb::SplitRequest& req, store::WriteBatch* wb,
                  raft_cmdpb::RaftCmdResponse* resp);
  // Answers the proposals up to `index` (stale ones with StaleCommand).
  void AnswerProposals(uint64_t index, uint64_t term, CmdResult result);
  void OnSnapshotApplied(uint64_t index);
  // Persists the Ready's snapshot (PeerStorage::ApplySnapshot), hands its data to the
  // snapshot-apply worker and enters the applying state. False when nothing could be persisted
  // (the Ready must not be advanced).
  bool BeginSnapshotApply(const eraftpb::Snapshot& snap);

  PeerOptions options_;
  metapb::Peer meta_;
  std::unique_ptr<PeerStorage> storage_;
  std::unique_ptr<raft::RawNode> raw_;
  std::deque<Proposal> proposals_;
  // Raft-log GC: the first index the GC worker has not been asked to delete yet.
  uint64_t last_gc_end_ = 0;
  // Snapshot apply in progress (see the file comment): its index, the applied index before it,
  // and the committed entries after it, applied once it completes.
  bool applying_snapshot_ = false;
  uint64_t applying_index_ = 0;
  uint64_t applied_before_snapshot_ = 0;
  std::vector<eraftpb::Entry> waiting_entries_;
  // Peers of the region this peer heard from that are not (yet) in its region state.
  std::map<uint64_t, metapb::Peer> peer_cache_;
  bool removed_ = false;
  // Committed entries from one that would remove this peer while it leads on (apply.cc): held
  // until leadership has moved to another peer.
  std::vector<eraftpb::Entry> held_entries_;
  // A split this entry applied: the hooks run once its batch is written.
  std::optional<metapb::Region> split_before_;
  std::optional<metapb::Region> split_created_;
  // The region's size in bytes as the split checker last measured it (region heartbeats).
  uint64_t approximate_size_ = 0;
};

}  // namespace tinykv::raftstore
