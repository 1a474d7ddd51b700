#include "grading/runner/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <set>
#include <thread>

extern char** environ;

namespace tinykv::grading::runner {
namespace {

// Process groups of running children, for KillAllChildren() from a signal handler: a fixed array
// of atomics is the async-signal-safe way to share them.
constexpr int kMaxChildren = 256;
// A child that stops gracefully is stored as -pid (pids are positive): one atomic per slot, so a
// signal handler never sees a slot half-written.
std::atomic<pid_t> g_children[kMaxChildren];

int RegisterChild(pid_t pgid, bool graceful) {
  for (int i = 0; i < kMaxChildren; ++i) {
    pid_t expected = 0;
    if (g_children[i].compare_exchange_strong(expected, graceful ? -pgid : pgid)) return i;
  }
  return -1;  // more concurrent children than slots: this one just is not killed on Ctrl-C
}

void UnregisterChild(int slot) {
  if (slot >= 0) g_children[slot].store(0);
}

void OnFatalSignal(int sig) {
  KillAllChildren();
  signal(sig, SIG_DFL);
  raise(sig);
}

using Clock = std::chrono::steady_clock;

// Collects output: the first keep_head bytes, and a window of the last keep_tail bytes.
class OutputCapture {
 public:
  OutputCapture(size_t keep_head, size_t keep_tail)
      : keep_head_(keep_head), keep_tail_(keep_tail) {}

  void Append(const char* data, size_t n) {
    total_ += n;
    size_t to_head = std::min(n, keep_head_ - std::min(keep_head_, head_.size()));
    head_.append(data, to_head);
    tail_.append(data + to_head, n - to_head);
    // Trim lazily (at twice the window) so the copy cost stays linear in the output size.
    if (tail_.size() > 2 * keep_tail_ + 4096) tail_.erase(0, tail_.size() - keep_tail_);
  }
  uint64_t total() const { return total_; }

  void MoveInto(ChildOutcome* out) {
    if (tail_.size() > keep_tail_) tail_.erase(0, tail_.size() - keep_tail_);
    out->head = std::move(head_);
    out->tail = std::move(tail_);
    out->output_bytes = total_;
  }

 private:
  size_t keep_head_;
  size_t keep_tail_;
  std::string head_;
  std::string tail_;
  uint64_t total_ = 0;
};

// Everything the child needs, prepared before fork(): after fork() in a multithreaded process the
// child may only call async-signal-safe functions (no allocation).
struct ExecPlan {
  std::vector<std::string> env_storage;
  std::vector<char*> argv;
  std::vector<char*> envp;
};

void BuildExecPlan(const ChildSpec& spec, ExecPlan* plan) {
  std::set<std::string> overridden;
  for (const auto& [key, value] : spec.env) overridden.insert(key);
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    size_t eq = entry.find('=');
    if (eq != std::string::npos && overridden.count(entry.substr(0, eq)) > 0) continue;
    plan->env_storage.push_back(std::move(entry));
  }
  for (const auto& [key, value] : spec.env) plan->env_storage.push_back(key + "=" + value);
  for (const std::string& arg : spec.argv) plan->argv.push_back(const_cast<char*>(arg.c_str()));
  plan->argv.push_back(nullptr);
  for (std::string& entry : plan->env_storage) plan->envp.push_back(entry.data());
  plan->envp.push_back(nullptr);
}

// What failed in the child before (or at) exec, sent to the parent through the error pipe.
enum ChildStep : int { kStepStdio = 1, kStepChdir, kStepRlimit, kStepExec };

[[noreturn]] void ChildAfterFork(const ChildSpec& spec, const ExecPlan& plan, int out_fd,
                                 int err_fd, int report_fd) {
  setpgid(0, 0);
  // The error pipe must survive the report descriptor's dup2 below.
  if (spec.report_fd >= 0 && err_fd == spec.report_fd) {
    err_fd = fcntl(err_fd, F_DUPFD_CLOEXEC, spec.report_fd + 1);
  }
  // Undo what the runner changed for itself: ignored SIGPIPE and blocked signals are inherited
  // across exec and would change how the test program behaves.
  signal(SIGPIPE, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  int failure[2] = {0, 0};  // {step, errno}
  int null_fd = open("/dev/null", O_RDONLY);
  if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0) {
    failure[0] = kStepStdio;
  } else if (spec.report_fd >= 0 &&
             (report_fd == spec.report_fd ? fcntl(report_fd, F_SETFD, 0)
                                          : dup2(report_fd, spec.report_fd)) < 0) {
    failure[0] = kStepStdio;  // (a dup2 target is not close-on-exec; the same descriptor is)
  } else if (!spec.working_dir.empty() && chdir(spec.working_dir.c_str()) != 0) {
    failure[0] = kStepChdir;
  } else {
    struct rlimit limit = {spec.memory_limit_bytes, spec.memory_limit_bytes};
    if (spec.memory_limit_bytes > 0 && setrlimit(RLIMIT_AS, &limit) != 0) failure[0] = kStepRlimit;
  }
  if (failure[0] == 0) {
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    execve(plan.argv[0], plan.argv.data(), plan.envp.data());
    failure[0] = kStepExec;
  }
  failure[1] = errno;
  // Tell the parent why (it reads err_fd until exec closes it), then leave without running any
  // of the parent's atexit handlers or flushing its stdio buffers.
  ssize_t ignored = write(err_fd, failure, sizeof(failure));
  (void)ignored;
  _exit(127);
}

void KillGroup(pid_t pgid) { kill(-pgid, SIGKILL); }

}  // namespace

