// Helpers for the tests of grading/check/si/: parse EDN text, check it, and name what was found.
#pragma once

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "grading/check/si/check.h"
#include "grading/check/si/history_edn.h"

namespace tinykv::check::si::testing {

inline constexpr Consistency kRC = Consistency::kReadCommitted;
inline constexpr Consistency kSI = Consistency::kSnapshotIsolation;
inline constexpr Consistency kSSI = Consistency::kStrongSnapshotIsolation;
inline constexpr Consistency kSer = Consistency::kSerializable;
inline constexpr Consistency kSSer = Consistency::kStrictSerializable;

inline TxnHistory Parse(const std::string& edn, Workload w = Workload::kListAppend) {
  ReadOptions options;
  options.workload = w;
  Result<TxnHistory> h = ParseTxnHistory(edn, "h.edn", options);
  EXPECT_TRUE(h.ok()) << h.status().message();
  return h.ok() ? std::move(*h) : TxnHistory{};
}

inline CheckResult CheckTxns(const TxnHistory& h, Consistency model) {
  CheckOptions options;
  options.models = {model};
  Result<CheckResult> r = CheckHistory(h, options);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(*r) : CheckResult{};
}

inline CheckResult Check(const std::string& edn, Consistency model,
                         Workload w = Workload::kListAppend) {
  return CheckTxns(Parse(edn, w), model);
}

inline std::set<std::string> Names(const CheckResult& r) {
  std::set<std::string> out;
  for (const Anomaly& a : r.anomalies) out.insert(std::string(AnomalyName(a.type)));
  return out;
}

inline bool ValidUnder(const std::string& edn, Consistency model,
                       Workload w = Workload::kListAppend) {
  return Check(edn, model, w).VerdictFor(model) == Verdict::kValid;
}

// Checks `edn` under `model`, expecting exactly the anomaly kind `name`, which the model forbids.
inline CheckResult CheckFinds(const std::string& edn, Consistency model, const std::string& name,
                              Workload w = Workload::kListAppend) {
  CheckResult r = Check(edn, model, w);
  EXPECT_EQ(Names(r), (std::set<std::string>{name})) << r.Summary(model);
  EXPECT_EQ(r.VerdictFor(model), Verdict::kInvalid) << r.Summary(model);
  return r;
}

// The EDN texts of a read's values.
inline std::vector<std::string> ReadTexts(const TxnHistory& h, const Mop& m) {
  std::vector<std::string> out;
  for (uint32_t v : h.ReadOf(m)) out.push_back(h.ValueText(v));
  return out;
}

// A history whose only cycles are G-nonadjacent and where looking for a G-single costs about
// n^2 / 2 steps: two chains of wr edges, C1 -> ... -> Cn and D1 -> ... -> Dn, with rw edges
// Ci -> Di (Ci read key ki as empty, Di appended to it) and Dn -> C1. Each Di starts its own
// fruitless search down the D chain. One op map per line, no :process.
inline std::string TwoChainsEdn(int n) {
  std::string edn;
  for (int i = 1; i <= n; ++i) {
    const std::string s = std::to_string(i);
    edn += "{:type :ok, :value [[:r \"k" + s + "\" []]";
    if (i > 1) edn += " [:r \"c" + std::to_string(i - 1) + "\" [1]]";
    edn += " [:append \"c" + s + "\" 1]";
    if (i == 1) edn += " [:append \"l\" 1]";
    edn += "]}\n";
  }
  for (int i = 1; i <= n; ++i) {
    const std::string s = std::to_string(i);
    edn += "{:type :ok, :value [[:append \"k" + s + "\" 1]";
    if (i > 1) edn += " [:r \"d" + std::to_string(i - 1) + "\" [1]]";
    edn += " [:append \"d" + s + "\" 1]";
    if (i == n) edn += " [:r \"l\" []]";
    edn += "]}\n";
  }
  return edn;
}

}  // namespace tinykv::check::si::testing
