// The dependency graph of a transactional history (grading/check/si/): nodes are transactions
// (indices into TxnHistory::txns), edges are Adya's dependencies — ww (T2 installed the version
// after T1's), wr (T2 read T1's version), rw (T2 installed the version after the one T1 read) —
// plus real-time order (T1 completed before T2 was invoked) for the strong models.
//
// Built in two phases: Add every edge, then Finish() once, which groups edges by source (CSR
// arrays: 4 bytes per edge and per node besides the Edge itself) and drops repeats of the same
// (from, to, kind), keeping the first added (its explanation). After Finish the graph is read-only
// except for the searches' scratch space, reused so that a search costs only what it visits.
//
// Searches follow a Traversal: which edge kinds to follow, and optionally which region of nodes to
// stay in. A product traversal walks states (node, "the last edge was rw") and refuses an rw edge
// right after another one: its cycles are exactly the closed walks whose rw edges are pairwise
// non-adjacent (cyclically), the shape snapshot isolation forbids (Cerone & Gotsman, "Analysing
// Snapshot Isolation": SI rules out every cycle with no two adjacent anti-dependencies).
// State ids: plain traversal, state == node; product, state == 2 * node + after_rw.
//
// Deterministic: adjacency is sorted by (target, kind), so every search visits in an order that
// depends on the edges only. One thread at a time.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "grading/check/si/budget.h"
#include "grading/check/si/txn_history.h"

namespace tinykv::check::si {

enum class EdgeKind : uint8_t { kWW = 0, kWR = 1, kRW = 2, kRealtime = 3 };
using EdgeMask = unsigned;
constexpr EdgeMask Bit(EdgeKind k) { return 1u << static_cast<unsigned>(k); }
inline constexpr EdgeMask kWWMask = Bit(EdgeKind::kWW);
inline constexpr EdgeMask kWWWRMask = kWWMask | Bit(EdgeKind::kWR);
inline constexpr EdgeMask kDataMask = kWWWRMask | Bit(EdgeKind::kRW);
inline constexpr EdgeMask kAllMask = kDataMask | Bit(EdgeKind::kRealtime);

// "ww", "wr", "rw", "realtime".
const char* EdgeKindName(EdgeKind k);

struct Edge {
  uint32_t from = 0;
  uint32_t to = 0;
  // What justifies it, for the explanation (the workload's inference says what a and b mean):
  // a key id and up to two value ids (kNoId when absent). Unused for realtime edges.
  uint32_t key = kNoId;
  uint32_t a = kNoId;
  uint32_t b = kNoId;
  EdgeKind kind = EdgeKind::kWW;
};

struct Traversal {
  // Plain: the kinds followed. Product: the kinds followed besides rw (rw is always followed,
  // but never twice in a row).
  EdgeMask mask = kAllMask;
  bool product = false;
  // When set, an edge is followed only if (*region)[target node] == region_id.
  const std::vector<uint32_t>* region = nullptr;
  uint32_t region_id = 0;
};

inline constexpr uint32_t kNoState = UINT32_MAX;

class DependencyGraph {
 public:
  explicit DependencyGraph(size_t nodes) : nodes_(nodes) {}

  // REQUIRES: before Finish; from != to; both < size().
  void Add(const Edge& e) { edges_.push_back(e); }
  void Reserve(size_t edges) { edges_.reserve(edges); }
  size_t pending_edges() const { return edges_.size(); }  // added so far
  void Finish();

  size_t size() const { return nodes_; }
  size_t edge_count() const { return adj_.size(); }  // after Finish: without repeats
  const Edge& edge(uint32_t id) const { return edges_[id]; }
  // Ids of the edges leaving `node`, sorted by (target, kind). REQUIRES: Finish.
  std::span<const uint32_t> Out(uint32_t node) const {
    return {adj_.data() + offsets_[node], adj_.data() + offsets_[node + 1]};
  }
  bool HasKind(EdgeKind k) const { return (kinds_ & Bit(k)) != 0; }

  // The state an edge leads to from `state` under `t`, or kNoState if `t` does not follow it.
  static uint32_t Step(const Traversal& t, uint32_t state, const Edge& e) {
    if (t.region != nullptr && (*t.region)[e.to] != t.region_id) return kNoState;
    if (!t.product) return (t.mask >> static_cast<unsigned>(e.kind)) & 1u ? e.to : kNoState;
    if (e.kind == EdgeKind::kRW) return (state & 1u) != 0 ? kNoState : 2 * e.to + 1;
    return (t.mask >> static_cast<unsigned>(e.kind)) & 1u ? 2 * e.to : kNoState;
  }
  static uint32_t NodeOf(const Traversal& t, uint32_t state) {
    return t.product ? state / 2 : state;
  }

  // Strongly connected components (iterative Tarjan) reachable from `starts` under `t`, in
  // reverse topological order (a component comes before every component that reaches it); the
  // states of each sorted. Single-state components are left out unless `keep_singletons`.
  // Stops early, returning what it has, when the meter runs out.
  std::vector<std::vector<uint32_t>> Scc(std::span<const uint32_t> starts, const Traversal& t,
                                         bool keep_singletons, Meter* meter);

  // A shortest path of edge ids from state `from` to state `to` under `t` (from == to: a shortest
  // cycle through it). Empty when there is none or the meter ran out.
  std::vector<uint32_t> Path(uint32_t from, uint32_t to, const Traversal& t, Meter* meter);

  // Breadth-first search from `from` under `t`, marking every state reached: afterwards
  // Reached(s) tells, until the next search. Returns false if the meter ran out.
  bool Explore(uint32_t from, const Traversal& t, Meter* meter);
  bool Reached(uint32_t state) const { return state < parent_.size() && parent_[state] != kUnset; }
  // After Explore: the path of edge ids from its start to `state`. REQUIRES: Reached(state).
  std::vector<uint32_t> PathTo(uint32_t state, const Traversal& t) const;

 private:
  static constexpr uint32_t kUnset = UINT32_MAX;
  static constexpr uint32_t kStart = UINT32_MAX - 1;  // parent_ of a search's start

  void EnsureScratch(size_t states);
  void ClearSearch();

  size_t nodes_;
  std::vector<Edge> edges_;
  std::vector<uint32_t> offsets_;  // CSR: Out(v) = adj_[offsets_[v] .. offsets_[v + 1])
  std::vector<uint32_t> adj_;
  EdgeMask kinds_ = 0;

  // Scratch, indexed by state; reset after each use by walking `touched_`.
  std::vector<uint32_t> index_;  // Tarjan: visit number, kUnset when unvisited
  std::vector<uint32_t> low_;
  std::vector<uint8_t> on_stack_;
  std::vector<uint32_t> parent_;  // BFS: edge id that reached the state, kStart, or kUnset
  std::vector<uint32_t> touched_;
};

}  // namespace tinykv::check::si
