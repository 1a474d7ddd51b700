#include "store/raftstore/peer.h"

#include <algorithm>
#include <string>
#include <utility>

#include "store/raftstore/cmd_resp.h"
#include "store/raftstore/keys.h"
#include "store/raftstore/region_epoch.h"
#include "store/raftstore/snapshot.h"

namespace tinykv::raftstore {

using store::Status;

Status Peer::Create(PeerOptions options, Engines engines, std::unique_ptr<Peer>* out) {
  std::unique_ptr<Peer> peer(new Peer(std::move(options)));
  Status s = PeerStorage::Open(engines, peer->options_.region_id, &peer->storage_);
  if (!s.ok()) return s;
  bool found = false;
  for (const auto& p : peer->storage_->region().peers()) {
    if (p.store_id() == peer->options_.store_id) {
      peer->meta_ = p;
      found = true;
    }
  }
  if (!found) {
    return Status::InvalidArgument("store " + std::to_string(peer->options_.store_id) +
                                   " holds no peer of region " +
                                   std::to_string(peer->options_.region_id));
  }
  return Start(std::move(peer), out);
}

Status Peer::CreateUninitialized(PeerOptions options, Engines engines, const metapb::Peer& meta,
                                 std::unique_ptr<Peer>* out) {
  std::unique_ptr<Peer> peer(new Peer(std::move(options)));
  Status s = PeerStorage::OpenUninitialized(engines, peer->options_.region_id, &peer->storage_);
  if (!s.ok()) return s;
  peer->meta_ = meta;
  return Start(std::move(peer), out);
}

Status Peer::Start(std::unique_ptr<Peer> peer, std::unique_ptr<Peer>* out) {
  const RaftstoreConfig& cfg = peer->options_.config;
  raft::Config rc;
  rc.id = peer->meta_.id();
  rc.election_tick = cfg.election_ticks;
  rc.heartbeat_tick = cfg.heartbeat_ticks;
  rc.storage = peer->storage_.get();
  rc.applied = peer->storage_->applied_index();
  rc.rng = peer->options_.rng;
  rc.logger = peer->options_.logger;
  auto raw = raft::RawNode::Create(rc);
  if (!raw.ok()) return Status::Corruption("cannot start raft: " + raw.status().ToString());
  peer->raw_ = std::move(raw).value();
  if (auto& provide = peer->options_.hooks.provide_snapshot) {
    const uint64_t region_id = peer->region_id();
    peer->storage_->SetSnapshotProvider(
        [provide, region_id](eraftpb::Snapshot* snap) { return provide(region_id, snap); });
  }
  // The GC worker does not sync its deletions, so a crash can bring back log entries it had
  // already deleted (and one during a snapshot's apply can leave the old log behind): sweep the
  // log below the truncated index now — not at the next compaction, which may be far off — and
  // collect from after it on.
  const uint64_t truncated = peer->storage_->truncated_index();
  if (peer->options_.hooks.gc_raft_log) {
    peer->options_.hooks.gc_raft_log(peer->region_id(), 0, truncated + 1);
  }
  peer->last_gc_end_ = truncated + 1;
  if (const auto& task = peer->storage_->interrupted_snapshot_apply()) {
    // A crash interrupted this snapshot's apply: its data may be half written. Nothing is
    // applied or served before the worker has written it again.
    peer->applying_snapshot_ = true;
    peer->applying_index_ = task->index();
    peer->applied_before_snapshot_ = 0;
    if (peer->options_.hooks.schedule_snapshot_apply) {
      peer->options_.hooks.schedule_snapshot_apply(*task);
    }
  }
  *out = std::move(peer);
  return Status::OK();
}

Peer::~Peer() = default;

bool Peer::IsLeader() const { return raw_->raft().role() == raft::Role::kLeader; }
uint64_t Peer::LeaderId() const { return raw_->raft().lead(); }
uint64_t Peer::Term() const { return raw_->raft().term(); }

PeerVitals Peer::vitals() const {
  const raft::Raft& r = raw_->raft();
  PeerVitals v;
  v.role = r.role();
  v.term = r.term();
  v.vote = r.vote();
  v.commit = r.raft_log().committed();
  v.last_index = r.raft_log().LastIndex();
  v.applied = applied_index();
  v.truncated = storage_->truncated_index();
  v.applying_snapshot = applying_snapshot_;
  return v;
}

const metapb::Peer* Peer::FindPeerMeta(uint64_t peer_id) const {
  for (const auto& p : region().peers()) {
    if (p.id() == peer_id) return &p;
  }
  auto it = peer_cache_.find(peer_id);
  return it == peer_cache_.end() ? nullptr : &it->second;
}

std::optional<metapb::Peer> Peer::FindPeer(uint64_t peer_id) const {
  const metapb::Peer* p = FindPeerMeta(peer_id);
  if (p == nullptr) return std::nullopt;
  return *p;
}

void Peer::Tick() {
  raw_->Tick();
  if (held_entries_.empty()) return;
  // A leader holding back its own removal (apply.cc): hand leadership over, and apply once
  // another peer leads and has shown that it knows the removal committed — it told this peer of
  // a commit of its own term, which covers every earlier entry. (The transferee may have been
  // elected before the old leader's commit index reached it: it then commits its first entry
  // with this peer's help, which this peer must stay alive to give.)
  if (IsLeader()) {
    if (const uint64_t best = MostCaughtUpOtherPeer(); best != 0) raw_->TransferLeader(best);
    return;
  }
  const raft::RaftLog& log = raw_->raft().raft_log();
  const auto committed_term = log.Term(log.committed());
  if (LeaderId() == 0 || LeaderId() == id() || !committed_term.ok() || *committed_term != Term()) {
    return;
  }
  ApplyCommitted(std::exchange(held_entries_, {}));
}

void Peer::Step(raft_serverpb::RaftMessage&& msg) {
  if (msg.region_id() != region_id() || msg.to_peer().id() != id()) return;
  if (msg.from_peer().id() != 0)
    peer_cache_.insert_or_assign(msg.from_peer().id(), msg.from_peer());
  // Errors are protocol noise (a response from a removed peer, a stale message): drop them.
  // Moved: an append's entries go into the log without another copy.
  (void)raw_->Step(std::move(*msg.mutable_message()));
}

void Peer::Refuse(CmdCallback& cb, const errorpb::Error& err) {
  cb(CmdResult{ErrorResponse(err), nullptr});
}

void Peer::Propose([[maybe_unused]] const raft_cmdpb::RaftCmdRequest& req, CmdCallback cb) {
  // BEGIN SOLUTION(lab2b)
  // STUB: cb(CmdResult{ErrorResponse(NotLeaderError(region_id(), std::nullopt)), nullptr});
  if (req.header().region_id() != region_id()) {
    return Refuse(cb, RegionNotFoundError(req.header().region_id()));
  }
  if (!IsLeader()) return Refuse(cb, NotLeaderError(region_id(), FindPeer(LeaderId())));
  // END SOLUTION
  // BEGIN SOLUTION(lab3b)
  if (auto err = CheckRegionEpoch(req, region())) return Refuse(cb, *err);
  if (auto err = CheckKeysInRegion(req, region())) return Refuse(cb, *err);
  if (req.has_admin_request()) {
    switch (req.admin_request().cmd_type()) {
      case raft_cmdpb::TransferLeader:
        return ProposeTransferLeader(req, std::move(cb));
      case raft_cmdpb::ChangePeer:
        return ProposeChangePeer(req, std::move(cb));
      default:
        break;  // proposed through the log like a normal command
    }
  }
  // END SOLUTION
  // BEGIN SOLUTION(lab2b)
  raft::Status s = raw_->Propose(req.SerializeAsString());
  if (!s.ok()) {
    // Dropped (e.g. a leader transfer is under way): the client retries with the hint.
    return Refuse(cb, NotLeaderError(region_id(), FindPeer(LeaderId())));
  }
  proposals_.push_back(Proposal{raw_->raft().raft_log().LastIndex(), Term(), std::move(cb)});
  // END SOLUTION
}

void Peer::ProposeTransferLeader([[maybe_unused]] const raft_cmdpb::RaftCmdRequest& req,
                                 CmdCallback cb) {
  // BEGIN SOLUTION(lab3b)
  // STUB: Refuse(cb, OtherError("TransferLeader is not implemented (lab3b)"));
  // Not replicated: only the leader's raft acts on it (lab3a), and the answer says only that
  // the transfer was asked for — the caller watches the leader change.
  raw_->TransferLeader(req.admin_request().transfer_leader().peer().id());
  CmdResult r;
  r.response.mutable_admin_response()->set_cmd_type(raft_cmdpb::TransferLeader);
  r.response.mutable_admin_response()->mutable_transfer_leader();
  cb(std::move(r));
  // END SOLUTION
}

void Peer::ProposeChangePeer([[maybe_unused]] const raft_cmdpb::RaftCmdRequest& req,
                             CmdCallback cb) {
  // BEGIN SOLUTION(lab3b)
  // STUB: Refuse(cb, OtherError("ChangePeer is not implemented (lab3b)"));
  const raft_cmdpb::ChangePeerRequest& change = req.admin_request().change_peer();
  if (change.change_type() == eraftpb::RemoveNode && change.peer().id() == id()) {
    // A leader does not remove itself: once it has applied its removal it is gone, and the
    // others may never learn that the change committed (the commit index travels with the next
    // append, which the removed leader never sends) — a two-peer region would be left with one
    // peer that cannot win an election. So it hands leadership to the most caught-up other peer
    // first and refuses; the new leader removes it when asked again.
    if (const uint64_t best = MostCaughtUpOtherPeer(); best != 0) raw_->TransferLeader(best);
    return Refuse(cb, OtherError("peer " + std::to_string(id()) + " leads region " +
                                 std::to_string(region_id()) +
                                 " and is asked to remove itself: leadership is being "
                                 "transferred first; ask the new leader"));
  }
  eraftpb::ConfChange cc;
  cc.set_change_type(change.change_type());
  cc.set_node_id(change.peer().id());
  cc.set_context(req.SerializeAsString());  // the whole command, for the apply's epoch check
  raft::Status s = raw_->ProposeConfChange(cc);
  if (!s.ok()) return Refuse(cb, OtherError("membership change refused: " + s.ToString()));
  proposals_.push_back(Proposal{raw_->raft().raft_log().LastIndex(), Term(), std::move(cb)});
  // END SOLUTION
}

void Peer::SendMessages(std::vector<eraftpb::Message> msgs) {
  // One envelope for the whole batch: only the destination and the message change.
  raft_serverpb::RaftMessage rm;
  rm.set_region_id(region_id());
  *rm.mutable_from_peer() = meta_;
  *rm.mutable_region_epoch() = region().region_epoch();
  rm.set_start_key(region().start_key());
  rm.set_end_key(region().end_key());
  for (auto& m : msgs) {
    const metapb::Peer* to = FindPeerMeta(m.to());
    if (to == nullptr) continue;  // not a member we know the store of
    *rm.mutable_to_peer() = *to;
    rm.mutable_message()->Swap(&m);
    options_.transport->Send(rm);
  }
}

bool Peer::HandleReady() {
  // BEGIN SOLUTION(lab2b)
  // STUB: return false;
  if (!raw_->HasReady()) return true;
  raft::Ready rd = raw_->GetReady();
  if (rd.soft_state && options_.hooks.on_soft_state)
    options_.hooks.on_soft_state(*rd.soft_state, Term());
  // 1. persist. A received snapshot replaces the log (and, through the snapshot-apply worker,
  // the data) before the new entries land.
  if (rd.snapshot && !BeginSnapshotApply(*rd.snapshot)) return false;
  if (!storage_->SaveReadyState(rd).ok()) return false;
  // 2. send, only once what the messages promise is durable. (A snapshot's data need not be
  // written yet: it is durable as the pending snapshot.)
  SendMessages(std::move(rd.messages));
  // 3. apply (held back while a snapshot is being applied).
  ApplyCommitted(std::move(rd.committed_entries));
  raw_->Advance(rd);
  return true;
  // END SOLUTION
}

void Peer::OnSnapshotApplied(uint64_t index) {
  // Entries up to `index` arrived inside the snapshot, unseen: whether a proposal among them was
  // executed is unknown, so it must not be answered as stale (which means "not executed").
  while (!proposals_.empty() && proposals_.front().index <= index) {
    raft_cmdpb::RaftCmdResponse resp;
    errorpb::Error err;
    err.set_message("outcome unknown: the proposal's entry was covered by a snapshot");
    CmdCallback cb = std::move(proposals_.front().cb);
    proposals_.pop_front();
    CmdResult r{ErrorResponse(err), nullptr};
    cb(std::move(r));
  }
  last_gc_end_ = std::max(last_gc_end_, storage_->truncated_index() + 1);
}

bool Peer::BeginSnapshotApply([[maybe_unused]] const eraftpb::Snapshot& snap) {
  // BEGIN SOLUTION(lab2c)
  // STUB: return false;
  // Until the worker has written the data, report the applied index from before the snapshot
  // (the apply state persisted below already names the snapshot's).
  const uint64_t applied_before = storage_->applied_index();
  const metapb::Region before = region();
  SnapshotApplyTask task;
  if (!storage_->ApplySnapshot(snap, &task).ok()) return false;
  applied_before_snapshot_ = applied_before;
  applying_snapshot_ = true;
  applying_index_ = task.index();
  options_.hooks.schedule_snapshot_apply(std::move(task));
  // END SOLUTION
  // BEGIN SOLUTION(lab3b)
  if (options_.hooks.on_range_changed) options_.hooks.on_range_changed(before, region());
  // END SOLUTION
  return true;
}

bool Peer::OnSnapshotApplyDone(const SnapshotApplyResult& result) {
  if (!applying_snapshot_ || result.region_id != region_id() || result.index != applying_index_ ||
      !result.status.ok()) {
    return false;
  }
  applying_snapshot_ = false;
  OnSnapshotApplied(result.index);
  ApplyCommitted(std::exchange(waiting_entries_, {}));
  return true;
}

void Peer::AnswerProposals([[maybe_unused]] uint64_t index, [[maybe_unused]] uint64_t term,
                           [[maybe_unused]] CmdResult result) {
  // BEGIN SOLUTION(lab2b)
  while (!proposals_.empty()) {
    Proposal& p = proposals_.front();
    if (p.index > index) return;  // not reached yet
    CmdCallback cb = std::move(p.cb);
    const bool mine = p.index == index && p.term == term;
    proposals_.pop_front();
    if (mine) {
      result.response.mutable_header()->set_current_term(Term());
      cb(std::move(result));
      return;
    }
    // Another leader's entry took this index (or an earlier one): never executed.
    cb(CmdResult{ErrorResponse(StaleCommandError()), nullptr});
  }
  // END SOLUTION
}

void Peer::OnRaftLogGcTick() {
  // BEGIN SOLUTION(lab2c)
  const uint64_t limit = options_.config.raft_log_gc_count_limit;
  if (limit == 0 || !IsLeader()) return;
  const uint64_t applied = storage_->applied_index();
  const uint64_t first = storage_->truncated_index() + 1;
  if (applied < first || applied - first < limit) return;
  auto term = storage_->Term(applied);
  if (!term.ok()) return;
  raft_cmdpb::RaftCmdRequest req;
  req.mutable_header()->set_region_id(region_id());
  *req.mutable_header()->mutable_peer() = meta_;
  auto* admin = req.mutable_admin_request();
  admin->set_cmd_type(raft_cmdpb::CompactLog);
  admin->mutable_compact_log()->set_compact_index(applied);
  admin->mutable_compact_log()->set_compact_term(*term);
  (void)raw_->Propose(req.SerializeAsString());  // best effort: the next tick tries again
  // END SOLUTION
}

}  // namespace tinykv::raftstore

