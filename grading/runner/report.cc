#include "grading/runner/report.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "sim/json_escape.h"

namespace tinykv::grading::runner {
namespace {

std::string Seconds(double s) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.3f", s);
  return buffer;
}

std::string Pad(const std::string& text, size_t width) {
  return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

std::string PadLeft(const std::string& text, size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

std::string Indent(const std::string& text, const std::string& prefix, int max_lines) {
  std::istringstream in(text);
  std::string line;
  std::string out;
  int lines = 0;
  int dropped = 0;
  while (std::getline(in, line)) {
    if (lines < max_lines) {
      // Long enough for a stale-read or invariant line with all its times (~300 characters).
      constexpr size_t kMaxLine = 480;
      if (line.size() > kMaxLine) {
        line = line.substr(0, kMaxLine) + " [... " + std::to_string(line.size() - kMaxLine) +
               " more characters]";
      }
      out += prefix + line + "\n";
      ++lines;
    } else {
      ++dropped;
    }
  }
  if (dropped > 0) out += prefix + "[... " + std::to_string(dropped) + " more lines ...]\n";
  return out;
}

// The per-seed text block used by the table, JUnit failure bodies and Gradescope output.
std::string SeedFailureText(const TestGrade& test, const SeedResult& seed, int max_detail_lines) {
  std::string out =
      test.test.name + " seed " + std::to_string(seed.seed) + ": " + seed.reason + "\n";
  for (const std::string& todo : seed.todos) out += "    not implemented: " + todo + "\n";
  if (!seed.details.empty()) out += Indent(seed.details, "    | ", max_detail_lines);
  for (const char* key : {"timeline", "trace", "fingerprint"}) {
    auto it = seed.facts.find(key);
    if (it != seed.facts.end()) out += std::string("    ") + key + ": " + it->second + "\n";
  }
  if (!seed.output_file.empty()) out += "    output:   " + seed.output_file + "\n";
  if (seed.outcome != Outcome::kNotBuilt && seed.outcome != Outcome::kRunnerError) {
    out += "    replay:   " + ReplayCommand(test.test.name, seed.seed) + "\n";
    out += "    debug:    " + DebugCommand(test.test.name, seed.seed) + "\n";
  }
  return out;
}

std::string SeedList(const std::vector<const SeedResult*>& seeds) {
  std::string out;
  for (const SeedResult* seed : seeds)
    out += (out.empty() ? "" : ", ") + std::to_string(seed->seed);
  return out;
}

std::string TestSummary(const TestGrade& test) {
  return std::to_string(test.seeds_passed()) + "/" + std::to_string(test.seeds.size()) +
         " seeds passed";
}

}  // namespace

std::string ReplayCommand(const std::string& test, uint64_t seed) {
  return "make replay TEST=" + test + " SEED=" + std::to_string(seed);
}

std::string DebugCommand(const std::string& test, uint64_t seed) {
  return "make debug TEST=" + test + " SEED=" + std::to_string(seed);
}

std::string ValidUtf8(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xe  ? 3
                 : (c >> 3) == 0x1e ? 4
                                    : 0;
    bool ok = len > 0 && i + len <= text.size();
    for (size_t k = 1; ok && k < len; ++k) {
      ok = (static_cast<unsigned char>(text[i + k]) >> 6) == 0x2;
    }
    if (ok && len > 1) {
      // Reject overlong forms, surrogates and code points above U+10FFFF.
      uint32_t cp = c & (0x7f >> len);
      for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (text[i + k] & 0x3f);
      static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= kMin[len] && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
    }
    if (ok) {
      out.append(text, i, len);
      i += len;
    } else {
      out += '?';
      ++i;
    }
  }
  return out;
}

std::string JsonString(const std::string& text) { return sim::JsonQuote(ValidUtf8(text)); }

std::string XmlEscape(const std::string& text) {
  std::string out;
  for (char ch : ValidUtf8(text)) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\r':
        out += "&#13;";
        break;
      case '\t':
        out += "&#9;";
        break;
      default:
        out += (c < 0x20 || c == 0x7f) ? '?' : ch;
    }
  }
  return out;
}

namespace {

// Failing seeds of one test whose failures read the same (reason, details, missing parts): shown
// once, with every seed they happened on.
struct FailureGroup {
  std::vector<const SeedResult*> seeds;
};

std::vector<FailureGroup> GroupFailures(const TestGrade& test) {
  std::vector<FailureGroup> groups;
  auto same = [](const SeedResult& a, const SeedResult& b) {
    return a.outcome == b.outcome && a.reason == b.reason && a.details == b.details &&
           a.todos == b.todos;
  };
  for (const SeedResult& seed : test.seeds) {
    if (seed.passed()) continue;
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const FailureGroup& g) { return same(*g.seeds.front(), seed); });
    if (it == groups.end()) {
      groups.push_back(FailureGroup{{&seed}});
    } else {
      it->seeds.push_back(&seed);
    }
  }
  return groups;
}

