// Tests for list-append inference and the cycle kinds without real time: one hand-written history
// per anomaly and for its absence, large generated histories, and soundness against brute force.
#include "grading/check/si/list_append.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "grading/check/si/si_test_util.h"

namespace tinykv::check::si {
namespace {

using namespace testing;  // NOLINT: the test vocabulary

TEST(ListAppend, SerialHistoryIsValidEverywhere) {
  const std::string h =
      "{:type :ok, :value [[:append 1 1]]}\n"
      "{:type :ok, :value [[:r 1 [1]] [:append 1 2] [:r 1 [1 2]]]}\n"
      "{:type :ok, :value [[:r 1 [1 2]] [:r 2 []]]}\n";
  for (Consistency m : kAllConsistencies) {
    CheckResult r = Check(h, m);
    EXPECT_EQ(r.VerdictFor(m), Verdict::kValid) << r.Summary(m);
    EXPECT_TRUE(r.anomalies.empty()) << r.Summary(m);
  }
}

TEST(ListAppend, WriteSkewIsG2ItemValidUnderSnapshotIsolation) {
  const std::string h =
      "{:type :ok, :value [[:r 1 []] [:r 2 []] [:append 1 1]]}\n"
      "{:type :ok, :value [[:r 1 []] [:r 2 []] [:append 2 1]]}\n"
      "{:type :ok, :value [[:r 1 [1]] [:r 2 [1]]]}\n";
  CheckResult r = CheckFinds(h, kSer, "G2-item");
  ASSERT_EQ(r.anomalies.size(), 1u);
  EXPECT_EQ(r.anomalies[0].txns, (std::vector<size_t>{0, 1}));
  EXPECT_EQ(r.anomalies[0].edges, (std::vector<EdgeKind>{EdgeKind::kRW, EdgeKind::kRW}));
  EXPECT_TRUE(ValidUnder(h, kSI));
  EXPECT_TRUE(ValidUnder(h, kRC));
}

// The same write skew with no later read: each key's only append was never read, so it is the
// key's one version (it follows every element a read saw — here none); and a completed read of
// nil is a key never written, the empty list. (The shape of a history Elle's authors publish as SI-
// valid with a G2-item.)
TEST(ListAppend, WriteSkewWithNilReadsAndUnreadAppendsIsG2Item) {
  const std::string h =
      "{:type :ok, :value [[:r 1 nil] [:append 2 1]]}\n"
      "{:type :ok, :value [[:r 2 nil] [:append 1 1]]}\n";
  CheckResult r = CheckFinds(h, kSer, "G2-item");
  ASSERT_EQ(r.anomalies.size(), 1u);
  EXPECT_TRUE(ValidUnder(h, kSI));
}

TEST(ListAppend, TwoUnreadAppendsLeaveTheOrderUnknown) {
  // Key 1 got two appends nobody read: which came first is unknown, so no rw edge is inferred
  // from the empty read, and nothing is claimed.
  const std::string h =
      "{:type :ok, :value [[:r 1 nil] [:append 2 1]]}\n"
      "{:type :ok, :value [[:r 2 nil] [:append 1 1]]}\n"
      "{:type :ok, :value [[:append 1 2]]}\n";
  EXPECT_TRUE(ValidUnder(h, kSer)) << Check(h, kSer).Summary(kSer);
}

TEST(ListAppend, ReadSkewIsGSingle) {
  const std::string h =
      "{:type :ok, :value [[:append 1 1] [:append 2 1]]}\n"
      "{:type :ok, :value [[:append 1 2] [:append 2 2]]}\n"
      "{:type :ok, :value [[:r 1 [1]] [:r 2 [1 2]]]}\n"
      "{:type :ok, :value [[:r 1 [1 2]]]}\n";
  CheckResult r = CheckFinds(h, kSI, "G-single");
  ASSERT_EQ(r.anomalies.size(), 1u);
  EXPECT_EQ(
      r.anomalies[0].explanation,
      (std::vector<std::string>{"T2 read key 1 up to 1 and missed 2, which T1 appended next (rw)",
                                "T2 read key 2 up to 2, which T1 appended (wr)"}));
  EXPECT_TRUE(ValidUnder(h, kRC));
  EXPECT_FALSE(ValidUnder(h, kSer));
}

TEST(ListAppend, WriteCycleIsG0) {
  const std::string h =
      "{:type :ok, :value [[:append 1 1] [:append 2 2]]}\n"
      "{:type :ok, :value [[:append 1 2] [:append 2 1]]}\n"
      "{:type :ok, :value [[:r 1 [1 2]] [:r 2 [1 2]]]}\n";
  CheckResult r = CheckFinds(h, kRC, "G0");
  ASSERT_EQ(r.anomalies.size(), 1u);
  EXPECT_EQ(r.anomalies[0].txns, (std::vector<size_t>{0, 1}));
  EXPECT_EQ(r.anomalies[0].explanation,
            (std::vector<std::string>{"T1 appended 2 to key 1 after T0 appended 1 (ww)",
                                      "T0 appended 2 to key 2 after T1 appended 1 (ww)"}));
}

TEST(ListAppend, InfoTxnWhoseAppendsWereReadJoinsTheGraph) {
  // The :info txn's appends were observed, so it committed, and it closes a write cycle.
  const std::string h =
      "{:type :invoke, :process 0, :value [[:append 1 1] [:append 2 2]]}\n"
      "{:type :ok, :value [[:append 1 2] [:append 2 1]]}\n"
      "{:type :info, :process 0, :value [[:append 1 1] [:append 2 2]]}\n"
      "{:type :ok, :value [[:r 1 [1 2]] [:r 2 [1 2]]]}\n";
  CheckResult r = CheckFinds(h, kRC, "G0");
  ASSERT_EQ(r.anomalies.size(), 1u);
  EXPECT_EQ(r.anomalies[0].txns, (std::vector<size_t>{0, 1}));
  // The same :info txn left unread stays out of the graph: nothing to report.
  EXPECT_TRUE(Check("{:type :info, :value [[:append 1 1]]}\n"
                    "{:type :ok, :value [[:r 1 []]]}\n",
                    kSer)
                  .anomalies.empty());
}

TEST(ListAppend, WriteReadCycleIsG1c) {
  const std::string h =
      "{:type :ok, :value [[:append 1 1] [:r 2 [1]]]}\n"
      "{:type :ok, :value [[:append 2 1] [:r 1 [1]]]}\n";
  CheckFinds(h, kRC, "G1c");
}

TEST(ListAppend, ReadOfFailedAppendIsG1a) {
  const std::string h =
      "{:type :fail, :value [[:append 1 1]]}\n"
      "{:type :ok, :value [[:r 1 [1]]]}\n";
  CheckResult r = CheckFinds(h, kRC, "G1a");
  ASSERT_EQ(r.anomalies.size(), 1u);
  EXPECT_EQ(r.anomalies[0].txns, (std::vector<size_t>{1, 0}));
}

TEST(ListAppend, ReadOfIntermediateAppendIsG1b) {
  const std::string h =
      "{:type :ok, :value [[:append 1 1] [:append 1 2]]}\n"
      "{:type :ok, :value [[:r 1 [1]]]}\n";
  CheckFinds(h, kRC, "G1b");
}

TEST(ListAppend, DuplicateElementsInARead) {
  const std::string h =
      "{:type :ok, :value [[:append 1 1]]}\n"
      "{:type :ok, :value [[:r 1 [1 1]]]}\n";
  CheckFinds(h, kRC, "duplicate-elements");
}

TEST(ListAppend, IncompatibleOrders) {
  const std::string h =
      "{:type :ok, :value [[:append 1 1]]}\n"
      "{:type :ok, :value [[:append 1 2]]}\n"
      "{:type :ok, :value [[:r 1 [1 2]]]}\n"
      "{:type :ok, :value [[:r 1 [2 1]]]}\n";
  CheckResult r = CheckFinds(h, kRC, "incompatible-order");
  ASSERT_EQ(r.anomalies.size(), 1u);
  EXPECT_EQ(r.anomalies[0].txns, (std::vector<size_t>{3, 2}));
}

TEST(ListAppend, InternalInconsistency) {
  // Reading after its own append without seeing it; and a second read that lost an element.
  const std::string h =
      "{:type :ok, :value [[:append 1 1] [:r 1 []]]}\n"
      "{:type :ok, :value [[:r 2 []] [:append 2 6] [:r 2 [6]] [:r 2 []]]}\n";
  CheckResult r = CheckFinds(h, kRC, "internal");
  ASSERT_EQ(r.anomalies.size(), 2u);
  EXPECT_EQ(r.anomalies[0].txns, (std::vector<size_t>{0}));
  EXPECT_EQ(r.anomalies[0].explanation,
            (std::vector<std::string>{
                "T0 read key 1 = [] but expected a list ending in [1] (its own appends)"}));
  EXPECT_EQ(r.anomalies[1].txns, (std::vector<size_t>{1}));
  EXPECT_EQ(r.anomalies[1].explanation,
            (std::vector<std::string>{"T1 read key 2 = [] but expected [6]"}));
}

TEST(ListAppend, UnknownElement) {
  CheckFinds("{:type :ok, :value [[:r 1 [7]]]}\n", kRC, "unknown-element");
}

TEST(ListAppend, ElementAppendedTwiceIsADataError) {
  Result<CheckResult> r =
      CheckHistory(Parse("{:type :ok, :value [[:append 1 1]]}\n"
                         "{:type :ok, :value [[:append 1 1]]}\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kDataError);
  EXPECT_EQ(r.status().message(),
            "T0 and T1 both append 1 to key 1; list-append needs each element appended once per "
            "key");
}

TEST(ListAppend, ReportIsDeterministic) {
  const std::string h =
      "{:type :ok, :value [[:append 1 1] [:append 2 2]]}\n"
      "{:type :ok, :value [[:append 1 2] [:append 2 1]]}\n"
      "{:type :ok, :value [[:r 1 [1 2]] [:r 2 [1 2]] [:r 3 [9]]]}\n";
  const std::string once = Check(h, kSI).Summary(kSI);
  EXPECT_EQ(once, Check(h, kSI).Summary(kSI));
  EXPECT_NE(once.find("G0"), std::string::npos) << once;
}

TEST(ListAppend, ConsistencyNamesRoundTrip) {
  for (Consistency m : kAllConsistencies) EXPECT_EQ(ParseConsistency(ConsistencyName(m)), m);
  EXPECT_EQ(ConsistencyName(kSSI), "strong-snapshot-isolation");
  EXPECT_EQ(ConsistencyName(kSSer), "strict-serializable");
  EXPECT_EQ(ParseConsistency("linearizable"), std::nullopt);
}

// A long serial history: txn i reads key i/10, appends i to it, and reads the previous key,
// which is complete by then. Acyclic, so valid under every model.
TEST(ListAppend, LargeSerialHistoryIsValid) {
  constexpr int kTxns = 100000;
  std::string edn;
  for (int i = 0; i < kTxns; ++i) {
    const int key = i / 10;
    std::string prefix;
    for (int j = key * 10; j < i; ++j) prefix += (j > key * 10 ? " " : "") + std::to_string(j);
    edn += "{:type :invoke, :process " + std::to_string(i % 5) + ", :value [[:r " +
           std::to_string(key) + " nil] [:append " + std::to_string(key) + " " + std::to_string(i) +
           "]]}\n";
    std::string prev;
    if (key > 0) {
      prev = " [:r " + std::to_string(key - 1) + " [";
      for (int j = (key - 1) * 10; j < key * 10; ++j) {
        prev += (j > (key - 1) * 10 ? " " : "") + std::to_string(j);
      }
      prev += "]]";
    }
    edn += "{:type :ok, :process " + std::to_string(i % 5) + ", :value [[:r " +
           std::to_string(key) + " [" + prefix + "]] [:append " + std::to_string(key) + " " +
           std::to_string(i) + "]" + prev + "]}\n";
  }
  TxnHistory h = Parse(edn);
  ASSERT_EQ(h.txns.size(), static_cast<size_t>(kTxns));
  for (Consistency m : {kSer, kSSer}) {
    CheckResult r = CheckTxns(h, m);
    EXPECT_EQ(r.VerdictFor(m), Verdict::kValid) << r.Summary(m).substr(0, 2000);
    EXPECT_TRUE(r.anomalies.empty());
  }
}

// A ring of write skews: txn i reads key i as empty and appends to key i+1 (mod n), so each
// txn anti-depends on the previous one: one strongly connected component of n txns, rw edges only.
// Exercises the iterative Tarjan and the nonadjacent search on a large component.
TEST(ListAppend, LargeWriteSkewRingIsOneG2ItemCycle) {
  constexpr size_t kTxns = 50000;
  TxnHistoryBuilder b(Workload::kListAppend);
  for (size_t i = 0; i < kTxns; ++i) {
    b.BeginTxn(TxnStatus::kOk, static_cast<int64_t>(i));
    b.Read(std::to_string(i), {});
    b.Append(std::to_string((i + 1) % kTxns), "1");
  }
  b.BeginTxn(TxnStatus::kOk, static_cast<int64_t>(kTxns));
  for (size_t i = 0; i < kTxns; ++i) b.Read(std::to_string(i), {"1"});
  const TxnHistory h = std::move(b).Finish();
  CheckResult r = CheckTxns(h, kSI);
  EXPECT_EQ(r.VerdictFor(kSI), Verdict::kValid);
  ASSERT_EQ(r.anomalies.size(), 1u);
  EXPECT_EQ(r.anomalies[0].type, AnomalyType::kG2Item);
  EXPECT_EQ(r.anomalies[0].txns.size(), kTxns);
  EXPECT_EQ(r.anomalies[0].explanation[0],
            "T0 read key 0 as empty and missed 1, which T49999 appended next (rw)");
  EXPECT_EQ(CheckTxns(h, kSer).VerdictFor(kSer), Verdict::kInvalid);
}

// Brute force: is there a serial order of `h`'s (all :ok) txns in which every read returns
// exactly the list it saw?
bool SerializableByBruteForce(const TxnHistory& h) {
  std::vector<size_t> order(h.txns.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  do {
    std::map<uint32_t, std::vector<uint32_t>> state;
    bool ok = true;
    for (size_t t : order) {
      for (const Mop& m : h.MopsOf(h.txns[t])) {
        if (m.kind == Mop::Kind::kAppend) {
          state[m.key].push_back(m.value);
        } else {
          const auto read = h.ReadOf(m);
          if (!std::equal(read.begin(), read.end(), state[m.key].begin(), state[m.key].end())) {
            ok = false;
          }
        }
      }
    }
    if (ok) return true;
  } while (std::next_permutation(order.begin(), order.end()));
  return false;
}

// Soundness against brute force on small random histories: whatever the checker reports under
// serializable must really rule out every serial order. Reads are random prefixes of each key's
// final list, so many histories are anomalous. (The converse does not hold: inference from
// reads alone is incomplete, e.g. for appends nobody read.)
TEST(ListAppend, ReportedAnomaliesAreRealOnSmallRandomHistories) {
  uint64_t rng = 42;
  auto next = [&rng](uint64_t n) {  // splitmix64, reduced; our own, as DESIGN.md asks
    uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (z ^ (z >> 31)) % n;
  };
  int invalid = 0;
  for (int round = 0; round < 2000; ++round) {
    struct PlannedMop {
      bool append;
      std::string key;
      std::string element;
    };
    std::vector<std::vector<PlannedMop>> txns(2 + next(4));
    std::map<std::string, std::vector<std::string>> final_list;
    int element = 0;
    for (auto& txn : txns) {
      for (uint64_t m = 1 + next(3); m > 0; --m) {
        PlannedMop mop{next(2) == 0, std::to_string(next(2)), ""};
        if (mop.append) {
          mop.element = std::to_string(++element);
          final_list[mop.key].push_back(mop.element);
        }
        txn.push_back(mop);
      }
    }
    TxnHistoryBuilder b(Workload::kListAppend);
    for (size_t t = 0; t < txns.size(); ++t) {
      b.BeginTxn(TxnStatus::kOk, static_cast<int64_t>(t));
      for (const PlannedMop& m : txns[t]) {
        if (m.append) {
          b.Append(m.key, m.element);
        } else {  // reads: random prefixes of the final lists
          const std::vector<std::string>& list = final_list[m.key];
          b.Read(m.key, std::vector<std::string>(
                            list.begin(), list.begin() + static_cast<long>(next(list.size() + 1))));
        }
      }
    }
    const TxnHistory h = std::move(b).Finish();
    CheckResult r = CheckTxns(h, kSer);
    if (r.VerdictFor(kSer) == Verdict::kValid) continue;
    ++invalid;
    EXPECT_FALSE(SerializableByBruteForce(h)) << "round " << round << ": " << r.Summary(kSer);
  }
  EXPECT_GT(invalid, 100);  // the generator does produce anomalies
}

}  // namespace
}  // namespace tinykv::check::si

namespace tinykv::check::si {
namespace {

// Two appends acknowledged as committed, and a read that began after both had completed and saw
// neither: with no read showing them they have no place in the version order (so no cycle), but
// under real-time order the read had to see them. Without real time, the read may simply come
// first.
constexpr const char* kLostAppends =
    "{:type :invoke, :process 0, :value [[:append 1 1]]}\n"
    "{:type :ok, :process 0, :value [[:append 1 1]]}\n"
    "{:type :invoke, :process 1, :value [[:append 1 2]]}\n"
    "{:type :ok, :process 1, :value [[:append 1 2]]}\n"
    "{:type :invoke, :process 2, :value [[:r 1 nil]]}\n"
    "{:type :ok, :process 2, :value [[:r 1 []]]}\n";

TEST(ListAppend, CommittedAppendsNoLaterReadSawAreLostUnderRealTime) {
  using testing::CheckFinds;
  CheckResult r = CheckFinds(kLostAppends, testing::kSSI, "lost-append");
  ASSERT_EQ(r.anomalies.size(), 2u) << r.Summary(testing::kSSI);
  EXPECT_NE(r.anomalies[0].explanation[0].find("committed before"), std::string::npos)
      << r.anomalies[0].explanation[0];
  EXPECT_TRUE(testing::ValidUnder(kLostAppends, testing::kSI))
      << "without real-time order the read may come before the appends";
  EXPECT_TRUE(testing::Names(testing::Check(kLostAppends, testing::kSI)).empty())
      << "and a check without real time does not look for them";
  // A read that began before the appends completed may miss them under every model.
  EXPECT_TRUE(
      testing::ValidUnder("{:type :invoke, :process 2, :value [[:r 1 nil]]}\n"
                          "{:type :invoke, :process 0, :value [[:append 1 1]]}\n"
                          "{:type :ok, :process 0, :value [[:append 1 1]]}\n"
                          "{:type :ok, :process 2, :value [[:r 1 []]]}\n",
                          testing::kSSI));
}

}  // namespace
}  // namespace tinykv::check::si
