// Tricky histories for the linearizability checker, and a differential test against a brute-force
// checker written from the definition (every order of the operations that took effect).
#include "grading/check/checker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

namespace tinykv::check {
namespace {

Verdict VerdictOf(const History& h, const Model& model, CheckOptions options = {}) {
  auto r = Check(h, model, options);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r->verdict : Verdict::kUnknown;
}

// Shorthands: an operation from call to ret.
Operation Op(int64_t client, std::string f, int64_t call, int64_t ret,
             std::optional<std::string> value = std::nullopt,
             std::optional<std::string> output = std::nullopt, std::string key = "",
             OpStatus status = OpStatus::kOk) {
  Operation op;
  op.client = client;
  op.f = std::move(f);
  op.key = std::move(key);
  op.value = std::move(value);
  op.output = std::move(output);
  op.call = call;
  op.ret = ret;
  op.status = status;
  return op;
}

Operation Cas(int64_t client, int64_t call, int64_t ret, std::string expect, std::string set,
              OpStatus status = OpStatus::kOk) {
  Operation op = Op(client, "cas", call, ret, expect, std::nullopt, "", status);
  op.new_value = std::move(set);
  return op;
}

TEST(LincheckRegister, EmptyHistoryIsLinearizable) {
  History h;
  auto r = Check(h, RegisterModel());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->verdict, Verdict::kLinearizable);
  EXPECT_TRUE(r->partitions.empty());
}

TEST(LincheckRegister, ReadOfNeverWrittenRegisterIsNil) {
  History h;
  h.ops = {Op(1, "read", 0, 1, std::nullopt, std::nullopt)};
  EXPECT_EQ(VerdictOf(h, RegisterModel()), Verdict::kLinearizable);
  h.ops = {Op(1, "read", 0, 1, std::nullopt, "0")};
  EXPECT_EQ(VerdictOf(h, RegisterModel()), Verdict::kNotLinearizable);
}

TEST(LincheckRegister, ConcurrentWritesWithOverlappingReads) {
  History h;
  // Two concurrent writes; reads overlapping them may see either, in an order consistent with
  // one linearization: 1 then 2.
  h.ops = {Op(1, "write", 0, 10, "1"), Op(2, "write", 0, 12, "2"),
           Op(3, "read", 1, 11, std::nullopt, "1"), Op(4, "read", 2, 13, std::nullopt, "2"),
           Op(3, "read", 14, 15, std::nullopt, "2")};
  EXPECT_EQ(VerdictOf(h, RegisterModel()), Verdict::kLinearizable);
  // Once both writes and a read of 2 have completed, a later read cannot see 1 again.
  h.ops.push_back(Op(4, "read", 16, 17, std::nullopt, "1"));
  EXPECT_EQ(VerdictOf(h, RegisterModel()), Verdict::kNotLinearizable);
  // Reads that do not overlap cannot flip-flop: 1, 2, 1 with a single write of each.
  h.ops = {Op(1, "write", 0, 10, "1"), Op(2, "write", 0, 10, "2"),
           Op(3, "read", 1, 2, std::nullopt, "1"), Op(3, "read", 3, 4, std::nullopt, "2"),
           Op(3, "read", 5, 6, std::nullopt, "1")};
  EXPECT_EQ(VerdictOf(h, RegisterModel()), Verdict::kNotLinearizable);
}

TEST(LincheckRegister, UnknownOutcomeMayHaveTakenEffect) {
  History h;
  h.ops = {Op(1, "write", 0, 1, "1"), Op(2, "write", 2, 3, "2", std::nullopt, "", OpStatus::kInfo),
           Op(3, "read", 10, 11, std::nullopt, "2")};
  EXPECT_EQ(VerdictOf(h, RegisterModel()), Verdict::kLinearizable);
}

TEST(LincheckRegister, UnknownOutcomeMayNotHaveTakenEffect) {
  History h;
  h.ops = {Op(1, "write", 0, 1, "1"), Op(2, "write", 2, 3, "2", std::nullopt, "", OpStatus::kInfo),
           Op(3, "read", 10, 11, std::nullopt, "1")};
  EXPECT_EQ(VerdictOf(h, RegisterModel()), Verdict::kLinearizable);
}

TEST(LincheckRegister, UnknownOutcomeMayTakeEffectAfterTheClientGaveUp) {
  History h;
  h.ops = {Op(1, "write", 0, 1, "1"), Op(2, "write", 2, 3, "2", std::nullopt, "", OpStatus::kInfo),
           Op(3, "read", 10, 11, std::nullopt, "1"), Op(3, "read", 12, 13, std::nullopt, "2")};
  EXPECT_EQ(VerdictOf(h, RegisterModel()), Verdict::kLinearizable);
}

TEST(LincheckRegister, UnknownOutcomeTakesEffectAtMostOnce) {
  History h;
  h.ops = {Op(1, "write", 0, 1, "1"), Op(2, "write", 2, 3, "2", std::nullopt, "", OpStatus::kInfo),
           Op(3, "read", 10, 11, std::nullopt, "2"), Op(1, "write", 12, 13, "1"),
           Op(3, "read", 14, 15, std::nullopt, "2")};
  EXPECT_EQ(VerdictOf(h, RegisterModel()), Verdict::kNotLinearizable);
}

TEST(LincheckRegister, UnknownOutcomeCannotTakeEffectBeforeItsCall) {
  History h;
  h.ops = {Op(1, "write", 0, 1, "1"), Op(3, "read", 2, 3, std::nullopt, "2"),
           Op(2, "write", 5, 6, "2", std::nullopt, "", OpStatus::kInfo)};
  EXPECT_EQ(VerdictOf(h, RegisterModel()), Verdict::kNotLinearizable);
}

TEST(LincheckRegister, FailedOperationTookNoEffect) {
  History h;
  h.ops = {Op(1, "write", 0, 1, "1"), Op(2, "write", 2, 3, "2", std::nullopt, "", OpStatus::kFail),
           Op(3, "read", 10, 11, std::nullopt, "2")};
  EXPECT_EQ(VerdictOf(h, RegisterModel()), Verdict::kNotLinearizable);
}

TEST(LincheckRegister, CasChain) {
  History h;
  h.ops = {Op(1, "write", 0, 1, "0"), Cas(2, 2, 10, "0", "1"), Cas(3, 3, 11, "1", "2"),
           Cas(4, 4, 12, "2", "3"), Op(5, "read", 13, 14, std::nullopt, "3")};
  EXPECT_EQ(VerdictOf(h, RegisterModel()), Verdict::kLinearizable);
  // Two successful cas from the same expected value cannot both have happened.
  h.ops = {Op(1, "write", 0, 1, "0"), Cas(2, 2, 3, "0", "1"), Cas(3, 4, 5, "0", "2")};
  EXPECT_EQ(VerdictOf(h, RegisterModel()), Verdict::kNotLinearizable);
  // ... unless the second one failed (no effect), or its outcome is unknown (it never happened).
  h.ops[2].status = OpStatus::kFail;
  EXPECT_EQ(VerdictOf(h, RegisterModel()), Verdict::kLinearizable);
  h.ops[2].status = OpStatus::kInfo;
  h.ops.push_back(Op(4, "read", 6, 7, std::nullopt, "1"));
  EXPECT_EQ(VerdictOf(h, RegisterModel()), Verdict::kLinearizable);
}

TEST(LincheckKv, SingleClientHistory) {
  HistoryRecorder rec;
  int64_t t = 0;
  auto op = [&](std::string f, std::string key, std::optional<std::string> v,
                std::optional<std::string> out) {
    size_t id = rec.Invoke(7, t++, f, key, v);
    rec.Ok(id, t++, out);
  };
  op("put", "a", "1", std::nullopt);
  op("append", "a", "2", std::nullopt);
  op("get", "a", std::nullopt, "12");
  op("get", "b", std::nullopt, "");
  op("delete", "a", std::nullopt, std::nullopt);
  op("get", "a", std::nullopt, "");
  EXPECT_EQ(VerdictOf(rec.history(), KvModel()), Verdict::kLinearizable);
  op("get", "a", std::nullopt, "12");  // stale read after the delete
  auto r = Check(rec.history(), KvModel());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->verdict, Verdict::kNotLinearizable);
  ASSERT_TRUE(r->failed_partition.has_value());
  const PartitionResult& p = r->partitions[*r->failed_partition];
  EXPECT_EQ(p.name, "key \"a\"");
  ASSERT_TRUE(p.first_unplaceable.has_value());
  EXPECT_EQ(*p.first_unplaceable, rec.history().ops.size() - 1);
  EXPECT_EQ(p.order.size(), 5u);  // everything on "a" before the stale read
  EXPECT_NE(r->report.find("get \"a\" → '12'"), std::string::npos) << r->report;
  EXPECT_NE(r->report.find("it returned '12' but key \"a\" holds ''"), std::string::npos)
      << r->report;
}

