#include "grading/runner/supervisor.h"

#include "grading/runner/scratch.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace tinykv::grading::runner {

std::vector<std::string> SupervisedCommand(const std::string& supervisor,
                                           const SupervisorLimits& limits,
                                           const std::vector<std::string>& argv) {
  std::vector<std::string> command = {supervisor,
                                      std::to_string(limits.cpu_seconds),
                                      std::to_string(limits.wall_seconds),
                                      std::to_string(limits.resident_bytes),
                                      limits.scratch_dir.empty() ? "-" : limits.scratch_dir,
                                      "--"};
  command.insert(command.end(), argv.begin(), argv.end());
  return command;
}

std::string FormatReport(const SupervisorReport& r) {
  std::ostringstream out;
  switch (r.end) {
    case SupervisorReport::End::kExited:
      out << "end exited " << r.code << "\n";
      break;
    case SupervisorReport::End::kSignaled:
      out << "end signaled " << r.signal << "\n";
      break;
    case SupervisorReport::End::kMemory:
      out << "end memory\n";
      break;
    case SupervisorReport::End::kWallClock:
      out << "end wall-clock\n";
      break;
    case SupervisorReport::End::kSpawnFailed:
      out << "end spawn-failed " << r.error << "\n";
      break;
  }
  out << "cpu_ms " << r.cpu_ms << "\npeak_resident_bytes " << r.peak_resident_bytes << "\nstrays "
      << r.strays << "\n";
  for (const std::string& name : r.stray_names) out << "stray " << name << "\n";
  out << "done\n";
  return out.str();
}

std::optional<SupervisorReport> ParseReport(const std::string& text) {
  SupervisorReport r;
  bool ended = false, done = false;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const size_t space = line.find(' ');
    const std::string key = line.substr(0, space);
    const std::string value = space == std::string::npos ? "" : line.substr(space + 1);
    std::istringstream v(value);
    if (key == "end") {
      std::string how;
      v >> how;
      ended = true;
      if (how == "exited") {
        r.end = SupervisorReport::End::kExited;
        v >> r.code;
      } else if (how == "signaled") {
        r.end = SupervisorReport::End::kSignaled;
        v >> r.signal;
      } else if (how == "memory") {
        r.end = SupervisorReport::End::kMemory;
      } else if (how == "wall-clock") {
        r.end = SupervisorReport::End::kWallClock;
      } else if (how == "spawn-failed") {
        r.end = SupervisorReport::End::kSpawnFailed;
        r.error = value.substr(std::min(value.size(), how.size() + 1));
      } else {
        return std::nullopt;
      }
    } else if (key == "cpu_ms") {
      v >> r.cpu_ms;
    } else if (key == "peak_resident_bytes") {
      v >> r.peak_resident_bytes;
    } else if (key == "strays") {
      v >> r.strays;
    } else if (key == "stray") {
      r.stray_names.push_back(value);
    } else if (key == "done") {
      done = true;
    }
  }
  if (!ended || !done) return std::nullopt;
  return r;
}

