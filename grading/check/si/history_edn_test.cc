// Tests for reading Jepsen EDN into a TxnHistory: pairing, positions, interning, the value
// reader's shapes and errors, and reading files in chunks.
#include "grading/check/si/history_edn.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "grading/check/si/edn_value.h"
#include "grading/check/si/si_test_util.h"

namespace tinykv::check::si {
namespace {

using namespace testing;  // NOLINT: the test vocabulary

TEST(HistoryEdn, PairsInvocationsWithCompletionsPerProcess) {
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
  EXPECT_EQ(h.op_count, 8);
  const Txn& t0 = h.txns[0];
  EXPECT_EQ(t0.status, TxnStatus::kOk);
  EXPECT_EQ(t0.index, 2);
  EXPECT_EQ(t0.line, 3);
  EXPECT_EQ(t0.invoke_pos, 0);
  EXPECT_EQ(t0.complete_pos, 2);
  EXPECT_EQ(t0.invoke_time, 1);
  EXPECT_EQ(t0.complete_time, 3);
  EXPECT_EQ(h.processes[t0.process], "0");
  ASSERT_EQ(t0.mop_count, 2u);
  EXPECT_EQ(ReadTexts(h, h.MopsOf(t0)[1]), (std::vector<std::string>{"2"}));
  EXPECT_EQ(h.txns[1].status, TxnStatus::kFail);
  EXPECT_EQ(h.txns[1].invoke_pos, 1);
  EXPECT_EQ(h.txns[2].status, TxnStatus::kInfo);
  ASSERT_EQ(h.txns[2].mop_count, 1u);  // the unknown read is dropped
  EXPECT_EQ(h.ValueText(h.MopsOf(h.txns[2])[0].value), "4");
  EXPECT_EQ(h.txns[2].invoke_pos, 4);
  EXPECT_EQ(h.txns[2].complete_pos, 6);
  EXPECT_EQ(h.txns[3].status, TxnStatus::kInfo);  // never completed
  EXPECT_EQ(h.txns[3].index, 40);
  EXPECT_EQ(h.txns[3].invoke_pos, 7);
  EXPECT_EQ(h.txns[3].complete_pos, Txn::kNever);
}

TEST(HistoryEdn, WithoutProcessTheInvocationIsUnknown) {
  TxnHistory h = Parse(
      "{:type :invoke, :value [[:append 1 2]]}\n"
      "{:type :ok, :value [[:append 1 2]]}\n");
  ASSERT_EQ(h.txns.size(), 1u);
  EXPECT_EQ(h.txns[0].invoke_pos, -1);
  EXPECT_EQ(h.txns[0].complete_pos, 1);
  EXPECT_EQ(h.txns[0].index, 1);
}

TEST(HistoryEdn, KeywordsStringsAndIntegersStayDistinct) {
  TxnHistory h = Parse(
      "[{:type :ok, :value [[:append :x 1] [:append \"x\" :one] [:append 1 \"1\"]]}\n"
      " {:type :ok, :value [[:r :x [1]] [:r \"x\" [:one]] [:r 1 [\"1\"]] [:r \"1\" []]]}]\n");
  ASSERT_EQ(h.txns.size(), 2u);
  const auto mops = h.MopsOf(h.txns[0]);
  EXPECT_EQ(h.KeyText(mops[0].key), ":x");
  EXPECT_EQ(h.KeyText(mops[1].key), "\"x\"");
  EXPECT_EQ(h.ValueText(mops[1].value), ":one");
  EXPECT_EQ(h.ValueText(mops[2].value), "\"1\"");
  EXPECT_NE(mops[2].key, h.MopsOf(h.txns[1])[3].key);  // 1 and "1" are different keys
  CheckResult r = CheckTxns(h, kSer);
  EXPECT_EQ(r.VerdictFor(kSer), Verdict::kValid) << r.Summary(kSer);
  EXPECT_TRUE(r.anomalies.empty()) << r.Summary(kSer);
}

TEST(HistoryEdn, RwRegisterMicroOps) {
  TxnHistory h = Parse(
      "{:type :ok, :value [[:w :x 1] [:r :x 1] [:r :y nil]]}\n"
      "{:type :invoke, :process 0, :value [[:w :x 2] [:r :y nil]]}\n"
      "{:type :fail, :process 0, :value [[:w :x 2] [:r :y nil]]}\n",
      Workload::kRwRegister);
  ASSERT_EQ(h.txns.size(), 2u);
  EXPECT_EQ(h.workload, Workload::kRwRegister);
  const auto mops = h.MopsOf(h.txns[0]);
  ASSERT_EQ(mops.size(), 3u);
  EXPECT_EQ(mops[0].kind, Mop::Kind::kWrite);
  EXPECT_EQ(ReadTexts(h, mops[1]), (std::vector<std::string>{"1"}));
  EXPECT_EQ(mops[2].read_count, 0u);   // nil: the initial state
  EXPECT_EQ(h.txns[1].mop_count, 1u);  // the failed txn keeps its write
  Result<TxnHistory> bad = ParseTxnHistory("{:type :ok, :value [[:append 1 2]]}", "h.edn",
                                           ReadOptions{Workload::kRwRegister, nullptr});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "h.edn:1:22: micro-op must start with :w or :r, not :append");
  bad = ParseTxnHistory("{:type :ok, :value [[:r 1 [2]]]}", "h.edn",
                        ReadOptions{Workload::kRwRegister, nullptr});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "h.edn:1:27: read result must be nil, an integer, keyword or string, not [2]");
}

