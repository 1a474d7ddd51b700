// Renders a GradeReport: the human table (with, for each failing seed, its reason and the replay
// and debug commands), JSON, JUnit XML and Gradescope's results.json.
//
// Every writer produces valid output whatever the tests printed: text taken from a child (which
// may be binary garbage) is made valid UTF-8 and stripped of characters XML cannot carry.
#pragma once

#include <ostream>
#include <string>

#include "grading/runner/grader.h"

namespace tinykv::grading::runner {

struct TableOptions {
  int max_failures_per_test = 3;  // further failing seeds are listed by number only
  int max_detail_lines = 15;
  bool colour = false;  // ANSI colours: FAIL red, full points green (for a terminal)
};

void WriteTable(const GradeReport& report, const TableOptions& options, std::ostream& out);
void WriteJson(const GradeReport& report, std::ostream& out);
void WriteJunit(const GradeReport& report, std::ostream& out);
void WriteGradescope(const GradeReport& report, std::ostream& out);

// The commands printed for a failing seed.
std::string ReplayCommand(const std::string& test, uint64_t seed);
std::string DebugCommand(const std::string& test, uint64_t seed);

// Helpers (exposed for tests): valid UTF-8 (invalid bytes become '?'); JSON string literal with
// quotes; XML text/attribute escaping (control characters other than \t \n \r become '?').
std::string ValidUtf8(const std::string& text);
std::string JsonString(const std::string& text);
std::string XmlEscape(const std::string& text);

}  // namespace tinykv::grading::runner
