#include "grading/harness/kv_scenario.h"

#include <gtest/gtest.h>

namespace tinykv::harness {
namespace {

TEST(ReadsHaveWriters, AcceptsReadsOfWrittenValuesAndEmptyReads) {
  check::HistoryRecorder h;
  size_t put = h.Invoke(0, 10, "put", "k", "a");
  size_t get_empty = h.Invoke(1, 5, "get", "k");
  h.Ok(get_empty, 8, "");
  size_t get = h.Invoke(1, 12, "get", "k");
  h.Ok(put, 20);
  h.Ok(get, 15, "a");  // concurrent with the put: fine
  EXPECT_EQ(CheckReadsHaveWriters(h.history()), "");
}

TEST(ReadsHaveWriters, FlagsAValueNobodyWrote) {
  check::HistoryRecorder h;
  size_t put = h.Invoke(0, 10, "put", "k", "a");
  h.Ok(put, 20);
  size_t get = h.Invoke(1, 30, "get", "k");
  h.Ok(get, 40, "zz");
  const std::string why = CheckReadsHaveWriters(h.history());
  EXPECT_NE(why.find("get k → 'zz'"), std::string::npos) << why;
  EXPECT_NE(why.find("no put ever wrote"), std::string::npos) << why;
}

TEST(ReadsHaveWriters, FlagsAReadFromTheFutureAndIgnoresOtherKeys) {
  check::HistoryRecorder h;
  size_t get = h.Invoke(1, 10, "get", "k");
  h.Ok(get, 20, "late");
  size_t put = h.Invoke(0, 30, "put", "k", "late");
  h.Ok(put, 40);
  size_t other = h.Invoke(2, 1, "put", "j", "late2");
  h.Ok(other, 2);
  const std::string why = CheckReadsHaveWriters(h.history());
  EXPECT_NE(why.find("written only later"), std::string::npos) << why;
}

// The scenario's checks are not vacuous: clients that read whatever some store has applied (a store
// serving reads without going through Raft) are caught on most seeds of a partitioned run.
TEST(KvScenario, CatchesReadsThatBypassRaft) {
  KvScenarioOptions o;
  o.clients = 5;
  o.partitions = true;
  o.rounds = 1;
  o.reads_bypass_raft = true;
  int caught = 0;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    KvScenarioResult r = RunKvScenario("HarnessSelfTest.StaleReads", seed, o);
    if (!r.passed) ++caught;
    std::printf("seed %llu: %s\n", static_cast<unsigned long long>(seed),
                r.passed ? "passed" : r.failure.substr(0, 160).c_str());
  }
  EXPECT_GE(caught, 4) << "stale reads went unnoticed";
  o.reads_bypass_raft = false;
  EXPECT_TRUE(RunKvScenario("HarnessSelfTest.Correct", 1, o).passed);
}

}  // namespace
}  // namespace tinykv::harness