// One group in the table's failure list: the text of its first seed, naming every seed it
// covers ("Lab2AA.X seeds 1, 2, 3 (same failure): ...").
std::string GroupText(const TestGrade& test, const FailureGroup& group, int max_detail_lines) {
  std::string text = SeedFailureText(test, *group.seeds.front(), max_detail_lines);
  if (group.seeds.size() > 1) {
    const std::string one = test.test.name + " seed " + std::to_string(group.seeds[0]->seed);
    text.replace(0, one.size(),
                 test.test.name + " seeds " + SeedList(group.seeds) + " (same failure)");
  }
  return text;
}

}  // namespace

void WriteTable(const GradeReport& report, const TableOptions& options, std::ostream& out) {
  // The failures first, the table and the total last: what is left on the screen is the grade.
  const TestGrade* first_failed = nullptr;
  const SeedResult* first_failed_seed = nullptr;
  bool header = false;
  for (const PartGrade& part : report.parts) {
    for (const TestGrade& test : part.tests) {
      const std::vector<FailureGroup> groups = GroupFailures(test);
      if (groups.empty()) continue;
      if (first_failed == nullptr) {
        first_failed = &test;
        first_failed_seed = groups.front().seeds.front();
      }
      if (!header) {
        out << "Failures:\n";
        header = true;
      }
      std::vector<const SeedResult*> rest;
      for (size_t g = 0; g < groups.size(); ++g) {
        if (static_cast<int>(g) < options.max_failures_per_test) {
          out << "\n" << GroupText(test, groups[g], options.max_detail_lines);
        } else {
          rest.insert(rest.end(), groups[g].seeds.begin(), groups[g].seeds.end());
        }
      }
      if (!rest.empty()) {
        std::sort(rest.begin(), rest.end(),
                  [](const SeedResult* a, const SeedResult* b) { return a->seed < b->seed; });
        out << "\n"
            << test.test.name << ": " << rest.size() << " more failing seeds: " << SeedList(rest)
            << "\n";
      }
    }
  }
  if (header) out << "\n";

  size_t width = 30;
  for (const PartGrade& part : report.parts) {
    for (const TestGrade& test : part.tests) width = std::max(width, test.test.name.size() + 2);
  }
  out << Pad("part", 8) << Pad("test", width) << Pad("seeds", 10) << "points\n";
  for (const PartGrade& part : report.parts) {
    if (part.tests.empty()) {
      out << Pad(part.part.name, 8) << part.part.name << ": no tests yet\n";
      continue;
    }
    for (const TestGrade& test : part.tests) {
      std::string seeds =
          std::to_string(test.seeds_passed()) + "/" + std::to_string(test.seeds.size());
      std::string points = std::to_string(test.earned()) + "/" + std::to_string(test.test.points);
      const char* on = !options.colour ? "" : test.passed() ? "\033[32m" : "\033[31m";
      const char* off = options.colour ? "\033[0m" : "";
      out << Pad(part.part.name, 8) << Pad(test.test.name, width) << Pad(seeds, 10) << on
          << PadLeft(points, 7) << (test.passed() ? "" : "  FAIL") << off << "\n";
    }
  }
  std::string total = std::to_string(report.earned()) + "/" + std::to_string(report.max_points());
  out << Pad("total", 8 + width + 10) << PadLeft(total, 7) << "   (" << Seconds(report.wall_seconds)
      << " s";
  if (report.seed_base.has_value()) out << ", seed base " << *report.seed_base;
  out << ")\n";
  if (first_failed != nullptr) {
    out << "next: " << ReplayCommand(first_failed->test.name, first_failed_seed->seed)
        << "   (the first failure above, alone; `make debug` with the same TEST and SEED stops "
           "it in gdb)\n";
  }
}