namespace tinykv::raftstore {

void Peer::Campaign() { (void)raw_->Campaign(); }

uint64_t Peer::MostCaughtUpOtherPeer() const {
  uint64_t best = 0;
  uint64_t best_match = 0;
  for (const auto& [peer_id, progress] : status().progress) {
    if (peer_id != id() && (best == 0 || progress.match > best_match)) {
      best = peer_id;
      best_match = progress.match;
    }
  }
  return best;
}

std::vector<metapb::Peer> Peer::PendingPeers() const {
  std::vector<metapb::Peer> pending;
  if (!IsLeader()) return pending;
  const uint64_t truncated = storage_->truncated_index();
  for (const auto& [peer_id, progress] : status().progress) {
    if (progress.match >= truncated) continue;
    if (const metapb::Peer* p = FindPeerMeta(peer_id)) pending.push_back(*p);
  }
  return pending;
}

Status Peer::Destroy() {
  // BEGIN SOLUTION(lab3b)
  // STUB: return Status::NotSupported("Peer::Destroy (lab3b)");
  const uint64_t rid = region_id();
  if (Status s = DestroyRegionState(storage_->engines(), region(), initialized()); !s.ok()) {
    return s;
  }
  // Their entries may still commit on the peers that remain: their outcome is unknown.
  while (!proposals_.empty()) {
    CmdCallback cb = std::move(proposals_.front().cb);
    proposals_.pop_front();
    Refuse(cb, OtherError("outcome unknown: the peer of region " + std::to_string(rid) +
                          " on this store was removed while the command waited"));
  }
  return Status::OK();
  // END SOLUTION
}

Status DestroyRegionState([[maybe_unused]] Engines engines,
                          [[maybe_unused]] const metapb::Region& region,
                          [[maybe_unused]] bool with_data) {
  // BEGIN SOLUTION(lab3b)
  // STUB: return Status::NotSupported("DestroyRegionState (lab3b)");
  const uint64_t rid = region.id();
  // kv engine first: once the tombstone is durable the region never comes back here, whatever
  // the raft engine still holds (an orphaned raft state only keeps a term and a vote, see
  // PeerStorage::OpenUninitialized).
  store::WriteBatch kv_wb;
  if (with_data) {
    const auto [begin, end] = RegionDataRange(region);
    for (store::Cf cf : store::kAllCfs) kv_wb.DeleteRange(cf, begin, end);
  }
  kv_wb.Delete(store::Cf::kDefault, ApplyStateKey(rid));
  kv_wb.Delete(store::Cf::kDefault, PendingSnapshotKey(rid));
  raft_serverpb::RegionLocalState tombstone;
  tombstone.set_state(raft_serverpb::Tombstone);
  *tombstone.mutable_region() = region;
  PutMsg(&kv_wb, RegionStateKey(rid), tombstone);
  Status s = engines.kv->Write(store::WriteOptions{.sync = true}, kv_wb);
  if (!s.ok()) return s;
  store::WriteBatch raft_wb;
  raft_wb.DeleteRange(store::Cf::kDefault, RaftLogKey(rid, 0), RaftLogKey(rid, UINT64_MAX));
  raft_wb.Delete(store::Cf::kDefault, RaftStateKey(rid));
  return engines.raft->Write(store::WriteOptions{.sync = true}, raft_wb);
  // END SOLUTION
}

}  // namespace tinykv::raftstore
