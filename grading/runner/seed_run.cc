#include "grading/runner/seed_run.h"

#include <stdlib.h>
#include <cstdlib>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>

#include "grading/runner/child_process.h"
#include "grading/runner/crash_cause.h"
#include "grading/runner/gtest_json.h"
#include "grading/runner/run_facts.h"
#include "grading/runner/scratch.h"
#include "grading/runner/supervisor.h"
#include "grading/test_seed.h"

namespace tinykv::grading::runner {
namespace {

namespace fs = std::filesystem;

// True when `binary` was built with AddressSanitizer, ThreadSanitizer or MemorySanitizer (its
// runtime's init symbol is in the file). Remembered per path for the run.
bool IsSanitizerBuild(const std::string& binary) {
  static std::mutex mu;
  static std::map<std::string, bool> known;
  std::lock_guard<std::mutex> lock(mu);
  auto it = known.find(binary);
  if (it != known.end()) return it->second;
  bool found = false;
  std::ifstream in(binary, std::ios::binary);
  std::string window;
  char chunk[1 << 16];
  while (!found && in.read(chunk, sizeof chunk), in.gcount() > 0) {
    // Keep the end of the previous chunk, so a name across the boundary is seen.
    window = window.substr(window.size() > 32 ? window.size() - 32 : 0) +
             std::string(chunk, static_cast<size_t>(in.gcount()));
    for (const char* name : {"__asan_init", "__tsan_init", "__msan_init"}) {
      if (window.find(name) != std::string::npos) found = true;
    }
  }
  known[binary] = found;
  return found;
}

// The supervisor installed next to the running program (tinykv-grade).
std::string SupervisorNextToSelf() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : (self.parent_path() / "tinykv-grade-supervisor").string();
}

constexpr size_t kMaxDetailBytes = 8 << 10;
constexpr size_t kTailLines = 30;
constexpr size_t kMaxTodos = 10;

std::string LastLines(const std::string& text, size_t lines) {
  size_t pos = text.size();
  if (pos > 0 && text[pos - 1] == '\n') --pos;
  for (size_t seen = 0; pos > 0; --pos) {
    if (text[pos - 1] == '\n' && ++seen == lines) break;
  }
  std::string out = text.substr(pos);
  if (out.size() > kMaxDetailBytes) out = "[...]" + out.substr(out.size() - kMaxDetailBytes);
  return out;
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// A test that knows why it failed says so on a line "cause: …" (kCauseLinePrefix); the first
// such line of any failure becomes the seed's reason. "" when there is none.
std::string CauseLine(const std::vector<std::string>& failures) {
  for (const std::string& failure : failures) {
    for (size_t at = 0; at < failure.size();) {
      const size_t end = std::min(failure.find('\n', at), failure.size());
      if (failure.compare(at, kCauseLinePrefix.size(), kCauseLinePrefix) == 0) {
        return failure.substr(at + kCauseLinePrefix.size(), end - at - kCauseLinePrefix.size());
      }
      at = end + 1;
    }
  }
  return "";
}

// GoogleTest names files by the absolute paths the build used; relative to the source tree they
// are shorter and match what students see in their editor.
std::string RelativeToSource(std::string text) {
  const std::string prefix = std::string(TINYKV_SOURCE_DIR) + "/";
  for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at)) {
    text.erase(at, prefix.size());
  }
  return text;
}

// Lines the handout's stubs print ("TODO(lab2aa) not implemented: …"), deduplicated, in order.
std::vector<std::string> FindTodos(const std::string& output) {
  std::vector<std::string> todos;
  std::set<std::string> seen;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line) && todos.size() < kMaxTodos) {
    size_t at = line.find("TODO(lab");
    if (at == std::string::npos || line.find("not implemented", at) == std::string::npos) continue;
    line = line.substr(at);
    if (seen.insert(line).second) todos.push_back(line);
  }
  return todos;
}

