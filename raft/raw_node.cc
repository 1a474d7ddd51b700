#include "raft/raw_node.h"

#include <utility>

namespace tinykv::raft {

using eraftpb::Message;
using eraftpb::MessageType;

namespace {

bool SameHardState(const eraftpb::HardState& a, const eraftpb::HardState& b) {
  return a.term() == b.term() && a.vote() == b.vote() && a.commit() == b.commit();
}

bool IsLocalMsg(MessageType t) { return t == MessageType::MsgHup || t == MessageType::MsgBeat; }

bool IsResponseMsg(MessageType t) {
  return t == MessageType::MsgAppendResponse || t == MessageType::MsgRequestVoteResponse ||
         t == MessageType::MsgHeartbeatResponse;
}

}  // namespace

Result<std::unique_ptr<RawNode>> RawNode::Create(const Config& config) {
  auto raft = Raft::Create(config);
  if (!raft.ok()) return raft.status();
  return std::unique_ptr<RawNode>(new RawNode(std::move(raft).value()));
}

RawNode::RawNode(std::unique_ptr<Raft> raft) : raft_(std::move(raft)) {
  prev_soft_state_ = raft_->GetSoftState();
  prev_hard_state_ = raft_->GetHardState();
}

void RawNode::Tick() { raft_->Tick(); }

Status RawNode::Campaign() {
  Message m;
  m.set_msg_type(MessageType::MsgHup);
  return raft_->Step(std::move(m));
}

Status RawNode::Propose(std::string data) {
  Message m;
  m.set_msg_type(MessageType::MsgPropose);
  m.set_from(raft_->id());
  m.add_entries()->set_data(std::move(data));
  return raft_->Step(std::move(m));
}

Status RawNode::ProposeConfChange(const eraftpb::ConfChange& cc) {
  Message m;
  m.set_msg_type(MessageType::MsgPropose);
  m.set_from(raft_->id());
  auto* e = m.add_entries();
  e->set_entry_type(eraftpb::EntryConfChange);
  e->set_data(cc.SerializeAsString());
  return raft_->Step(std::move(m));
}

eraftpb::ConfState RawNode::ApplyConfChange(const eraftpb::ConfChange& cc) {
  if (cc.change_type() == eraftpb::AddNode) {
    raft_->AddNode(cc.node_id());
  } else {
    raft_->RemoveNode(cc.node_id());
  }
  eraftpb::ConfState cs;
  for (uint64_t id : raft_->Nodes()) cs.add_nodes(id);
  return cs;
}

Status RawNode::Step(const Message& m) {
  if (Status s = CheckPeerMsg(m); !s.ok()) return s;
  return raft_->Step(m);
}

Status RawNode::Step(Message&& m) {
  if (Status s = CheckPeerMsg(m); !s.ok()) return s;
  return raft_->Step(std::move(m));
}

Status RawNode::CheckPeerMsg(const Message& m) const {
  if (IsLocalMsg(m.msg_type())) return Status::StepLocalMsg();
  if (IsResponseMsg(m.msg_type()) && raft_->GetProgress(m.from()) == nullptr) {
    return Status::StepPeerNotFound();
  }
  return Status::OK();
}

void RawNode::TransferLeader(uint64_t transferee) {
  Message m;
  m.set_msg_type(MessageType::MsgTransferLeader);
  m.set_from(transferee);
  (void)raft_->Step(std::move(m));
}

bool RawNode::HasReady() const {
  // BEGIN SOLUTION(lab2ac)
  // STUB: return false;
  const RaftLog& log = raft_->raft_log();
  return !(raft_->GetSoftState() == prev_soft_state_) ||
         !SameHardState(raft_->GetHardState(), prev_hard_state_) || raft_->HasMessages() ||
         log.stabled() < log.LastIndex() || log.HasNextEnts() || log.pending_snapshot() != nullptr;
  // END SOLUTION
}

Ready RawNode::GetReady() {
  Ready rd;
  // BEGIN SOLUTION(lab2ac)
  const RaftLog& log = raft_->raft_log();
  if (SoftState ss = raft_->GetSoftState(); !(ss == prev_soft_state_)) rd.soft_state = ss;
  if (auto hs = raft_->GetHardState(); !SameHardState(hs, prev_hard_state_)) rd.hard_state = hs;
  rd.entries = log.UnstableEntries();
  rd.committed_entries = log.NextEnts();
  if (log.pending_snapshot() != nullptr) rd.snapshot = *log.pending_snapshot();
  rd.messages = raft_->ReadMessages();
  // END SOLUTION
  // Remember where the handed-out entries end: Advance must not depend on rd's vectors.
  ready_last_index_ = rd.entries.empty() ? 0 : rd.entries.back().index();
  ready_last_term_ = rd.entries.empty() ? 0 : rd.entries.back().term();
  ready_last_committed_ = rd.committed_entries.empty() ? 0 : rd.committed_entries.back().index();
  return rd;
}

void RawNode::Advance(const Ready& rd) {
  // BEGIN SOLUTION(lab2ac)
  RaftLog& log = raft_->mutable_raft_log();
  if (rd.soft_state) prev_soft_state_ = *rd.soft_state;
  if (rd.hard_state) prev_hard_state_ = *rd.hard_state;
  // From GetReady's record, not from rd's vectors, which the application may have emptied.
  if (ready_last_index_ != 0) log.StableTo(ready_last_index_, ready_last_term_);
  if (ready_last_committed_ != 0) log.AppliedTo(ready_last_committed_);
  ready_last_index_ = ready_last_term_ = ready_last_committed_ = 0;
  if (rd.snapshot) log.ClearPendingSnapshot();
  log.MaybeCompact();
  // END SOLUTION
}

}  // namespace tinykv::raft
