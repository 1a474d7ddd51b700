#include "grading/runner/gtest_json.h"

#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <sstream>

#include "grading/runner/gtest_report.pb.h"

namespace tinykv::grading::runner {

GtestVerdict ReadGtestVerdict(const std::string& path, const std::string& test_name) {
  GtestVerdict verdict;
  std::ifstream in(path);
  if (!in) {
    verdict.error = "no GoogleTest report was written";
    return verdict;
  }
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().empty()) {
    verdict.error = "the GoogleTest report is empty";
    return verdict;
  }
  gtest::Report report;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto status = google::protobuf::util::JsonStringToMessage(text.str(), &report, options);
  if (!status.ok()) {
    verdict.error = "unreadable GoogleTest report: " + status.ToString();
    return verdict;
  }
  verdict.kind = GtestVerdict::Kind::kNotFound;
  for (const gtest::TestSuite& suite : report.testsuites()) {
    for (const gtest::TestCase& test : suite.testsuite()) {
      if (suite.name() + "." + test.name() != test_name) continue;
      if (test.status() == "NOTRUN") {
        verdict.kind = GtestVerdict::Kind::kNotRun;
      } else if (test.failures_size() > 0) {
        verdict.kind = GtestVerdict::Kind::kFailed;
        for (const gtest::Failure& failure : test.failures()) {
          verdict.failures.push_back(failure.failure());
        }
      } else if (test.result() == "SKIPPED") {
        verdict.kind = GtestVerdict::Kind::kSkipped;
      } else {
        verdict.kind = GtestVerdict::Kind::kPassed;
      }
      return verdict;
    }
  }
  return verdict;
}

}  // namespace tinykv::grading::runner
