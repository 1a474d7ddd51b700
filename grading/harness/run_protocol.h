// What the grading runner asks of a scenario run through the environment (grading/runner/
// run_facts.h), done once for every scenario harness (kv_scenario, txn_scenario):
//   - TINYKV_TRACE_OUT (replay --trace F): keep the full event trace and write it at the end,
//     as JSON lines and as a Chrome / Perfetto trace (F.chrome.json);
//   - TINYKV_SIM_BREAK (debug --break SPEC): install the simulator breakpoints;
//   - the fingerprint of the run, reported as a run fact.
// And a small helper for the rounds of a scenario: a fiber the round waits for.
#pragma once

#include <functional>
#include <string>

#include "sim/executor.h"
#include "sim/sync.h"

namespace tinykv::harness {

// The trace path the runner asked for, or "" (then the trace need not be kept in full).
std::string TraceOutPath();

// Installs the breakpoints of TINYKV_SIM_BREAK, if set; a spec that does not parse is ignored
// with a warning on stderr (the runner validated it before starting the run).
void InstallBreakPointsFromEnv(sim::Executor& ex);

// After the run: reports the fingerprint, and writes the trace to `trace_path` (when not empty)
// and reports it.
void ReportRun(sim::Executor& ex, const std::string& trace_path);

// Spawns `body` as fiber `name` and counts it in `wg` until it returns (the round's Wait() waits
// for it).
void GoCounted(sim::WaitGroup& wg, const std::string& name, std::function<void()> body);

}  // namespace tinykv::harness
