#include "sim/determinism.h"

#include <cinttypes>
#include <cstdio>
#include <memory>

namespace tinykv::sim {

std::string DeterminismReport::Describe() const {
  char buf[160];
  if (identical) {
    std::snprintf(buf, sizeof buf, "identical: %" PRIu64 " events, fingerprint %016" PRIx64,
                  events[0], fingerprint[0]);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "DIFFERENT: runs diverge at event #%" PRIu64 "\n",
                diff.first_difference);
  return std::string(buf) + "  run 1: " + diff.left + "\n  run 2: " + diff.right;
}

DeterminismReport CheckDeterminism(const std::function<void(Executor&)>& scenario,
                                   ExecutorOptions options) {
  options.keep_full_trace = true;
  DeterminismReport report;
  std::unique_ptr<Executor> runs[2];
  for (int i = 0; i < 2; ++i) {
    runs[i] = std::make_unique<Executor>(options);
    scenario(*runs[i]);
    report.fingerprint[i] = runs[i]->trace().fingerprint();
    report.events[i] = runs[i]->trace().event_count();
  }
  report.diff = CompareTraces(runs[0]->trace(), runs[1]->trace());
  report.identical = report.diff.identical && report.fingerprint[0] == report.fingerprint[1];
  return report;
}

}  // namespace tinykv::sim
