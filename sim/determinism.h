// The determinism check: run one scenario twice with one seed and compare the traces event by
// event. "identical", or the first event at which the two runs part ways — which is where to look
// for a wall-clock read, an unordered-container walk or an uninitialised value.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "sim/executor.h"
#include "sim/trace.h"

namespace tinykv::sim {

struct DeterminismReport {
  bool identical = false;
  uint64_t fingerprint[2] = {0, 0};
  uint64_t events[2] = {0, 0};
  TraceDiff diff;
  // "identical: 1234 events, fingerprint 0123…" or the first difference, both sides.
  std::string Describe() const;
};

// `scenario` sets up the world on the executor it is given and calls Run on it. It is called twice,
// each time with a fresh executor built from `options` (seed included) with the full trace kept.
DeterminismReport CheckDeterminism(const std::function<void(Executor&)>& scenario,
                                   ExecutorOptions options);

}  // namespace tinykv::sim