std::string ChildOutcome::Output() const {
  if (tail.empty()) return head;
  uint64_t dropped = output_bytes - head.size() - tail.size();
  if (dropped == 0) return head + tail;
  return head + "\n[... " + std::to_string(dropped) + " bytes of output omitted ...]\n" + tail;
}

void KillAllChildren() {
  for (int i = 0; i < kMaxChildren; ++i) {
    const pid_t entry = g_children[i].load();
    if (entry > 0) kill(-entry, SIGKILL);  // the whole process group
    if (entry < 0) kill(-entry, SIGTERM);  // the child alone, which stops what it runs
  }
}

void InstallRunnerSignalHandlers() {
  signal(SIGPIPE, SIG_IGN);
  struct sigaction action;
  std::memset(&action, 0, sizeof(action));
  action.sa_handler = OnFatalSignal;
  sigemptyset(&action.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &action, nullptr);
}

std::string DescribeSignal(int signal_number) {
  static const struct {
    int number;
    const char* name;
  } kNames[] = {
      {SIGSEGV, "SIGSEGV"}, {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},
      {SIGILL, "SIGILL"},   {SIGKILL, "SIGKILL"}, {SIGTERM, "SIGTERM"}, {SIGINT, "SIGINT"},
      {SIGPIPE, "SIGPIPE"}, {SIGTRAP, "SIGTRAP"}, {SIGSYS, "SIGSYS"},   {SIGXCPU, "SIGXCPU"},
      {SIGXFSZ, "SIGXFSZ"}, {SIGHUP, "SIGHUP"},   {SIGQUIT, "SIGQUIT"}, {SIGALRM, "SIGALRM"},
      {SIGUSR1, "SIGUSR1"}, {SIGUSR2, "SIGUSR2"},
  };
  std::string name = "signal " + std::to_string(signal_number);
  for (const auto& entry : kNames) {
    if (entry.number == signal_number) name = entry.name;
  }
  const char* description = strsignal(signal_number);
  if (description != nullptr) name += std::string(" (") + description + ")";
  return name;
}

