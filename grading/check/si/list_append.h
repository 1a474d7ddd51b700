// Inference for list-append histories (Kingsbury & Alvaro, "Elle: Inferring Isolation Anomalies
// from Experimental Observations", VLDB 2020): from what each read returned, the anomalies that
// need no cycle, and the dependency edges between transactions.
//
// - Non-cycle anomalies: internal inconsistency (a txn's read disagrees with its own earlier read
//   plus its own appends since), duplicate elements in a read, incompatible orders (two reads of a
//   key that are not prefixes of one another), unknown elements (read but never appended), G1a
//   (a read saw an element of a :fail txn), G1b (a read ended at an element its writer followed
//   with another append to the same key).
// - The version order of each key: its longest read (every read must be a prefix of it), plus
//   the one committed append no read saw when there is exactly one (it can only be last).
// - Edges over :ok txns (and :info txns whose appends were read, since those must have
//   committed): ww (appender of element i -> appender of element i+1), wr (appender of the last
//   element a read saw -> the reader), rw (a reader that saw the list up to element i -> the
//   appender of element i+1; an empty read -> the appender of the first element).
// Cycles are cycle_search.h's job; check.h puts the two together.
//
// Cost: linear in the history's size (mops plus read elements) after sorting each key's appends.
// Pure; callable from any thread.
#pragma once

#include <string>
#include <vector>

#include "grading/check/si/anomaly.h"
#include "grading/check/si/budget.h"
#include "grading/check/si/dependency_graph.h"
#include "grading/check/si/txn_history.h"
#include "grading/check/status.h"

namespace tinykv::check::si {

// Adds the non-cycle anomalies of `history` to *anomalies and its edges to *graph (not Finished).
// kDataError when an element is appended twice to one key. When the meter runs out, stops with
// what it has (every anomaly reported is real; edges are missing).
// REQUIRES: history.workload == Workload::kListAppend.
Status InferListAppend(const TxnHistory& history, Meter* meter, DependencyGraph* graph,
                       std::vector<Anomaly>* anomalies);

// "T12 appended 3 to key 5 after T9 appended 2 (ww)" and the like, for an edge InferListAppend
// added.
std::string ExplainListAppendEdge(const TxnHistory& history, const Edge& e);

}  // namespace tinykv::check::si
