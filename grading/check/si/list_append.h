// An Elle-style consistency checker for list-append transactional histories (Kingsbury & Alvaro,
// "Elle: Inferring Isolation Anomalies from Experimental Observations", VLDB 2020; anomaly names
// from Adya's thesis).
//
// What it infers, from a TxnHistory (txn_history.h):
// - Non-cycle anomalies: internal inconsistency (a txn's read disagrees with its own earlier read
//   plus its own appends since), duplicate elements in a read, incompatible orders (two reads of a
//   key that are not prefixes of one another), unknown elements (read but never appended),
//   G1a (a read saw an element of a :fail txn), G1b (a read ended at an element its writer
//   followed with another append to the same key).
// - The version order of each key: its longest read (every read must be a prefix of it).
// - A dependency graph over :ok txns (and :info txns whose appends were read, since those must
//   have committed): ww (appender of element i -> appender of element i+1), wr (appender of the
//   last element a read saw -> the reader), rw (a reader that saw the list up to element i ->
//   the appender of element i+1; an empty read -> the appender of the first element).
// - Cycles: strongly connected components of the graph (iterative Tarjan); in each nontrivial one
//   the weakest cycle: G0 (ww only), else G1c (ww+wr), else G-single (exactly one rw), else
//   G2-item. One witness per component, each a shortest cycle of its kind from a fixed start.
//
// Verdict per model: read-committed forbids G0, G1a, G1b, G1c and the non-cycle anomalies;
// snapshot-isolation also G-single; serializable also G2-item. Real-time (strict) variants are
// not implemented.
//
// Determinism: results depend only on the history (ordered containers, sorted adjacency); no
// clocks. Pure function; callable from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grading/check/si/txn_history.h"
#include "grading/check/status.h"

namespace tinykv::check::si {

enum class Consistency { kReadCommitted, kSnapshotIsolation, kSerializable };

enum class AnomalyType {
  kInternal,
  kDuplicateElements,
  kIncompatibleOrder,
  kUnknownElement,
  kG1a,
  kG1b,
  kG0,
  kG1c,
  kGSingle,
  kG2Item,
};

// "internal", "duplicate-elements", "incompatible-order", "unknown-element", "G1a", "G1b", "G0",
// "G1c", "G-single", "G2-item".
std::string_view AnomalyName(AnomalyType type);
// "read-committed", "snapshot-isolation", "serializable".
std::string_view ConsistencyName(Consistency model);
// Inverse of ConsistencyName; nullopt for anything else.
std::optional<Consistency> ParseConsistency(std::string_view name);
// Whether `model` forbids `type`.
bool Forbids(Consistency model, AnomalyType type);

struct Anomaly {
  AnomalyType type = AnomalyType::kInternal;
  // Indices into TxnHistory::txns. For cycles: the cycle in order (txns[i] -> txns[i+1], the
  // last back to the first); otherwise the txns involved (the reader first).
  std::vector<size_t> txns;
  // One line each. For cycles: one per edge, "T12 appended 3 to key 5 after T9 appended 2 (ww)";
  // otherwise one line saying what was seen.
  std::vector<std::string> explanation;
  bool forbidden = false;  // by the model the check ran for
};

struct CheckResult {
  bool valid = true;               // no anomaly the model forbids
  std::vector<Anomaly> anomalies;  // every anomaly found, forbidden or not, in a fixed order
  // A few lines for people: the verdict, then each anomaly with its explanation.
  std::string Summary(Consistency model) const;
};

// Checks `history` against `model`. kDataError when the history breaks the list-append contract
// (an element appended twice to the same key).
Result<CheckResult> CheckListAppend(const TxnHistory& history, Consistency model);

}  // namespace tinykv::check::si
