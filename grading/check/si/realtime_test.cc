// Tests for real-time order and the strong models (strong-snapshot-isolation, strict-serializable):
// the edge construction against brute force, and one hand-written history per realtime anomaly
// with the verdict of every model.
#include "grading/check/si/realtime.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "grading/check/si/si_test_util.h"

namespace tinykv::check::si {
namespace {

using namespace testing;  // NOLINT: the test vocabulary

// Verdicts under RC, SI, strong SI, serializable, strict serializable, as "vvivi".
std::string Verdicts(const std::string& edn) {
  std::string out;
  for (Consistency m : kAllConsistencies) {
    const Verdict v = Check(edn, m).VerdictFor(m);
    out += v == Verdict::kValid ? 'v' : v == Verdict::kInvalid ? 'i' : '?';
  }
  return out;
}

// Random histories of `processes` clients: each event either invokes a txn on an idle process or
// completes a running one (ok, info or fail). Reachability over the realtime edges must be
// exactly "a is :ok and completed before b was invoked, b did not fail", and the edges few.
TEST(Realtime, EdgesAreATransitiveReductionOfRealTimeOrder) {
  uint64_t rng = 7;
  size_t ordered_pairs = 0;
  auto next = [&rng](uint64_t n) {  // splitmix64
    uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (z ^ (z >> 31)) % n;
  };
  for (int round = 0; round < 200; ++round) {
    const uint64_t processes = 1 + next(5);
    TxnHistoryBuilder b(Workload::kListAppend);
    std::vector<int64_t> running(processes, -1);  // invocation position, -1: idle
    int64_t pos = 0;
    const int64_t events = 10 + static_cast<int64_t>(next(60));
    for (; pos < events; ++pos) {
      const uint64_t p = next(processes);
      if (running[p] < 0) {
        running[p] = pos;
        continue;
      }
      const uint64_t kind = next(10);
      const TxnStatus status = kind < 7   ? TxnStatus::kOk
                               : kind < 9 ? TxnStatus::kInfo
                                          : TxnStatus::kFail;
      Txn& t = b.BeginTxn(status, pos);
      t.invoke_pos = running[p];
      t.complete_pos = pos;
      running[p] = -1;
    }
    for (uint64_t p = 0; p < processes; ++p) {
      if (running[p] < 0) continue;
      Txn& t = b.BeginTxn(TxnStatus::kInfo, running[p]);
      t.invoke_pos = running[p];
    }
    b.history().op_count = pos;
    const TxnHistory h = std::move(b).Finish();
    const size_t n = h.txns.size();
    DependencyGraph g(n);
    Meter meter(nullptr);
    ASSERT_TRUE(AddRealtimeEdges(h, &g, &meter));
    g.Finish();
    EXPECT_LE(g.edge_count(), n * processes) << "round " << round;
    for (uint32_t a = 0; a < n; ++a) {
      ASSERT_TRUE(g.Explore(a, Traversal{}, nullptr));
      for (uint32_t c = 0; c < n; ++c) {
        const Txn& x = h.txns[a];
        const Txn& y = h.txns[c];
        const bool precedes = x.status == TxnStatus::kOk && y.status != TxnStatus::kFail &&
                              x.complete_pos < y.invoke_pos;
        if (a == c) continue;
        ordered_pairs += precedes ? 1 : 0;
        EXPECT_EQ(g.Reached(c), precedes)
            << "round " << round << ": T" << x.index << " -> T" << y.index;
      }
    }
  }
  EXPECT_GT(ordered_pairs, 10000u);  // the generator does make real-time order
}

TEST(Realtime, SerialHistoryHasOneEdgePerTxn) {
  std::string edn;
  for (int i = 0; i < 100; ++i) {
    edn += "{:type :invoke, :process " + std::to_string(i % 3) + ", :value [[:append 1 " +
           std::to_string(i) + "]]}\n";
    edn += "{:type :ok, :process " + std::to_string(i % 3) + ", :value [[:append 1 " +
           std::to_string(i) + "]]}\n";
  }
  const TxnHistory h = Parse(edn);
  DependencyGraph g(h.txns.size());
  Meter meter(nullptr);
  ASSERT_TRUE(AddRealtimeEdges(h, &g, &meter));
  g.Finish();
  EXPECT_EQ(g.edge_count(), 99u);
}

TEST(Realtime, HistoryWithoutProcessesHasNoRealtimeOrder) {
  const TxnHistory h = Parse(
      "{:type :ok, :value [[:append 1 1]]}\n"
      "{:type :ok, :value [[:r 1 []]]}\n");
  DependencyGraph g(h.txns.size());
  Meter meter(nullptr);
  ASSERT_TRUE(AddRealtimeEdges(h, &g, &meter));
  g.Finish();
  EXPECT_EQ(g.edge_count(), 0u);
  EXPECT_EQ(Verdicts("{:type :ok, :value [[:append 1 1]]}\n"
                     "{:type :ok, :value [[:r 1 []]]}\n"
                     "{:type :ok, :value [[:r 1 [1]]]}\n"),
            "vvvvv");
}

// A stale read: T1 appended to key 1 and completed; T3 began afterwards and read key 1 as
// empty. Fine for snapshot isolation and serializability (T3 can be placed before T1), not
// once real time counts.
TEST(Realtime, StaleReadIsGSingleRealtime) {
  const std::string h =
      "{:type :invoke, :process 0, :value [[:append 1 1]]}\n"
      "{:type :ok, :process 0, :value [[:append 1 1]]}\n"
      "{:type :invoke, :process 1, :value [[:r 1 nil]]}\n"
      "{:type :ok, :process 1, :value [[:r 1 []]]}\n"
      "{:type :invoke, :process 0, :value [[:r 1 nil]]}\n"
      "{:type :ok, :process 0, :value [[:r 1 [1]]]}\n";
  EXPECT_EQ(Verdicts(h), "vvivi");
  CheckResult r = CheckFinds(h, kSSI, "G-single-realtime");
  ASSERT_EQ(r.anomalies.size(), 1u);
  EXPECT_EQ(r.anomalies[0].edges, (std::vector<EdgeKind>{EdgeKind::kRW, EdgeKind::kRealtime}));
  EXPECT_EQ(
      r.anomalies[0].explanation,
      (std::vector<std::string>{"T3 read key 1 as empty and missed 1, which T1 appended next (rw)",
                                "T1 completed before T3 began (realtime)"}));
  // Under plain SI no realtime edge is built, so nothing is found at all.
  EXPECT_TRUE(Check(h, kSI).anomalies.empty());
}

// T1 completed before T2 began, yet T2's append comes first in key 1's order.
TEST(Realtime, WritesAgainstRealTimeAreG0Realtime) {
  const std::string h =
      "{:type :invoke, :process 0, :value [[:append 1 1]]}\n"
      "{:type :ok, :process 0, :value [[:append 1 1]]}\n"
      "{:type :invoke, :process 1, :value [[:append 1 2]]}\n"
      "{:type :ok, :process 1, :value [[:append 1 2]]}\n"
      "{:type :invoke, :process 2, :value [[:r 1 nil]]}\n"
      "{:type :ok, :process 2, :value [[:r 1 [2 1]]]}\n";
  EXPECT_EQ(Verdicts(h), "vvivi");
  CheckResult r = CheckFinds(h, kSSer, "G0-realtime");
  ASSERT_FALSE(r.anomalies.empty()) << r.Summary(kSI);
  EXPECT_EQ(r.anomalies[0].txns, (std::vector<size_t>{0, 1}));
}

// T1 completed before T2 began, yet T1 read T2's append: a read from the future.
TEST(Realtime, ReadFromALaterTxnIsG1cRealtime) {
  const std::string h =
      "{:type :invoke, :process 0, :value [[:r 1 nil]]}\n"
      "{:type :ok, :process 0, :value [[:r 1 [5]]]}\n"
      "{:type :invoke, :process 1, :value [[:append 1 5]]}\n"
      "{:type :ok, :process 1, :value [[:append 1 5]]}\n";
  EXPECT_EQ(Verdicts(h), "vvivi");
  CheckFinds(h, kSSI, "G1c-realtime");
}

// Write skew closed by real time: T1 read key 1 empty and T2 appended to it; T2 read key 2 empty
// and T3 appended to it; T3 completed before T1 began. Two adjacent rw edges: only strict
// serializability forbids it.
TEST(Realtime, WriteSkewClosedByRealTimeIsG2ItemRealtime) {
  const std::string h =
      "{:type :invoke, :process 2, :value [[:append 2 1]]}\n"
      "{:type :invoke, :process 1, :value [[:r 2 nil] [:append 1 1]]}\n"
      "{:type :ok, :process 2, :value [[:append 2 1]]}\n"
      "{:type :invoke, :process 0, :value [[:r 1 nil]]}\n"
      "{:type :ok, :process 1, :value [[:r 2 []] [:append 1 1]]}\n"
      "{:type :ok, :process 0, :value [[:r 1 []]]}\n";
  EXPECT_EQ(Verdicts(h), "vvvvi");
  CheckResult r = CheckFinds(h, kSSer, "G2-item-realtime");
  ASSERT_FALSE(r.anomalies.empty()) << r.Summary(kSI);
  EXPECT_EQ(r.anomalies[0].edges,
            (std::vector<EdgeKind>{EdgeKind::kRealtime, EdgeKind::kRW, EdgeKind::kRW}));
  // Under strong SI the cycle is reported too, as allowed.
  CheckResult s = Check(h, kSSI);
  EXPECT_EQ(Names(s), (std::set<std::string>{"G2-item-realtime"}));
  EXPECT_EQ(s.VerdictFor(kSSI), Verdict::kValid);
}

// a -rw-> b -wr-> c -rw-> d -realtime-> a: two rw edges, not adjacent, and no cycle with a single
// one. Only d completes before anyone else begins (before a).
TEST(Realtime, NonadjacentCycleThroughRealTimeIsGNonadjacentRealtime) {
  const std::string h =
      "{:type :invoke, :process 1, :index 101, :value [[:append 1 1] [:append 2 1]]}\n"
      "{:type :invoke, :process 2, :index 102, :value [[:r 2 nil] [:r 3 nil]]}\n"
      "{:type :invoke, :process 3, :index 103, :value [[:append 3 1]]}\n"
      "{:type :ok, :process 3, :index 103, :value [[:append 3 1]]}\n"
      "{:type :invoke, :process 0, :index 100, :value [[:r 1 nil]]}\n"
      "{:type :ok, :process 0, :index 100, :value [[:r 1 []]]}\n"
      "{:type :ok, :process 1, :index 101, :value [[:append 1 1] [:append 2 1]]}\n"
      "{:type :ok, :process 2, :index 102, :value [[:r 2 [1]] [:r 3 []]]}\n";
  EXPECT_EQ(Verdicts(h), "vvivi");
  CheckResult r = CheckFinds(h, kSSI, "G-nonadjacent-realtime");
  ASSERT_EQ(r.anomalies.size(), 1u);
  EXPECT_EQ(r.anomalies[0].edges, (std::vector<EdgeKind>{EdgeKind::kRW, EdgeKind::kWR,
                                                         EdgeKind::kRW, EdgeKind::kRealtime}));
  EXPECT_EQ(r.anomalies[0].explanation,
            (std::vector<std::string>{
                "T100 read key 1 as empty and missed 1, which T101 appended next (rw)",
                "T102 read key 2 up to 1, which T101 appended (wr)",
                "T102 read key 3 as empty and missed 1, which T103 appended next (rw)",
                "T103 completed before T100 began (realtime)"}));
}

// An :info txn may have committed at any time, so it precedes nothing: a read that misses its
// append, though begun after its :info line, is no anomaly.
TEST(Realtime, InfoTxnPrecedesNothing) {
  const std::string h =
      "{:type :invoke, :process 0, :value [[:append 1 1]]}\n"
      "{:type :info, :process 0, :value [[:append 1 1]]}\n"
      "{:type :invoke, :process 1, :value [[:r 1 nil]]}\n"
      "{:type :ok, :process 1, :value [[:r 1 []]]}\n"
      "{:type :invoke, :process 1, :value [[:r 1 nil]]}\n"
      "{:type :ok, :process 1, :value [[:r 1 [1]]]}\n";
  EXPECT_EQ(Verdicts(h), "vvvvv");
}

}  // namespace
}  // namespace tinykv::check::si
