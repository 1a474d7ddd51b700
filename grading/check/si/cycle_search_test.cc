// Tests for the cycle search: G-nonadjacent from histories and hand-built graphs, and the whole
// search against brute-force enumeration of simple cycles on small random graphs.
#include "grading/check/si/cycle_search.h"

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

std::string Kinds(const Anomaly& a) {
  std::string out;
  for (EdgeKind k : a.edges) out += std::string(out.empty() ? "" : " ") + EdgeKindName(k);
  return out;
}

// a -rw-> b -wr-> c -rw-> d -wr-> a: T0 reads key 1 empty (T1 appends it), T1 appends key 2 and
// T2 reads it, T2 reads key 3 empty (T3 appends it), T3 appends key 4 and T0 reads it. Two rw
// edges, never adjacent, and no cycle with only one: snapshot isolation's own anomaly.
constexpr const char* kNonadjacent =
    "{:type :ok, :value [[:r 1 []] [:r 4 [1]]]}\n"
    "{:type :ok, :value [[:append 1 1] [:append 2 1]]}\n"
    "{:type :ok, :value [[:r 2 [1]] [:r 3 []]]}\n"
    "{:type :ok, :value [[:append 3 1] [:append 4 1]]}\n";

TEST(CycleSearch, NonadjacentRwEdgesAreGNonadjacent) {
  CheckResult r = CheckFinds(kNonadjacent, kSI, "G-nonadjacent");
  ASSERT_EQ(r.anomalies.size(), 1u);
  EXPECT_EQ(r.anomalies[0].txns, (std::vector<size_t>{0, 1, 2, 3}));
  EXPECT_EQ(Kinds(r.anomalies[0]), "rw wr rw wr");
  EXPECT_EQ(
      r.anomalies[0].explanation,
      (std::vector<std::string>{"T0 read key 1 as empty and missed 1, which T1 appended next (rw)",
                                "T2 read key 2 up to 1, which T1 appended (wr)",
                                "T2 read key 3 as empty and missed 1, which T3 appended next (rw)",
                                "T0 read key 4 up to 1, which T3 appended (wr)"}));
  EXPECT_TRUE(ValidUnder(kNonadjacent, kRC));
  EXPECT_FALSE(ValidUnder(kNonadjacent, kSSI));
  EXPECT_FALSE(ValidUnder(kNonadjacent, kSer));
}

// A ring of three write skews: every rw edge is followed by another.
TEST(CycleSearch, AdjacentRwEdgesStayG2Item) {
  const std::string h =
      "{:type :ok, :value [[:r 1 []] [:append 3 1]]}\n"
      "{:type :ok, :value [[:r 2 []] [:append 1 1]]}\n"
      "{:type :ok, :value [[:r 3 []] [:append 2 1]]}\n";
  CheckResult r = Check(h, kSI);
  EXPECT_EQ(Names(r), (std::set<std::string>{"G2-item"})) << r.Summary(kSI);
  EXPECT_EQ(r.VerdictFor(kSI), Verdict::kValid);
  EXPECT_EQ(Kinds(r.anomalies[0]), "rw rw rw");
}

// kNonadjacent plus T4, which read key 1 as empty yet saw T1's append to key 6: T4 -rw-> T1 -wr->
// T4, a read skew with a single rw edge. It shares T1, so it is in the component of the
// G-nonadjacent cycle, and the weaker G-single is what is reported for that component.
TEST(CycleSearch, GSingleIsPreferredToGNonadjacentInOneComponent) {
  const std::string h =
      "{:type :ok, :value [[:r 1 []] [:r 4 [1]]]}\n"
      "{:type :ok, :value [[:append 1 1] [:append 2 1] [:append 6 1]]}\n"
      "{:type :ok, :value [[:r 2 [1]] [:r 3 []]]}\n"
      "{:type :ok, :value [[:append 3 1] [:append 4 1]]}\n"
      "{:type :ok, :value [[:r 1 []] [:r 6 [1]]]}\n";
  CheckResult r = Check(h, kSI);
  ASSERT_EQ(r.anomalies.size(), 1u) << r.Summary(kSI);
  EXPECT_EQ(r.anomalies[0].type, AnomalyType::kGSingle) << r.Summary(kSI);
  EXPECT_EQ(r.anomalies[0].txns, (std::vector<size_t>{4, 1}));
  EXPECT_EQ(Kinds(r.anomalies[0]), "rw wr");
}

