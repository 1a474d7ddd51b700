// tinykv-sim-demo: runs the ping scenario on a seeded, fault-injected five-node world and prints a
// readable report. `make demo` runs it until the KV cluster demo replaces it.
//
//   tinykv-sim-demo [--seed N] [--plan FILE] [--save-plan FILE] [--trace FILE.jsonl]
//                   [--chrome-trace FILE.json] [--break SPEC]... [--check-determinism]
#include <CLI/CLI.hpp>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "sim/debug.h"
#include "sim/demo/ping_scenario.h"
#include "sim/determinism.h"

using namespace tinykv::sim;

namespace {

bool WriteFile(const std::string& path, const std::function<void(std::ostream&)>& write) {
  std::ofstream out(path);
  write(out);
  out.close();
  if (!out) {
    std::fprintf(stderr, "error: cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"TinyKV-C++ simulator demo: five nodes pinging each other under a nemesis"};
  uint64_t seed = 1;
  std::string seed_text = "1";
  int nodes = 5;
  double chaos_seconds = 20;
  std::string plan_path, save_plan_path, trace_path, chrome_path;
  std::vector<std::string> breaks;
  bool check_determinism = false;
  app.add_option("--seed", seed_text, "seed of the run (decides faults and interleavings)");
  app.add_option("--nodes", nodes, "number of nodes")->check(CLI::Range(2, 64));
  app.add_option("--chaos-seconds", chaos_seconds, "virtual seconds of chaos before healing")
      ->check(CLI::Range(0.0, 3600.0));
  app.add_option("--plan", plan_path, "replay this fault plan instead of generating one")
      ->check(CLI::ExistingFile);
  app.add_option("--save-plan", save_plan_path, "write the run's fault plan here");
  app.add_option("--trace", trace_path, "write the event trace as JSON lines here");
  app.add_option("--chrome-trace", chrome_path, "write a Chrome/Perfetto trace here");
  app.add_option("--break", breaks, "event:N | time:T | on:KIND — call tinykv_sim_break()");
  app.add_flag("--check-determinism", check_determinism, "run twice and compare the traces");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 64;
  }

  if (!ParseSeed(seed_text, &seed)) {
    std::fprintf(stderr, "error: --seed %s: a seed is a decimal number in [0, 2^64)\n",
                 seed_text.c_str());
    return 64;
  }

  // Output files are checked before the run, not after it: a typo in a path costs no run.
  for (const std::string* path : {&trace_path, &chrome_path, &save_plan_path}) {
    if (path->empty()) continue;
    std::ofstream probe(*path, std::ios::app);
    if (!probe) {
      std::fprintf(stderr, "error: cannot write %s\n", path->c_str());
      return 73;
    }
  }

  demo::PingOptions options;
  options.nodes = nodes;
  options.chaos =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double>(chaos_seconds));
  FaultPlan loaded;
  if (!plan_path.empty()) {
    std::string error;
    if (!FaultPlan::LoadFromFile(plan_path, &loaded, &error)) {
      std::fprintf(stderr, "error: %s\n", error.c_str());
      return 65;
    }
    std::vector<NodeId> ids;
    for (int i = 1; i <= nodes; ++i) ids.push_back(static_cast<NodeId>(i));
    if (!loaded.Validate(ids, &error)) {
      std::fprintf(stderr, "error: %s: %s\n", plan_path.c_str(), error.c_str());
      return 65;
    }
    options.plan = &loaded;
  }
  BreakPoints points;
  for (const std::string& spec : breaks) {
    std::string error;
    if (!ParseBreakSpec(spec, &points, &error)) {
      std::fprintf(stderr, "error: %s\n", error.c_str());
      return 64;
    }
  }

  ExecutorOptions exec_options;
  exec_options.seed = seed;
  exec_options.keep_full_trace = !trace_path.empty() || !chrome_path.empty();

  if (check_determinism) {
    DeterminismReport r =
        CheckDeterminism([&](Executor& ex) { demo::RunPingScenario(ex, options); }, exec_options);
    std::printf("determinism check, seed %" PRIu64 ": %s\n", seed, r.Describe().c_str());
    return r.identical ? 0 : 1;
  }

  Executor ex(exec_options);
  if (!points.empty()) InstallBreakPoints(ex, points);
  const auto wall_start = std::chrono::steady_clock::now();
  demo::PingReport report = demo::RunPingScenario(ex, options);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  const double virt = static_cast<double>(report.run.end_time.count()) / 1e9;

  std::printf("TinyKV-C++ simulator demo — %d nodes pinging each other under a nemesis\n", nodes);
  std::printf("  seed               %" PRIu64 "\n", seed);
  std::printf("  outcome            %s\n", RunOutcomeName(report.run.outcome));
  std::printf("  virtual time       %.3f s (chaos %.1f s, then healed)\n", virt, chaos_seconds);
  std::printf("  wall time          %.3f s (%.0fx faster than real time)\n", wall,
              wall > 0 ? virt / wall : 0.0);
  std::printf("  events             %" PRIu64 "\n", ex.trace().event_count());
  std::printf("  fiber steps        %" PRIu64 "\n", report.run.steps);
  std::printf("  faults injected    %zu (%" PRIu64 " crash-restarts)\n", report.plan.faults.size(),
              report.restarts);
  std::printf("  packets            %" PRIu64 " sent, %" PRIu64 " delivered, %" PRIu64
              " dropped, %" PRIu64 " duplicated\n",
              report.network.sent, report.network.delivered, report.network.dropped,
              report.network.duplicated);
  std::printf("  pings              %" PRIu64 " answered, %" PRIu64 " timed out, %" PRIu64
              " answered after the heal\n",
              report.pings_ok, report.pings_timed_out, report.pings_ok_after_heal);
  std::printf("  fingerprint        %016" PRIx64 "\n", ex.trace().fingerprint());
  std::printf("  first faults:\n");
  for (size_t i = 0; i < report.plan.faults.size() && i < 8; ++i) {
    std::printf("    %s\n", FormatFault(report.plan.faults[i]).c_str());
  }
  if (report.plan.faults.size() > 8)
    std::printf("    … (%zu more)\n", report.plan.faults.size() - 8);
  std::printf("  replay this run:   tinykv-sim-demo --seed %" PRIu64 "\n", seed);

  if (!save_plan_path.empty()) {
    std::string error;
    if (!report.plan.SaveToFile(save_plan_path, &error)) {
      std::fprintf(stderr, "error: %s\n", error.c_str());
      return 1;
    }
  }
  if (!trace_path.empty() &&
      !WriteFile(trace_path, [&](std::ostream& o) { ex.trace().WriteJsonl(o); }))
    return 1;
  if (!chrome_path.empty() &&
      !WriteFile(chrome_path, [&](std::ostream& o) { ex.trace().WriteChromeTrace(o); })) {
    return 1;
  }
  // Liveness: once healed, pings must get through again.
  if (report.run.outcome != RunOutcome::kCompleted || report.pings_ok_after_heal == 0) {
    std::printf("  LIVENESS FAILURE: no ping answered after the heal\n");
    return 1;
  }
  return 0;
}
