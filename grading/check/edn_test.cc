// Reading and writing Jepsen EDN histories.
#include "grading/check/edn.h"

#include <gtest/gtest.h>

#include <string>

#include "grading/check/checker.h"

namespace tinykv::check {
namespace {

TEST(LincheckEdn, PairsInvocationsWithCompletions) {
  auto h = ParseEdnHistory(
      "{:process 0, :type :invoke, :f :put, :key \"k\", :value \"x\"}\n"
      "{:process 1, :type :invoke, :f :get, :key \"k\", :value nil}\n"
      "{:process 0, :type :ok, :f :put, :key \"k\", :value \"x\"}\n"
      "{:process 1, :type :ok, :f :get, :key \"k\", :value \"x\"}\n"
      "{:process 2, :type :invoke, :f :append, :key \"k\", :value \"y\"}\n"
      "{:process 2, :type :info, :f :append, :key \"k\", :value \"y\"}\n"
      "{:process 3, :type :invoke, :f :put, :key \"k\", :value \"z\"}\n"
      "{:process 3, :type :fail, :f :put, :key \"k\", :value \"z\"}\n"
      "{:process 4, :type :invoke, :f :get, :key \"k\", :value nil}\n",
      "h.edn", {.require_key = true});
  ASSERT_TRUE(h.ok()) << h.status().message();
  ASSERT_EQ(h->ops.size(), 5u);
  EXPECT_TRUE(h->times_are_lines);
  EXPECT_EQ(h->ops[0].f, "put");
  EXPECT_EQ(h->ops[0].call, 1);
  EXPECT_EQ(h->ops[0].ret, 3);
  EXPECT_EQ(h->ops[1].output, "x");
  EXPECT_EQ(h->ops[2].status, OpStatus::kInfo);
  EXPECT_EQ(h->ops[3].status, OpStatus::kFail);
  EXPECT_EQ(h->ops[4].status, OpStatus::kInfo);  // never completed
  EXPECT_EQ(h->ops[4].ret, kNoReturn);
  EXPECT_EQ(Check(*h, KvModel())->verdict, Verdict::kLinearizable);
}

TEST(LincheckEdn, RegisterValuesNumbersCasAndTimes) {
  auto h = ParseEdnHistory(
      "; a register history with virtual times\n"
      "{:process 0 :type :invoke :f :write :value 3 :time 100}\n"
      "{:process 0 :type :ok :f :write :value 3 :time 200}\n"
      "{:process 1 :type :invoke :f :cas :value [3 4] :time 300}\n"
      "{:process :nemesis :type :invoke :f :start-partition :value nil :time 310}\n"
      "{:process :nemesis :type :info :f :start-partition :value [:n1 :n2] :time 320}\n"
      "{:process 1 :type :ok :f :cas :value [3 4] :time 400}\n"
      "{:process 0 :type :invoke :f :read :value nil :time 500}\n"
      "{:process 0 :type :ok :f :read :value 4 :time 600}\n",
      "r.edn");
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_FALSE(h->times_are_lines);
  ASSERT_EQ(h->ops.size(), 3u);
  EXPECT_EQ(h->ops[1].value, "3");
  EXPECT_EQ(h->ops[1].new_value, "4");
  EXPECT_EQ(h->ops[2].call, 500);
  EXPECT_EQ(h->ops[2].output, "4");
  ASSERT_EQ(h->annotations.size(), 1u);
  EXPECT_EQ(h->annotations[0].time, 310);
  EXPECT_EQ(h->annotations[0].end, 320);
  EXPECT_EQ(h->annotations[0].label, "start-partition [:n1 :n2]");
  EXPECT_EQ(Check(*h, RegisterModel())->verdict, Verdict::kLinearizable);
}

// Each malformed input names the source and the line of the offending event.
struct BadInput {
  const char* text;
  const char* message;
};

class LincheckEdnErrors : public ::testing::TestWithParam<BadInput> {};

TEST_P(LincheckEdnErrors, NameFileAndLine) {
  auto h = ParseEdnHistory(GetParam().text, "bad.edn", {.require_key = true});
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), Status::Code::kDataError);
  EXPECT_EQ(h.status().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, LincheckEdnErrors,
    ::testing::Values(
        BadInput{"{:process 0, :type :invoke, :f :get, :key \"k\"}\n{:process 0, :f :get}\n",
                 "bad.edn:2: missing :type"},
        BadInput{"\n{:process 0, :type :begin, :f :get, :key \"k\"}\n",
                 "bad.edn:2: :type must be :invoke, :ok, :fail or :info, got :begin"},
        BadInput{"{:process 0, :type :ok, :f :get, :key \"k\", :value \"\"}\n",
                 "bad.edn:1: :ok for process 0 which has no pending :invoke"},
        BadInput{"{:process 0, :type :invoke, :f :get, :key \"k\"}\n"
                 "{:process 0, :type :invoke, :f :get, :key \"k\"}\n",
                 "bad.edn:2: process 0 invokes again while its :invoke at line 1 is still "
                 "pending"},
        BadInput{"{:process 0, :type :invoke, :f :get}\n", "bad.edn:1: missing :key"},
        BadInput{"{:process 0, :type :invoke, :f :get, :key \"k}\n",
                 "bad.edn:1: unterminated string"},
        BadInput{"{:process 0, :type :invoke, :f :get, :key \"k\"\n", "bad.edn:1: missing '}'"},
        BadInput{"{:process 0, :type :invoke, :f :put, :key \"k\", :value \"v\", :time 5}\n"
                 "{:process 0, :type :ok, :f :put, :key \"k\", :value \"v\"}\n",
                 "bad.edn:2: :time missing here but given on earlier events"},
        BadInput{"{:process \"zero\", :type :invoke, :f :get, :key \"k\"}\n",
                 "bad.edn:1: :process must be an integer or :nemesis, got \"zero\""},
        BadInput{"[1 2 3]\n", "bad.edn:1: expected a map {...} per event"},
        // Input that ends right after a dispatch '#': an error, never a read past the end.
        BadInput{"[#", "bad.edn:1: unexpected end of input inside a form"},
        BadInput{"{:process 0 #", "bad.edn:1: unexpected end of input inside a form"},
        // One past the largest int64 is not an integer; the largest is (below).
        BadInput{"{:process 9223372036854775808, :type :invoke, :f :get, :key \"k\"}\n",
                 "bad.edn:1: :process must be an integer or :nemesis, got 9223372036854775808"},
        BadInput{"{:process 0, :type :invoke, :f :get, :key \"k\"}\n"
                 "{:process 0, :type :ok, :f :put, :key \"k\"}\n",
                 "bad.edn:2: :ok of :put completes process 0's pending :get (line 1)"}));

// Every int64 reads as itself, up to the extremes.
TEST(LincheckEdn, IntegersReadUpToTheLimitsOfInt64) {
  auto h = ParseEdnHistory(
      "{:process 9223372036854775807, :type :invoke, :f :get, :key \"k\", :time "
      "-9223372036854775808}\n"
      "{:process 9223372036854775807, :type :ok, :f :get, :key \"k\", :value nil, "
      ":time 9223372036854775800}\n",
      "big.edn");
  ASSERT_TRUE(h.ok()) << h.status().message();
  ASSERT_EQ(h->ops.size(), 1u);
  EXPECT_EQ(h->ops[0].client, INT64_MAX);
  EXPECT_EQ(h->ops[0].call, INT64_MIN);
  EXPECT_EQ(h->ops[0].ret, 9223372036854775800);
}

TEST(LincheckEdn, MissingFileIsNoInput) {
  auto h = ReadEdnHistoryFile("/nonexistent/dir/h.edn");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), Status::Code::kNoInput);
  EXPECT_NE(h.status().message().find("/nonexistent/dir/h.edn"), std::string::npos);
}