TEST(LincheckKv, PartitionsAreIndependentAndAgreeWithTheWholeSearch) {
  History h;
  h.ops = {Op(1, "put", 0, 5, "x", std::nullopt, "a"), Op(2, "put", 0, 5, "y", std::nullopt, "b"),
           Op(3, "get", 1, 6, std::nullopt, "x", "a"), Op(4, "get", 1, 6, std::nullopt, "", "b")};
  CheckOptions whole;
  whole.partition = false;
  auto r = Check(h, KvModel());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->partitions.size(), 2u);
  EXPECT_EQ(r->verdict, Verdict::kLinearizable);
  EXPECT_EQ(VerdictOf(h, KvModel(), whole), Verdict::kLinearizable);
  h.ops.push_back(Op(4, "get", 7, 8, std::nullopt, "", "b"));  // after put b y completed
  EXPECT_EQ(VerdictOf(h, KvModel()), Verdict::kNotLinearizable);
  EXPECT_EQ(VerdictOf(h, KvModel(), whole), Verdict::kNotLinearizable);
}

TEST(LincheckKv, OutOfBudgetIsUnknownNeverAGuess) {
  History h;
  for (int i = 0; i < 40; ++i) h.ops.push_back(Op(i, "append", 0, 100, std::to_string(i), {}, "k"));
  h.ops.push_back(Op(99, "get", 101, 102, std::nullopt, "nope", "k"));
  CheckOptions options;
  options.max_steps = 1;
  auto r = Check(h, KvModel(), options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->verdict, Verdict::kUnknown);
  EXPECT_NE(r->report.find("unknown"), std::string::npos);
  EXPECT_FALSE(r->partitions[0].checked);
}