namespace {

struct ProcInfo {
  pid_t parent = 0;
  char state = '?';
  uint64_t resident_pages = 0;
  std::string name;
};

// Every process of the machine this one can see: pid → parent, state, resident pages, name.
std::map<pid_t, ProcInfo> ReadProcesses() {
  std::map<pid_t, ProcInfo> all;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return all;
  while (const dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    std::ifstream stat("/proc/" + std::string(entry->d_name) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // "pid (name) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
    // stime cutime cstime priority nice threads itrealvalue starttime vsize rss ..."; the name
    // may hold spaces and parentheses, so fields are counted from the last ')'.
    const size_t open = text.find('('), close = text.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open) continue;
    ProcInfo info;
    info.name = text.substr(open + 1, close - open - 1);  // at most 15 characters
    // The program's own name, when it can be read: argv[0] without its directory.
    std::ifstream cmdline("/proc/" + std::string(entry->d_name) + "/cmdline");
    std::string argv0;
    if (std::getline(cmdline, argv0, '\0') && !argv0.empty()) {
      info.name = argv0.substr(argv0.rfind('/') + 1);
    }
    std::istringstream fields(text.substr(close + 1));
    std::string field;
    std::vector<std::string> rest;
    while (fields >> field && rest.size() < 22) rest.push_back(field);
    if (rest.size() < 22) continue;
    info.state = rest[0][0];
    info.parent = static_cast<pid_t>(std::strtol(rest[1].c_str(), nullptr, 10));
    info.resident_pages = std::strtoull(rest[21].c_str(), nullptr, 10);
    all[static_cast<pid_t>(pid)] = info;
  }
  closedir(dir);
  return all;
}

// The processes below `root` (not `root` itself), still running (zombies excluded).
std::vector<std::pair<pid_t, ProcInfo>> Descendants(pid_t root,
                                                    const std::map<pid_t, ProcInfo>& all) {
  std::map<pid_t, std::vector<pid_t>> children;
  for (const auto& [pid, info] : all) children[info.parent].push_back(pid);
  std::vector<std::pair<pid_t, ProcInfo>> out;
  std::vector<pid_t> todo = {root};
  while (!todo.empty()) {
    const pid_t p = todo.back();
    todo.pop_back();
    for (pid_t c : children[p]) {
      if (all.at(c).state != 'Z' && all.at(c).state != 'X') out.emplace_back(c, all.at(c));
      todo.push_back(c);
    }
  }
  return out;
}

uint64_t ResidentBytesOf(const std::vector<std::pair<pid_t, ProcInfo>>& procs) {
  uint64_t pages = 0;
  for (const auto& [pid, info] : procs) pages += info.resident_pages;
  return pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

// The test process's resident bytes alone: one small read, cheap enough to poll often.
uint64_t ResidentBytesOfProcess(pid_t pid) {
  std::ifstream statm("/proc/" + std::to_string(pid) + "/statm");
  uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

// Reaps every child that has ended except `keep` (the test, whose status wait4 collects).
void ReapFinished(pid_t keep = 0) {
  for (;;) {
    siginfo_t info;
    std::memset(&info, 0, sizeof(info));
    if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0) return;
    if (info.si_pid == keep) return;
    waitpid(info.si_pid, nullptr, 0);
  }
}

// Kills every process below this one, however often they fork or reparent, and reaps them.
void KillTree() {
  for (int round = 0; round < 500; ++round) {
    const auto left = Descendants(getpid(), ReadProcesses());
    if (left.empty()) break;
    for (const auto& [pid, info] : left) kill(pid, SIGKILL);
    struct timespec pause = {0, 2 * 1000 * 1000};
    nanosleep(&pause, nullptr);
    ReapFinished();
  }
  ReapFinished();
}

void SleepMs(int ms) {
  struct timespec pause = {ms / 1000, (ms % 1000) * 1000L * 1000L};
  nanosleep(&pause, nullptr);
}

double MonotonicSeconds() {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

int Usage() {
  std::fprintf(stderr,
               "tinykv-grade-supervisor: run by tinykv-grade only: CPU_SECONDS WALL_SECONDS "
               "RESIDENT_BYTES SCRATCH_DIR|- -- PROGRAM ARGS... (report on descriptor %d)\n",
               kSupervisorReportFd);
  return 64;
}

// Set by SIGTERM: the runner is stopping (interrupted, or gone: the parent-death signal).
volatile sig_atomic_t g_stop = 0;
void OnStop(int) { g_stop = 1; }

void Report(const SupervisorReport& report) {
  const std::string text = FormatReport(report);
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = write(kSupervisorReportFd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
}

}  // namespace

int SupervisorMain(int argc, char** argv) {
  if (argc < 7 || std::strcmp(argv[5], "--") != 0) return Usage();
  SupervisorLimits limits;
  char* end = nullptr;
  limits.cpu_seconds = static_cast<uint32_t>(std::strtoul(argv[1], &end, 10));
  limits.wall_seconds = static_cast<uint32_t>(std::strtoul(argv[2], &end, 10));
  limits.resident_bytes = std::strtoull(argv[3], &end, 10);
  if (std::strcmp(argv[4], "-") != 0) limits.scratch_dir = argv[4];
  char** test_argv = argv + 6;
  if (fcntl(kSupervisorReportFd, F_GETFD) < 0) return Usage();
  // The report pipe is the runner's and this process's alone: the test never inherits it.
  fcntl(kSupervisorReportFd, F_SETFD, FD_CLOEXEC);

  // Stop with the runner (kill -9 included): SIGTERM, then the test's tree is killed and the
  // seed's scratch directory removed. If the runner is already gone, do not start the test.
  struct sigaction stop = {};
  stop.sa_handler = OnStop;
  sigemptyset(&stop.sa_mask);
  sigaction(SIGTERM, &stop, nullptr);
  const pid_t runner = getppid();
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != runner) return 1;
  // Orphans of the test's tree are re-parented here, not to init: nothing escapes the seed.
  prctl(PR_SET_CHILD_SUBREAPER, 1);

  SupervisorReport report;
  int exec_error[2];
  if (pipe2(exec_error, O_CLOEXEC) != 0) {
    report.error = std::string("pipe: ") + std::strerror(errno);
    Report(report);
    return 0;
  }
  const pid_t test = fork();
  if (test < 0) {
    report.error = std::string("fork: ") + std::strerror(errno);
    Report(report);
    return 0;
  }
  if (test == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // dies with the supervisor too
    if (limits.cpu_seconds > 0) {
      // SIGXCPU at the limit, SIGKILL two seconds of CPU later if it is caught.
      struct rlimit cpu = {limits.cpu_seconds, limits.cpu_seconds + 2};
      setrlimit(RLIMIT_CPU, &cpu);
    }
    signal(SIGTERM, SIG_DFL);
    execv(test_argv[0], test_argv);
    const int error = errno;
    ssize_t ignored = write(exec_error[1], &error, sizeof(error));
    (void)ignored;
    _exit(127);
  }
  close(exec_error[1]);
  int error = 0;
  ssize_t got;
  do {
    got = read(exec_error[0], &error, sizeof(error));
  } while (got < 0 && errno == EINTR);
  close(exec_error[0]);
  if (got == static_cast<ssize_t>(sizeof(error))) {
    waitpid(test, nullptr, 0);
    report.error = std::string("cannot run ") + test_argv[0] + ": " + std::strerror(error);
    Report(report);
    return 0;
  }

  // Watch: the test's own resident size every 10 ms, the whole tree's every 200 ms.
  const double started = MonotonicSeconds();
  int status = 0;
  struct rusage usage;
  std::memset(&usage, 0, sizeof(usage));
  bool test_ended = false;
  for (int tick = 0;; ++tick) {
    const pid_t r = wait4(test, &status, WNOHANG, &usage);
    if (r == test) {
      test_ended = true;
      break;
    }
    ReapFinished(test);  // orphans of the tree that ended on their own
    uint64_t resident = ResidentBytesOfProcess(test);
    if (tick % 20 == 0) {
      resident = std::max(resident, ResidentBytesOf(Descendants(getpid(), ReadProcesses())));
    }
    report.peak_resident_bytes = std::max(report.peak_resident_bytes, resident);
    if (limits.resident_bytes > 0 && resident > limits.resident_bytes) {
      report.end = SupervisorReport::End::kMemory;
      break;
    }
    if (g_stop) {
      kill(test, SIGKILL);
      waitpid(test, nullptr, 0);
      KillTree();
      if (!limits.scratch_dir.empty()) RemoveScratchTree(limits.scratch_dir);
      return 1;  // no report: no one is left to read it
    }
    if (limits.wall_seconds > 0 && MonotonicSeconds() - started >= limits.wall_seconds) {
      report.end = SupervisorReport::End::kWallClock;
      break;
    }
    SleepMs(10);
  }
  if (test_ended) {
    // What the test left running.
    for (const auto& [pid, info] : Descendants(getpid(), ReadProcesses())) {
      ++report.strays;
      if (report.stray_names.size() < 3) {
        report.stray_names.push_back(std::to_string(pid) + " " + info.name);
      }
    }
    if (WIFSIGNALED(status)) {
      report.end = SupervisorReport::End::kSignaled;
      report.signal = WTERMSIG(status);
    } else {
      report.end = SupervisorReport::End::kExited;
      report.code = WEXITSTATUS(status);
    }
  } else {
    kill(test, SIGKILL);
    wait4(test, &status, 0, &usage);
  }
  KillTree();
  report.cpu_ms = static_cast<uint64_t>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000 +
                  static_cast<uint64_t>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000;
  Report(report);
  return 0;
}

}  // namespace tinykv::grading::runner
