// An in-process network of Raft state machines for tests (not part of the library).
//
// Peers are Raft objects with ids 1..n, each with its own MemoryStorage, or black holes that
// swallow everything. Send() delivers a message and then, breadth first, every message the
// receivers produce, until the network is quiet — a whole protocol exchange in one call, with
// no clock. Faults: Drop (per-link probability), Cut (both directions), Isolate (a node from
// everyone), Ignore (a message type), and a Hook that sees every message and may drop it.
// Probabilistic drops draw from a generator seeded by the caller, so a run replays exactly.
// Single-threaded; the network owns its peers and storages.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/memory_storage.h"
#include "raft/raft.h"
#include "raft/random.h"

namespace tinykv::raft::testing {

// How to build one peer of a Network.
struct PeerSpec {
  enum class Kind { kFresh, kBlackHole, kStorage };
  Kind kind = Kind::kFresh;
  // For kStorage: the peer starts from this storage (its hard state and entries).
  std::unique_ptr<MemoryStorage> storage;

  static PeerSpec Fresh() { return PeerSpec{}; }
  static PeerSpec BlackHole() { return PeerSpec{Kind::kBlackHole, nullptr}; }
  static PeerSpec FromStorage(std::unique_ptr<MemoryStorage> s) {
    return PeerSpec{Kind::kStorage, std::move(s)};
  }
};

// A storage holding entries 1..terms.size() with the given terms, hard state term = last term.
std::unique_ptr<MemoryStorage> StorageWithTerms(const std::vector<uint64_t>& terms);
// A storage with no entries and hard state (term, vote).
std::unique_ptr<MemoryStorage> StorageWithVote(uint64_t vote, uint64_t term);

// A Config for tests: seeded rng (seed mixed with the id), given timeouts, no logger.
Config TestConfig(uint64_t id, std::vector<uint64_t> peers, int election, int heartbeat,
                  Storage* storage, uint64_t seed);
// Creates a Raft or fails the process with the config error (tests only).
std::unique_ptr<Raft> NewTestRaft(uint64_t id, std::vector<uint64_t> peers, int election,
                                  int heartbeat, Storage* storage, uint64_t seed = 1);

// Drives `r` to leader of a new term by feeding it granted votes from every other member;
// clears its outbox. REQUIRES: r is a member.
void MakeLeader(Raft& r);
// Drives `r` to candidate of a new term (a multi-member group); clears its outbox.
void MakeCandidate(Raft& r);
// Makes `r` a follower at `term` (>= its term) with leader `lead` (kNone allowed); clears its
// outbox.
void MakeFollower(Raft& r, uint64_t term, uint64_t lead);

// Message builders for tests.
eraftpb::Message Msg(uint64_t from, uint64_t to, eraftpb::MessageType type, uint64_t term = 0);
eraftpb::Message Propose(uint64_t from, uint64_t to, const std::string& data = "");

struct NetworkOptions {
  int election_tick = 10;
  int heartbeat_tick = 1;
  // Seeds the peers' election timers and the probabilistic drops.
  uint64_t seed = 1;
};

class Network {
 public:
  using Options = NetworkOptions;

  // n fresh peers with ids 1..n.
  explicit Network(int n, Options options = {});
  explicit Network(std::vector<PeerSpec> peers, Options options = {});

  // Delivers msgs and everything they cause, until quiet (or `max_steps` deliveries; a test
  // that loops forever fails instead of hanging).
  void Send(std::vector<eraftpb::Message> msgs, int max_steps = 1000000);
  void Send(eraftpb::Message m) { Send(std::vector<eraftpb::Message>{std::move(m)}); }

  // Drop messages from -> to with probability p in [0, 1].
  void Drop(uint64_t from, uint64_t to, double p);
  void Cut(uint64_t a, uint64_t b);
  void Isolate(uint64_t id);
  void Ignore(eraftpb::MessageType type);
  // Heals every Drop, Cut, Isolate and Ignore (not the hook).
  void Recover();
  // Called for each message about to be delivered; return false to drop it.
  void SetHook(std::function<bool(const eraftpb::Message&)> hook) { hook_ = std::move(hook); }

  bool IsRaft(uint64_t id) const { return rafts_.count(id) != 0; }
  // REQUIRES: IsRaft(id).
  Raft& raft(uint64_t id) { return *rafts_.at(id); }
  MemoryStorage& storage(uint64_t id) { return *storages_.at(id); }
  std::vector<uint64_t> ids() const { return ids_; }

  // The driver's half of a Ready cycle, for tests of the raw state machine: persists id's
  // unstable entries into its storage, marks them stable, marks committed entries applied and
  // returns them.
  std::vector<eraftpb::Entry> Stabilize(uint64_t id);
  // Stabilize, then snapshot id's storage at the applied index and compact the log there.
  void SnapshotAndCompact(uint64_t id);

  // Number of messages delivered / dropped so far.
  uint64_t delivered() const { return delivered_; }
  uint64_t dropped() const { return dropped_; }

 private:
  std::vector<eraftpb::Message> Filter(std::vector<eraftpb::Message> msgs);

  Options options_;
  std::vector<uint64_t> ids_;
  std::map<uint64_t, std::unique_ptr<MemoryStorage>> storages_;
  std::map<uint64_t, std::unique_ptr<Raft>> rafts_;
  std::map<std::pair<uint64_t, uint64_t>, double> drop_;
  std::set<eraftpb::MessageType> ignore_;
  std::function<bool(const eraftpb::Message&)> hook_;
  SplitMix64 rng_;
  uint64_t delivered_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace tinykv::raft::testing