// The allocator's start-up chatter ("mimalloc: warning: unable to allocate huge (1GiB) page, …",
// printed because MIMALLOC_SHOW_ERRORS also shows warnings) is not the student's: it is dropped
// from what the runner shows and keeps. Its errors ("out of memory") stay.
std::string WithoutAllocatorWarnings(const std::string& output) {
  static constexpr std::string_view kWarning = "mimalloc: warning: ";
  std::string kept;
  kept.reserve(output.size());
  for (size_t start = 0; start < output.size();) {
    size_t end = output.find('\n', start);
    end = end == std::string::npos ? output.size() : end + 1;
    if (output.compare(start, kWarning.size(), kWarning) != 0) {
      kept.append(output, start, end - start);
    }
    start = end;
  }
  return kept;
}

bool MentionsOutOfMemory(const std::string& text) {
  return text.find("std::bad_alloc") != std::string::npos ||
         text.find("out of memory") != std::string::npos;
}

// "uncaught exception: <what()>" when GoogleTest caught an exception that left the test body
// (its message then names no file: "unknown file"); empty otherwise.
std::string UncaughtException(const std::vector<std::string>& failures) {
  static constexpr std::string_view kWith = "C++ exception with description \"";
  static constexpr std::string_view kUnknown = "Unknown C++ exception thrown";
  for (const std::string& failure : failures) {
    if (const size_t at = failure.find(kWith); at != std::string::npos) {
      const size_t start = at + kWith.size();
      const size_t end = failure.find("\" thrown in ", start);
      std::string what = failure.substr(start, end == std::string::npos ? end : end - start);
      std::string where = end == std::string::npos
                              ? std::string()
                              : FirstLine(failure.substr(end + std::string("\" thrown ").size()));
      if (!where.empty() && where.back() == '.') where.pop_back();
      return "uncaught exception: " + FirstLine(what) + (where.empty() ? "" : " (" + where + ")");
    }
    if (failure.find(kUnknown) != std::string::npos) {
      return "uncaught exception: of a type not derived from std::exception";
    }
  }
  return "";
}

std::string Mib(uint64_t bytes) { return std::to_string((bytes + (1 << 19)) >> 20) + " MiB"; }

std::string CpuSeconds(uint64_t ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(ms) / 1000.0);
  return text;
}