void WriteJson(const GradeReport& report, std::ostream& out) {
  out << "{\n  \"score\": " << report.earned() << ",\n  \"max_score\": " << report.max_points()
      << ",\n  \"all_passed\": " << (report.all_passed() ? "true" : "false")
      << ",\n  \"seed_base\": "
      << (report.seed_base ? JsonString(std::to_string(*report.seed_base)) : "null")
      << ",\n  \"wall_seconds\": " << Seconds(report.wall_seconds) << ",\n  \"parts\": [";
  for (size_t p = 0; p < report.parts.size(); ++p) {
    const PartGrade& part = report.parts[p];
    out << (p ? "," : "") << "\n    {\"name\": " << JsonString(part.part.name)
        << ", \"lab\": " << JsonString(part.part.lab)
        << ", \"title\": " << JsonString(part.part.title) << ", \"score\": " << part.earned()
        << ", \"max_score\": " << part.max_points()
        << ", \"no_tests\": " << (part.tests.empty() ? "true" : "false") << ", \"tests\": [";
    for (size_t t = 0; t < part.tests.size(); ++t) {
      const TestGrade& test = part.tests[t];
      out << (t ? "," : "") << "\n      {\"name\": " << JsonString(test.test.name)
          << ", \"binary\": " << JsonString(test.test.binary)
          << ", \"points\": " << test.test.points << ", \"score\": " << test.earned()
          << ", \"passed\": " << (test.passed() ? "true" : "false")
          << ", \"seeds_passed\": " << test.seeds_passed()
          << ", \"seeds_total\": " << test.seeds.size() << ", \"seeds\": [";
      for (size_t s = 0; s < test.seeds.size(); ++s) {
        const SeedResult& seed = test.seeds[s];
        // Seeds are 64-bit: written as strings, since JSON numbers lose precision above 2^53.
        out << (s ? "," : "") << "\n        {\"seed\": " << JsonString(std::to_string(seed.seed))
            << ", \"outcome\": " << JsonString(OutcomeName(seed.outcome))
            << ", \"reason\": " << JsonString(seed.reason)
            << ", \"seconds\": " << Seconds(seed.seconds)
            << ", \"details\": " << JsonString(seed.details) << ", \"todos\": [";
        for (size_t i = 0; i < seed.todos.size(); ++i) {
          out << (i ? ", " : "") << JsonString(seed.todos[i]);
        }
        out << "], \"facts\": {";
        bool first = true;
        for (const auto& [key, value] : seed.facts) {
          out << (first ? "" : ", ") << JsonString(key) << ": " << JsonString(value);
          first = false;
        }
        out << "}, \"output_file\": " << JsonString(seed.output_file);
        if (!seed.passed()) {
          out << ", \"replay\": " << JsonString(ReplayCommand(test.test.name, seed.seed))
              << ", \"debug\": " << JsonString(DebugCommand(test.test.name, seed.seed));
        }
        out << "}";
      }
      out << "]}";
    }
    out << "]}";
  }
  out << "\n  ]\n}\n";
}

void WriteJunit(const GradeReport& report, std::ostream& out) {
  int tests = 0;
  int failures = 0;
  for (const PartGrade& part : report.parts) {
    for (const TestGrade& test : part.tests) {
      tests += static_cast<int>(test.seeds.size());
      failures += static_cast<int>(test.seeds.size()) - test.seeds_passed();
    }
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites name=\"tinykv-grade\" tests=\"" << tests << "\" failures=\"" << failures
      << "\" time=\"" << Seconds(report.wall_seconds) << "\">\n";
  for (const PartGrade& part : report.parts) {
    int part_tests = 0;
    int part_failures = 0;
    double part_time = 0;
    for (const TestGrade& test : part.tests) {
      part_tests += static_cast<int>(test.seeds.size());
      part_failures += static_cast<int>(test.seeds.size()) - test.seeds_passed();
      for (const SeedResult& seed : test.seeds) part_time += seed.seconds;
    }
    out << "  <testsuite name=\"" << XmlEscape(part.part.name) << "\" tests=\"" << part_tests
        << "\" failures=\"" << part_failures << "\" errors=\"0\" time=\"" << Seconds(part_time)
        << "\">\n";
    for (const TestGrade& test : part.tests) {
      const std::string& name = test.test.name;
      const std::string suite = name.substr(0, name.find('.'));
      const std::string method = name.substr(name.find('.') + 1);
      for (const SeedResult& seed : test.seeds) {
        out << "    <testcase classname=\"" << XmlEscape(part.part.name + "." + suite)
            << "\" name=\"" << XmlEscape(method + "/seed=" + std::to_string(seed.seed))
            << "\" time=\"" << Seconds(seed.seconds) << "\"";
        if (seed.passed()) {
          out << "/>\n";
          continue;
        }
        out << ">\n      <failure type=\"" << OutcomeName(seed.outcome) << "\" message=\""
            << XmlEscape(seed.reason) << "\">" << XmlEscape(SeedFailureText(test, seed, 200))
            << "</failure>\n    </testcase>\n";
      }
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

void WriteGradescope(const GradeReport& report, std::ostream& out) {
  std::ostringstream summary;
  summary << "Total: " << report.earned() << "/" << report.max_points() << " points.";
  for (const PartGrade& part : report.parts) {
    if (part.tests.empty()) summary << " " << part.part.name << ": no tests yet.";
  }
  out << "{\n  \"score\": " << report.earned() << ",\n  \"max_score\": " << report.max_points()
      << ",\n  \"execution_time\": " << static_cast<int>(report.wall_seconds + 0.5)
      << ",\n  \"output\": " << JsonString(summary.str()) << ",\n  \"tests\": [";
  bool first = true;
  for (const PartGrade& part : report.parts) {
    for (const TestGrade& test : part.tests) {
      std::string output = TestSummary(test) + ".\n";
      for (const SeedResult& seed : test.seeds) {
        if (!seed.passed()) output += "\n" + SeedFailureText(test, seed, 40);
      }
      out << (first ? "" : ",")
          << "\n    {\"name\": " << JsonString(part.part.name + ": " + test.test.name)
          << ", \"score\": " << test.earned() << ", \"max_score\": " << test.test.points
          << ", \"status\": " << (test.passed() ? "\"passed\"" : "\"failed\"")
          << ", \"output\": " << JsonString(output) << "}";
      first = false;
    }
  }
  out << "\n  ]\n}\n";
}

}  // namespace tinykv::grading::runner
