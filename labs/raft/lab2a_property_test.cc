// Randomized safety and liveness property tests for lab 2A (graded: Lab2AA, Lab2AB).
//
// Each run builds a group of 3-7 nodes and drives their Raft state machines directly (no RawNode:
// that is 2AC) through a seeded random schedule: ticks (a node's tick may be late), message
// delivery in random order with loss and duplication, partitions, crash-restarts from persisted
// state, and an adversary that holds messages back and delivers them many steps later (by then
// from an old term) and delivers long-delivered messages again. No membership changes, leader
// transfers or compaction (labs 3A and 2C). After every step the properties of
// raft/testing/property.h are checked (election safety, one vote per term, log matching, leader
// completeness, commit rules); after healing, the group must elect a leader within 1000 ticks.
//   Lab2AA.RandomizedElectionSafety  no proposals; the healed group agrees on one leader.
//   Lab2AB.RandomizedSafety          proposals too (some sent to followers, which forward them);
//                                    the healed group commits a new entry.
//
// Runs: TINYKV_RAFT_PROPERTY_RUNS (defaults below); run r uses seed TestSeed(1) * 1000003 + r.
// A failure prints the run's seed, the violated property, the run's events and the command that
// replays exactly that run (TINYKV_RAFT_PROPERTY_RUN=<seed>).
#include <gtest/gtest.h>

#include <cstdio>

#include "grading/test_seed.h"
#include "raft/testing/property.h"
#include "raft/testing/property_expect.h"

namespace tinykv::labs {
namespace {

using raft::testing::PropertyOptions;

constexpr const char* kBinary = "labs/raft/lab2a_property_test";

TEST(Lab2AA, RandomizedElectionSafety) {
  const auto result = raft::testing::RunPropertyTest(PropertyOptions::Lab2A(/*proposals=*/false),
                                                     grading::TestSeed(1), /*default_runs=*/1000,
                                                     kBinary, "Lab2AA.RandomizedElectionSafety");
  raft::testing::ExpectPropertyTestPasses(result, /*expect_commits=*/false);
}

TEST(Lab2AB, RandomizedSafety) {
  const auto result = raft::testing::RunPropertyTest(
      PropertyOptions::Lab2A(/*proposals=*/true), grading::TestSeed(1),
      /*default_runs=*/1500, kBinary, "Lab2AB.RandomizedSafety");
  raft::testing::ExpectPropertyTestPasses(result, /*expect_commits=*/true);
}

}  // namespace
}  // namespace tinykv::labs
