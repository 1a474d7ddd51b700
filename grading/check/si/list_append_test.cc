// Tests for the list-append checker: one hand-written history per anomaly and for its absence,
// the EDN reader's shapes and errors, and a large generated history.
#include "grading/check/si/list_append.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "grading/check/si/edn_value.h"
#include "grading/check/si/txn_history.h"

namespace tinykv::check::si {
namespace {

TxnHistory Parse(const std::string& edn) {
  Result<TxnHistory> h = ParseListAppendHistory(edn, "h.edn");
  EXPECT_TRUE(h.ok()) << h.status().message();
  return h.ok() ? *h : TxnHistory{};
}

CheckResult Check(const std::string& edn, Consistency model) {
  Result<CheckResult> r = CheckListAppend(Parse(edn), model);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : CheckResult{};
}

std::set<std::string> Names(const CheckResult& r) {
  std::set<std::string> out;
  for (const Anomaly& a : r.anomalies) out.insert(std::string(AnomalyName(a.type)));
  return out;
}

bool ValidUnder(const std::string& edn, Consistency model) { return Check(edn, model).valid; }

// Checks `edn` under `model`, expecting exactly the anomaly kind `name`, which the model forbids.
CheckResult CheckFinds(const std::string& edn, Consistency model, const std::string& name) {
  CheckResult r = Check(edn, model);
  EXPECT_EQ(Names(r), (std::set<std::string>{name})) << r.Summary(model);
  EXPECT_FALSE(r.valid) << r.Summary(model);
  return r;
}

constexpr Consistency kRC = Consistency::kReadCommitted;
constexpr Consistency kSI = Consistency::kSnapshotIsolation;
constexpr Consistency kSer = Consistency::kSerializable;

TEST(ListAppend, SerialHistoryIsValidEverywhere) {
  const std::string h =
      "{:type :ok, :value [[:append 1 1]]}\n"
      "{:type :ok, :value [[:r 1 [1]] [:append 1 2] [:r 1 [1 2]]]}\n"
      "{:type :ok, :value [[:r 1 [1 2]] [:r 2 []]]}\n";
  for (Consistency m : {kRC, kSI, kSer}) {
    CheckResult r = Check(h, m);
    EXPECT_TRUE(r.valid) << r.Summary(m);
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
  EXPECT_EQ(r.anomalies[1].txns, (std::vector<size_t>{1}));
}

TEST(ListAppend, UnknownElement) {
  CheckFinds("{:type :ok, :value [[:r 1 [7]]]}\n", kRC, "unknown-element");
}

TEST(ListAppend, ElementAppendedTwiceIsADataError) {
  Result<CheckResult> r = CheckListAppend(Parse("{:type :ok, :value [[:append 1 1]]}\n"
                                                "{:type :ok, :value [[:append 1 1]]}\n"),
                                          kSer);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kDataError);
  EXPECT_EQ(r.status().message().find('\n'), std::string::npos);
}

TEST(ListAppend, ReportIsDeterministic) {
  const std::string h =
      "{:type :ok, :value [[:append 1 1] [:append 2 2]]}\n"
      "{:type :ok, :value [[:append 1 2] [:append 2 1]]}\n"
      "{:type :ok, :value [[:r 1 [1 2]] [:r 2 [1 2]] [:r 3 [9]]]}\n";
  EXPECT_EQ(Check(h, kSI).Summary(kSI), Check(h, kSI).Summary(kSI));
}

TEST(ListAppend, ConsistencyNamesRoundTrip) {
  for (Consistency m : {kRC, kSI, kSer}) EXPECT_EQ(ParseConsistency(ConsistencyName(m)), m);
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
  Result<CheckResult> r = CheckListAppend(h, kSer);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->valid) << r->Summary(kSer).substr(0, 2000);
  EXPECT_TRUE(r->anomalies.empty());
}

// A ring of write skews: txn i reads key i as empty and appends to key i+1 (mod n), so each
// txn anti-depends on the previous one: one strongly connected component of n txns, rw edges only.
// Exercises the iterative Tarjan and the G-single search on a large component.
TEST(ListAppend, LargeWriteSkewRingIsOneG2ItemCycle) {
  constexpr size_t kTxns = 50000;
  TxnHistory h;
  Txn reader;
  for (size_t i = 0; i < kTxns; ++i) {
    Txn t;
    t.index = static_cast<int64_t>(i);
    t.mops.push_back(Mop{Mop::Kind::kRead, std::to_string(i), "", {}});
    t.mops.push_back(Mop{Mop::Kind::kAppend, std::to_string((i + 1) % kTxns), "1", {}});
    h.txns.push_back(std::move(t));
    reader.mops.push_back(Mop{Mop::Kind::kRead, std::to_string(i), "", {"1"}});
  }
  reader.index = static_cast<int64_t>(kTxns);
  h.txns.push_back(std::move(reader));
  Result<CheckResult> r = CheckListAppend(h, kSI);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->valid);
  ASSERT_EQ(r->anomalies.size(), 1u);
  EXPECT_EQ(r->anomalies[0].type, AnomalyType::kG2Item);
  EXPECT_EQ(r->anomalies[0].txns.size(), kTxns);
  EXPECT_EQ(r->anomalies[0].explanation[0],
            "T0 read key 0 as empty and missed 1, which T49999 appended next (rw)");
  EXPECT_FALSE(CheckListAppend(h, kSer)->valid);
}

