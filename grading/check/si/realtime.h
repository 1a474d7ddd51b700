// Real-time order for the strong consistency models (strong-snapshot-isolation,
// strict-serializable): T1 precedes T2 when T1's completion comes before T2's :invoke in the
// history, which is in log order (:time is not needed and not used).
//
// Which transactions take part:
// - as predecessors, only :ok ones. A :fail never took effect, and an :info one may have
//   committed at any moment up to the end of time, so its completion line bounds nothing
//   (Elle's realtime graph makes the same choice).
// - as successors, every :ok or :info transaction whose :invoke is known (histories with
//   :process); the :info ones may have committed, and if so, after their invocation.
// A history without :process has no known invocations, hence no real-time edges.
//
// The edges added are a transitive reduction of "precedes", not all O(n^2) pairs; see
// AddRealtimeEdges in realtime.cc for the construction and why it keeps reachability.
#pragma once

#include <string>

#include "grading/check/si/budget.h"
#include "grading/check/si/dependency_graph.h"
#include "grading/check/si/txn_history.h"

namespace tinykv::check::si {

// Adds kRealtime edges to `graph` (before its Finish) such that T1 reaches T2 over them exactly
// when T1 precedes T2 in real time. Returns false if the meter ran out (some edges are missing).
bool AddRealtimeEdges(const TxnHistory& history, DependencyGraph* graph, Meter* meter);

// "T1 completed before T2 began (realtime)".
std::string ExplainRealtimeEdge(const TxnHistory& history, const Edge& e);

}  // namespace tinykv::check::si
