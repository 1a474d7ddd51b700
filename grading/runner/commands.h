// The `tinykv-grade` subcommands, as functions (main.cc only parses the command line).
//
// Each returns the process exit status: 0 success (run: every selected test passed), 1 failure
// (run: some test failed; check-determinism: runs differ), 2 not available (replay /
// check-determinism of a test that is not a simulator scenario), 64 bad usage or bad manifest.
// Messages go to stdout (results) and stderr (progress, errors).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tinykv::grading::runner {

struct CommonArgs {
  std::string build_dir;      // empty: detected (see ResolveBuildDir)
  std::string manifest_root;  // empty: detected (see ResolveManifestRoot)
};

struct RunArgs {
  CommonArgs common;
  std::vector<std::string> labs;   // empty with `tests`: every lab
  std::vector<std::string> tests;  // --test: names or globs ("Lab2B.Persist*"); empty: all
  std::optional<uint32_t> seeds;
  std::optional<uint64_t> seed_base;
  int jobs = 0;  // 0: number of CPUs
  std::optional<uint32_t> timeout_seconds;
  std::optional<uint32_t> memory_limit_mb;
  uint32_t output_limit_mb = 64;
  std::string json_file;
  std::string junit_file;
  std::string gradescope_file;
  bool progress = true;  // only shown when stderr is a terminal anyway
};

struct OneTestArgs {
  CommonArgs common;
  std::string test;
  uint64_t seed = 0;
  std::string trace_file;   // replay --trace
  std::string html_file;    // replay --html
  std::string break_spec;   // debug --break
  bool print_only = false;  // debug --print-only: show the gdb command instead of running it
};

int RunCommand(const RunArgs& args);
// Lists parts and tests. With `check`, also runs each test binary's --gtest_list_tests and fails
// (exit 1) when a manifest names a test its binary lacks, a binary is not built, or a binary has
// a graded-looking test (suite "Lab…") that no manifest lists.
int ListCommand(const CommonArgs& args, bool check);
// Prints, one per line and each once, the CMake targets of the test binaries the selected tests
// run (args.labs and args.tests as for RunCommand; args.tests alone selects from every lab):
// what `make labN` builds instead of the whole tree.
int TargetsCommand(const RunArgs& args);
int ReplayCommand(const OneTestArgs& args);
int CheckDeterminismCommand(const OneTestArgs& args);
int DebugCommand(const OneTestArgs& args);

// --build-dir, else $TINYKV_BUILD_DIR, else the build directory this executable sits in
// (<build>/grading/runner/tinykv-grade), else the one it was configured for.
std::string ResolveBuildDir(const std::string& flag);
// --manifest-root, else $TINYKV_MANIFEST_ROOT, else <source dir>/labs of the configured tree.
std::string ResolveManifestRoot(const std::string& flag);

}  // namespace tinykv::grading::runner
