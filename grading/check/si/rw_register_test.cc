// Tests for rw-register inference: one hand-written history per anomaly and for its absence,
// the limits of what is inferred, and soundness against brute force.
#include "grading/check/si/rw_register.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "grading/check/si/si_test_util.h"

namespace tinykv::check::si {
namespace {

using namespace testing;  // NOLINT: the test vocabulary

constexpr Workload kReg = Workload::kRwRegister;

CheckResult CheckReg(const std::string& edn, Consistency model) { return Check(edn, model, kReg); }
CheckResult FindsReg(const std::string& edn, Consistency model, const std::string& name) {
  return CheckFinds(edn, model, name, kReg);
}

TEST(RwRegister, SerialHistoryIsValidEverywhere) {
  const std::string h =
      "{:type :ok, :value [[:r :x nil] [:w :x 1]]}\n"
      "{:type :ok, :value [[:r :x 1] [:w :x 2] [:r :x 2]]}\n"
      "{:type :ok, :value [[:r :x 2] [:r :y nil]]}\n";
  for (Consistency m : kAllConsistencies) {
    CheckResult r = CheckReg(h, m);
    EXPECT_EQ(r.VerdictFor(m), Verdict::kValid) << r.Summary(m);
    EXPECT_TRUE(r.anomalies.empty()) << r.Summary(m);
  }
}

TEST(RwRegister, ReadOfFailedWriteIsG1a) {
  CheckResult r = FindsReg(
      "{:type :fail, :value [[:w :x 1]]}\n"
      "{:type :ok, :value [[:r :x 1]]}\n",
      kRC, "G1a");
  ASSERT_FALSE(r.anomalies.empty()) << r.Summary(kSI);
  EXPECT_EQ(r.anomalies[0].txns, (std::vector<size_t>{1, 0}));
  EXPECT_EQ(
      r.anomalies[0].explanation,
      (std::vector<std::string>{"T1 read key :x = 1, written by T0, a transaction that failed"}));
}

TEST(RwRegister, ReadOfOverwrittenValueIsG1b) {
  CheckResult r = FindsReg(
      "{:type :ok, :value [[:w :x 1] [:w :x 2]]}\n"
      "{:type :ok, :value [[:r :x 1]]}\n",
      kRC, "G1b");
  ASSERT_FALSE(r.anomalies.empty()) << r.Summary(kSI);
  EXPECT_EQ(
      r.anomalies[0].explanation,
      (std::vector<std::string>{
          "T1 read key :x = 1, an intermediate write of T0, which wrote the key again later"}));
  // Reading the final write is fine.
  EXPECT_TRUE(
      ValidUnder("{:type :ok, :value [[:w :x 1] [:w :x 2]]}\n"
                 "{:type :ok, :value [[:r :x 2]]}\n",
                 kSSer, kReg));
}

TEST(RwRegister, InternalInconsistency) {
  CheckResult r = FindsReg(
      "{:type :ok, :value [[:w :x 2]]}\n"
      "{:type :ok, :value [[:w :x 1] [:r :x 2]]}\n"
      "{:type :ok, :value [[:r :x 2] [:r :x nil]]}\n"
      "{:type :ok, :value [[:r :y 3] [:w :y 3]]}\n",
      kRC, "internal");
  ASSERT_EQ(r.anomalies.size(), 3u);
  EXPECT_EQ(r.anomalies[0].explanation,
            (std::vector<std::string>{"T1 read key :x = 2 but expected 1"}));
  EXPECT_EQ(r.anomalies[1].explanation,
            (std::vector<std::string>{"T2 read key :x = nil but expected 2"}));
  EXPECT_EQ(r.anomalies[2].explanation,
            (std::vector<std::string>{"T3 read key :y = 3 before writing 3 to it itself"}));
}

TEST(RwRegister, UnknownValue) {
  CheckResult r = FindsReg("{:type :ok, :value [[:r :x 7]]}\n", kRC, "unknown-element");
  ASSERT_FALSE(r.anomalies.empty()) << r.Summary(kSI);
  EXPECT_EQ(r.anomalies[0].explanation,
            (std::vector<std::string>{"T0 read key :x = 7, but no transaction wrote 7"}));
}

TEST(RwRegister, ValueWrittenTwiceIsADataError) {
  Result<CheckResult> r =
      CheckHistory(Parse("{:type :ok, :value [[:w :x 1]]}\n"
                         "{:type :info, :value [[:w :x 1]]}\n",
                         kReg));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "T0 and T1 both write 1 to key :x; rw-register needs each value written once per key");
}

// T1 read x as the initial state, yet saw T0's write to y: T1 -rw-> T0 (nil precedes T0's x) and
// T0 -wr-> T1.
TEST(RwRegister, ReadSkewFromTheInitialStateIsGSingle) {
  const std::string h =
      "{:type :ok, :value [[:w :x 1] [:w :y 1]]}\n"
      "{:type :ok, :value [[:r :x nil] [:r :y 1]]}\n";
  CheckResult r = FindsReg(h, kSI, "G-single");
  ASSERT_FALSE(r.anomalies.empty()) << r.Summary(kSI);
  EXPECT_EQ(
      r.anomalies[0].explanation,
      (std::vector<std::string>{"T1 read key :x = nil, the initial state, and T0 wrote 1 (rw)",
                                "T1 read key :y = 1, which T0 wrote (wr)"}));
  EXPECT_TRUE(ValidUnder(h, kRC, kReg));
}

TEST(RwRegister, WriteSkewIsG2Item) {
  const std::string h =
      "{:type :ok, :value [[:r :x nil] [:w :y 1]]}\n"
      "{:type :ok, :value [[:r :y nil] [:w :x 1]]}\n";
  FindsReg(h, kSer, "G2-item");
  EXPECT_TRUE(ValidUnder(h, kSI, kReg));
}

// Each txn read the other's write and then overwrote it: the order of versions comes from
// read-then-write, and both ww edges close a cycle.
TEST(RwRegister, OverwritesInBothOrdersAreG0) {
  const std::string h =
      "{:type :ok, :value [[:r :x 10] [:w :x 11] [:w :y 20]]}\n"
      "{:type :ok, :value [[:w :x 10] [:r :y 20] [:w :y 21]]}\n";
  CheckResult r = Check(h, kRC, kReg);
  ASSERT_FALSE(r.anomalies.empty()) << r.Summary(kRC);
  EXPECT_EQ(r.anomalies[0].type, AnomalyType::kG0) << r.Summary(kRC);
  EXPECT_EQ(
      r.anomalies[0].explanation,
      (std::vector<std::string>{"T1 wrote 21 to key :y after reading 20, which T0 wrote (ww)",
                                "T0 wrote 11 to key :x after reading 10, which T1 wrote (ww)"}));
}

// Two txns read version 0 and both overwrote it: each anti-depends on the other.
TEST(RwRegister, LostUpdateIsG2Item) {
  const std::string h =
      "{:type :ok, :value [[:w :x 0]]}\n"
      "{:type :ok, :value [[:r :x 0] [:w :x 1]]}\n"
      "{:type :ok, :value [[:r :x 0] [:w :x 2]]}\n";
  CheckResult r = FindsReg(h, kSer, "G2-item");
  ASSERT_FALSE(r.anomalies.empty()) << r.Summary(kSI);
  EXPECT_EQ(
      r.anomalies[0].explanation,
      (std::vector<std::string>{"T1 read key :x = 0, and T2 read it too and then wrote 2 (rw)",
                                "T2 read key :x = 0, and T1 read it too and then wrote 1 (rw)"}));
}

// Blind writes have no known order among themselves, so nothing is claimed about them.
TEST(RwRegister, BlindWritesInAnyOrderAreNoAnomaly) {
  EXPECT_TRUE(
      ValidUnder("{:type :ok, :value [[:w :x 1]]}\n"
                 "{:type :ok, :value [[:w :x 2]]}\n"
                 "{:type :ok, :value [[:r :x 1]]}\n"
                 "{:type :ok, :value [[:r :x 2]]}\n"
                 "{:type :ok, :value [[:r :x 1]]}\n",
                 kSSer, kReg));
}

TEST(RwRegister, InfoWriteCountsOnlyOnceObserved) {
  // Unobserved, T0 may never have committed: T1's nil read anti-depends on nothing.
  EXPECT_TRUE(CheckReg("{:type :info, :value [[:w :x 1] [:w :y 1]]}\n"
                       "{:type :ok, :value [[:r :x nil] [:r :y nil]]}\n",
                       kSer)
                  .anomalies.empty());
  // Observed (T1 read y = 1), it did: then T1's nil read of x misses it, a G-single.
  FindsReg(
      "{:type :info, :value [[:w :x 1] [:w :y 1]]}\n"
      "{:type :ok, :value [[:r :x nil] [:r :y 1]]}\n",
      kSI, "G-single");
}

TEST(RwRegister, StaleReadIsGSingleRealtime) {
  const std::string h =
      "{:type :invoke, :process 0, :value [[:w :x 1]]}\n"
      "{:type :ok, :process 0, :value [[:w :x 1]]}\n"
      "{:type :invoke, :process 1, :value [[:r :x nil]]}\n"
      "{:type :ok, :process 1, :value [[:r :x nil]]}\n";
  FindsReg(h, kSSI, "G-single-realtime");
  EXPECT_TRUE(ValidUnder(h, kSer, kReg));
}

// Soundness against brute force: a history the checker calls non-serializable has no serial order
// in which every read returns what it saw.
TEST(RwRegister, ReportedAnomaliesAreRealOnSmallRandomHistories) {
  uint64_t rng = 99;
  auto next = [&rng](uint64_t n) {  // splitmix64
    uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (z ^ (z >> 31)) % n;
  };
  int invalid = 0;
  for (int round = 0; round < 3000; ++round) {
    struct Planned {
      bool write;
      int key;
      int value;  // 0: nil
    };
    std::vector<std::vector<Planned>> txns(2 + next(4));
    std::map<int, std::vector<int>> written;
    int value = 0;
    for (auto& txn : txns) {
      for (uint64_t m = 1 + next(3); m > 0; --m) {
        Planned p{next(2) == 0, static_cast<int>(next(2)), 0};
        if (p.write) {
          p.value = ++value;
          written[p.key].push_back(p.value);
        }
        txn.push_back(p);
      }
    }
    for (auto& txn : txns) {  // reads: nil or any value written to the key
      for (Planned& p : txn) {
        if (p.write) continue;
        const std::vector<int>& vs = written[p.key];
        const uint64_t pick = next(vs.size() + 1);
        p.value = pick == vs.size() ? 0 : vs[pick];
      }
    }
    TxnHistoryBuilder b(kReg);
    for (size_t t = 0; t < txns.size(); ++t) {
      b.BeginTxn(TxnStatus::kOk, static_cast<int64_t>(t));
      for (const Planned& p : txns[t]) {
        if (p.write) {
          b.Write(std::to_string(p.key), std::to_string(p.value));
        } else {
          b.Read(std::to_string(p.key), p.value == 0
                                            ? std::vector<std::string>{}
                                            : std::vector<std::string>{std::to_string(p.value)});
        }
      }
    }
    const TxnHistory h = std::move(b).Finish();
    CheckResult r = CheckTxns(h, kSer);
    if (r.VerdictFor(kSer) == Verdict::kValid) continue;
    ++invalid;
    std::vector<size_t> order(txns.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    bool serializable = false;
    do {
      std::map<int, int> state;
      bool ok = true;
      for (size_t t : order) {
        for (const Planned& p : txns[t]) {
          if (p.write) {
            state[p.key] = p.value;
          } else if (state[p.key] != p.value) {
            ok = false;
          }
        }
      }
      serializable = serializable || ok;
    } while (!serializable && std::next_permutation(order.begin(), order.end()));
    EXPECT_FALSE(serializable) << "round " << round << ": " << r.Summary(kSer);
  }
  EXPECT_GT(invalid, 300);  // the generator does produce anomalies
}

}  // namespace
}  // namespace tinykv::check::si