// Brute force: is there a serial order of `h`'s (all :ok) txns in which every read returns
// exactly the list it saw?
bool SerializableByBruteForce(const TxnHistory& h) {
  std::vector<size_t> order(h.txns.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  do {
    std::map<std::string, std::vector<std::string>> state;
    bool ok = true;
    for (size_t t : order) {
      for (const Mop& m : h.txns[t].mops) {
        if (m.kind == Mop::Kind::kAppend) {
          state[m.key].push_back(m.element);
        } else if (state[m.key] != m.read) {
          ok = false;
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
    TxnHistory h;
    h.txns.resize(2 + next(4));
    std::map<std::string, std::vector<std::string>> final_list;
    int element = 0;
    for (size_t t = 0; t < h.txns.size(); ++t) {
      h.txns[t].index = static_cast<int64_t>(t);
      for (uint64_t m = 1 + next(3); m > 0; --m) {
        Mop mop;
        mop.key = std::to_string(next(2));
        mop.kind = next(2) == 0 ? Mop::Kind::kAppend : Mop::Kind::kRead;
        if (mop.kind == Mop::Kind::kAppend) {
          mop.element = std::to_string(++element);
          final_list[mop.key].push_back(mop.element);
        }
        h.txns[t].mops.push_back(mop);
      }
    }
    for (Txn& t : h.txns) {  // reads: random prefixes of the final lists
      for (Mop& m : t.mops) {
        if (m.kind != Mop::Kind::kRead) continue;
        const std::vector<std::string>& list = final_list[m.key];
        m.read.assign(list.begin(), list.begin() + static_cast<long>(next(list.size() + 1)));
      }
    }
    Result<CheckResult> r = CheckListAppend(h, kSer);
    ASSERT_TRUE(r.ok()) << r.status().message();
    if (r->valid) continue;
    ++invalid;
    EXPECT_FALSE(SerializableByBruteForce(h)) << "round " << round << ": " << r->Summary(kSer);
  }
  EXPECT_GT(invalid, 100);  // the generator does produce anomalies
}

// --- EDN input -------------------------------------------------------------------------------

TEST(ListAppendEdn, PairsInvocationsWithCompletionsPerProcess) {
  TxnHistory h = Parse(
      "{:type :invoke, :f :txn, :process 0, :time 1, :value [[:append 1 2] [:r 1 nil]]}\n"
      "{:type :invoke, :f :txn, :process 1, :time 2, :value [[:append 1 3]]}\n"
      "{:type :ok, :f :txn, :process 0, :time 3, :value [[:append 1 2] [:r 1 [2]]]}\n"
      "{:type :fail, :f :txn, :process 1, :time 4, :value [[:append 1 3]]}\n"
      "{:type :invoke, :process 1, :value [[:append 1 4] [:r 1 nil]]}\n"
      "{:type :info, :process :nemesis, :value nil}\n"
      "{:type :info, :process 1, :value [[:append 1 4] [:r 1 nil]]}\n"
      "{:type :invoke, :process 2, :index 40, :value [[:append 1 5]]}\n");
  ASSERT_EQ(h.txns.size(), 4u);
  EXPECT_EQ(h.txns[0].status, TxnStatus::kOk);
  EXPECT_EQ(h.txns[0].index, 2);
  EXPECT_EQ(h.txns[0].line, 3);
  ASSERT_EQ(h.txns[0].mops.size(), 2u);
  EXPECT_EQ(h.txns[0].mops[1].read, (std::vector<std::string>{"2"}));
  EXPECT_EQ(h.txns[1].status, TxnStatus::kFail);
  EXPECT_EQ(h.txns[2].status, TxnStatus::kInfo);
  ASSERT_EQ(h.txns[2].mops.size(), 1u);  // the unknown read is dropped
  EXPECT_EQ(h.txns[2].mops[0].element, "4");
  EXPECT_EQ(h.txns[3].status, TxnStatus::kInfo);  // never completed
  EXPECT_EQ(h.txns[3].index, 40);
}

TEST(ListAppendEdn, KeywordsStringsAndIntegersStayDistinct) {
  TxnHistory h = Parse(
      "[{:type :ok, :value [[:append :x 1] [:append \"x\" :one] [:append 1 \"1\"]]}\n"
      " {:type :ok, :value [[:r :x [1]] [:r \"x\" [:one]] [:r 1 [\"1\"]] [:r \"1\" []]]}]\n");
  ASSERT_EQ(h.txns.size(), 2u);
  EXPECT_EQ(h.txns[0].mops[0].key, ":x");
  EXPECT_EQ(h.txns[0].mops[1].key, "\"x\"");
  EXPECT_EQ(h.txns[0].mops[1].element, ":one");
  EXPECT_EQ(h.txns[0].mops[2].element, "\"1\"");
  Result<CheckResult> r = CheckListAppend(h, kSer);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->valid) << r->Summary(kSer);
  EXPECT_TRUE(r->anomalies.empty()) << r->Summary(kSer);
}

TEST(ListAppendEdn, ValueReaderHandlesGeneralForms) {
  Result<std::vector<EdnValue>> v = ParseEdnValues(
      "; comment\n{:a [1 -2 \"s\\\"q\"], :b nil, :c (true false), :d {:e :f}} sym", "v.edn");
  ASSERT_TRUE(v.ok()) << v.status().message();
  ASSERT_EQ(v->size(), 2u);
  EXPECT_EQ((*v)[0].ToString(), "{:a [1 -2 \"s\\\"q\"], :b nil, :c (true false), :d {:e :f}}");
  EXPECT_EQ((*v)[0].line, 2);
  EXPECT_EQ((*v)[1].kind, EdnValue::Kind::kSymbol);
  Result<std::vector<EdnValue>> big = ParseEdnValues("-9223372036854775808", "v.edn");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ((*big)[0].integer, INT64_MIN);
}

TEST(ListAppendEdn, MalformedInputGetsOneLineErrorWithPosition) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{:type :ok, :value [[:append 1]]}", "h.edn:1:21: micro-op must be"},
      {"{:type :ok, :value [[:append 1 2]]", "h.edn:1:1: missing '}'"},
      {"{:type :ok, :value [[:r 1 #{}]]}", "h.edn:1:27: '#' forms"},
      {"{:type :ok, :value [[:r 1 [1.5]]]}", "h.edn:1:28: '1.5' is not an integer"},
      {"{:type :done, :value []}", "h.edn:1:8: :type must be"},
      {"\n{:type :ok, :process 3, :value []}", "h.edn:2:8: :ok for process 3 which has no"},
      {"{:type :ok, :value [[:write 1 2]]}", "h.edn:1:22: micro-op must start with"},
      {"{:type :ok, :value [[:r 1 [[2]]]]}", "h.edn:1:28: read element must be"},
      {"{:type :ok}", "h.edn:1:1: op without :value"},
      {"99999999999999999999", "h.edn:1:1: integer 99999999999999999999 does not fit"},
      {"{:type :ok, :value [\"unterminated]}", "h.edn:1:21: unterminated string"},
      {"{:type :ok, :value []}}", "h.edn:1:23: unexpected '}'"},
      {"{:type :invoke, :process 1, :value []}\n{:type :invoke, :process 1, :value []}",
       "h.edn:2:1: :invoke for process 1 whose :invoke on line 1 has not completed"},
  };
  for (const auto& [text, want] : cases) {
    Result<TxnHistory> h = ParseListAppendHistory(text, "h.edn");
    ASSERT_FALSE(h.ok()) << text;
    EXPECT_EQ(h.status().code(), Status::Code::kDataError);
    EXPECT_EQ(h.status().message().rfind(want, 0), 0u) << h.status().message();
    EXPECT_EQ(h.status().message().find('\n'), std::string::npos) << h.status().message();
  }
}

TEST(ListAppendEdn, EveryTruncationParsesOrFailsInOneLine) {
  const std::string h =
      "{:type :invoke, :process 0, :value [[:append :k \"v\\\"\"] [:r :k nil]]}\n"
      "{:type :ok, :process 0, :index 1, :value [[:append :k \"v\\\"\"] [:r :k [\"v\\\"\"]]]}\n";
  for (size_t n = 0; n <= h.size(); ++n) {
    Result<TxnHistory> r = ParseListAppendHistory(h.substr(0, n), "h.edn");
    if (!r.ok()) {
      EXPECT_EQ(r.status().message().find('\n'), std::string::npos) << r.status().message();
    }
  }
  EXPECT_TRUE(ParseListAppendHistory(h, "h.edn").ok());
}

TEST(ListAppendEdn, MissingFileIsNoInput) {
  Result<TxnHistory> h = ReadListAppendHistoryFile("/nonexistent/h.edn");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), Status::Code::kNoInput);
}

}  // namespace
}  // namespace tinykv::check::si
