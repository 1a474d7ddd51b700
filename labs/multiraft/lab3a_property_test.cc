// Randomized safety and liveness property test for the Raft library (graded, Lab3A).
//
// Each run builds a group of 3-7 nodes (plus spare nodes that may be added later) driven through
// full Ready cycles, and applies a seeded random schedule: ticks, message delivery in random
// order with loss and duplication, partitions, crash-restarts from persisted state, log
// compaction by the application, proposals, single-node membership changes and leader
// transfers, checking Raft's safety properties after every step; then the network heals and the
// group must elect a leader and commit a new entry within a bounded number of ticks. The runs and
// the properties are in raft/testing/property.h (shared with lab 2A's property tests).
//
// Runs: TINYKV_RAFT_PROPERTY_RUNS (default 2000); run r uses seed TestSeed(1) * 1000003 + r.
// A failure prints the run's seed and the command that replays exactly that run.
#include <gtest/gtest.h>

#include <cstdio>

#include "grading/test_seed.h"
#include "raft/testing/property.h"
#include "raft/testing/property_expect.h"

namespace tinykv::labs {
namespace {

TEST(Lab3A, RandomizedSafetyAndLiveness) {
  const auto result = raft::testing::RunPropertyTest(
      raft::testing::PropertyOptions::Full(), grading::TestSeed(1), /*default_runs=*/2000,
      "labs/multiraft/lab3a_property_test", "Lab3A.RandomizedSafetyAndLiveness");
  raft::testing::ExpectPropertyTestPasses(result, /*expect_commits=*/true);
}

}  // namespace
}  // namespace tinykv::labs