// How the seed ended: from the supervisor's report (what the test process did, within its
// limits), else — the supervisor itself died or never started — from the runner's own view.
void Classify(const ChildOutcome& child, const std::optional<SupervisorReport>& supervised,
              const GtestVerdict& verdict, const std::string& output, const TestPlan& test,
              uint64_t memory_limit_mb, uint32_t wall_seconds, SeedResult* result) {
  auto set = [&](Outcome outcome, std::string reason, std::string details) {
    result->outcome = outcome;
    result->reason = std::move(reason);
    result->details = std::move(details);
  };
  switch (child.end) {
    case ChildOutcome::End::kSpawnFailed:
      return set(Outcome::kRunnerError, "runner error: " + child.spawn_error, "");
    case ChildOutcome::End::kTimedOut:
      return set(Outcome::kTimeout,
                 "timeout: the seed's supervisor was still running after its wall-clock bound; "
                 "killed",
                 LastLines(output, kTailLines));
    case ChildOutcome::End::kOutputFlood:
      return set(Outcome::kOutputFlood,
                 "output flood: printed more than the output cap (" +
                     std::to_string(child.output_bytes >> 20) + " MiB read); killed",
                 LastLines(output, kTailLines));
    case ChildOutcome::End::kSignaled:
    case ChildOutcome::End::kExited:
      break;
  }
  if (!supervised) {
    return set(Outcome::kRunnerError,
               "runner error: the seed's supervisor ended without a report (" +
                   (child.end == ChildOutcome::End::kSignaled
                        ? DescribeSignal(child.term_signal)
                        : "exit code " + std::to_string(child.exit_code)) +
                   ")",
               LastLines(output, kTailLines));
  }
  const SupervisorReport& report = *supervised;
  const std::string used_cpu = CpuSeconds(report.cpu_ms);
  switch (report.end) {
    case SupervisorReport::End::kSpawnFailed:
      return set(Outcome::kRunnerError, "runner error: " + report.error, "");
    case SupervisorReport::End::kMemory:
      // The peak seen depends on when the supervisor looked: in the details, not the reason.
      return set(Outcome::kMemoryLimit,
                 "memory limit: its resident memory went above its limit of " +
                     std::to_string(memory_limit_mb) + " MiB; killed",
                 "resident memory when it was killed: " + Mib(report.peak_resident_bytes) + "\n" +
                     LastLines(output, kTailLines));
    case SupervisorReport::End::kWallClock:
      return set(Outcome::kTimeout,
                 "timeout: still running after " + std::to_string(wall_seconds) +
                     " s of wall-clock time, having used " + used_cpu +
                     " of CPU (blocked, waiting or stopped); killed",
                 LastLines(output, kTailLines));
    case SupervisorReport::End::kSignaled:
      if (report.signal == SIGXCPU ||
          (report.signal == SIGKILL && report.cpu_ms >= uint64_t{test.timeout_seconds} * 1000)) {
        return set(Outcome::kTimeout,
                   "timeout: used up its " + std::to_string(test.timeout_seconds) +
                       " s of CPU time; killed",
                   LastLines(output, kTailLines));
      }
      if (memory_limit_mb > 0 && MentionsOutOfMemory(output)) {
        return set(Outcome::kMemoryLimit,
                   "memory limit: an allocation was refused (address space limit " +
                       Mib(AddressSpaceLimitBytes(memory_limit_mb)) + "), then " +
                       DescribeSignal(report.signal),
                   LastLines(output, kTailLines));
      }
      if (std::string cause = CrashCauseFromOutput(report.signal, output); !cause.empty()) {
        return set(Outcome::kCrash, cause, LastLines(output, kTailLines));
      }
      return set(Outcome::kCrash, "crash: " + DescribeSignal(report.signal),
                 LastLines(output, kTailLines));
    case SupervisorReport::End::kExited:
      break;
  }
  if (report.strays > 0) {
    // However the test itself ended, the processes it left are the cause to name first. The
    // reason names programs (the same on every run, so identical failures collapse); the
    // details name the processes.
    std::set<std::string> programs;
    std::string processes;
    for (const std::string& stray : report.stray_names) {
      programs.insert(stray.substr(stray.find(' ') + 1));
      processes += "left running: pid " + stray + "\n";
    }
    std::string names;
    for (const std::string& program : programs) names += (names.empty() ? "" : ", ") + program;
    return set(Outcome::kStrayProcesses,
               "stray processes: the test left " + std::to_string(report.strays) + " process" +
                   (report.strays == 1 ? "" : "es") + " running after it ended (" + names +
                   "); killed — a test must not leave processes behind",
               processes + LastLines(output, kTailLines));
  }
  const int exit_code = report.code;
  const std::string code = std::to_string(exit_code);
  switch (verdict.kind) {
    case GtestVerdict::Kind::kNoReport:
      return set(Outcome::kNoResult,
                 "no result: exited with code " + code +
                     " before GoogleTest recorded the test (exit() or quick_exit() in the test?)",
                 LastLines(output, kTailLines));
    case GtestVerdict::Kind::kNotFound:
      return set(Outcome::kNoResult,
                 "no result: test " + test.name + " not found in " + test.binary +
                     " (see its --gtest_list_tests)",
                 "");
    case GtestVerdict::Kind::kNotRun:
      return set(Outcome::kNoResult, "no result: test " + test.name + " is disabled", "");
    case GtestVerdict::Kind::kSkipped:
      return set(Outcome::kNoResult, "no result: the test skipped itself",
                 LastLines(output, kTailLines));
    case GtestVerdict::Kind::kFailed: {
      std::string details;
      for (const std::string& failure : verdict.failures) {
        if (details.size() > kMaxDetailBytes) {
          details += "[... more failures omitted ...]\n";
          break;
        }
        details += RelativeToSource(failure);
        if (!failure.empty() && failure.back() != '\n') details += '\n';
      }
      for (const std::string& failure : verdict.failures) {
        if (memory_limit_mb > 0 && MentionsOutOfMemory(failure)) {
          return set(Outcome::kMemoryLimit,
                     "memory limit: an allocation was refused (address space limit " +
                         Mib(AddressSpaceLimitBytes(memory_limit_mb)) + ")",
                     details);
        }
      }
      if (std::string cause = CauseLine(verdict.failures); !cause.empty()) {
        return set(Outcome::kAssertion, cause, details);
      }
      if (std::string exception = UncaughtException(verdict.failures); !exception.empty()) {
        return set(Outcome::kAssertion, exception, details);
      }
      // GoogleTest's message starts with "file:line"; the reason names where it failed.
      std::string where = RelativeToSource(FirstLine(verdict.failures.front()));
      std::string count = verdict.failures.size() > 1
                              ? " (" + std::to_string(verdict.failures.size()) + " failures)"
                              : "";
      return set(Outcome::kAssertion, "assertion failed at " + where + count, details);
    }
    case GtestVerdict::Kind::kPassed:
      if (exit_code != 0) {
        return set(Outcome::kCrash,
                   "crash: the test passed but the process then exited with code " + code,
                   LastLines(output, kTailLines));
      }
      return set(Outcome::kPassed, "passed", "");
  }
}

}  // namespace

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPassed:
      return "passed";
    case Outcome::kAssertion:
      return "assertion";
    case Outcome::kCrash:
      return "crash";
    case Outcome::kTimeout:
      return "timeout";
    case Outcome::kMemoryLimit:
      return "memory-limit";
    case Outcome::kOutputFlood:
      return "output-flood";
    case Outcome::kNoResult:
      return "no-result";
    case Outcome::kStrayProcesses:
      return "stray-processes";
    case Outcome::kNotBuilt:
      return "not-built";
    case Outcome::kRunnerError:
      return "runner-error";
  }
  return "unknown";
}

