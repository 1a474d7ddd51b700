// The runtime's own demonstration scenario: five nodes pinging each other over a faulty network
// while a nemesis partitions, clogs, crashes and pauses them. It exercises every part of sim/
// (fibers, timers, channels, RPC with timeouts, crash unwinding and restart, fault plans, trace),
// so it doubles as the probe for the determinism and cross-compiler checks. It will be replaced
// as `make demo` by the KV cluster scenario once the store exists.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "sim/executor.h"
#include "sim/fault_plan.h"
#include "sim/network.h"

namespace tinykv::sim::demo {

struct PingOptions {
  int nodes = 5;
  Duration chaos = std::chrono::seconds(20);    // nemesis active in [0, chaos)
  Duration liveness = std::chrono::seconds(5);  // then everything healed
  Duration ping_every = std::chrono::milliseconds(100);
  Duration ping_timeout = std::chrono::milliseconds(60);
  // When set, this plan is used instead of one generated from the seed.
  const FaultPlan* plan = nullptr;
};

struct PingReport {
  RunResult run;
  FaultPlan plan;
  uint64_t pings_ok = 0;
  uint64_t pings_timed_out = 0;
  uint64_t pings_ok_after_heal = 0;
  uint64_t restarts = 0;
  LinkCounters network;
  std::map<NodeId, uint64_t> served;  // pongs answered per node (all incarnations)
};

// Runs the scenario on `executor` (which must be fresh) and reports what happened.
PingReport RunPingScenario(Executor& executor, const PingOptions& options);

}  // namespace tinykv::sim::demo