// The walk the nonadjacent search finds first passes w twice: w -rw-> p -wr-> q -rw-> w, then
// w -wr-> r -rw-> s -wr-> t -rw-> u -wr-> w. Its first loop alone is a G2-item (rw edges meet at
// w); the second is a simple G-nonadjacent cycle, and that is the witness.
TEST(CycleSearch, WalkThroughATxnTwiceIsCutToASimpleCycle) {
  enum : uint32_t { w, p, q, r, s, t, u, kNodes };
  DependencyGraph g(kNodes);
  auto add = [&g](uint32_t from, uint32_t to, EdgeKind kind) {
    Edge e;
    e.from = from;
    e.to = to;
    e.kind = kind;
    g.Add(e);
  };
  add(w, p, EdgeKind::kRW);
  add(p, q, EdgeKind::kWR);
  add(q, w, EdgeKind::kRW);
  add(w, r, EdgeKind::kWR);
  add(r, s, EdgeKind::kRW);
  add(s, t, EdgeKind::kWR);
  add(t, u, EdgeKind::kRW);
  add(u, w, EdgeKind::kWR);
  g.Finish();
  const EdgeExplainer explain = [](const Edge& e) {
    return std::to_string(e.from) + " " + EdgeKindName(e.kind) + " " + std::to_string(e.to);
  };
  CheckResult out;
  Meter meter(nullptr);
  const Consistency models[] = {kSI};
  out.models = {kSI};
  SearchCycles(&g, explain, models, &meter, &out);
  ASSERT_EQ(out.anomalies.size(), 1u);
  EXPECT_EQ(out.anomalies[0].type, AnomalyType::kGNonadjacent);
  EXPECT_EQ(out.anomalies[0].txns, (std::vector<size_t>{w, r, s, t, u}));
  EXPECT_EQ(Kinds(out.anomalies[0]), "wr rw wr rw wr");
}

// --- Against brute force -----------------------------------------------------------------------

struct RandomGraph {
  uint32_t nodes = 0;
  std::vector<Edge> edges;
};

// Every simple cycle, as the edge indices it uses (each rotation once: smallest node first).
void SimpleCycles(const RandomGraph& rg, std::vector<std::vector<size_t>>* out) {
  std::vector<std::vector<size_t>> from(rg.nodes);
  for (size_t i = 0; i < rg.edges.size(); ++i) from[rg.edges[i].from].push_back(i);
  for (uint32_t start = 0; start < rg.nodes; ++start) {
    std::vector<size_t> path;
    std::vector<bool> on(rg.nodes, false);
    auto dfs = [&](auto&& self, uint32_t v) -> void {
      on[v] = true;
      for (size_t i : from[v]) {
        const uint32_t w = rg.edges[i].to;
        if (w == start) {
          path.push_back(i);
          out->push_back(path);
          path.pop_back();
        } else if (w > start && !on[w]) {
          path.push_back(i);
          self(self, w);
          path.pop_back();
        }
      }
      on[v] = false;
    };
    dfs(dfs, start);
  }
}