std::vector<std::string> TestCommand(const std::string& binary_path, const std::string& test_name,
                                     const std::string& json_report) {
  std::vector<std::string> argv = {binary_path, "--gtest_filter=" + test_name, "--gtest_color=no"};
  if (!json_report.empty()) argv.push_back("--gtest_output=json:" + json_report);
  return argv;
}

uint32_t WallClockBound(const TestPlan& test) { return 3 * test.timeout_seconds + 30; }

uint64_t AddressSpaceLimitBytes(uint64_t memory_limit_mb) {
  return std::max(2 * memory_limit_mb, memory_limit_mb + 1024) << 20;
}

SeedResult RunTestSeed(const TestPlan& test, uint64_t seed, const SeedRunOptions& options) {
  SeedResult result;
  result.seed = seed;
  const std::string binary = (fs::path(options.build_dir) / test.binary).string();
  std::error_code ec;
  if (!fs::is_regular_file(binary, ec)) {
    result.outcome = Outcome::kNotBuilt;
    result.reason = "not built: " + binary + " does not exist (build first: make build)";
    return result;
  }
  ScratchDir scratch(options.scratch_root, "grade");
  if (scratch.path().empty()) {
    result.outcome = Outcome::kRunnerError;
    result.reason = "runner error: cannot create a scratch directory under " + options.scratch_root;
    return result;
  }
  const fs::path work = fs::path(scratch.path()) / "work";
  const std::string json_report = scratch.path() + "/gtest.json";
  const std::string facts_file = scratch.path() + "/run-facts.txt";
  fs::create_directories(work, ec);
  if (!options.artifact_dir.empty()) fs::create_directories(options.artifact_dir, ec);

  const std::string supervisor =
      options.supervisor.empty() ? SupervisorNextToSelf() : options.supervisor;
  if (!fs::is_regular_file(supervisor, ec)) {
    result.outcome = Outcome::kRunnerError;
    result.reason = "runner error: the seed supervisor " + supervisor +
                    " does not exist (build it: cmake --build build --target tinykv-grade)";
    return result;
  }
  const uint32_t timeout = options.timeout_seconds.value_or(test.timeout_seconds);
  uint32_t memory_mb = options.memory_limit_mb.value_or(test.memory_limit_mb);
  if (options.memory_cap_mb > 0 && (memory_mb == 0 || memory_mb > options.memory_cap_mb)) {
    memory_mb = options.memory_cap_mb;
  }
  TestPlan effective = test;
  effective.timeout_seconds = timeout;
  SupervisorLimits limits;
  limits.cpu_seconds = timeout;
  limits.wall_seconds =
      options.wall_clock_seconds.value_or(timeout > 0 ? WallClockBound(effective) : 0);
  limits.resident_bytes = static_cast<uint64_t>(memory_mb) << 20;
  limits.scratch_dir = scratch.path();

  ChildSpec spec;
  spec.argv = SupervisedCommand(supervisor, limits, TestCommand(binary, test.name, json_report));
  spec.report_fd = kSupervisorReportFd;
  spec.stop_gracefully = true;  // the supervisor cleans up when told to stop
  // MIMALLOC_SHOW_ERRORS: our programs link mimalloc, which aborts silently when the memory
  // limit refuses it more address space; with this it first prints "out of memory", so the seed
  // is reported as a memory blow-up rather than a bare SIGABRT.
  spec.env = {{kSeedEnvVar, std::to_string(seed)},
              {kResultFileEnvVar, facts_file},
              {"MIMALLOC_SHOW_ERRORS", "1"}};
  // MIMALLOC_LARGE_OS_PAGES: a seed's heap grows by tens of MiB in a fraction of a second, and
  // faulting it in 4 KiB pages cost ~20 % of a busy scenario on a VM; 2 MiB pages (transparent
  // huge pages in madvise mode) avoid that (docs/decisions.md, "Allocator"). Only read at
  // mimalloc's start-up, hence the environment; a value set by the caller wins.
  if (std::getenv("MIMALLOC_LARGE_OS_PAGES") == nullptr) {
    spec.env.push_back({"MIMALLOC_LARGE_OS_PAGES", "1"});
  }
  if (!options.artifact_dir.empty()) spec.env.push_back({kArtifactDirEnvVar, options.artifact_dir});
  for (const auto& entry : options.extra_env) spec.env.push_back(entry);
  spec.working_dir = work.string();
  // The runner's own watchdog only backs up the supervisor's.
  spec.timeout_seconds = limits.wall_seconds > 0 ? limits.wall_seconds + 30 : 0;
  spec.memory_limit_bytes =
      memory_mb == 0 || IsSanitizerBuild(binary) ? 0 : AddressSpaceLimitBytes(memory_mb);
  spec.output_limit_bytes = options.output_limit_bytes;
  const std::string full_output = scratch.path() + "/output.txt";
  if (!options.artifact_dir.empty()) spec.output_file = full_output;

  ChildOutcome child = RunChild(spec);
  const std::string output = WithoutAllocatorWarnings(child.Output());
  result.seconds = child.wall_seconds;
  result.todos = FindTodos(output);
  result.facts = ReadRunFacts(facts_file);
  const std::optional<SupervisorReport> supervised = ParseReport(child.report);
  GtestVerdict verdict;
  if (supervised && supervised->end == SupervisorReport::End::kExited) {
    verdict = ReadGtestVerdict(json_report, test.name);
  }
  Classify(child, supervised, verdict, output, effective, memory_mb, limits.wall_seconds, &result);
  // Keep the output of failed seeds only; a passing seed leaves nothing behind unless the test
  // itself wrote artifacts (fs::remove leaves a non-empty directory alone).
  if (!options.artifact_dir.empty()) {
    const fs::path output_file = fs::path(options.artifact_dir) / "output.txt";
    if (result.passed()) {
      fs::remove(output_file, ec);
      fs::remove(options.artifact_dir, ec);
    } else {
      result.output_file = output_file.string();
      // All of it, up to the output cap, without the allocator's warnings.
      std::ifstream whole(full_output, std::ios::binary);
      std::string text((std::istreambuf_iterator<char>(whole)), std::istreambuf_iterator<char>());
      std::ofstream(result.output_file, std::ios::binary)
          << WithoutAllocatorWarnings(whole ? text : output);
    }
  }
  auto verdict_fact = result.facts.find("verdict");
  if (!result.passed() && verdict_fact != result.facts.end()) {
    result.details = "checker: " + verdict_fact->second + "\n" + result.details;
  }
  return result;
}

}  // namespace tinykv::grading::runner
