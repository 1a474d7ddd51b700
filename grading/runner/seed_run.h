// Runs one graded test with one seed in a child process and classifies how it ended.
//
// The child-run protocol (environment, result file) is described in grading/runner/run_facts.h.
// RunTestSeed() owns a scratch directory for the run (the child's working directory, GoogleTest's
// JSON report, the run-facts file) and removes it afterwards; what must outlive the run (the
// captured output, the test's own artifacts such as an HTML timeline) goes to the caller's
// artifact directory. Safe to call from several threads at once.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "grading/runner/manifest.h"

namespace tinykv::grading::runner {

enum class Outcome {
  kPassed,
  kAssertion,    // GoogleTest reported a failed assertion (or an exception in the test)
  kCrash,        // killed by a signal, or a bad exit status after the test body
  kTimeout,      // used up its CPU time, or blocked past the wall-clock bound
  kMemoryLimit,  // resident memory above the limit (or the address-space backstop refused it)
  kOutputFlood,  // printed more than the output cap
  kNoResult,     // exited without GoogleTest recording the test (exit() in the test, not found…)
  kStrayProcesses,  // the test process ended, leaving processes of its own running
  kNotBuilt,        // the test binary does not exist
  kRunnerError,     // the runner could not start the child (fork failed, …)
};

// Stable lower-case name used in JSON reports: "passed", "assertion", "crash", "timeout",
// "memory-limit", "output-flood", "no-result", "stray-processes", "not-built", "runner-error".
const char* OutcomeName(Outcome outcome);

// The limits of one seed (grading/runner/supervisor.h enforces them):
// - CPU time: the test's timeout_seconds (manifest or --timeout) of CPU, user and system — a
//   loaded machine does not make a correct solution time out;
// - wall clock: a generous bound on top, only for a test that blocks or is stopped;
// - memory: memory_limit_mb of resident memory for the test's whole process tree, polled; the
//   address space (RLIMIT_AS) is limited too, well above it, as a backstop against allocation
//   faster than the polling — except for sanitizer builds, whose shadow memory needs terabytes of
//   address space (they are limited by resident memory only).
uint32_t WallClockBound(const TestPlan& test);  // seconds
uint64_t AddressSpaceLimitBytes(uint64_t memory_limit_mb);

struct SeedRunOptions {
  std::string build_dir;  // absolute
  // tinykv-grade-supervisor (grading/runner/supervisor.h): empty means the one next to the
  // running program.
  std::string supervisor;
  std::string artifact_dir;  // per (test, seed); created if missing; empty: keep nothing
  std::string scratch_root;  // where the scratch directory is made (e.g. $TMPDIR)
  std::optional<uint32_t> timeout_seconds;     // overrides the manifest's
  std::optional<uint32_t> memory_limit_mb;     // overrides the manifest's; 0 = unlimited
  std::optional<uint32_t> wall_clock_seconds;  // overrides WallClockBound(); 0 = none
  // The most resident memory a seed may have whatever the limits above say (so that the seeds
  // running at once fit the machine); 0 = no cap.
  uint32_t memory_cap_mb = 0;
  uint64_t output_limit_bytes = 64ull << 20;
  // Extra environment for the child (replay's TINYKV_TRACE_OUT, …).
  std::vector<std::pair<std::string, std::string>> extra_env;
};

struct SeedResult {
  uint64_t seed = 0;
  Outcome outcome = Outcome::kRunnerError;
  std::string reason;              // one line: "crash: SIGSEGV (Segmentation fault)"
  std::string details;             // several lines: assertion messages, or the end of the output
  std::vector<std::string> todos;  // "TODO(lab2aa) not implemented: …" lines seen in the output
  std::map<std::string, std::string> facts;  // run facts reported by the test
  std::string output_file;  // captured output (head and tail), when an artifact dir was given
  double seconds = 0;

  bool passed() const { return outcome == Outcome::kPassed; }
};

// Runs `test` with `seed`. Never throws; every failure is a SeedResult.
SeedResult RunTestSeed(const TestPlan& test, uint64_t seed, const SeedRunOptions& options);

// Builds the child's command line and environment (exposed for replay / debug, which run the
// same command in the foreground). `json_report` may be empty (no --gtest_output).
std::vector<std::string> TestCommand(const std::string& binary_path, const std::string& test_name,
                                     const std::string& json_report);

}  // namespace tinykv::grading::runner
