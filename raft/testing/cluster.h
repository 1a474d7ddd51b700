// A group of RawNodes driven through full Ready cycles, for tests (not part of the library).
//
// Each node has a MemoryStorage that the cluster writes exactly as an application must:
// persist (snapshot, entries, hard state), then send, then apply (conf changes through
// ApplyConfChange), then Advance. Messages are delivered synchronously, breadth first, over
// links that can be cut. Every node's applied entries are recorded (after a snapshot, the
// record restarts at the snapshot index), so tests can compare state machines. Restart()
// rebuilds a node from its storage, as after a crash that kept everything persisted.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/memory_storage.h"
#include "raft/raw_node.h"

namespace tinykv::raft::testing {

class Cluster {
 public:
  // Nodes `ids`, each started with peers = ids.
  Cluster(std::vector<uint64_t> ids, uint64_t seed, int election_tick = 10, int heartbeat_tick = 1);

  RawNode& node(uint64_t id) { return *nodes_.at(id); }
  MemoryStorage& storage(uint64_t id) { return *storages_.at(id); }
  bool Has(uint64_t id) const { return nodes_.count(id) != 0; }
  // Entries applied by id, in order (normal and conf change), since its last snapshot.
  const std::vector<eraftpb::Entry>& applied(uint64_t id) const { return applied_.at(id); }
  // Index of the last snapshot id applied (0 if none).
  uint64_t snapshot_index(uint64_t id) const { return snapshot_index_.at(id); }

  // Adds a brand-new, empty node (no peers: it learns the membership from the leader).
  void AddEmptyNode(uint64_t id);
  // Rebuilds id from its storage (hard state, snapshot, entries), with applied = what it had
  // applied, and drops its in-flight messages.
  void Restart(uint64_t id);

  // Runs Ready cycles and deliveries until no node has a Ready and nothing is in flight.
  void Stabilize(int max_rounds = 100000);
  // Ticks every node once, then stabilizes.
  void TickAll(int n = 1);
  // The id of the unique leader of the highest term, or kNone.
  uint64_t Leader() const;

  void Cut(uint64_t a, uint64_t b);
  void Isolate(uint64_t id);
  void Recover() { cut_.clear(); }
  // Snapshots id's storage at its applied index and compacts its log there.
  void Compact(uint64_t id);

 private:
  void HandleReady(uint64_t id);
  std::unique_ptr<RawNode> NewNode(uint64_t id, std::vector<uint64_t> peers, uint64_t applied);

  uint64_t seed_;
  int election_tick_;
  int heartbeat_tick_;
  std::map<uint64_t, std::unique_ptr<MemoryStorage>> storages_;
  std::map<uint64_t, std::unique_ptr<RawNode>> nodes_;
  std::map<uint64_t, std::vector<eraftpb::Entry>> applied_;
  std::map<uint64_t, uint64_t> snapshot_index_;
  std::map<uint64_t, uint64_t> applied_index_;
  std::set<std::pair<uint64_t, uint64_t>> cut_;
  std::deque<eraftpb::Message> in_flight_;
};

}  // namespace tinykv::raft::testing
