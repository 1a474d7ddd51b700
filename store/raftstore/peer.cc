#include "store/raftstore/peer.h"

#include <algorithm>
#include <string>
#include <utility>

#include "store/raftstore/cmd_resp.h"

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
  return nullptr;
}

std::optional<metapb::Peer> Peer::FindPeer(uint64_t peer_id) const {
  const metapb::Peer* p = FindPeerMeta(peer_id);
  if (p == nullptr) return std::nullopt;
  return *p;
}

void Peer::Tick() { raw_->Tick(); }

void Peer::Step(raft_serverpb::RaftMessage&& msg) {
  if (msg.region_id() != region_id() || msg.to_peer().id() != id()) return;
  // Errors are protocol noise (a response from a removed peer, a stale message): drop them.
  // Moved: an append's entries go into the log without another copy.
  (void)raw_->Step(std::move(*msg.mutable_message()));
}

void Peer::Propose([[maybe_unused]] const raft_cmdpb::RaftCmdRequest& req, CmdCallback cb) {
  // BEGIN SOLUTION(lab2b)
  // STUB: cb(CmdResult{ErrorResponse(NotLeaderError(region_id(), std::nullopt)), nullptr});
  if (req.header().region_id() != region_id()) {
    cb(CmdResult{ErrorResponse(RegionNotFoundError(req.header().region_id())), nullptr});
    return;
  }
  if (!IsLeader()) {
    cb(CmdResult{ErrorResponse(NotLeaderError(region_id(), FindPeer(LeaderId()))), nullptr});
    return;
  }
  raft::Status s = raw_->Propose(req.SerializeAsString());
  if (!s.ok()) {
    // Dropped (e.g. a leader transfer is under way): the client retries with the hint.
    cb(CmdResult{ErrorResponse(NotLeaderError(region_id(), FindPeer(LeaderId()))), nullptr});
    return;
  }
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
  SnapshotApplyTask task;
  if (!storage_->ApplySnapshot(snap, &task).ok()) return false;
  applied_before_snapshot_ = applied_before;
  applying_snapshot_ = true;
  applying_index_ = task.index();
  options_.hooks.schedule_snapshot_apply(std::move(task));
  return true;
  // END SOLUTION
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
