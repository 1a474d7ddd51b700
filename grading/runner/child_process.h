// Runs one child process under a watchdog, for the grading runner.
//
// RunChild() starts a program in its own process group (so the watchdog can kill everything the
// child started), with stdin from /dev/null, stdout and stderr merged into one pipe, an
// address-space limit (RLIMIT_AS) and no core dumps. It reads the output while the child runs,
// keeps its first and last bytes in memory (and all of it in a file, when asked), and kills the
// whole process group when the wall-clock deadline passes or the output exceeds its cap. It never
// throws and never lets a bad child take the runner down: every way a child can end is reported in
// the ChildOutcome.
//
// Thread-safe: several threads may run children at once (all descriptors are close-on-exec, so
// one child never holds another's pipe open). The runner's own SIGINT/SIGTERM handler calls
// KillAllChildren() so that Ctrl-C leaves no orphaned test processes behind.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tinykv::grading::runner {

struct ChildSpec {
  std::vector<std::string> argv;  // argv[0] is the program's path (no PATH search)
  // Added to (or replacing entries of) the runner's own environment.
  std::vector<std::pair<std::string, std::string>> env;
  std::string working_dir;                    // empty: the runner's
  double timeout_seconds = 0;                 // 0: no watchdog
  uint64_t memory_limit_bytes = 0;            // 0: no RLIMIT_AS
  uint64_t output_limit_bytes = 64ull << 20;  // kill beyond this much output; 0: no cap
  size_t keep_head_bytes = 64 << 10;
  size_t keep_tail_bytes = 64 << 10;
  // When set, every byte of output read (up to output_limit_bytes) is also written to this file,
  // which RunChild creates (truncating); head and tail above are what stays in memory.
  std::string output_file;
  // When >= 0, the child gets the write end of one more pipe as this descriptor; what it writes
  // there comes back in ChildOutcome::report (a supervisor's report, grading/runner/supervisor.h).
  int report_fd = -1;
  // KillAllChildren() sends this child SIGTERM (and it alone, not its process group) instead of
  // SIGKILLing its group: for a supervisor, which then stops what it runs and cleans up.
  bool stop_gracefully = false;
};

struct ChildOutcome {
  enum class End {
    kExited,       // exit_code is valid
    kSignaled,     // term_signal is valid (and not caused by the runner)
    kTimedOut,     // killed by the watchdog
    kOutputFlood,  // killed: output exceeded output_limit_bytes
    kSpawnFailed,  // spawn_error says why; the program never ran
  };
  End end = End::kSpawnFailed;
  int exit_code = -1;
  int term_signal = 0;
  std::string spawn_error;
  std::string head;           // first keep_head_bytes of output
  std::string tail;           // last bytes of output not already in head
  uint64_t output_bytes = 0;  // total bytes read
  double wall_seconds = 0;
  long max_rss_kb = 0;  // peak resident set of the child (not of its descendants)
  std::string report;   // what the child wrote on ChildSpec::report_fd (at most 64 KiB)

  // Head and tail joined, with a marker line where bytes were dropped.
  std::string Output() const;
};

// Runs the child to completion (or until killed). See the file comment.
ChildOutcome RunChild(const ChildSpec& spec);

// SIGKILLs the process groups of all children currently running (SIGTERMs those that stop
// gracefully). Async-signal-safe.
void KillAllChildren();

// Installs SIGINT / SIGTERM / SIGHUP handlers that kill all children and then die of the same
// signal, and ignores SIGPIPE. Call once, early in main().
void InstallRunnerSignalHandlers();

// "SIGSEGV (segmentation fault)" for a signal number.
std::string DescribeSignal(int signal_number);

}  // namespace tinykv::grading::runner