History SampleHistory() {
  HistoryRecorder rec;
  size_t a = rec.Invoke(1, 1000, "put", "k", "v 1");
  size_t b = rec.Invoke(2, 1000, "get", "k");
  rec.Ok(a, 3000);
  rec.Ok(b, 3000, "v 1");
  size_t c = rec.Invoke(1, 3000, "append", "k", "\"quoted\"\n");
  rec.Info(c, 9000);
  size_t d = rec.Invoke(2, 4000, "delete", "k");
  rec.Fail(d, 5000);
  size_t e = rec.Invoke(3, 5500, "get", "j");
  rec.Ok(e, 5500, "");              // instantaneous
  rec.Invoke(3, 6000, "get", "j");  // still pending at the end
  rec.Annotate(2000, 7000, "partition {1} | {2 3}");
  rec.Annotate(2000, 2000, "crash 2");  // starts with the partition, inside it
  return rec.history();
}

TEST(LincheckEdn, WriteThenReadRoundTripsWithTimes) {
  History h = SampleHistory();
  auto back = ParseEdnHistory(FormatEdnHistory(h), "rt.edn", {.require_key = true});
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->ops.size(), h.ops.size());
  for (size_t i = 0; i < h.ops.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(back->ops[i].client, h.ops[i].client);
    EXPECT_EQ(back->ops[i].f, h.ops[i].f);
    EXPECT_EQ(back->ops[i].key, h.ops[i].key);
    EXPECT_EQ(back->ops[i].call, h.ops[i].call);
    EXPECT_EQ(back->ops[i].ret, h.ops[i].ret);
    EXPECT_EQ(back->ops[i].status, h.ops[i].status);
    if (h.ops[i].f != "get") {
      EXPECT_EQ(back->ops[i].value, h.ops[i].value);
    }
  }
  EXPECT_EQ(back->ops[1].output, "v 1");
  // Annotations come back as they went in, with their own labels, although they overlap.
  ASSERT_EQ(back->annotations.size(), 2u);
  EXPECT_EQ(back->annotations[0].label, "partition {1} | {2 3}");
  EXPECT_EQ(back->annotations[0].time, 2000);
  EXPECT_EQ(back->annotations[0].end, 7000);
  EXPECT_EQ(back->annotations[1].label, "crash 2");
  EXPECT_EQ(back->annotations[1].time, 2000);
  EXPECT_EQ(back->annotations[1].end, 2000);
}

TEST(LincheckEdn, WithoutTimesLineOrderKeepsTheVerdict) {
  History h = SampleHistory();
  auto back = ParseEdnHistory(FormatEdnHistory(h, {.times = false}), "rt.edn");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(back->times_are_lines);
  EXPECT_EQ(Check(*back, KvModel())->verdict, Check(h, KvModel())->verdict);
  // Operations that touched at the same instant stay concurrent: put and get both started at 1000.
  EXPECT_LT(back->ops[0].call, back->ops[1].ret);
  EXPECT_LT(back->ops[1].call, back->ops[0].ret);
}

}  // namespace
}  // namespace tinykv::check
