#include "grading/runner/gtest_json.h"

#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <sstream>

#include "grading/runner/gtest_report.pb.h"
#include "grading/runner/report.h"

namespace tinykv::grading::runner {
namespace {

// GoogleTest 1.12 writes every byte >= 0x80 of a message as its own "\u00XX" escape, so a UTF-8
// "→" (E2 86 92) comes back from the JSON as three Latin-1 characters ("â" and two controls).
// When every character of `text` is below U+0100 and the bytes they stand for form valid UTF-8,
// returns those bytes; otherwise returns `text` unchanged.
std::string UndoByteEscapes(const std::string& text) {
  std::string bytes;
  bytes.reserve(text.size());
  bool changed = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      bytes += static_cast<char>(c);
    } else if ((c == 0xc2 || c == 0xc3) && i + 1 < text.size()) {
      // U+0080..U+00FF in UTF-8: 110000xx 10xxxxxx.
      bytes += static_cast<char>(((c & 0x03) << 6) | (text[++i] & 0x3f));
      changed = true;
    } else {
      return text;  // a character above U+00FF: not GoogleTest's byte escaping
    }
  }
  if (!changed || ValidUtf8(bytes) != bytes) return text;
  return bytes;
}

}  // namespace

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
          verdict.failures.push_back(UndoByteEscapes(failure.failure()));
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
