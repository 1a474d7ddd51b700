#include "raft/raft.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "raft/check.h"

namespace tinykv::raft {

using eraftpb::Entry;
using eraftpb::Message;
using eraftpb::MessageType;

namespace {

// BEGIN SOLUTION(lab2ab)
// Moves the entries out of a message we own (moving a protobuf Entry swaps pointers: its
// payload is not copied).
std::vector<Entry> TakeEntries(Message& m) {
  std::vector<Entry> out;
  out.reserve(m.entries_size());
  for (Entry& e : *m.mutable_entries()) out.push_back(std::move(e));
  return out;
}
// END SOLUTION

}  // namespace

const char* RoleName(Role role) {
  switch (role) {
    case Role::kFollower:
      return "Follower";
    case Role::kCandidate:
      return "Candidate";
    case Role::kLeader:
      return "Leader";
  }
  return "Unknown";
}

std::string NodeStatus::ToString() const {
  std::string s = "id=" + std::to_string(id) + " term=" + std::to_string(term) +
                  " vote=" + std::to_string(vote) + " role=" + RoleName(role) +
                  " lead=" + std::to_string(lead) + " commit=" + std::to_string(commit) +
                  " applied=" + std::to_string(applied) + " last=" + std::to_string(last_index) +
                  " nodes=[";
  for (size_t i = 0; i < nodes.size(); ++i) s += (i ? "," : "") + std::to_string(nodes[i]);
  s += "]";
  for (const auto& [pid, pr] : progress) {
    s += " pr" + std::to_string(pid) + "={m=" + std::to_string(pr.match) +
         ",n=" + std::to_string(pr.next) + "}";
  }
  return s;
}

Result<std::unique_ptr<Raft>> Raft::Create(const Config& config) {
  if (Status s = config.Validate(); !s.ok()) return s;
  auto init = config.storage->GetInitialState();
  if (!init.ok()) return init.status();
  for (auto r : {config.storage->FirstIndex(), config.storage->LastIndex()}) {
    if (!r.ok()) return r.status();
  }
  if (auto first = config.storage->FirstIndex(); !config.storage->Term(*first - 1).ok()) {
    return config.storage->Term(*first - 1).status();
  }
  const auto& hs = init->hard_state;
  const uint64_t last = *config.storage->LastIndex();
  if (hs.commit() > last) {
    return Status::InvalidArgument("storage: hard state commit " + std::to_string(hs.commit()) +
                                   " is past the last index " + std::to_string(last));
  }
  if (config.applied > std::max<uint64_t>(hs.commit(), *config.storage->FirstIndex() - 1)) {
    return Status::InvalidArgument("config: applied " + std::to_string(config.applied) +
                                   " is past the committed index");
  }
  return std::unique_ptr<Raft>(new Raft(config, *init));
}

Raft::Raft(const Config& c, const InitialState& init)
    : id_(c.id),
      election_timeout_(c.election_tick),
      heartbeat_timeout_(c.heartbeat_tick),
      storage_(c.storage),
      rng_(c.rng),
      logger_(c.logger != nullptr ? c.logger : NoopLogger::Instance()),
      raft_log_(c.storage) {
  // BEGIN SOLUTION(lab2aa)
  std::vector<uint64_t> peers = c.peers;
  if (peers.empty()) {
    peers.assign(init.conf_state.nodes().begin(), init.conf_state.nodes().end());
  }
  for (uint64_t p : peers) prs_[p] = Progress{0, raft_log_.LastIndex() + 1};
  term_ = init.hard_state.term();
  vote_ = init.hard_state.vote();
  raft_log_.CommitTo(init.hard_state.commit());
  if (c.applied > raft_log_.applied()) raft_log_.AppliedTo(c.applied);
  BecomeFollower(term_, kNone);
  // END SOLUTION
}

// ---------------------------------------------------------------------------------------------
// Role transitions and elections (lab2aa).

void Raft::ResetElectionTimer() {
  // BEGIN SOLUTION(lab2aa)
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  randomized_election_timeout_ =
      election_timeout_ + static_cast<int>(UniformBelow(rng_, election_timeout_));
  // END SOLUTION
}

void Raft::BecomeFollower(uint64_t term, uint64_t lead) {
  // BEGIN SOLUTION(lab2aa)
  if (term != term_) {
    term_ = term;
    vote_ = kNone;
  }
  role_ = Role::kFollower;
  lead_ = lead;
  lead_transferee_ = kNone;
  votes_.clear();
  ResetElectionTimer();
  Log(LogLevel::kDebug, "became follower at term " + std::to_string(term_));
  // END SOLUTION
}

void Raft::BecomeCandidate() {
  // BEGIN SOLUTION(lab2aa)
  term_ += 1;
  vote_ = id_;
  role_ = Role::kCandidate;
  lead_ = kNone;
  lead_transferee_ = kNone;
  votes_.clear();
  votes_[id_] = true;
  ResetElectionTimer();
  Log(LogLevel::kDebug, "became candidate at term " + std::to_string(term_));
  // END SOLUTION
}

void Raft::BecomeLeader() {
  // BEGIN SOLUTION(lab2aa)
  role_ = Role::kLeader;
  lead_ = id_;
  lead_transferee_ = kNone;
  ResetElectionTimer();
  const uint64_t last = raft_log_.LastIndex();
  for (auto& [pid, pr] : prs_) pr = Progress{0, last + 1};
  // The empty entry of the new term lets the leader commit entries of earlier terms (§5.4.2).
  Entry noop;
  noop.set_term(term_);
  noop.set_index(last + 1);
  raft_log_.Append({noop});
  if (auto it = prs_.find(id_); it != prs_.end()) {
    it->second = Progress{raft_log_.LastIndex(), raft_log_.LastIndex() + 1};
  }
  // Conservatively treat everything before the noop as possibly holding a conf change.
  pending_conf_index_ = raft_log_.LastIndex();
  Log(LogLevel::kInfo, "became leader at term " + std::to_string(term_));
  BcastAppend();
  MaybeCommit();
  // END SOLUTION
}

void Raft::StartElection() {
  // BEGIN SOLUTION(lab2aa)
  if (!IsMember(id_)) return;  // a removed or not-yet-added node never campaigns
  BecomeCandidate();
  if (votes_.size() >= Quorum()) {
    BecomeLeader();
    return;
  }
  for (const auto& [pid, pr] : prs_) {
    if (pid == id_) continue;
    Message m;
    m.set_msg_type(MessageType::MsgRequestVote);
    m.set_to(pid);
    m.set_index(raft_log_.LastIndex());
    m.set_log_term(raft_log_.LastTerm());
    Send(std::move(m));
  }
  // END SOLUTION
}

void Raft::Tick() {
  // BEGIN SOLUTION(lab2aa)
  if (role_ == Role::kLeader) {
    TickTransferTimeout();
    if (++heartbeat_elapsed_ >= heartbeat_timeout_) {
      heartbeat_elapsed_ = 0;
      Message beat;
      beat.set_msg_type(MessageType::MsgBeat);
      beat.set_from(id_);
      (void)Step(std::move(beat));
    }
    return;
  }
  if (++election_elapsed_ >= randomized_election_timeout_) {
    election_elapsed_ = 0;
    Message hup;
    hup.set_msg_type(MessageType::MsgHup);
    hup.set_from(id_);
    (void)Step(std::move(hup));
  }
  // END SOLUTION
}

Status Raft::Step(Message&& m) {
  // BEGIN SOLUTION(lab2aa)
  // STUB: return Status::OK();
  if (m.term() > term_) {
    // A message from a newer term: whoever sent it, we are behind (§5.1).
    const auto t = m.msg_type();
    const bool from_leader = t == MessageType::MsgAppend || t == MessageType::MsgHeartbeat ||
                             t == MessageType::MsgSnapshot;
    BecomeFollower(m.term(), from_leader ? m.from() : kNone);
  } else if (m.term() != 0 && m.term() < term_) {
    // A stale leader learns our term from the response and steps down, and so does a stale
    // candidate (§5.1: a request with a stale term is rejected). Without the answer a candidate
    // this node cannot hear from otherwise — one that joined the group after this node's last
    // applied membership change — stays in lower terms for ever, its votes ignored. Other stale
    // messages are dropped.
    if (m.msg_type() == MessageType::MsgAppend || m.msg_type() == MessageType::MsgHeartbeat ||
        m.msg_type() == MessageType::MsgRequestVote) {
      Message resp;
      resp.set_msg_type(m.msg_type() == MessageType::MsgRequestVote
                            ? MessageType::MsgRequestVoteResponse
                            : MessageType::MsgAppendResponse);
      resp.set_to(m.from());
      resp.set_reject(true);
      Send(std::move(resp));
    }
    return Status::OK();
  }
  switch (role_) {
    case Role::kFollower:
      return StepFollower(m);
    case Role::kCandidate:
      return StepCandidate(m);
    case Role::kLeader:
      return StepLeader(m);
  }
  return Status::OK();
  // END SOLUTION
}

Status Raft::StepFollower(Message& m) {
  // BEGIN SOLUTION(lab2aa)
  // STUB: return Status::OK();
  switch (m.msg_type()) {
    case MessageType::MsgHup:
      StartElection();
      break;
    case MessageType::MsgPropose:
      if (lead_ == kNone) return Status::ProposalDropped("no leader to forward the proposal to");
      m.set_to(lead_);
      Send(std::move(m));
      break;
    case MessageType::MsgAppend:
      election_elapsed_ = 0;
      lead_ = m.from();
      HandleAppendEntries(m);
      break;
    case MessageType::MsgHeartbeat:
      election_elapsed_ = 0;
      lead_ = m.from();
      HandleHeartbeat(m);
      break;
    case MessageType::MsgSnapshot:
      election_elapsed_ = 0;
      lead_ = m.from();
      HandleSnapshot(m);
      break;
    case MessageType::MsgRequestVote:
      HandleRequestVote(m);
      break;
    case MessageType::MsgTransferLeader:
      if (lead_ != kNone) {
        m.set_to(lead_);
        Send(std::move(m));
      }
      break;
    case MessageType::MsgTimeoutNow:
      HandleTimeoutNow(m);
      break;
    default:
      break;
  }
  return Status::OK();
  // END SOLUTION
}

Status Raft::StepCandidate(Message& m) {
  // BEGIN SOLUTION(lab2aa)
  // STUB: return Status::OK();
  switch (m.msg_type()) {
    case MessageType::MsgHup:
      StartElection();
      break;
    case MessageType::MsgPropose:
      return Status::ProposalDropped("candidate has no leader to forward the proposal to");
    case MessageType::MsgAppend:
    case MessageType::MsgHeartbeat:
    case MessageType::MsgSnapshot:
      // A leader of our term exists: concede (§5.2) and handle the message as a follower.
      BecomeFollower(m.term(), m.from());
      return StepFollower(m);
    case MessageType::MsgRequestVote:
      HandleRequestVote(m);
      break;
    case MessageType::MsgRequestVoteResponse:
      HandleVoteResponse(m);
      break;
    default:
      break;
  }
  return Status::OK();
  // END SOLUTION
}

Status Raft::StepLeader(Message& m) {
  // BEGIN SOLUTION(lab2aa)
  // STUB: return Status::OK();
  switch (m.msg_type()) {
    case MessageType::MsgBeat:
      BcastHeartbeat();
      break;
    case MessageType::MsgPropose:
      return HandlePropose(m);
    case MessageType::MsgAppendResponse:
      HandleAppendResponse(m);
      break;
    case MessageType::MsgHeartbeatResponse:
      HandleHeartbeatResponse(m);
      break;
    case MessageType::MsgRequestVote:
      HandleRequestVote(m);
      break;
    case MessageType::MsgTransferLeader:
      HandleTransferLeader(m);
      break;
    default:
      break;
  }
  return Status::OK();
  // END SOLUTION
}

void Raft::HandleRequestVote(const Message& m) {
  // BEGIN SOLUTION(lab2aa)
  // One vote per term; a follower that knows this term's leader does not vote for another.
  const bool can_vote = vote_ == m.from() || (vote_ == kNone && lead_ == kNone);
  const bool grant = can_vote && raft_log_.IsUpToDate(m.index(), m.log_term());
  if (grant) {
    vote_ = m.from();
    election_elapsed_ = 0;
  }
  Message resp;
  resp.set_msg_type(MessageType::MsgRequestVoteResponse);
  resp.set_to(m.from());
  resp.set_reject(!grant);
  Send(std::move(resp));
  // END SOLUTION
}

void Raft::HandleVoteResponse(const Message& m) {
  // BEGIN SOLUTION(lab2aa)
  if (!IsMember(m.from())) return;
  votes_[m.from()] = !m.reject();
  size_t granted = 0, rejected = 0;
  for (const auto& [pid, ok] : votes_) {
    if (!IsMember(pid)) continue;
    (ok ? granted : rejected) += 1;
  }
  if (granted >= Quorum()) {
    BecomeLeader();
  } else if (rejected >= Quorum()) {
    BecomeFollower(term_, kNone);
  }
  // END SOLUTION
}

void Raft::BcastHeartbeat() {
  // BEGIN SOLUTION(lab2aa)
  for (const auto& [pid, pr] : prs_) {
    if (pid == id_) continue;
    Message m;
    m.set_msg_type(MessageType::MsgHeartbeat);
    m.set_to(pid);
    // Never more than the follower is known to hold: it may not have our committed entries.
    m.set_commit(std::min(pr.match, raft_log_.committed()));
    Send(std::move(m));
  }
  // END SOLUTION
}

void Raft::HandleHeartbeat(const Message& m) {
  // BEGIN SOLUTION(lab2ab)
  raft_log_.CommitTo(std::min(m.commit(), raft_log_.LastIndex()));
  // END SOLUTION
  // BEGIN SOLUTION(lab2aa)
  Message resp;
  resp.set_msg_type(MessageType::MsgHeartbeatResponse);
  resp.set_to(m.from());
  Send(std::move(resp));
  // END SOLUTION
}

// ---------------------------------------------------------------------------------------------
// Log replication (lab2ab).

Status Raft::HandlePropose(Message& m) {
  // BEGIN SOLUTION(lab2ab)
  // STUB: return Status::ProposalDropped("TODO(lab2ab)");
  if (m.entries().empty()) return Status::InvalidArgument("proposal has no entries");
  if (Status s = CheckProposal(m); !s.ok()) return s;
  uint64_t index = raft_log_.LastIndex();
  std::vector<Entry> ents = TakeEntries(m);
  for (Entry& e : ents) {
    e.set_term(term_);
    e.set_index(++index);
  }
  RecordConfChanges(ents);
  raft_log_.Append(std::move(ents));
  if (auto it = prs_.find(id_); it != prs_.end()) {
    it->second = Progress{raft_log_.LastIndex(), raft_log_.LastIndex() + 1};
  }
  BcastAppend();
  MaybeCommit();  // a single-member group commits at once
  return Status::OK();
  // END SOLUTION
}

bool Raft::SendAppend(uint64_t to) {
  // BEGIN SOLUTION(lab2ab)
  // STUB: return false;
  auto it = prs_.find(to);
  if (it == prs_.end() || to == id_) return false;
  const Progress& pr = it->second;
  auto prev_term = raft_log_.Term(pr.next - 1);
  Message m;
  if (!prev_term.ok() ||
      !raft_log_.CopyEntries(pr.next, raft_log_.LastIndex() + 1, m.mutable_entries()).ok()) {
    return SendSnapshot(to);  // the follower needs compacted entries
  }
  m.set_msg_type(MessageType::MsgAppend);
  m.set_to(to);
  m.set_index(pr.next - 1);
  m.set_log_term(*prev_term);
  m.set_commit(raft_log_.committed());
  // Once the follower is known to hold everything before `next` (a probe succeeded), stream:
  // assume this append arrives and send only newer entries next time. A loss shows up as a
  // rejection (or a heartbeat response) and moves `next` back.
  if (m.entries_size() > 0 && pr.replicate) {
    it->second.next = m.entries(m.entries_size() - 1).index() + 1;
  }
  Send(std::move(m));
  return true;
  // END SOLUTION
}

void Raft::BcastAppend() {
  // BEGIN SOLUTION(lab2ab)
  for (const auto& [pid, pr] : prs_) {
    if (pid != id_) SendAppend(pid);
  }
  // END SOLUTION
}

bool Raft::MaybeCommit() {
  // BEGIN SOLUTION(lab2ab)
  // STUB: return false;
  // The largest index replicated on a quorum: the largest match that at least Quorum() members
  // have reached. (Groups are small, so counting for each candidate beats sorting a copy.) It
  // commits only if it is from our term (§5.4.2), and carries every earlier entry with it.
  uint64_t quorum_index = 0;
  for (const auto& [pid, candidate] : prs_) {
    if (candidate.match <= quorum_index) continue;
    size_t reached = 0;
    for (const auto& [other, pr] : prs_) reached += pr.match >= candidate.match ? 1 : 0;
    if (reached >= Quorum()) quorum_index = candidate.match;
  }
  return raft_log_.MaybeCommit(quorum_index, term_);
  // END SOLUTION
}

void Raft::HandleAppendEntries(Message& m) {
  // BEGIN SOLUTION(lab2ab)
  Message resp;
  resp.set_msg_type(MessageType::MsgAppendResponse);
  resp.set_to(m.from());
  if (m.index() < raft_log_.committed()) {
    // Everything up to our commit index is already agreed on.
    resp.set_index(raft_log_.committed());
    Send(std::move(resp));
    return;
  }
  if (auto last_new = raft_log_.MaybeAppend(m.index(), m.log_term(), m.commit(), TakeEntries(m))) {
    resp.set_index(*last_new);
    Send(std::move(resp));
    return;
  }
  // Rejected: hint the largest index that could still match, skipping entries whose term is
  // newer than the leader's entry at m.index() (they cannot match), so the leader can skip
  // whole terms instead of one index per round trip.
  const uint64_t last = raft_log_.LastIndex();
  uint64_t hint = m.index() > last ? last : (m.index() == 0 ? 0 : m.index() - 1);
  while (hint > raft_log_.committed()) {
    auto t = raft_log_.Term(hint);
    if (!t.ok() || *t <= m.log_term()) break;
    --hint;
  }
  auto hint_term = raft_log_.Term(hint);
  resp.set_reject(true);
  resp.set_index(hint);
  resp.set_log_term(hint_term.ok() ? *hint_term : 0);
  Send(std::move(resp));
  // END SOLUTION
}

void Raft::HandleAppendResponse(const Message& m) {
  // BEGIN SOLUTION(lab2ab)
  auto it = prs_.find(m.from());
  if (it == prs_.end()) return;
  Progress& pr = it->second;
  if (m.reject()) {
    if (m.index() < pr.match) return;  // stale: we already know it holds more
    // Largest index <= the hint whose term is <= the follower's term there: entries in between
    // cannot match.
    uint64_t j = std::min(m.index(), raft_log_.LastIndex());
    if (m.log_term() > 0) {
      while (j > 0) {
        auto t = raft_log_.Term(j);
        if (!t.ok() || *t <= m.log_term()) break;
        --j;
      }
    }
    pr.next = std::max(pr.match + 1, std::min(pr.next - 1, j + 1));
    pr.replicate = false;
    SendAppend(m.from());
    return;
  }
  if (m.index() > pr.match) {
    pr.match = m.index();
    pr.next = std::max(pr.next, pr.match + 1);
    if (!pr.replicate) {
      // The probe found the match: stream from now on, starting with what is still missing.
      pr.replicate = true;
      if (pr.next <= raft_log_.LastIndex()) SendAppend(m.from());
    }
    if (MaybeCommit()) BcastAppend();  // tell everyone about the new commit index
  }
  MaybeSendTimeoutNow(m.from());
  // END SOLUTION
}

void Raft::HandleHeartbeatResponse(const Message& m) {
  // BEGIN SOLUTION(lab2ab)
  auto it = prs_.find(m.from());
  if (it == prs_.end()) return;
  Progress& pr = it->second;
  if (pr.match < raft_log_.LastIndex()) {
    // Appends may have been lost: fall back to probing from the last known match. With no
    // match known yet (a new leader), probe from `next` as it stands and let a rejection's hint
    // walk it back: probing from index 1 would fall below a compacted log and send a snapshot
    // to a follower that may lack only a few entries.
    if (pr.match > 0) pr.next = pr.match + 1;
    pr.replicate = false;
    SendAppend(m.from());
  }
  // END SOLUTION
}

// ---------------------------------------------------------------------------------------------
// Snapshots (lab2c).

bool Raft::SendSnapshot(uint64_t to) {
  // BEGIN SOLUTION(lab2c)
  // STUB: return false;
  auto snap = storage_->GetSnapshot();
  if (!snap.ok()) {
    Log(LogLevel::kDebug,
        "snapshot for " + std::to_string(to) + " not ready: " + snap.status().ToString());
    return false;  // retried on a later heartbeat response
  }
  if (snap->metadata().index() == 0) return false;
  Message m;
  m.set_msg_type(MessageType::MsgSnapshot);
  m.set_to(to);
  *m.mutable_snapshot() = std::move(snap).value();
  prs_[to].next = m.snapshot().metadata().index() + 1;
  prs_[to].replicate = false;
  Send(std::move(m));
  return true;
  // END SOLUTION
}

void Raft::HandleSnapshot(Message& m) {
  // BEGIN SOLUTION(lab2c)
  const auto& meta = m.snapshot().metadata();
  Message resp;
  resp.set_msg_type(MessageType::MsgAppendResponse);
  resp.set_to(m.from());
  if (meta.index() <= raft_log_.committed()) {
    resp.set_index(raft_log_.committed());  // stale snapshot: ignore it
    Send(std::move(resp));
    return;
  }
  if (raft_log_.MatchTerm(meta.index(), meta.term())) {
    // We already hold the snapshot's last entry: just commit up to it.
    raft_log_.CommitTo(meta.index());
    resp.set_index(raft_log_.committed());
    Send(std::move(resp));
    return;
  }
  const uint64_t snap_index = meta.index();
  prs_.clear();
  for (uint64_t p : meta.conf_state().nodes()) prs_[p] = Progress{0, snap_index + 1};
  raft_log_.Restore(std::move(*m.mutable_snapshot()));  // `meta` is gone from here on
  Log(LogLevel::kInfo, "restored snapshot at index " + std::to_string(snap_index));
  resp.set_index(raft_log_.LastIndex());
  Send(std::move(resp));
  // END SOLUTION
}

// ---------------------------------------------------------------------------------------------
// Leader transfer and membership (lab3a).

Status Raft::CheckProposal(const Message& m) const {
  // BEGIN SOLUTION(lab3a)
  // STUB: return Status::OK();
  if (lead_transferee_ != kNone) {
    return Status::ProposalDropped("leader transfer to " + std::to_string(lead_transferee_) +
                                   " is in progress");
  }
  int conf_changes = 0;
  for (const Entry& e : m.entries()) {
    if (e.entry_type() == eraftpb::EntryConfChange) ++conf_changes;
  }
  if (conf_changes > 1) {
    return Status::ProposalDropped("only one conf change may be proposed at a time");
  }
  if (conf_changes == 1 && pending_conf_index_ > raft_log_.applied()) {
    return Status::ProposalDropped("conf change at index " + std::to_string(pending_conf_index_) +
                                   " is not applied yet");
  }
  return Status::OK();
  // END SOLUTION
}

void Raft::RecordConfChanges(const std::vector<Entry>& entries) {
  // BEGIN SOLUTION(lab3a)
  for (const Entry& e : entries) {
    if (e.entry_type() == eraftpb::EntryConfChange) pending_conf_index_ = e.index();
  }
  // END SOLUTION
}

void Raft::HandleTransferLeader(const Message& m) {
  // BEGIN SOLUTION(lab3a)
  const uint64_t transferee = m.from();
  if (transferee != id_ && !IsMember(transferee)) return;  // ignore non-members entirely
  if (lead_transferee_ != kNone) {
    if (lead_transferee_ == transferee) return;  // already under way
    lead_transferee_ = kNone;                    // a new request overrides the old one
  }
  if (transferee == id_) return;  // transfer to ourselves: just cancel
  lead_transferee_ = transferee;
  election_elapsed_ = 0;
  if (prs_[transferee].match == raft_log_.LastIndex()) {
    MaybeSendTimeoutNow(transferee);
  } else {
    SendAppend(transferee);  // catch it up first; HandleAppendResponse finishes the job
  }
  // END SOLUTION
}

void Raft::MaybeSendTimeoutNow(uint64_t to) {
  // BEGIN SOLUTION(lab3a)
  if (to != lead_transferee_ || to == kNone) return;
  auto it = prs_.find(to);
  if (it == prs_.end() || it->second.match != raft_log_.LastIndex()) return;
  Message m;
  m.set_msg_type(MessageType::MsgTimeoutNow);
  m.set_to(to);
  Send(std::move(m));
  // END SOLUTION
}

void Raft::HandleTimeoutNow(const Message& m) {
  // BEGIN SOLUTION(lab3a)
  (void)m;
  StartElection();  // no-op unless we are a member
  // END SOLUTION
}

void Raft::TickTransferTimeout() {
  // BEGIN SOLUTION(lab3a)
  if (++election_elapsed_ >= election_timeout_) {
    election_elapsed_ = 0;
    if (lead_transferee_ != kNone) {
      Log(LogLevel::kInfo, "abandoned transfer to " + std::to_string(lead_transferee_));
      lead_transferee_ = kNone;
    }
  }
  // END SOLUTION
}

void Raft::AddNode(uint64_t id) {
  // BEGIN SOLUTION(lab3a)
  if (id == kNone || IsMember(id)) return;
  prs_[id] = Progress{0, raft_log_.LastIndex() + 1};
  // END SOLUTION
}

void Raft::RemoveNode(uint64_t id) {
  // BEGIN SOLUTION(lab3a)
  if (!IsMember(id)) return;
  prs_.erase(id);
  if (role_ != Role::kLeader) return;
  if (id == id_) {
    BecomeFollower(term_, kNone);  // a removed leader steps down
    return;
  }
  if (lead_transferee_ == id) lead_transferee_ = kNone;
  // The quorum just shrank: entries waiting for the removed node may commit now.
  if (MaybeCommit()) BcastAppend();
  // END SOLUTION
}

// ---------------------------------------------------------------------------------------------
// Plumbing (given).

Status Raft::Step(const Message& m) { return Step(Message(m)); }

void Raft::Send(Message m) {
  if (m.from() == kNone) m.set_from(id_);
  if (m.msg_type() != MessageType::MsgPropose && m.msg_type() != MessageType::MsgTransferLeader) {
    m.set_term(term_);
  }
  msgs_.push_back(std::move(m));
}

std::vector<Message> Raft::ReadMessages() {
  std::vector<Message> out;
  out.swap(msgs_);
  return out;
}

void Raft::Log(LogLevel level, const std::string& line) const {
  logger_->Log(level, std::to_string(id_) + " " + line);
}

std::vector<uint64_t> Raft::Nodes() const {
  std::vector<uint64_t> out;
  out.reserve(prs_.size());
  for (const auto& [pid, pr] : prs_) out.push_back(pid);
  return out;
}

const Progress* Raft::GetProgress(uint64_t id) const {
  auto it = prs_.find(id);
  return it == prs_.end() ? nullptr : &it->second;
}

eraftpb::HardState Raft::GetHardState() const {
  eraftpb::HardState hs;
  hs.set_term(term_);
  hs.set_vote(vote_);
  hs.set_commit(raft_log_.committed());
  return hs;
}

NodeStatus Raft::GetStatus() const {
  NodeStatus s;
  s.id = id_;
  s.term = term_;
  s.vote = vote_;
  s.role = role_;
  s.lead = lead_;
  s.commit = raft_log_.committed();
  s.applied = raft_log_.applied();
  s.last_index = raft_log_.LastIndex();
  s.last_term = raft_log_.LastTerm();
  s.lead_transferee = lead_transferee_;
  s.pending_conf_index = pending_conf_index_;
  s.nodes = Nodes();
  if (role_ == Role::kLeader) s.progress = prs_;
  return s;
}

}  // namespace tinykv::raft
