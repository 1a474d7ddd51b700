// Raft: the pure Raft state machine of one node (election, replication, snapshots, membership,
// leader transfer).
//
// No I/O, no clock, no threads: inputs are Tick() (one unit of logical time) and Step(message);
// outputs are the messages collected in an outbox (ReadMessages) and the state of its RaftLog,
// which RawNode turns into Ready batches. Randomness (election timeouts) comes from the
// Config's generator only, so a seeded run replays exactly. One Raft belongs to one node and is
// driven from that node's fiber; most applications use it through RawNode. Tests may drive it
// directly and read it through GetStatus() and raft_log().
//
// Behaviour follows the Raft paper (Ongaro & Ousterhout) with etcd/TinyKV conventions: a new
// leader appends an empty entry; a follower that rejects an append sends a hint for fast
// back-off; heartbeats carry min(match, commit); membership changes one node at a time and takes
// effect when the entry is applied (AddNode / RemoveNode); leader transfer catches the transferee
// up, then sends it MsgTimeoutNow.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/config.h"
#include "raft/node_status.h"
#include "raft/raft_log.h"
#include "raft/status.h"

namespace tinykv::raft {

class Raft {
 public:
  // Validates the config and reads the storage's initial state. InvalidArgument (from
  // Config::Validate) or the storage's error on failure.
  static Result<std::unique_ptr<Raft>> Create(const Config& config);

  Raft(const Raft&) = delete;
  Raft& operator=(const Raft&) = delete;

  // Advances logical time by one tick: a follower or candidate may start an election, a leader
  // may send heartbeats (and abandons a leader transfer that took an election timeout).
  void Tick();
  // Processes one message: from a peer, or local (MsgHup, MsgBeat, MsgPropose,
  // MsgTransferLeader with term 0). Errors: ProposalDropped for a proposal that cannot be
  // accepted now; InvalidArgument for a malformed local message. Messages from stale terms are
  // ignored (OK).
  Status Step(const eraftpb::Message& m);
  // The same, for a message the caller no longer needs: its entries (and snapshot) are moved
  // into the log instead of copied. Drivers that own their messages (decoded from the wire,
  // built locally) should use this one.
  Status Step(eraftpb::Message&& m);
  // Takes the messages produced since the last call (in the order produced).
  std::vector<eraftpb::Message> ReadMessages();
  bool HasMessages() const { return !msgs_.empty(); }

  // Membership changes, called when a conf-change entry is applied. Adding a member that exists
  // or removing one that does not is a no-op. Removing this node makes a leader step down.
  void AddNode(uint64_t id);
  void RemoveNode(uint64_t id);

  uint64_t id() const { return id_; }
  uint64_t term() const { return term_; }
  uint64_t vote() const { return vote_; }
  uint64_t lead() const { return lead_; }
  Role role() const { return role_; }
  uint64_t lead_transferee() const { return lead_transferee_; }
  uint64_t pending_conf_index() const { return pending_conf_index_; }
  // The current election timeout in ticks, in [election_tick, 2 * election_tick).
  int randomized_election_timeout() const { return randomized_election_timeout_; }
  const RaftLog& raft_log() const { return raft_log_; }
  // For the driver (RawNode, test harnesses): acknowledge persisted / applied entries.
  RaftLog& mutable_raft_log() { return raft_log_; }
  // Members, ascending.
  std::vector<uint64_t> Nodes() const;
  // A member's progress as the leader sees it; null for non-members.
  const Progress* GetProgress(uint64_t id) const;

  SoftState GetSoftState() const { return SoftState{lead_, role_}; }
  eraftpb::HardState GetHardState() const;
  NodeStatus GetStatus() const;

 private:
  explicit Raft(const Config& config, const InitialState& init);

  // Role transitions.
  void BecomeFollower(uint64_t term, uint64_t lead);
  void BecomeCandidate();
  void BecomeLeader();
  void ResetElectionTimer();
  void StartElection();

  // Per-role dispatch, after the term checks in Step. `m` belongs to Step: handlers may move
  // its entries and snapshot out of it.
  Status StepFollower(eraftpb::Message& m);
  Status StepCandidate(eraftpb::Message& m);
  Status StepLeader(eraftpb::Message& m);

  // Election (lab2aa).
  void HandleRequestVote(const eraftpb::Message& m);
  void HandleVoteResponse(const eraftpb::Message& m);
  void BcastHeartbeat();
  void HandleHeartbeat(const eraftpb::Message& m);
  // Replication (lab2ab).
  Status HandlePropose(eraftpb::Message& m);
  void HandleAppendEntries(eraftpb::Message& m);
  void HandleAppendResponse(const eraftpb::Message& m);
  void HandleHeartbeatResponse(const eraftpb::Message& m);
  bool SendAppend(uint64_t to);
  void BcastAppend();
  bool MaybeCommit();
  // Snapshots (lab2c).
  bool SendSnapshot(uint64_t to);
  void HandleSnapshot(eraftpb::Message& m);
  // Leader transfer and membership (lab3a).
  Status CheckProposal(const eraftpb::Message& m) const;
  void RecordConfChanges(const std::vector<eraftpb::Entry>& entries);
  void HandleTransferLeader(const eraftpb::Message& m);
  void MaybeSendTimeoutNow(uint64_t to);
  void HandleTimeoutNow(const eraftpb::Message& m);
  void TickTransferTimeout();

  bool IsMember(uint64_t id) const { return prs_.count(id) != 0; }
  size_t Quorum() const { return prs_.size() / 2 + 1; }
  // Queues m after stamping from (if unset) and the current term (except on proposals and
  // transfer requests, which are forwarded as local messages).
  void Send(eraftpb::Message m);
  void Log(LogLevel level, const std::string& line) const;

  const uint64_t id_;
  const int election_timeout_;
  const int heartbeat_timeout_;
  Storage* const storage_;
  RandomFn rng_;
  Logger* const logger_;

  uint64_t term_ = 0;
  uint64_t vote_ = kNone;
  uint64_t lead_ = kNone;
  Role role_ = Role::kFollower;
  RaftLog raft_log_;
  // Members (ordered, so iteration and message order are deterministic).
  std::map<uint64_t, Progress> prs_;
  // Votes received in the current election: true = granted.
  std::map<uint64_t, bool> votes_;
  std::vector<eraftpb::Message> msgs_;
  int heartbeat_elapsed_ = 0;
  int election_elapsed_ = 0;
  int randomized_election_timeout_ = 0;
  uint64_t lead_transferee_ = kNone;
  uint64_t pending_conf_index_ = 0;
};

}  // namespace tinykv::raft
