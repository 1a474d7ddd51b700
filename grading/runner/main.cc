// tinykv-grade: grades TinyKV-C++ labs. The only translation unit that includes CLI11 (it is
// expensive to compile); everything else lives in the tinykv_grade library.
//
//   tinykv-grade run LAB... [--seeds N] [--seed-base S] [--jobs J] [--json F] [--junit F]
//                           [--gradescope F]
//   tinykv-grade replay TEST --seed S [--trace F] [--html F]
//   tinykv-grade check-determinism TEST --seed S
//   tinykv-grade debug TEST --seed S [--break WHERE]
//   tinykv-grade list [--check]
#include <CLI/CLI.hpp>

#include <iostream>

#include "grading/runner/child_process.h"
#include "grading/runner/commands.h"
#include "sim/random.h"
#include "sim/trace.h"

namespace {

using tinykv::grading::runner::CommonArgs;
using tinykv::grading::runner::OneTestArgs;
using tinykv::grading::runner::RunArgs;

void AddCommon(CLI::App* app, CommonArgs* common) {
  app->add_option("--build-dir", common->build_dir,
                  "Build directory (default: $TINYKV_BUILD_DIR, else the one holding this binary)");
  app->add_option("--manifest-root", common->manifest_root,
                  "Directory of lab manifests, <root>/<lab>/manifest.textproto "
                  "(default: $TINYKV_MANIFEST_ROOT, else <source>/labs)");
}

CLI::App* AddOneTest(CLI::App& app, const std::string& name, const std::string& help,
                     OneTestArgs* args) {
  CLI::App* sub = app.add_subcommand(name, help);
  sub->add_option("TEST", args->test, "Test name, Suite.Name (e.g. Lab2AA.StartsAsFollower)")
      ->required();
  sub->add_option("--seed", args->seed, "Seed of the run")->required();
  AddCommon(sub, &args->common);
  return sub;
}

}  // namespace

int main(int argc, char** argv) {
  tinykv::grading::runner::InstallRunnerSignalHandlers();
  CLI::App app("tinykv-grade: grades TinyKV-C++ labs, one child process per (test, seed)");
  app.require_subcommand(1);

  RunArgs run;
  CLI::App* run_cmd = app.add_subcommand("run", "Grade lab parts and print a table of results");
  run_cmd->add_option(
      "LAB", run.labs,
      "Lab parts or aggregates: lab1 lab2a lab2aa lab2ab lab2ac lab2b lab2c lab3a "
      "lab3b lab3c lab4a lab4b lab4c lab4d lab2 lab3 lab4 all (default with --test: "
      "all)");
  run_cmd->add_option("--test", run.tests,
                      "Only these tests: a name (Lab2B.Unreliable) or a glob (Lab2B.Persist*); "
                      "repeatable");
  run_cmd->add_option("--seeds", run.seeds, "Seeds per test (default: the manifest's)")
      ->check(CLI::Range(1, 100000));
  run_cmd
      ->add_option("--seed-base", run.seed_base,
                   "Draw seeds deterministically from this base instead of the defaults")
      // A decimal in [0, 2^64): CLI11 alone would let "-1" wrap to 18446744073709551615.
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            uint64_t v = 0;
            return tinykv::sim::ParseSeed(text, &v)
                       ? ""
                       : "a seed base is a decimal number in [0, 2^64), not \"" + text + "\"";
          },
          "S", "SeedBase"));
  run_cmd->add_option("--jobs,-j", run.jobs, "Child processes at a time (default: CPUs)")
      ->check(CLI::Range(1, 256));
  run_cmd
      ->add_option("--timeout", run.timeout_seconds,
                   "CPU seconds per (test, seed), overriding the manifest (a test that blocks "
                   "ends at 3 x this + 30 s of wall-clock time)")
      ->check(CLI::Range(1, 3600));
  run_cmd
      ->add_option("--memory-limit-mb", run.memory_limit_mb,
                   "Resident memory per (test, seed) in MiB, overriding the manifest (0: none; "
                   "else at least 64, what a test program needs to start)")
      ->check([](const std::string& text) {
        const bool ok = text == "0" || (text.find_first_not_of("0123456789") == std::string::npos &&
                                        text.size() <= 7 && std::stoul(text) >= 64 &&
                                        std::stoul(text) <= (1u << 20));
        return ok ? std::string()
                  : "0 (no limit) or a number of MiB in [64, 1048576], not \"" + text + "\"";
      });
  run_cmd
      ->add_option("--output-limit-mb", run.output_limit_mb,
                   "Kill a child that prints more than this many MiB (default 64)")
      ->check(CLI::Range(1, 1 << 20));
  run_cmd->add_option("--json", run.json_file, "Write the full results as JSON");
  run_cmd->add_option("--junit", run.junit_file, "Write JUnit XML (one testcase per seed)");
  run_cmd->add_option("--gradescope", run.gradescope_file, "Write Gradescope results.json");
  run_cmd->add_flag("!--no-progress", run.progress, "No live progress line");
  AddCommon(run_cmd, &run.common);

  CommonArgs list;
  bool list_check = false;
  CLI::App* list_cmd = app.add_subcommand("list", "List lab parts, their tests and points");
  list_cmd->add_flag("--check", list_check,
                     "Check the manifests against the built test binaries (--gtest_list_tests)");
  AddCommon(list_cmd, &list);

  RunArgs targets;
  CLI::App* targets_cmd = app.add_subcommand(
      "targets", "Print the build targets (test binaries) that grading these labs / tests needs");
  targets_cmd->add_option("LAB", targets.labs, "Lab parts or aggregates, as for run");
  targets_cmd->add_option("--test", targets.tests, "Only these tests (names or globs)");
  AddCommon(targets_cmd, &targets.common);

  OneTestArgs replay;
  CLI::App* replay_cmd =
      AddOneTest(app, "replay", "Re-run one test with one seed in the foreground", &replay);
  replay_cmd->add_option("--trace", replay.trace_file, "Write the event trace here (scenarios)");
  replay_cmd->add_option("--html", replay.html_file, "Write the HTML timeline here (scenarios)");

  OneTestArgs determinism;
  AddOneTest(app, "check-determinism", "Run a seed twice and compare the trace fingerprints",
             &determinism);

  OneTestArgs debug;
  CLI::App* debug_cmd = AddOneTest(app, "debug", "Run one test with one seed under gdb", &debug);
  std::string kinds;
  for (int k = 0; k <= static_cast<int>(tinykv::sim::EventKind::kNote); ++k) {
    kinds += std::string(k ? ", " : "") +
             tinykv::sim::EventKindName(static_cast<tinykv::sim::EventKind>(k));
  }
  debug_cmd->add_option("--break", debug.break_spec,
                        "Where to stop, comma-separated: a gdb location (raft.cc:120, a "
                        "function), or on a simulator scenario event:N (the N-th event), time:T "
                        "(virtual time, e.g. 2.5s or 1500ms) or on:KIND, KIND one of: " +
                            kinds + ", leader-change");
  debug_cmd->add_flag("--print-only", debug.print_only, "Print the gdb command instead");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 64;
  }
  namespace r = tinykv::grading::runner;
  if (run_cmd->parsed()) return r::RunCommand(run);
  if (list_cmd->parsed()) return r::ListCommand(list, list_check);
  if (targets_cmd->parsed()) return r::TargetsCommand(targets);
  if (replay_cmd->parsed()) return r::ReplayCommand(replay);
  if (debug_cmd->parsed()) return r::DebugCommand(debug);
  return r::CheckDeterminismCommand(determinism);
}