TEST(CycleSearch, AgreesWithBruteForceOnSmallRandomGraphs) {
  uint64_t rng = 1234;
  auto next = [&rng](uint64_t n) {  // splitmix64
    uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (z ^ (z >> 31)) % n;
  };
  std::map<AnomalyType, int> seen;  // how often each kind was the weakest, for the generator
  const EdgeExplainer explain = [](const Edge&) { return std::string(); };
  for (int round = 0; round < 3000; ++round) {
    RandomGraph rg;
    rg.nodes = 2 + static_cast<uint32_t>(next(5));
    for (uint32_t a = 0; a < rg.nodes; ++a) {
      for (uint32_t b = 0; b < rg.nodes; ++b) {
        if (a == b) continue;
        for (EdgeKind k : {EdgeKind::kWW, EdgeKind::kWR, EdgeKind::kRW, EdgeKind::kRealtime}) {
          // Real-time order is acyclic: only forward in node order.
          if (k == EdgeKind::kRealtime && a > b) continue;
          if (next(100) < (k == EdgeKind::kRW ? 22u : 9u)) {
            Edge e;
            e.from = a;
            e.to = b;
            e.kind = k;
            rg.edges.push_back(e);
          }
        }
      }
    }
    std::vector<std::vector<size_t>> cycles;
    SimpleCycles(rg, &cycles);
    // Brute force: the weakest kind of simple cycle through each node's component, and whether
    // a model is broken.
    std::vector<AnomalyType> weakest_through(rg.nodes, AnomalyType::kInternal);  // kInternal: none
    std::set<AnomalyType> kinds;
    for (const auto& c : cycles) {
      std::vector<EdgeKind> ks;
      for (size_t i : c) ks.push_back(rg.edges[i].kind);
      const AnomalyType t = ClassifyCycle(ks);
      kinds.insert(t);
      for (size_t i : c) {
        AnomalyType& w = weakest_through[rg.edges[i].from];
        if (w == AnomalyType::kInternal || t < w) w = t;
      }
    }
    for (Consistency m : kAllConsistencies) {
      DependencyGraph g(rg.nodes);
      for (const Edge& e : rg.edges) {
        if (e.kind != EdgeKind::kRealtime || NeedsRealtime(m)) g.Add(e);
      }
      g.Finish();
      CheckResult out;
      out.models = {m};
      Meter meter(nullptr);
      const Consistency models[] = {m};
      SearchCycles(&g, explain, models, &meter, &out);
      bool broken = false;
      for (AnomalyType t : kinds) {
        const bool uses_realtime = t >= AnomalyType::kG0Realtime;
        broken = broken || (Forbids(m, t) && (!uses_realtime || NeedsRealtime(m)));
      }
      EXPECT_EQ(out.VerdictFor(m) == Verdict::kInvalid, broken)
          << "round " << round << " " << ConsistencyName(m) << "\n"
          << out.Summary(m);
      // Each witness is a real cycle of the graph, of the kind it is reported as.
      for (const Anomaly& a : out.anomalies) {
        ASSERT_EQ(a.txns.size(), a.edges.size());
        std::vector<EdgeKind> ks;
        for (size_t i = 0; i < a.txns.size(); ++i) {
          const uint32_t from = static_cast<uint32_t>(a.txns[i]);
          const uint32_t to = static_cast<uint32_t>(a.txns[(i + 1) % a.txns.size()]);
          const bool exists = std::any_of(rg.edges.begin(), rg.edges.end(), [&](const Edge& e) {
            return e.from == from && e.to == to && e.kind == a.edges[i];
          });
          EXPECT_TRUE(exists) << "round " << round;
          ks.push_back(a.edges[i]);
        }
        EXPECT_EQ(ClassifyCycle(ks), a.type);
        EXPECT_EQ(std::set<size_t>(a.txns.begin(), a.txns.end()).size(), a.txns.size())
            << "round " << round << ": not a simple cycle";
      }
      // With every edge in play, the weakest anomaly reported for a component is the weakest
      // simple cycle in it (every cycle lies inside one strongly connected component).
      if (m == kSSer) {
        std::vector<std::vector<bool>> reach(rg.nodes, std::vector<bool>(rg.nodes, false));
        for (const Edge& e : rg.edges) reach[e.from][e.to] = true;
        for (uint32_t k = 0; k < rg.nodes; ++k) {
          for (uint32_t i = 0; i < rg.nodes; ++i) {
            for (uint32_t j = 0; j < rg.nodes; ++j) {
              if (reach[i][k] && reach[k][j]) reach[i][j] = true;
            }
          }
        }
        auto same = [&](uint32_t x, uint32_t y) { return x == y || (reach[x][y] && reach[y][x]); };
        for (uint32_t v = 0; v < rg.nodes; ++v) {
          AnomalyType want = AnomalyType::kInternal;  // none
          for (uint32_t x = 0; x < rg.nodes; ++x) {
            if (!same(v, x) || weakest_through[x] == AnomalyType::kInternal) continue;
            if (want == AnomalyType::kInternal || weakest_through[x] < want)
              want = weakest_through[x];
          }
          AnomalyType got = AnomalyType::kInternal;
          for (const Anomaly& a : out.anomalies) {
            if (!same(v, static_cast<uint32_t>(a.txns[0]))) continue;
            if (got == AnomalyType::kInternal || a.type < got) got = a.type;
          }
          EXPECT_EQ(AnomalyName(got), AnomalyName(want)) << "round " << round << " node " << v;
          if (v == 0 && want != AnomalyType::kInternal) ++seen[want];
        }
      }
    }
  }
  // The generator reaches every kind of cycle.
  for (AnomalyType t : {AnomalyType::kG0, AnomalyType::kG1c, AnomalyType::kGSingle,
                        AnomalyType::kGNonadjacent, AnomalyType::kG2Item}) {
    EXPECT_GT(seen[t], 3) << AnomalyName(t);
  }
}

}  // namespace
}  // namespace tinykv::check::si
