// Reads the verdict of one test from GoogleTest's JSON report (--gtest_output=json:FILE).
#pragma once

#include <string>
#include <vector>

namespace tinykv::grading::runner {

struct GtestVerdict {
  enum class Kind {
    kNoReport,  // file missing, empty or not GoogleTest JSON
    kNotFound,  // report exists but does not contain the test (filter matched nothing)
    kNotRun,    // listed but not run (disabled)
    kSkipped,   // GTEST_SKIP()
    kPassed,
    kFailed,  // failures holds the messages
  };
  Kind kind = Kind::kNoReport;
  std::vector<std::string> failures;
  std::string error;  // for kNoReport: why the report could not be read
};

// Finds "Suite.Name" in the report at `path`.
GtestVerdict ReadGtestVerdict(const std::string& path, const std::string& test_name);

}  // namespace tinykv::grading::runner
