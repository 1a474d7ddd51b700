// tinykv_sicheck's entry point: checks a transactional history (txn_history.h) against
// consistency models, Elle-style (Kingsbury & Alvaro, VLDB 2020).
//
// The pipeline: the workload's inference (list_append.h, rw_register.h) finds the anomalies that
// need no cycle and the ww / wr / rw edges; realtime.h adds real-time edges when a model needs them
// (strong-snapshot-isolation, strict-serializable); cycle_search.h finds and classifies the
// cycles. Which model forbids what is anomaly.h.
//
// Cost: linear in the history for every verdict (see cycle_search.h for the one superlinear
// witness search); memory a few hundred bytes per transaction. The Budget (budget.h) bounds the
// work: when it runs out, the result says what was proven and leaves the rest "unknown".
//
// Determinism: results depend only on the history and the options (ordered output, no clocks,
// no hash-order iteration). Pure function; callable from any thread.
#pragma once

#include <vector>

#include "grading/check/si/anomaly.h"
#include "grading/check/si/budget.h"
#include "grading/check/si/txn_history.h"
#include "grading/check/status.h"

namespace tinykv::check::si {

struct CheckOptions {
  // The models to decide. Realtime edges are built only when one of them needs them.
  std::vector<Consistency> models = {Consistency::kStrongSnapshotIsolation};
  Budget* budget = nullptr;  // nullptr: no limit
};

// Checks `history`. kDataError when it breaks its workload's contract (an element appended, or a
// value written, twice to one key). A truncated history (the budget ran out while reading it) is
// not checked: every model is undecided.
Result<CheckResult> CheckHistory(const TxnHistory& history, const CheckOptions& options = {});

}  // namespace tinykv::check::si
