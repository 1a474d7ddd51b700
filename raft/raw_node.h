// RawNode: the application's handle on one Raft node, and Ready, the batch of work it hands out.
//
// The application drives a RawNode from one fiber: it calls Tick() on a timer, Step() with every
// message received from peers, Propose*/Campaign/TransferLeader on demand, and then, whenever
// HasReady(), takes a Ready and processes it in this order:
//   1. persist:  Ready::snapshot (if any), Ready::entries and Ready::hard_state go to stable
//                storage (for MemoryStorage: ApplySnapshot, Append, SetHardState);
//   2. send:     Ready::messages go to their peers (only after step 1: a vote or an
//                acknowledgement must never be sent for state that a crash could lose);
//   3. apply:    Ready::snapshot, then Ready::committed_entries go to the state machine, in
//                order; conf-change entries are applied with ApplyConfChange;
// and finally calls Advance(ready). Nothing else may be called between GetReady and Advance
// except to read status. (etcd names GetReady "Ready"; C++ cannot name a method after a type
// it returns.)
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/config.h"
#include "raft/node_status.h"
#include "raft/raft.h"
#include "raft/status.h"

namespace tinykv::raft {

// Everything a node needs its application to do; see the order in the file comment.
struct Ready {
  // Set when leader or role changed since the last Ready. Not persisted.
  std::optional<SoftState> soft_state;
  // Set when term, vote or commit changed; persist before sending messages.
  std::optional<eraftpb::HardState> hard_state;
  // Log entries to persist (may overwrite a previously persisted suffix).
  std::vector<eraftpb::Entry> entries;
  // A snapshot received from the leader: persist it, then apply it before committed_entries.
  std::optional<eraftpb::Snapshot> snapshot;
  // Entries to apply to the state machine, in order (already persisted earlier or in this
  // very Ready's `entries`).
  std::vector<eraftpb::Entry> committed_entries;
  // Messages to send once step 1 is done.
  std::vector<eraftpb::Message> messages;
};

class RawNode {
 public:
  // Validates the config and starts the node (as a follower). See Raft::Create.
  static Result<std::unique_ptr<RawNode>> Create(const Config& config);

  void Tick();
  // Starts an election now (as if the election timeout fired).
  Status Campaign();
  // Proposes one normal entry. ProposalDropped when there is no leader to take it or a leader
  // transfer is in progress.
  Status Propose(std::string data);
  // Proposes a membership change. ProposalDropped also while an earlier change is unapplied.
  Status ProposeConfChange(const eraftpb::ConfChange& cc);
  // Applies a committed conf change to the membership; returns the resulting membership.
  eraftpb::ConfState ApplyConfChange(const eraftpb::ConfChange& cc);
  // Feeds a message from a peer. StepLocalMsg for local-only types (MsgHup, MsgBeat);
  // StepPeerNotFound for a response from a non-member.
  Status Step(const eraftpb::Message& m);
  // The same for a message the caller gives up (e.g. just decoded from the wire): its entries
  // are moved into the log instead of copied.
  Status Step(eraftpb::Message&& m);
  // Asks the leader (directly or via this follower) to hand leadership to `transferee`.
  void TransferLeader(uint64_t transferee);

  // True when GetReady would return something to do.
  bool HasReady() const;
  // Collects the pending work. Process it (file comment), then call Advance with it.
  Ready GetReady();
  // Tells the node the Ready was fully processed. Only its soft and hard state are read: the
  // application may already have moved the entries out (e.g. storage.Append(std::move(
  // rd.entries))).
  void Advance(const Ready& rd);

  NodeStatus GetStatus() const { return raft_->GetStatus(); }
  const Raft& raft() const { return *raft_; }

 private:
  explicit RawNode(std::unique_ptr<Raft> raft);
  // StepLocalMsg / StepPeerNotFound for messages Step must refuse, else OK.
  Status CheckPeerMsg(const eraftpb::Message& m) const;

  std::unique_ptr<Raft> raft_;
  // What the application has already been told (to report changes only).
  SoftState prev_soft_state_;
  eraftpb::HardState prev_hard_state_;
  // Where the outstanding Ready's entries and committed_entries end (index 0: none), recorded
  // by GetReady so that Advance does not depend on the application keeping those vectors.
  uint64_t ready_last_index_ = 0;
  uint64_t ready_last_term_ = 0;
  uint64_t ready_last_committed_ = 0;
};

}  // namespace tinykv::raft
