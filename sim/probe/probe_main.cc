// tinykv-sim-probe: prints the fingerprint of the demo scenario for a few seeds. Built by the main
// build and, stand-alone, by another compiler at another optimisation level (sim/probe/compare.sh):
// the outputs must be identical, or a seed would replay differently on a student's machine.
#include <cinttypes>
#include <cstdio>

#include "sim/demo/ping_scenario.h"

int main() {
  using namespace tinykv::sim;
  for (uint64_t seed : {1u, 2u, 3u, 42u, 1000u}) {
    Executor ex(ExecutorOptions{.seed = seed});
    demo::PingReport r = demo::RunPingScenario(ex, demo::PingOptions{});
    std::printf("seed %" PRIu64 " events %" PRIu64 " pings %" PRIu64 "/%" PRIu64
                " fingerprint %016" PRIx64 "\n",
                seed, ex.trace().event_count(), r.pings_ok, r.pings_timed_out,
                ex.trace().fingerprint());
  }
  return 0;
}
