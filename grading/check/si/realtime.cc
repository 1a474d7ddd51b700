#include "grading/check/si/realtime.h"

#include <algorithm>
#include <vector>

namespace tinykv::check::si {

// The construction. Walk the history's ops in order, keeping a frontier F: the :ok txns completed
// so far that no other completed txn follows in real time.
// - At the :invoke of a txn x: add an edge f -> x for every f in F.
// - At the :ok completion of a txn d: drop from F every f that completed before d's :invoke (those
//   reach d already: at d's invocation each was in F, or reached a member of F, and every member
//   got an edge to d), then add d.
// Invariant: every :ok txn completed so far is in F or reaches a member of F. So at x's
// invocation every txn completed before it reaches x, and every edge added is a true precedence:
// reachability over the edges is exactly real-time order. The members of F pairwise overlap in
// time (none completed before another was invoked), so by the Helly property of intervals they
// were all running at one instant: |F| is at most the number of client processes, and the edges
// number at most (txns x processes) — in a serial history, one per txn.
bool AddRealtimeEdges(const TxnHistory& history, DependencyGraph* graph, Meter* meter) {
  const std::vector<Txn>& txns = history.txns;
  const auto n = static_cast<uint32_t>(txns.size());
  // Events by position: each op of the history is at most one txn's invocation or completion.
  std::vector<uint32_t> at(static_cast<size_t>(history.op_count), kNoId);
  std::vector<uint8_t> is_invoke(static_cast<size_t>(history.op_count), 0);
  bool any_invoke = false;
  for (uint32_t t = 0; t < n; ++t) {
    const Txn& x = txns[t];
    if (x.status == TxnStatus::kFail) continue;
    if (x.invoke_pos >= 0 && x.invoke_pos < history.op_count) {
      at[x.invoke_pos] = t;
      is_invoke[x.invoke_pos] = 1;
      any_invoke = true;
    }
    if (x.status == TxnStatus::kOk && x.complete_pos < history.op_count) at[x.complete_pos] = t;
  }
  if (!any_invoke) return true;

  // Two passes over the same walk: count the edges, so the graph's edge array grows once (at a
  // million txns a doubling would briefly hold both copies), then add them.
  std::vector<uint32_t> frontier;
  auto walk = [&](auto emit) {
    frontier.clear();
    for (size_t pos = 0; pos < at.size(); ++pos) {
      if (meter->Spend()) return false;
      const uint32_t t = at[pos];
      if (t == kNoId) continue;
      if (is_invoke[pos] != 0) {
        for (uint32_t f : frontier) emit(f, t);
        continue;
      }
      const int64_t invoked = txns[t].invoke_pos;
      if (invoked >= 0) {
        std::erase_if(frontier, [&](uint32_t f) { return txns[f].complete_pos < invoked; });
      }
      frontier.push_back(t);
    }
    return true;
  };
  size_t count = 0;
  if (!walk([&count](uint32_t, uint32_t) { ++count; })) return false;
  graph->Reserve(graph->pending_edges() + count);
  return walk([graph](uint32_t from, uint32_t to) {
    Edge e;
    e.from = from;
    e.to = to;
    e.kind = EdgeKind::kRealtime;
    graph->Add(e);
  });
}

std::string ExplainRealtimeEdge(const TxnHistory& history, const Edge& e) {
  return history.TxnName(e.from) + " completed before " + history.TxnName(e.to) +
         " began (realtime)";
}

}  // namespace tinykv::check::si