TEST(LincheckKv, UnknownOperationIsAnError) {
  History h;
  h.ops = {Op(1, "increment", 0, 1, "1", std::nullopt, "a")};
  auto r = Check(h, KvModel());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kDataError);
  EXPECT_NE(r.status().message().find("unknown operation :increment"), std::string::npos);
}

TEST(LincheckKv, ReturnBeforeCallIsAnError) {
  History h;
  h.ops = {Op(1, "get", 5, 1, std::nullopt, "", "a")};
  EXPECT_FALSE(Check(h, KvModel()).ok());
}

// ---------------------------------------------------------------------------------------------
// Differential test: random small histories, checked by brute force from the definition.

struct Lcg {  // tiny deterministic generator (no std:: distributions, DESIGN.md §3)
  uint64_t s;
  uint64_t Next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return s >> 33;
  }
  int Below(int n) { return int(Next() % uint64_t(n)); }
};

// Linearizable iff some subset of the unknown-outcome operations plus all completed ones has an
// order that respects real time (a.ret < b.call ⇒ a first) and the sequential kv semantics.
bool BruteForceKv(const History& h) {
  std::vector<size_t> must, maybe;
  for (size_t i = 0; i < h.ops.size(); ++i) {
    if (h.ops[i].status == OpStatus::kOk) must.push_back(i);
    if (h.ops[i].status == OpStatus::kInfo) maybe.push_back(i);
  }
  for (uint32_t mask = 0; mask < (1u << maybe.size()); ++mask) {
    std::vector<size_t> chosen = must;
    for (size_t k = 0; k < maybe.size(); ++k) {
      if (mask & (1u << k)) chosen.push_back(maybe[k]);
    }
    std::sort(chosen.begin(), chosen.end());
    do {
      bool ok = true;
      for (size_t a = 0; a < chosen.size() && ok; ++a) {
        for (size_t b = a + 1; b < chosen.size() && ok; ++b) {
          const Operation& later = h.ops[chosen[a]];  // placed first ...
          const Operation& earlier = h.ops[chosen[b]];
          int64_t eret = earlier.status == OpStatus::kInfo ? kNoReturn : earlier.ret;
          if (eret < later.call) ok = false;  // ... though the other returned before its call
        }
      }
      std::map<std::string, std::string> kv;
      for (size_t k = 0; k < chosen.size() && ok; ++k) {
        const Operation& op = h.ops[chosen[k]];
        if (op.f == "get") ok = kv[op.key] == op.output.value_or("");
        if (op.f == "put") kv[op.key] = *op.value;
        if (op.f == "append") kv[op.key] += *op.value;
        if (op.f == "delete") kv[op.key] = "";
      }
      if (ok) return true;
    } while (std::next_permutation(chosen.begin(), chosen.end()));
  }
  return false;
}