TEST(HistoryEdn, ValueReaderHandlesGeneralForms) {
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

TEST(HistoryEdn, MalformedInputGetsOneLineErrorWithPosition) {
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
      {"[{:type :ok, :value []}\n", "h.edn:1:1: missing ']' for the form opened here"},
      {"{:type :ok, :time 1.5, :value []}", "h.edn:1:19: '1.5' is not an integer"},
      {"{:type :ok, :time :now, :value []}", "h.edn:1:19: :time must be an integer"},
  };
  for (const auto& [text, want] : cases) {
    Result<TxnHistory> h = ParseTxnHistory(text, "h.edn");
    ASSERT_FALSE(h.ok()) << text;
    EXPECT_EQ(h.status().code(), Status::Code::kDataError);
    EXPECT_EQ(h.status().message().rfind(want, 0), 0u) << h.status().message();
    EXPECT_EQ(h.status().message().find('\n'), std::string::npos) << h.status().message();
  }
}

TEST(HistoryEdn, EveryTruncationParsesOrFailsInOneLine) {
  const std::string h =
      "{:type :invoke, :process 0, :value [[:append :k \"v\\\"\"] [:r :k nil]]}\n"
      "{:type :ok, :process 0, :index 1, :value [[:append :k \"v\\\"\"] [:r :k [\"v\\\"\"]]]}\n";
  for (size_t n = 0; n <= h.size(); ++n) {
    Result<TxnHistory> r = ParseTxnHistory(h.substr(0, n), "h.edn");
    if (!r.ok()) {
      EXPECT_EQ(r.status().message().find('\n'), std::string::npos) << r.status().message();
    }
  }
  EXPECT_TRUE(ParseTxnHistory(h, "h.edn").ok());
}

TEST(HistoryEdn, MissingFileIsNoInput) {
  Result<TxnHistory> h = ReadTxnHistoryFile("/nonexistent/h.edn");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), Status::Code::kNoInput);
}

// A file of several MiB is read in 1 MiB chunks: tokens and strings cut by a chunk boundary must
// come out whole, and errors must still name the right line.
TEST(HistoryEdn, FileReadInChunksMatchesTheText) {
  std::string edn = "[\n";
  for (int i = 0; i < 40000; ++i) {
    const std::string k = "\"key-" + std::to_string(i % 97) + "\"";
    edn += "{:type :ok, :index " + std::to_string(i) + ", :value [[:append " + k + " " +
           std::to_string(i) + "] [:r " + k + " nil] [:r :long-keyword-" + std::to_string(i) +
           " [" + std::to_string(i) + "]]]}\n";
  }
  edn += "]\n";
  ASSERT_GT(edn.size(), 3u << 20);
  const std::string path =
      (std::filesystem::temp_directory_path() / "sicheck_history_edn_chunks.edn").string();
  std::ofstream(path) << edn;
  Result<TxnHistory> from_file = ReadTxnHistoryFile(path);
  Result<TxnHistory> from_text = ParseTxnHistory(edn, path);
  ASSERT_TRUE(from_file.ok()) << from_file.status().message();
  ASSERT_TRUE(from_text.ok()) << from_text.status().message();
  EXPECT_EQ(from_file->txns.size(), 40000u);
  EXPECT_EQ(from_file->key_texts, from_text->key_texts);
  EXPECT_EQ(from_file->value_texts, from_text->value_texts);
  EXPECT_EQ(from_file->read_values, from_text->read_values);
  EXPECT_EQ(from_file->txns.back().line, from_text->txns.back().line);
  std::ofstream(path) << edn.substr(0, edn.size() - 2) << "{:type :ok, :value [[:r 1 #{}]]}]\n";
  Result<TxnHistory> bad = ReadTxnHistoryFile(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), path +
                                        ":40002:27: '#' forms (sets, tags, discards) are not "
                                        "supported");
  std::filesystem::remove(path);
}

TEST(HistoryEdn, BudgetStopsReadingAndMarksTheHistoryTruncated) {
  std::string edn;
  for (int i = 0; i < 5000; ++i)
    edn += "{:type :ok, :value [[:append 1 " + std::to_string(i) + "]]}\n";
  StepBudget budget(1);  // two polls: about 2,048 ops
  Result<TxnHistory> h = ParseTxnHistory(edn, "h.edn", ReadOptions{Workload::kListAppend, &budget});
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_TRUE(h->truncated);
  EXPECT_LT(h->txns.size(), 5000u);
  EXPECT_GT(h->txns.size(), 1000u);
  Result<CheckResult> r = CheckHistory(*h);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->VerdictFor(kSSI), Verdict::kUnknown);
  ASSERT_EQ(r->notes.size(), 1u);
  EXPECT_NE(r->notes[0].find("while reading the history"), std::string::npos) << r->notes[0];
}

}  // namespace
}  // namespace tinykv::check::si
