// Randomized safety and liveness property test for the Raft side of lab 2C (graded: Lab2C).
//
// Each run builds a group of 3-7 nodes driven through full Ready cycles (RawNode) and applies a
// seeded random schedule: ticks, message delivery in random order with loss and duplication,
// partitions, crash-restarts from persisted state, proposals, and log compaction by the
// application — so lagging nodes catch up by snapshot. The adversary holds messages back and
// delivers long-delivered ones again: snapshots arrive late and twice, by then older than what
// the follower has committed and often older than its own compacted log (the stale-snapshot rule
// where it matters). After every step the properties of raft/testing/property.h are checked
// (election safety, one vote per term, log matching, leader completeness, commits never going
// back, committed entries never overwritten); after healing, the group must elect a leader and
// commit within a bounded number of ticks.
//
// Runs: TINYKV_RAFT_PROPERTY_RUNS (default below); run r uses seed TestSeed(1) * 1000003 + r.
// A failure prints the run's seed, the violated property, the run's events and the command that
// replays exactly that run (TINYKV_RAFT_PROPERTY_RUN=<seed>).
#include <gtest/gtest.h>

#include <cstdio>

#include "grading/test_seed.h"
#include "raft/testing/property.h"
#include "raft/testing/property_expect.h"

namespace tinykv::labs {
namespace {

TEST(Lab2C, RandomizedSnapshotSafety) {
  const auto result = raft::testing::RunPropertyTest(
      raft::testing::PropertyOptions::Lab2C(), grading::TestSeed(1), /*default_runs=*/1000,
      "labs/raft/lab2c_property_test", "Lab2C.RandomizedSnapshotSafety");
  raft::testing::ExpectPropertyTestPasses(result, /*expect_commits=*/true);
}

}  // namespace
}  // namespace tinykv::labs
