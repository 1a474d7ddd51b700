// The work budget of the transactional checker (grading/check/si/): how a caller stops a long
// check without the library reading a clock.
//
// The library never looks at time (DESIGN.md §3: results depend on the history only). It counts
// units of work through a Meter — a unit is small and roughly constant: one op read, one txn or
// read inferred, one edge or node visited by a search — and asks its Budget, once per
// Meter::kUnitsPerPoll units, whether to stop. The CLI's Budget compares a steady clock with a
// deadline (sicheck_main.cc); StepBudget stops after a fixed number of polls, so tests can stop a
// check at a reproducible point. A check whose budget never runs out gives the same result as one
// without a budget.
//
// Budget and Meter are used by one thread at a time (the one running the check).
#pragma once

#include <cstdint>

namespace tinykv::check::si {

class Budget {
 public:
  virtual ~Budget() = default;
  // Asked about once per Meter::kUnitsPerPoll units of work: true when the check must stop now.
  // Once it has returned true it must keep returning true.
  virtual bool Exhausted() = 0;
};

// Runs out at the `polls`-th call of Exhausted() (polls == 0: at the first). Deterministic.
class StepBudget final : public Budget {
 public:
  explicit StepBudget(uint64_t polls) : left_(polls) {}
  bool Exhausted() override {
    if (left_ == 0) return true;
    --left_;
    return false;
  }

 private:
  uint64_t left_;
};

// Counts units of work against an optional Budget (nullptr: unlimited).
class Meter {
 public:
  static constexpr uint32_t kUnitsPerPoll = 1024;

  explicit Meter(Budget* budget) : budget_(budget) {}

  // Spends `units`; true when the budget has run out (now or before) and the caller must stop.
  bool Spend(uint32_t units = 1) {
    if (stopped_) return true;
    if (budget_ == nullptr) return false;
    pending_ += units;
    if (pending_ < kUnitsPerPoll) return false;
    pending_ = 0;
    stopped_ = budget_->Exhausted();
    return stopped_;
  }
  bool stopped() const { return stopped_; }

 private:
  Budget* budget_;
  uint32_t pending_ = 0;
  bool stopped_ = false;
};

}  // namespace tinykv::check::si
