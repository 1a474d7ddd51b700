// The six Porcupine KV conformance histories (shared/conformance/porcupine-kv) with their known
// verdicts. The directory sits next to the repository; a missing directory fails the test: a
// checker that cannot be shown right must not pass by skipping.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "grading/check/checker.h"
#include "grading/check/edn.h"

#ifndef TINYKV_CONFORMANCE_DIR
#error "TINYKV_CONFORMANCE_DIR must name the porcupine-kv conformance directory"
#endif

namespace tinykv::check {
namespace {

struct Case {
  const char* file;
  Verdict expected;
  bool also_unpartitioned;  // small enough to search the product state directly
};

class ConformanceTest : public ::testing::TestWithParam<Case> {};

std::string PathOf(const char* file) { return std::string(TINYKV_CONFORMANCE_DIR) + "/" + file; }

TEST(ConformanceData, DirectoryIsPresent) {
  ASSERT_TRUE(std::filesystem::is_directory(TINYKV_CONFORMANCE_DIR))
      << "conformance histories not found at " << TINYKV_CONFORMANCE_DIR
      << " (expected the shared folder next to the repository; configure with "
         "-DTINYKV_CONFORMANCE_DIR=...)";
}

TEST_P(ConformanceTest, VerdictMatchesKnownResult) {
  const Case& c = GetParam();
  auto history = ReadEdnHistoryFile(PathOf(c.file), {.require_key = true});
  ASSERT_TRUE(history.ok()) << history.status().message()
                            << " (conformance directory: " << TINYKV_CONFORMANCE_DIR << ")";
  ASSERT_FALSE(history->ops.empty());

  CheckOptions options;
  options.timeout = std::chrono::seconds(60);
  auto result = Check(*history, KvModel(), options);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->verdict, c.expected) << result->report;
  if (c.expected == Verdict::kNotLinearizable) {
    ASSERT_TRUE(result->failed_partition.has_value());
    const PartitionResult& failed = result->partitions[*result->failed_partition];
    EXPECT_TRUE(failed.first_unplaceable.has_value());
    EXPECT_FALSE(failed.stuck.empty());
    EXPECT_NE(result->report.find("had to be placed"), std::string::npos) << result->report;
  } else {
    for (const PartitionResult& p : result->partitions) EXPECT_TRUE(p.checked) << p.name;
  }

  if (c.also_unpartitioned) {
    options.partition = false;
    auto whole = Check(*history, KvModel(), options);
    ASSERT_TRUE(whole.ok());
    EXPECT_EQ(whole->verdict, c.expected) << whole->report;
  }
}

INSTANTIATE_TEST_SUITE_P(PorcupineKv, ConformanceTest,
                         ::testing::Values(Case{"c01-ok.edn", Verdict::kLinearizable, true},
                                           Case{"c01-bad.edn", Verdict::kNotLinearizable, true},
                                           Case{"c10-ok.edn", Verdict::kLinearizable, true},
                                           Case{"c10-bad.edn", Verdict::kNotLinearizable, true},
                                           Case{"c50-ok.edn", Verdict::kLinearizable, false},
                                           Case{"c50-bad.edn", Verdict::kNotLinearizable, false}),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string name = info.param.file;
                           name = name.substr(0, name.find('.'));
                           for (char& ch : name) {
                             if (ch == '-') ch = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace tinykv::check
