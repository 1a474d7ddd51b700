// What the transactional checker reports (grading/check/si/): anomaly kinds, consistency models,
// which model forbids which anomaly, and the result of a check.
//
// Anomaly names follow Elle (Kingsbury & Alvaro, VLDB 2020) and Adya's thesis. Cycle anomalies,
// by the edges of the cycle (ww, wr, rw dependencies; realtime: T1 completed before T2 began):
//   G0            ww only                    G1c            ww and wr, at least one wr
//   G-single      exactly one rw             G-nonadjacent  two or more rw, no two adjacent
//   G2-item       two or more rw, some two adjacent
// and the -realtime variant of each when the cycle uses at least one realtime edge. (Elle also
// has "-item" forms, G-single-item and G-nonadjacent-item, for cycles whose rw edges are all on
// items rather than predicates; this checker has item edges only, so its G-single and
// G-nonadjacent are those.)
//
// Which models forbid what (from Elle's elle/consistency_model.clj, following its implications):
//   anomaly                                   RC   SI   strong-SI   serializable   strict-ser.
//   internal, G1a, G1b, duplicates, ... G0, G1c  x    x       x            x              x
//   G-single, G-nonadjacent                         x       x            x              x
//   G2-item                                                              x              x
//   G0/G1c/G-single/G-nonadjacent-realtime                  x                           x
//   G2-item-realtime                                                                    x
// (One deliberate difference: Elle's read-committed does not list "internal"; here every model
// does, since a transaction that disagrees with its own earlier reads breaks each of them.)
//
// Values are plain data; callable from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grading/check/si/dependency_graph.h"

namespace tinykv::check::si {

enum class Consistency {
  kReadCommitted,
  kSnapshotIsolation,
  kStrongSnapshotIsolation,
  kSerializable,
  kStrictSerializable,
};
inline constexpr Consistency kAllConsistencies[] = {
    Consistency::kReadCommitted, Consistency::kSnapshotIsolation,
    Consistency::kStrongSnapshotIsolation, Consistency::kSerializable,
    Consistency::kStrictSerializable};

// Ordered by severity: each kind comes before the kinds a search looks for after it.
enum class AnomalyType {
  kInternal,
  kDuplicateElements,
  kIncompatibleOrder,
  kUnknownElement,
  // A committed append no read of its key ever showed, although a read of the key began after
  // the append's transaction had completed (forbidden by the real-time models only).
  kLostAppend,
  kG1a,
  kG1b,
  kG0,
  kG1c,
  kGSingle,
  kGNonadjacent,
  kG2Item,
  kG0Realtime,
  kG1cRealtime,
  kGSingleRealtime,
  kGNonadjacentRealtime,
  kG2ItemRealtime,
};

// "internal", "duplicate-elements", "incompatible-order", "unknown-element", "lost-append",
// "G1a", "G1b", "G0",
// "G1c", "G-single", "G-nonadjacent", "G2-item", "G0-realtime", ..., "G2-item-realtime".
std::string_view AnomalyName(AnomalyType type);
// "read-committed", "snapshot-isolation", "strong-snapshot-isolation", "serializable",
// "strict-serializable".
std::string_view ConsistencyName(Consistency model);
// Inverse of ConsistencyName; nullopt for anything else.
std::optional<Consistency> ParseConsistency(std::string_view name);
// Whether `model` forbids `type`.
bool Forbids(Consistency model, AnomalyType type);
// Whether `model` is defined with real-time order (the checker then adds realtime edges).
bool NeedsRealtime(Consistency model);
// The cycle anomaly a cyclic sequence of edge kinds (kinds[i] leads to kinds[i + 1], the last
// back to the first) is, by the table above. REQUIRES: !kinds.empty().
AnomalyType ClassifyCycle(const std::vector<EdgeKind>& kinds);

struct Anomaly {
  AnomalyType type = AnomalyType::kInternal;
  // Indices into TxnHistory::txns. For cycles: the cycle in order (txns[i] -> txns[i+1], the
  // last back to the first); otherwise the txns involved (the reader first).
  std::vector<size_t> txns;
  // For cycles: the kind of each edge, edges[i] leaving txns[i]. Empty otherwise.
  std::vector<EdgeKind> edges;
  // One line each. For cycles: one per edge, "T12 appended 3 to key 5 after T9 appended 2 (ww)";
  // otherwise one line saying what was seen.
  std::vector<std::string> explanation;
};

enum class Verdict { kValid, kInvalid, kUnknown };
// "valid", "invalid", "unknown".
std::string_view VerdictName(Verdict v);

struct CheckResult {
  std::vector<Consistency> models;  // the models the check decided (or tried to)
  std::vector<Anomaly> anomalies;   // every anomaly found, in severity order, then as found
  // Models whose verdict the budget left open: nothing they forbid was found, but the search for
  // it did not finish.
  std::vector<Consistency> undecided;
  // Lines for people about searches that stopped early: what was proven, what was not.
  std::vector<std::string> notes;

  // Invalid if an anomaly `model` forbids was found; otherwise unknown if `model` was not
  // checked or is undecided; otherwise valid.
  Verdict VerdictFor(Consistency model) const;
  // A few lines: the verdict ("invalid under serializable: G2-item"), then each anomaly,
  // "(forbidden)" or "(allowed)" under `model`, with its explanation, then the notes.
  std::string Summary(Consistency model) const;
};

}  // namespace tinykv::check::si
