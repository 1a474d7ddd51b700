// The seed supervisor: a small process between the runner and one graded test process, which
// contains everything the test starts and enforces the seed's limits.
//
// The runner starts `tinykv-grade-supervisor` (supervisor_main.cc) in place of the test; the
// supervisor makes itself a child subreaper (so every process the test starts stays below it,
// even one that calls setsid() and outlives the test), stops with the runner (SIGTERM, which is
// also its parent-death signal: it kills the test's tree and removes the seed's scratch
// directory), runs the test with a CPU-time limit, watches the test's resident memory
// and a generous wall-clock bound for a test that blocks without using CPU, and when the test has
// ended kills whatever of its process tree is left. It reports how the seed ended on a pipe the
// runner opened (file descriptor kSupervisorReportFd), as lines of `key value` (FormatReport /
// ParseReport). The supervisor prints nothing on the test's output.
//
// Limits (0 = none): CPU seconds of the test process (RLIMIT_CPU; it then gets SIGXCPU), wall-clock
// seconds, resident bytes of the whole tree (polled; the runner also keeps an address-space limit
// above it as a backstop).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tinykv::grading::runner {

// The runner passes the report pipe's write end as this descriptor.
inline constexpr int kSupervisorReportFd = 3;

struct SupervisorLimits {
  uint32_t cpu_seconds = 0;
  uint32_t wall_seconds = 0;
  uint64_t resident_bytes = 0;
  // Removed by the supervisor when it is stopped (SIGTERM, also its parent-death signal): the
  // seed's scratch directory (grading/runner/scratch.h). Empty: none.
  std::string scratch_dir;
};

struct SupervisorReport {
  enum class End {
    kExited,       // code
    kSignaled,     // signal (SIGXCPU: the CPU limit)
    kMemory,       // killed: resident memory above the limit (peak_resident_bytes)
    kWallClock,    // killed: still running (blocked, or stopped) at the wall-clock bound
    kSpawnFailed,  // the test never ran (error)
  };
  End end = End::kSpawnFailed;
  int code = 0;
  int signal = 0;
  std::string error;
  uint64_t cpu_ms = 0;               // CPU time of the test process (user + system)
  uint64_t peak_resident_bytes = 0;  // the largest resident size of the tree seen
  // Processes of the test's tree still running after the test process had ended, killed then.
  int strays = 0;
  std::vector<std::string> stray_names;  // "4321 spinner" for the first few
};

// The command line that makes the supervisor run `argv` under `limits`.
std::vector<std::string> SupervisedCommand(const std::string& supervisor,
                                           const SupervisorLimits& limits,
                                           const std::vector<std::string>& argv);

std::string FormatReport(const SupervisorReport& report);
// nullopt when `text` is not a complete report (the supervisor died before writing one).
std::optional<SupervisorReport> ParseReport(const std::string& text);

// The supervisor's main(): argv as SupervisedCommand builds it. Returns its exit status.
int SupervisorMain(int argc, char** argv);

}  // namespace tinykv::grading::runner
