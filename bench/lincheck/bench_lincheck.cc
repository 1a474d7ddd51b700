// bench_lincheck: in-process time to check each Porcupine KV conformance history, with per-key
// partitioning (the default) and without it (one search over the whole key space).
//
//   bench_lincheck [--reps N] [--whole-timeout SECONDS] [DIR]
//
// Parsing is timed separately and excluded from the check times. Each configuration runs N times
// (default 21); min and median are printed. Runs without partitioning get a wall-clock budget
// (default 10 s) and print "unknown" when it runs out.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "grading/check/checker.h"
#include "grading/check/edn.h"

namespace {

using Clock = std::chrono::steady_clock;
using tinykv::check::Check;
using tinykv::check::CheckOptions;
using tinykv::check::KvModel;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  int reps = 21;
  double whole_timeout = 10;
  std::string dir = TINYKV_CONFORMANCE_DIR;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
      reps = std::max(1, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--whole-timeout") == 0 && i + 1 < argc) {
      whole_timeout = std::atof(argv[++i]);
    } else if (argv[i][0] != '-') {
      dir = argv[i];
    } else {
      std::fprintf(stderr, "usage: bench_lincheck [--reps N] [--whole-timeout SECONDS] [DIR]\n");
      return 64;
    }
  }
  std::printf("%-12s %6s %9s | %-17s %9s %9s | %-17s %9s\n", "history", "ops", "parse ms",
              "partitioned", "min ms", "median ms", "whole", "ms");
  for (const char* name : {"c01-ok", "c01-bad", "c10-ok", "c10-bad", "c50-ok", "c50-bad"}) {
    std::string path = dir + "/" + name + ".edn";
    auto t0 = Clock::now();
    auto history = tinykv::check::ReadEdnHistoryFile(path, {.require_key = true});
    double parse_ms = Ms(Clock::now() - t0);
    if (!history.ok()) {
      std::fprintf(stderr, "bench_lincheck: %s\n", history.status().message().c_str());
      return 66;
    }
    std::vector<double> times;
    std::string verdict;
    for (int r = 0; r < reps; ++r) {
      auto start = Clock::now();
      auto result = Check(*history, KvModel());
      times.push_back(Ms(Clock::now() - start));
      verdict = std::string(tinykv::check::VerdictName(result->verdict));
    }
    std::sort(times.begin(), times.end());

    CheckOptions whole;
    whole.partition = false;
    whole.timeout = std::chrono::milliseconds(static_cast<int64_t>(whole_timeout * 1000));
    auto start = Clock::now();
    auto whole_result = Check(*history, KvModel(), whole);
    double whole_ms = Ms(Clock::now() - start);
    std::string whole_verdict(tinykv::check::VerdictName(whole_result->verdict));

    std::printf("%-12s %6zu %9.2f | %-17s %9.3f %9.3f | %-17s %9.1f\n", name, history->ops.size(),
                parse_ms, verdict.c_str(), times.front(), times[times.size() / 2],
                whole_verdict.c_str(), whole_ms);
    std::fflush(stdout);
  }
  return 0;
}