History RandomKvHistory(Lcg& rng) {
  History h;
  int clients = 1 + rng.Below(3);
  std::vector<int64_t> free_at(clients, 0);
  int n = 1 + rng.Below(6);
  std::map<std::string, std::string> truth;  // a plausible execution, then perturbed
  for (int i = 0; i < n; ++i) {
    int c = rng.Below(clients);
    Operation op;
    op.client = c;
    op.key = rng.Below(3) == 0 ? "b" : "a";
    op.call = free_at[c] + rng.Below(3);
    op.ret = op.call + rng.Below(6);
    free_at[c] = op.ret + 1;
    int kind = rng.Below(10);
    std::string v(1, char('p' + rng.Below(4)));
    if (kind < 4) {
      op.f = "get";
      op.output = rng.Below(4) == 0 ? v : truth[op.key];
    } else if (kind < 6) {
      op.f = "put";
      op.value = v;
      truth[op.key] = v;
    } else if (kind < 9) {
      op.f = "append";
      op.value = v;
      truth[op.key] += v;
    } else {
      op.f = "delete";
      truth[op.key] = "";
    }
    int st = rng.Below(8);
    op.status = st == 0 ? OpStatus::kInfo : st == 1 ? OpStatus::kFail : OpStatus::kOk;
    h.ops.push_back(op);
  }
  return h;
}

TEST(LincheckDifferential, AgreesWithBruteForceOnRandomKvHistories) {
  Lcg rng{12345};
  int linearizable = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    History h = RandomKvHistory(rng);
    bool expected = BruteForceKv(h);
    linearizable += expected;
    for (bool partition : {true, false}) {
      CheckOptions options;
      options.partition = partition;
      auto r = Check(h, KvModel(), options);
      ASSERT_TRUE(r.ok());
      ASSERT_EQ(r->verdict, expected ? Verdict::kLinearizable : Verdict::kNotLinearizable)
          << "iteration " << iter << " partition=" << partition << "\n"
          << r->report;
    }
  }
  // Both verdicts must be well represented, or the test proves little.
  EXPECT_GT(linearizable, 300);
  EXPECT_LT(linearizable, 2700);
}

}  // namespace
}  // namespace tinykv::check
