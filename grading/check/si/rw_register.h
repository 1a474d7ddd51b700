// Inference for rw-register histories: [:w k v] sets register k to v, [:r k v] reads it (nil is
// the initial state). As Elle assumes, each value is written to a key at most once, so a read
// names the write it saw. Unlike list-append, a read shows one version, not the history of the
// key, so the version order is mostly unknown; the inference uses only what is certain:
//
// - wr: T2's external read of k (before T2 touched k itself) returned v, which T1 wrote as its
//   final write of k: T1 -> T2. Such a read proves T1 committed, :info or not.
// - Version order, from two sources only (after Elle's rw_register.clj):
//   * the initial state: nil precedes every version, so a txn that read nil anti-depends (rw) on
//     every committed txn that wrote k;
//   * read-then-write: a txn T that read v from k and then wrote u to k installed u after v, so
//     the writer of v -> T (ww), and every other txn that read v -> T (rw). (Write-then-read of a
//     different value is an internal anomaly, not an order; the write that is not a txn's last
//     for the key is no version at all.)
// - Non-cycle anomalies: internal (a read that disagrees with the txn's own earlier read or
//   write of the key, or that sees a write the txn makes only later), unknown values (read but
//   never written), G1a (read a value a :fail txn wrote), G1b (read a value its writer overwrote
//   in the same txn).
//
// Limits, all in the direction of missing anomalies, never of inventing them: blind writes (no
// read of the key first) are ordered only after nil, so cycles through the order of two blind
// writes go unseen; the process and real-time orders are not used to infer versions (Elle's
// optional sequential-keys / linearizable-keys assumptions); two txns that read the same v and
// both overwrote it (a lost update) appear as a G2-item cycle, which this checker does not report
// as snapshot isolation's separate lost-update anomaly. Cost: linear, plus, per key, (readers of
// nil) x (writers) rw edges.
//
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
// kDataError when a value is written twice to one key. When the meter runs out, stops with what
// it has. REQUIRES: history.workload == Workload::kRwRegister.
Status InferRwRegister(const TxnHistory& history, Meter* meter, DependencyGraph* graph,
                       std::vector<Anomaly>* anomalies);

// "T2 read key :x = 5, which T1 wrote (wr)" and the like, for an edge InferRwRegister added.
std::string ExplainRwRegisterEdge(const TxnHistory& history, const Edge& e);

}  // namespace tinykv::check::si