ChildOutcome RunChild(const ChildSpec& spec) {
  ChildOutcome outcome;
  const Clock::time_point start = Clock::now();
  if (spec.argv.empty()) {
    outcome.spawn_error = "empty command line";
    return outcome;
  }
  ExecPlan plan;
  BuildExecPlan(spec, &plan);

  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    outcome.spawn_error = std::string("pipe: ") + std::strerror(errno);
    return outcome;
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    outcome.spawn_error = std::string("pipe: ") + std::strerror(errno);
    close(out_pipe[0]);
    close(out_pipe[1]);
    return outcome;
  }
  int report_pipe[2] = {-1, -1};
  if (spec.report_fd >= 0 && pipe2(report_pipe, O_CLOEXEC) != 0) {
    outcome.spawn_error = std::string("pipe: ") + std::strerror(errno);
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    return outcome;
  }
  pid_t pid = fork();
  if (pid < 0) {
    outcome.spawn_error = std::string("fork: ") + std::strerror(errno);
    for (int fd :
         {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1], report_pipe[0], report_pipe[1]}) {
      if (fd >= 0) close(fd);
    }
    return outcome;
  }
  if (pid == 0) ChildAfterFork(spec, plan, out_pipe[1], err_pipe[1], report_pipe[1]);
  if (report_pipe[1] >= 0) close(report_pipe[1]);

  // Also set the group from this side, so it exists before anyone may kill it.
  setpgid(pid, pid);
  const int slot = RegisterChild(pid, spec.stop_gracefully);
  close(out_pipe[1]);
  close(err_pipe[1]);

  int failure[2] = {0, 0};
  ssize_t got;
  do {
    got = read(err_pipe[0], failure, sizeof(failure));
  } while (got < 0 && errno == EINTR);
  close(err_pipe[0]);
  if (got == static_cast<ssize_t>(sizeof(failure))) {
    int status = 0;
    waitpid(pid, &status, 0);
    UnregisterChild(slot);
    close(out_pipe[0]);
    if (report_pipe[0] >= 0) close(report_pipe[0]);
    const std::string why = std::strerror(failure[1]);
    switch (failure[0]) {
      case kStepStdio:
        outcome.spawn_error = "cannot redirect the child's stdio: " + why;
        break;
      case kStepChdir:
        outcome.spawn_error = "cannot enter working directory " + spec.working_dir + ": " + why;
        break;
      case kStepRlimit:
        outcome.spawn_error = "cannot set the memory limit: " + why;
        break;
      default:
        outcome.spawn_error = "cannot run " + spec.argv[0] + ": " + why;
    }
    return outcome;
  }

  const bool has_deadline = spec.timeout_seconds > 0;
  const Clock::time_point deadline =
      start + std::chrono::duration_cast<Clock::duration>(
                  std::chrono::duration<double>(has_deadline ? spec.timeout_seconds : 0));
  OutputCapture capture(spec.keep_head_bytes, spec.keep_tail_bytes);
  // The whole output, up to the cap, for the artifact a student reads (an unwritable file costs
  // only the file: the in-memory head and tail still make the report).
  FILE* output_copy =
      spec.output_file.empty() ? nullptr : std::fopen(spec.output_file.c_str(), "wb");
  bool timed_out = false;
  bool flooded = false;
  bool reaped = false;
  int status = 0;
  struct rusage usage;
  std::memset(&usage, 0, sizeof(usage));
  int out_fd = out_pipe[0];
  // After the child itself has exited, descendants may still hold the pipe: they are killed, and
  // the pipe is drained for at most this long.
  Clock::time_point drain_deadline = Clock::time_point::max();
  char buffer[64 << 10];

  while (out_fd >= 0 || !reaped) {
    const Clock::time_point now = Clock::now();
    if (!reaped && !timed_out && !flooded && has_deadline && now >= deadline) {
      timed_out = true;
      KillGroup(pid);
    }
    if (!reaped) {
      pid_t r = wait4(pid, &status, WNOHANG, &usage);
      if (r == pid) {
        reaped = true;
        KillGroup(pid);  // strays the child left behind
        drain_deadline = Clock::now() + std::chrono::seconds(2);
      }
    }
    if (out_fd < 0) {
      // Output closed but the child still runs: keep watching it.
      if (!reaped) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    if (reaped && Clock::now() >= drain_deadline) {
      close(out_fd);
      out_fd = -1;
      continue;
    }
    int wait_ms = 50;
    if (has_deadline && !reaped && !timed_out) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
      wait_ms = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(wait_ms, left + 1)));
    }
    struct pollfd pfd = {out_fd, POLLIN, 0};
    int ready = poll(&pfd, 1, wait_ms);
    if (ready < 0 && errno != EINTR) {
      // Should not happen; stop reading rather than spin.
      close(out_fd);
      out_fd = -1;
      continue;
    }
    if (ready <= 0) continue;
    ssize_t n = read(out_fd, buffer, sizeof(buffer));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      close(out_fd);
      out_fd = -1;
      continue;
    }
    if (flooded) continue;  // killed already; just drain
    const uint64_t before = capture.total();
    const uint64_t got_bytes = static_cast<uint64_t>(n);
    capture.Append(buffer, static_cast<size_t>(n));
    if (output_copy != nullptr) {
      const uint64_t room = spec.output_limit_bytes == 0       ? got_bytes
                            : spec.output_limit_bytes > before ? spec.output_limit_bytes - before
                                                               : 0;
      std::fwrite(buffer, 1, static_cast<size_t>(std::min(room, got_bytes)), output_copy);
    }
    if (spec.output_limit_bytes > 0 && capture.total() > spec.output_limit_bytes && !reaped) {
      flooded = true;
      KillGroup(pid);
    }
  }
  UnregisterChild(slot);
  if (output_copy != nullptr) std::fclose(output_copy);
  if (report_pipe[0] >= 0) {
    // The child has ended, and no one else holds the write end (close-on-exec below it).
    fcntl(report_pipe[0], F_SETFL, O_NONBLOCK);
    char chunk[4096];
    for (ssize_t n;
         outcome.report.size() < (64u << 10) &&
         ((n = read(report_pipe[0], chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR));) {
      if (n > 0) outcome.report.append(chunk, static_cast<size_t>(n));
    }
    close(report_pipe[0]);
  }

  outcome.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  outcome.max_rss_kb = usage.ru_maxrss;
  capture.MoveInto(&outcome);
  if (timed_out) {
    outcome.end = ChildOutcome::End::kTimedOut;
  } else if (flooded) {
    outcome.end = ChildOutcome::End::kOutputFlood;
  } else if (WIFSIGNALED(status)) {
    outcome.end = ChildOutcome::End::kSignaled;
    outcome.term_signal = WTERMSIG(status);
  } else {
    outcome.end = ChildOutcome::End::kExited;
    outcome.exit_code = WEXITSTATUS(status);
  }
  return outcome;
}

}  // namespace tinykv::grading::runner
