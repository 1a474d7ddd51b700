#include "grading/runner/commands.h"

#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "grading/runner/child_process.h"
#include "grading/runner/grader.h"
#include "grading/runner/gtest_json.h"
#include "grading/runner/manifest.h"
#include "grading/runner/report.h"
#include "grading/runner/run_facts.h"
#include "grading/runner/scratch.h"
#include "grading/runner/seed_run.h"
#include "grading/test_seed.h"
#include "sim/debug.h"

extern char** environ;

namespace tinykv::grading::runner {
namespace {

namespace fs = std::filesystem;

constexpr int kExitNotAvailable = 2;
constexpr int kExitBuildChanged = 3;
constexpr int kExitUsage = 64;
constexpr const char* kNeedsSimulator = "for simulator scenarios only (lab 2B on)";

// The machine's memory in MiB (MemTotal), 0 when unknown.
uint64_t MachineMemoryMb() {
  std::ifstream meminfo("/proc/meminfo");
  for (std::string key; meminfo >> key;) {
    uint64_t kb = 0;
    meminfo >> kb;
    if (key == "MemTotal:") return kb >> 10;
    meminfo.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return 0;
}

// Caps each seed's resident memory so that `jobs` seeds at their limits fit in 90 % of the
// machine (a seed then hits its own limit instead of the machine swapping or the kernel killing
// another seed), and says so when that lowers a limit.
void FitMemoryToMachine(const std::vector<const PartInfo*>& parts, GradeOptions* options) {
  const uint64_t machine = MachineMemoryMb();
  if (machine == 0) return;
  const uint32_t cap = static_cast<uint32_t>(
      std::max<uint64_t>(kMinMemoryLimitMb, machine * 9 / 10 / std::max(options->jobs, 1)));
  uint32_t largest = 0;
  for (const PartInfo* part : parts) {
    for (const TestPlan& test : part->tests) {
      const uint32_t limit = options->memory_limit_mb.value_or(test.memory_limit_mb);
      largest = std::max(largest, limit == 0 ? UINT32_MAX : limit);
    }
  }
  options->memory_cap_mb = cap;
  if (largest > cap) {
    std::cerr << "note: " << options->jobs << " job" << (options->jobs == 1 ? "" : "s")
              << " at once on this machine's " << machine << " MiB: each seed may use at most "
              << cap << " MiB of resident memory\n";
  }
}

std::string ScratchRoot() {
  const char* tmp = std::getenv("TMPDIR");
  return (tmp != nullptr && *tmp != '\0') ? tmp : "/tmp";
}

// Colour on a terminal, unless NO_COLOR is set (https://no-color.org) or TERM is dumb.
bool UseColour(int fd) {
  const char* no_colour = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  return isatty(fd) && (no_colour == nullptr || *no_colour == '\0') &&
         !(term != nullptr && std::string(term) == "dumb");
}

bool LoadFor(const CommonArgs& args, Catalog* catalog, std::string* build_dir) {
  *build_dir = ResolveBuildDir(args.build_dir);
  std::string error;
  if (!LoadCatalog(ResolveManifestRoot(args.manifest_root), catalog, &error)) {
    std::cerr << "tinykv-grade: " << error << "\n";
    return false;
  }
  return true;
}

const TestPlan* FindTestOrComplain(const Catalog& catalog, const std::string& name) {
  const TestPlan* test = catalog.FindTest(name);
  if (test == nullptr) {
    std::vector<std::string> names;
    for (const PartInfo& part : catalog.parts) {
      for (const TestPlan& t : part.tests) names.push_back(t.name);
    }
    std::cerr << "tinykv-grade: unknown test \"" << name << "\"" << DidYouMean(name, names)
              << " (not in any lab manifest; `tinykv-grade list` shows them)\n";
  }
  return test;
}

bool WriteFile(const std::string& path, const GradeReport& report,
               void (*writer)(const GradeReport&, std::ostream&)) {
  std::ofstream out(path);
  writer(report, out);
  out.close();
  if (!out) {
    std::cerr << "tinykv-grade: cannot write " << path << "\n";
    return false;
  }
  return true;
}

// Runs the test in the foreground: output goes straight to the terminal, Ctrl-C reaches it.
// Returns the GoogleTest verdict; *facts receives what the test reported.
GtestVerdict RunForeground(const std::string& binary, const TestPlan& test, uint64_t seed,
                           const std::vector<std::pair<std::string, std::string>>& extra_env,
                           std::map<std::string, std::string>* facts, int* status_out) {
  ScratchDir scratch_dir(ScratchRoot(), "replay");
  const std::string scratch = scratch_dir.path();
  if (scratch.empty()) {
    *status_out = -1;
    return GtestVerdict();
  }
  const std::string json = scratch + "/gtest.json";
  const std::string facts_file = scratch + "/run-facts.txt";
  std::vector<std::string> argv = TestCommand(binary, test.name, json);
  std::vector<std::string> env;
  std::vector<std::pair<std::string, std::string>> set = {{kSeedEnvVar, std::to_string(seed)},
                                                          {kResultFileEnvVar, facts_file}};
  set.insert(set.end(), extra_env.begin(), extra_env.end());
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    bool replaced = false;
    for (const auto& [key, value] : set) replaced |= entry.rfind(key + "=", 0) == 0;
    if (!replaced) env.push_back(entry);
  }
  for (const auto& [key, value] : set) env.push_back(key + "=" + value);
  std::vector<char*> argv_c;
  std::vector<char*> env_c;
  for (std::string& a : argv) argv_c.push_back(a.data());
  argv_c.push_back(nullptr);
  for (std::string& e : env) env_c.push_back(e.data());
  env_c.push_back(nullptr);

  // The test shares our terminal and process group: Ctrl-C stops it, and we wait for it.
  struct sigaction ignore = {};
  struct sigaction old_int = {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGINT, &ignore, &old_int);
  pid_t pid = 0;
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  int rc = posix_spawn(&pid, argv_c[0], nullptr, &attr, argv_c.data(), env_c.data());
  posix_spawnattr_destroy(&attr);
  int status = 0;
  if (rc == 0) {
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  sigaction(SIGINT, &old_int, nullptr);
  *status_out = rc == 0 ? status : -1;
  GtestVerdict verdict = ReadGtestVerdict(json, test.name);
  *facts = ReadRunFacts(facts_file);
  return verdict;
}

}  // namespace

std::string ResolveBuildDir(const std::string& flag) {
  if (!flag.empty()) return fs::absolute(flag).lexically_normal().string();
  const char* env = std::getenv("TINYKV_BUILD_DIR");
  if (env != nullptr && *env != '\0') return fs::absolute(env).lexically_normal().string();
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path build = self.parent_path().parent_path().parent_path();
    if (fs::exists(build / "CMakeCache.txt", ec)) return build.string();
  }
  return TINYKV_BINARY_DIR;
}

std::string ResolveManifestRoot(const std::string& flag) {
  if (!flag.empty()) return fs::absolute(flag).lexically_normal().string();
  const char* env = std::getenv("TINYKV_MANIFEST_ROOT");
  if (env != nullptr && *env != '\0') return fs::absolute(env).lexically_normal().string();
  return std::string(TINYKV_SOURCE_DIR) + "/labs";
}

// The parts and tests `args` selects (labs, then --test filters), or false after saying why.
bool SelectTests(const Catalog& catalog, const RunArgs& args, std::vector<PartInfo>* out) {
  if (args.labs.empty() && args.tests.empty()) {
    std::cerr << "tinykv-grade: name a lab part (e.g. lab2b) or a test (--test "
                 "Lab2B.Unreliable)\n";
    return false;
  }
  std::vector<const PartInfo*> selected;
  std::string error;
  const std::vector<std::string> labs =
      args.labs.empty() ? std::vector<std::string>{"all"} : args.labs;
  if (!SelectParts(catalog, labs, &selected, &error) ||
      !FilterTests(selected, args.tests, out, &error)) {
    std::cerr << "tinykv-grade: " << error << "\n";
    return false;
  }
  return true;
}

int TargetsCommand(const RunArgs& args) {
  Catalog catalog;
  std::string build_dir;
  if (!LoadFor(args.common, &catalog, &build_dir)) return kExitUsage;
  std::vector<PartInfo> parts;
  if (!SelectTests(catalog, args, &parts)) return kExitUsage;
  std::set<std::string> targets;
  for (const PartInfo& part : parts) {
    for (const TestPlan& test : part.tests) targets.insert(fs::path(test.binary).filename());
  }
  for (const std::string& t : targets) std::cout << t << "\n";
  return 0;
}

int RunCommand(const RunArgs& args) {
  RemoveStaleScratch(ScratchRoot());  // what killed runs left behind
  Catalog catalog;
  std::string build_dir;
  if (!LoadFor(args.common, &catalog, &build_dir)) return kExitUsage;
  std::vector<PartInfo> filtered;
  if (!SelectTests(catalog, args, &filtered)) return kExitUsage;
  std::vector<const PartInfo*> parts;
  for (const PartInfo& part : filtered) parts.push_back(&part);
  // An output file that cannot be written is found out now, not after the whole grade ran.
  for (const std::string* path : {&args.json_file, &args.junit_file, &args.gradescope_file}) {
    if (path->empty()) continue;
    std::ofstream probe(*path, std::ios::app);
    if (!probe) {
      std::cerr << "tinykv-grade: cannot write " << *path << "\n";
      return kExitUsage;
    }
  }
  GradeOptions options;
  options.build_dir = build_dir;
  options.artifact_root = build_dir + "/grade-artifacts";
  options.scratch_root = ScratchRoot();
  options.jobs = args.jobs > 0 ? args.jobs : static_cast<int>(std::thread::hardware_concurrency());
  options.seed_count = args.seeds;
  options.seed_base = args.seed_base;
  options.timeout_seconds = args.timeout_seconds;
  options.memory_limit_mb = args.memory_limit_mb;
  options.output_limit_bytes = static_cast<uint64_t>(args.output_limit_mb) << 20;
  FitMemoryToMachine(parts, &options);

  const bool live = args.progress && isatty(STDERR_FILENO);
  const bool colour = UseColour(STDERR_FILENO);
  ProgressFn progress;
  if (live) {
    const auto started = std::chrono::steady_clock::now();  // for the estimate only
    progress = [started, colour](int done, int total, int failed, const std::string& last) {
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::string eta;
      if (done > 0 && done < total) {
        const int left = static_cast<int>(elapsed / done * (total - done) + 0.5);
        eta = ", about " + (left >= 60 ? std::to_string(left / 60) + " min " : "") +
              std::to_string(left % 60) + " s left";
      }
      const std::string failures = std::to_string(failed) + " failed";
      std::cerr << "\r\033[K[" << done << "/" << total << "] "
                << (colour && failed > 0 ? "\033[31m" + failures + "\033[0m" : failures) << eta
                << "; last: " << last << std::flush;
    };
  }
  GradeReport report = Grade(parts, options, progress);
  if (live) std::cerr << "\r\033[K" << std::flush;
  if (!report.build_changed.empty()) {
    // Seeds that ran on the new build would be blamed on the submission: no grade at all.
    std::cerr << "tinykv-grade: " << report.build_changed
              << " changed while grading (was the build directory rebuilt?): stopped, and no grade "
                 "is reported; grade again once the build is done\n";
    return kExitBuildChanged;
  }

  TableOptions table;
  table.colour = UseColour(STDOUT_FILENO);
  WriteTable(report, table, std::cout);
  std::cout.flush();
  bool files_ok = true;
  if (!args.json_file.empty()) files_ok &= WriteFile(args.json_file, report, WriteJson);
  if (!args.junit_file.empty()) files_ok &= WriteFile(args.junit_file, report, WriteJunit);
  if (!args.gradescope_file.empty()) {
    files_ok &= WriteFile(args.gradescope_file, report, WriteGradescope);
  }
  if (!files_ok) return kExitUsage;
  return report.all_passed() ? 0 : 1;
}

namespace {

// Names "Suite.Name" listed by BINARY --gtest_list_tests, or an error.
bool ListBinaryTests(const std::string& binary, std::set<std::string>* names, std::string* error) {
  ChildSpec spec;
  spec.argv = {binary, "--gtest_list_tests"};
  spec.timeout_seconds = 60;
  ChildOutcome out = RunChild(spec);
  if (out.end != ChildOutcome::End::kExited || out.exit_code != 0) {
    *error = "`" + binary + " --gtest_list_tests` failed" +
             (out.spawn_error.empty() ? "" : ": " + out.spawn_error);
    return false;
  }
  std::istringstream in(out.Output());
  std::string line;
  std::string suite;
  while (std::getline(in, line)) {
    if (line.empty() || line.rfind("Running main()", 0) == 0) continue;
    std::string word = line.substr(0, line.find_first_of(" #"));
    if (line[0] != ' ') {
      suite = word;  // "Lab1."
    } else {
      word = line.substr(2, line.find_first_of(" #", 2) - 2);
      names->insert(suite + word);
    }
  }
  return true;
}

int CheckManifests(const Catalog& catalog, const std::string& build_dir) {
  std::map<std::string, std::set<std::string>> by_binary;  // binary -> manifest tests
  for (const PartInfo& part : catalog.parts) {
    for (const TestPlan& test : part.tests) by_binary[test.binary].insert(test.name);
  }
  std::set<std::string> all_listed;
  for (const auto& [binary, tests] : by_binary) all_listed.insert(tests.begin(), tests.end());
  int problems = 0;
  for (const auto& [binary, tests] : by_binary) {
    const std::string path = (fs::path(build_dir) / binary).string();
    std::set<std::string> found;
    std::string error;
    if (!fs::is_regular_file(path)) {
      std::cout << "problem: " << binary << " is not built (in " << build_dir << ")\n";
      ++problems;
      continue;
    }
    if (!ListBinaryTests(path, &found, &error)) {
      std::cout << "problem: " << error << "\n";
      ++problems;
      continue;
    }
    for (const std::string& test : tests) {
      if (found.count(test) == 0) {
        std::cout << "problem: " << test << " is in a manifest but not in " << binary << "\n";
        ++problems;
      }
    }
    for (const std::string& test : found) {
      if (test.rfind("Lab", 0) == 0 && all_listed.count(test) == 0) {
        std::cout << "problem: " << binary << " has " << test << ", which no manifest grades\n";
        ++problems;
      }
    }
  }
  std::cout << (problems == 0 ? "manifests match the test binaries\n"
                              : std::to_string(problems) + " problem(s)\n");
  return problems == 0 ? 0 : 1;
}

}  // namespace

int ListCommand(const CommonArgs& args, bool check) {
  Catalog catalog;
  std::string build_dir;
  if (!LoadFor(args, &catalog, &build_dir)) return kExitUsage;
  if (check) return CheckManifests(catalog, build_dir);
  for (const PartInfo& part : catalog.parts) {
    std::cout << part.name << "  (labs/" << part.lab << ")";
    if (!part.title.empty()) std::cout << "  " << part.title;
    std::cout << "\n";
    if (part.tests.empty()) {
      std::cout << "    " << part.name << ": no tests yet\n";
      continue;
    }
    if (!part.files.empty()) {
      std::cout << "    files:";
      for (const std::string& file : part.files) std::cout << " " << file;
      std::cout << "\n";
    }
    for (const TestPlan& test : part.tests) {
      std::error_code ec;
      bool built = fs::is_regular_file(fs::path(build_dir) / test.binary, ec);
      std::cout << "    " << test.name << "  " << test.points << " pts, "
                << test.default_seeds.size() << " seeds, " << test.binary
                << (built ? "" : " (not built)") << (test.scenario ? ", scenario" : "") << "\n";
    }
  }
  return 0;
}

int ReplayCommand(const OneTestArgs& args) {
  RemoveStaleScratch(ScratchRoot());  // what killed runs left behind
  Catalog catalog;
  std::string build_dir;
  if (!LoadFor(args.common, &catalog, &build_dir)) return kExitUsage;
  const TestPlan* test = FindTestOrComplain(catalog, args.test);
  if (test == nullptr) return kExitUsage;
  if (!test->scenario && (!args.trace_file.empty() || !args.html_file.empty())) {
    std::cerr << "tinykv-grade replay: --trace / --html: " << kNeedsSimulator << "; " << test->name
              << " is not a simulator scenario\n";
    return kExitNotAvailable;
  }
  const std::string binary = (fs::path(build_dir) / test->binary).string();
  if (!fs::is_regular_file(binary)) {
    std::cerr << "tinykv-grade: " << binary << " does not exist (build first: make build)\n";
    return kExitUsage;
  }
  std::vector<std::pair<std::string, std::string>> env;
  // The run's history and timeline go where a graded run's would, per test and seed.
  const fs::path artifacts =
      fs::path(build_dir) / "grade-artifacts" / test->name / ("seed-" + std::to_string(args.seed));
  std::error_code ec;
  fs::create_directories(artifacts, ec);
  env.push_back({kArtifactDirEnvVar, fs::absolute(artifacts).string()});
  if (!args.trace_file.empty()) env.push_back({kTraceOutEnvVar, fs::absolute(args.trace_file)});
  if (!args.html_file.empty()) env.push_back({kTimelineOutEnvVar, fs::absolute(args.html_file)});
  if (!test->scenario) {
    std::cerr << "note: " << test->name
              << " is not a simulator scenario: replay re-runs it with seed " << args.seed
              << " (a trace and an HTML timeline are " << kNeedsSimulator << ")\n";
  }
  std::map<std::string, std::string> facts;
  int status = 0;
  GtestVerdict verdict = RunForeground(binary, *test, args.seed, env, &facts, &status);
  std::cout << "\n" << test->name << " seed " << args.seed << ": ";
  if (status == -1) {
    std::cout << "could not start " << binary << "\n";
    return kExitUsage;
  }
  bool passed = false;
  if (WIFSIGNALED(status)) {
    std::cout << "crash: " << DescribeSignal(WTERMSIG(status)) << "\n";
  } else if (verdict.kind == GtestVerdict::Kind::kPassed) {
    passed = WEXITSTATUS(status) == 0;
    std::cout << (passed ? "passed"
                         : "passed, then exited with code " + std::to_string(WEXITSTATUS(status)))
              << "\n";
  } else if (verdict.kind == GtestVerdict::Kind::kFailed) {
    std::cout << "assertion failed (" << verdict.failures.size() << " failures, above)\n";
  } else {
    std::cout << "no result (exit code " << WEXITSTATUS(status) << ")\n";
  }
  for (const auto& [key, value] : facts) std::cout << "  " << key << ": " << value << "\n";
  for (const auto& [flag, key] :
       {std::pair{args.trace_file, "trace"}, {args.html_file, "timeline"}}) {
    if (!flag.empty() && facts.count(key) == 0) {
      std::cout << "  " << key << ": the test did not report writing one\n";
    }
  }
  return passed ? 0 : 1;
}

int CheckDeterminismCommand(const OneTestArgs& args) {
  RemoveStaleScratch(ScratchRoot());  // what killed runs left behind
  Catalog catalog;
  std::string build_dir;
  if (!LoadFor(args.common, &catalog, &build_dir)) return kExitUsage;
  const TestPlan* test = FindTestOrComplain(catalog, args.test);
  if (test == nullptr) return kExitUsage;
  if (!test->scenario) {
    std::cerr << "tinykv-grade check-determinism: " << kNeedsSimulator << "; " << test->name
              << " is not a simulator scenario\n";
    return kExitNotAvailable;
  }
  ScratchDir scratch_dir(ScratchRoot(), "determinism");
  const std::string scratch = scratch_dir.path();
  if (scratch.empty()) {
    std::cerr << "tinykv-grade: cannot create a scratch directory\n";
    return kExitUsage;
  }
  SeedResult runs[2];
  std::string traces[2];
  for (int i = 0; i < 2; ++i) {
    traces[i] = scratch + "/trace-" + std::to_string(i + 1) + ".txt";
    SeedRunOptions options;
    options.build_dir = build_dir;
    options.scratch_root = ScratchRoot();
    options.extra_env = {{kTraceOutEnvVar, traces[i]}};
    runs[i] = RunTestSeed(*test, args.seed, options);
    std::cout << "run " << i + 1 << ": " << runs[i].reason;
    auto fp = runs[i].facts.find("fingerprint");
    std::cout << (fp == runs[i].facts.end() ? "; no fingerprint" : "; fingerprint " + fp->second)
              << "\n";
  }
  auto fp0 = runs[0].facts.find("fingerprint");
  auto fp1 = runs[1].facts.find("fingerprint");
  int rc;
  if (fp0 == runs[0].facts.end() || fp1 == runs[1].facts.end()) {
    std::cout << test->name << " reported no trace fingerprint: cannot check determinism\n";
    rc = kExitNotAvailable;
  } else if (fp0->second == fp1->second) {
    std::cout << "deterministic: both runs of seed " << args.seed << " have fingerprint "
              << fp0->second << "\n";
    rc = 0;
  } else {
    std::cout << "NOT deterministic: seed " << args.seed << " gave fingerprints " << fp0->second
              << " and " << fp1->second << "\n";
    std::ifstream a(traces[0]);
    std::ifstream b(traces[1]);
    std::string la;
    std::string lb;
    for (int line = 1; a && b; ++line) {
      bool ga = static_cast<bool>(std::getline(a, la));
      bool gb = static_cast<bool>(std::getline(b, lb));
      if (!ga && !gb) break;
      if (ga != gb || la != lb) {
        std::cout << "first difference at trace line " << line
                  << ":\n  run 1: " << (ga ? la : "<end>") << "\n  run 2: " << (gb ? lb : "<end>")
                  << "\n";
        break;
      }
    }
    rc = 1;
  }
  return rc;
}

int DebugCommand(const OneTestArgs& args) {
  Catalog catalog;
  std::string build_dir;
  if (!LoadFor(args.common, &catalog, &build_dir)) return kExitUsage;
  const TestPlan* test = FindTestOrComplain(catalog, args.test);
  if (test == nullptr) return kExitUsage;
  const std::string binary = (fs::path(build_dir) / test->binary).string();
  // --break: simulator specs (event:N, time:T, on:KIND) go to the scenario, anything else is a
  // gdb location (raft.cc:120, a function). Checked before anything starts.
  std::string sim_specs;
  std::vector<std::string> gdb_locations;
  std::stringstream items(args.break_spec);
  for (std::string item; std::getline(items, item, ',');) {
    if (item.empty()) continue;
    const bool sim_spec =
        item.rfind("event:", 0) == 0 || item.rfind("time:", 0) == 0 || item.rfind("on:", 0) == 0;
    if (!sim_spec) {
      gdb_locations.push_back(item);
      continue;
    }
    if (!test->scenario) {
      std::cerr << "tinykv-grade debug: --break " << item << ": " << test->name
                << " is not a simulator scenario (simulator breakpoints are " << kNeedsSimulator
                << "); give a gdb location instead, e.g. raft.cc:120\n";
      return kExitUsage;
    }
    sim::BreakPoints points;
    std::string error;
    if (!sim::ParseBreakSpec(item, &points, &error)) {
      std::cerr << "tinykv-grade debug: --break " << item << ": " << error << "\n";
      return kExitUsage;
    }
    sim_specs += (sim_specs.empty() ? "" : ",") + item;
  }
  std::vector<std::string> argv = {
      "gdb", "-q",
      "-ex", "set environment " + std::string(kSeedEnvVar) + "=" + std::to_string(args.seed),
      "-ex", "set breakpoint pending on"};
  // A scenario gets the simulator's gdb commands, and --break is a simulator breakpoint spec
  // (event:N, time:T, on:crash, ...) handed to the test; otherwise --break is a gdb location.
  const fs::path sim_gdb = fs::path(TINYKV_SOURCE_DIR) / "sim" / "gdb";
  const bool sim_debugger = test->scenario && fs::exists(sim_gdb / "debug.gdb");
  if (sim_debugger) {
    setenv("TINYKV_SIM_GDB_DIR", sim_gdb.c_str(), 1);
    argv.insert(argv.begin() + 2, {"-x", (sim_gdb / "debug.gdb").string()});
    if (!sim_specs.empty()) {
      argv.push_back("-ex");
      argv.push_back("set environment " + std::string(kSimBreakEnvVar) + "=" + sim_specs);
    }
  }
  for (const std::string& location : gdb_locations) {
    argv.push_back("-ex");
    argv.push_back("break " + location);
  }
  argv.insert(argv.end(), {"-ex", "run", "--args"});
  for (const std::string& arg : TestCommand(binary, test->name, "")) argv.push_back(arg);
  if (args.print_only) {
    for (size_t i = 0; i < argv.size(); ++i) {
      bool quote = argv[i].find(' ') != std::string::npos;
      std::cout << (i ? " " : "") << (quote ? "'" + argv[i] + "'" : argv[i]);
    }
    std::cout << "\n";
    return 0;
  }
  if (!fs::is_regular_file(binary)) {
    std::cerr << "tinykv-grade: " << binary << " does not exist (build first: make build)\n";
    return kExitUsage;
  }
  if (!test->scenario) {
    std::cerr << "note: " << test->name << " is not a simulator scenario: plain gdb on seed "
              << args.seed << " (breakpoints on simulator events are " << kNeedsSimulator << ")\n";
  }
  std::vector<char*> argv_c;
  for (std::string& a : argv) argv_c.push_back(a.data());
  argv_c.push_back(nullptr);
  execvp("gdb", argv_c.data());
  std::cerr << "tinykv-grade debug: cannot run gdb (" << std::strerror(errno)
            << "); install it with: scripts/install-deps --optional\n";
  return kExitUsage;
}

}  // namespace tinykv::grading::runner
