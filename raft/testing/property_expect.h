// The verdict every graded Raft property test (labs 2A, 2C, 3A) gives on a RunPropertyTest result:
// no run broke a property, and the schedules really exercised the protocol. For test binaries
// only (uses GoogleTest).
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdio>

#include "raft/testing/property.h"

namespace tinykv::raft::testing {

// `expect_commits`: the schedule proposes, so the runs must commit entries too.
inline void ExpectPropertyTestPasses(const PropertyTestResult& result, bool expect_commits) {
  ASSERT_TRUE(result.failure.empty()) << result.failure;
  std::printf("%d runs, %zu committed entries, %zu leader terms\n", result.runs, result.committed,
              result.leader_terms);
  EXPECT_GT(result.leader_terms, static_cast<size_t>(result.runs))
      << "a schedule that hardly elects anyone checks nothing";
  if (expect_commits) {
    EXPECT_GT(result.committed, static_cast<size_t>(result.runs)) << "hardly anything committed";
  }
}

}  // namespace tinykv::raft::testing
