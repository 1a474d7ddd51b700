// Tests for the work budget: a check stopped anywhere says so and claims only what it proved, and
// a budget that never runs out changes nothing.
#include "grading/check/si/budget.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "grading/check/si/si_test_util.h"

namespace tinykv::check::si {
namespace {

using namespace testing;  // NOLINT: the test vocabulary

// Never runs out; counts how often it was asked.
class CountingBudget final : public Budget {
 public:
  bool Exhausted() override {
    ++polls;
    return false;
  }
  uint64_t polls = 0;
};

CheckResult CheckWith(const TxnHistory& h, Consistency model, Budget* budget) {
  CheckOptions options;
  options.models = {model};
  options.budget = budget;
  Result<CheckResult> r = CheckHistory(h, options);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(*r) : CheckResult{};
}

// n txns, txn i reads key i as empty and appends to key i + 1 (mod n): one component, a G2-item
// cycle through all of them, valid under snapshot isolation.
TxnHistory WriteSkewRing(size_t n) {
  TxnHistoryBuilder b(Workload::kListAppend);
  for (size_t i = 0; i < n; ++i) {
    b.BeginTxn(TxnStatus::kOk, static_cast<int64_t>(i));
    b.Read(std::to_string(i), {});
    b.Append(std::to_string((i + 1) % n), "1");
  }
  return std::move(b).Finish();
}

TEST(Budget, StepBudgetRunsOutAtTheGivenPoll) {
  StepBudget b(2);
  EXPECT_FALSE(b.Exhausted());
  EXPECT_FALSE(b.Exhausted());
  EXPECT_TRUE(b.Exhausted());
  EXPECT_TRUE(b.Exhausted());
  Meter m(&b);
  EXPECT_FALSE(m.Spend(Meter::kUnitsPerPoll - 1));  // not polled yet
  EXPECT_TRUE(m.Spend());
  EXPECT_TRUE(m.stopped());
  Meter unlimited(nullptr);
  EXPECT_FALSE(unlimited.Spend(1u << 30));
}

TEST(Budget, ABudgetThatNeverRunsOutChangesNothing) {
  const TxnHistory h = WriteSkewRing(5000);
  for (Consistency m : {kSI, kSer}) {
    CountingBudget count;
    const CheckResult unlimited = CheckWith(h, m, nullptr);
    EXPECT_EQ(CheckWith(h, m, &count).Summary(m), unlimited.Summary(m));
    ASSERT_GT(count.polls, 10u);
    StepBudget exact(count.polls);
    EXPECT_EQ(CheckWith(h, m, &exact).Summary(m), unlimited.Summary(m));
    StepBudget short_by_one(count.polls - 1);
    const CheckResult cut = CheckWith(h, m, &short_by_one);
    EXPECT_FALSE(cut.notes.empty()) << cut.Summary(m);
  }
}

// Stopped at any of many points, the ring (valid under SI, invalid under serializable) gets no
// verdict that contradicts the full check, and every stop leaves a note. A model's verdict can
// stand before the search ends: snapshot isolation is settled once the G-single / G-nonadjacent
// step is done, though the G2-item it allows is still being classified.
TEST(Budget, AStoppedCheckClaimsOnlyWhatItProved) {
  const TxnHistory h = WriteSkewRing(5000);
  CountingBudget count;
  CheckWith(h, kSer, &count);
  bool classification_cut = false;
  bool si_unknown = false;
  bool si_settled_early = false;
  for (uint64_t k = 0; k < count.polls; k += 1 + count.polls / 60) {
    for (Consistency m : {kSI, kSer}) {
      StepBudget budget(k);
      const CheckResult r = CheckWith(h, m, &budget);
      const Verdict v = r.VerdictFor(m);
      ASSERT_FALSE(r.notes.empty()) << "k " << k;
      if (m == kSer) {
        EXPECT_NE(v, Verdict::kValid) << "k " << k << "\n" << r.Summary(m);
        if (v == Verdict::kInvalid) {
          EXPECT_EQ(Names(r), (std::set<std::string>{"G2-item"}));
        }
      } else {
        EXPECT_NE(v, Verdict::kInvalid) << "k " << k << "\n" << r.Summary(m);
        si_unknown = si_unknown || v == Verdict::kUnknown;
        si_settled_early = si_settled_early || v == Verdict::kValid;
      }
      for (const std::string& note : r.notes) {
        classification_cut =
            classification_cut ||
            note ==
                "the budget ran out: the component of 5000 txns contains a cycle; its "
                "classification did not finish";
      }
    }
  }
  EXPECT_TRUE(classification_cut);
  EXPECT_TRUE(si_unknown);
  EXPECT_TRUE(si_settled_early);
}

// The search for a G-single is the one step that is not linear. Cut there, the verdict stands
// (the G-nonadjacent walk proves the same models wrong) and a note says the witness may not be
// the weakest.
TEST(Budget, CutInTheGSingleSearchKeepsTheVerdict) {
  const TxnHistory h = Parse(TwoChainsEdn(1500));
  CountingBudget count;
  const CheckResult full = CheckWith(h, kSI, &count);
  ASSERT_EQ(Names(full), (std::set<std::string>{"G-nonadjacent"})) << full.Summary(kSI);
  EXPECT_TRUE(full.notes.empty());
  EXPECT_GT(count.polls, 1000u);  // about 1500^2 / 2 steps
  StepBudget half(count.polls / 2);
  const CheckResult cut = CheckWith(h, kSI, &half);
  EXPECT_EQ(cut.VerdictFor(kSI), Verdict::kInvalid) << cut.Summary(kSI);
  EXPECT_EQ(Names(cut), (std::set<std::string>{"G-nonadjacent"})) << cut.Summary(kSI);
  ASSERT_FALSE(cut.notes.empty());
  EXPECT_NE(cut.notes[0].find("the budget ran out while looking for a cycle with a single rw edge "
                              "in the component of 3000 txns"),
            std::string::npos)
      << cut.notes[0];
}

}  // namespace
}  // namespace tinykv::check::si
