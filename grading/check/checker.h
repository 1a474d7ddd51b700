// The linearizability checker: is a History linearizable with respect to a Model?
//
// Check() partitions the history by register (P-compositionality, model.h), drops what cannot
// matter (:fail operations took no effect; reads with unknown outcome change nothing), and runs
// the memoised Wing–Gong / Lowe search (search.h) on each partition, in register order.
//
// Verdicts are never guesses: kLinearizable and kNotLinearizable are proofs (a witness order, or
// an exhausted search); when the budget runs out first the verdict is kUnknown. The wall-clock
// budget reads std::chrono::steady_clock, which is fine because the checker runs on a finished
// history, outside the simulation; for a budget that replays identically use max_steps.
//
// On kNotLinearizable the result names the failing partition, its longest linearizable prefix
// (order), the operations that could come next and why the model rejects each (stuck), and the
// first operation that cannot be placed (first_unplaceable); CheckResult::report says all this in
// words for a student. Thread-compatible: one Check() call per thread, no shared state.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grading/check/history.h"
#include "grading/check/model.h"
#include "grading/check/status.h"

namespace tinykv::check {

enum class Verdict { kLinearizable, kNotLinearizable, kUnknown };

// "linearizable", "NOT linearizable", "unknown".
std::string_view VerdictName(Verdict v);

struct CheckOptions {
  // Wall-clock budget for the whole check; zero or negative means none.
  std::chrono::nanoseconds timeout = std::chrono::seconds(60);
  // Budget in search steps over all partitions (deterministic); 0 means none.
  uint64_t max_steps = 0;
  // Check each register alone (P-compositionality). Off: one search over the product state.
  bool partition = true;
  // Keep checking the other partitions after one fails (for a complete timeline).
  bool check_all_partitions = false;
};

struct PartitionResult {
  std::string name;         // `key "k7"`, `the register`, or `all keys` when not partitioned
  std::vector<size_t> ops;  // every operation of the partition (history indices, by call time)
  bool checked = false;     // false: skipped after another partition failed, or out of budget
  Verdict verdict = Verdict::kUnknown;
  // kLinearizable: a linearization of the operations that took effect. kNotLinearizable: the
  // longest linearizable prefix. Unknown: empty.
  std::vector<size_t> order;
  // kNotLinearizable: operations that may come right after `order`, each rejected by the model,
  // with the reason in words (parallel vectors).
  std::vector<size_t> stuck;
  std::vector<std::string> stuck_reasons;
  // kNotLinearizable: the earliest-returning operation not in `order` — it had to be placed
  // before its return and cannot be.
  std::optional<size_t> first_unplaceable;
  // kNotLinearizable: the register values after `order`, in words.
  std::string state_after;
  uint64_t steps = 0;  // search steps spent
};

struct CheckResult {
  Verdict verdict = Verdict::kUnknown;
  std::vector<PartitionResult> partitions;  // in register order
  std::optional<size_t> failed_partition;   // index of the partition that is not linearizable
  std::string report;                       // the verdict and its explanation, in words
};

// Checks `history` against `model`. Errors (kDataError) only for operations the model cannot
// interpret or impossible times (a return before its call).
Result<CheckResult> Check(const History& history, const Model& model,
                          const CheckOptions& options = {});

}  // namespace tinykv::check
