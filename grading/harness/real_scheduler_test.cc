// The raftstore with the real scheduler node (scheduler/scheduler_node.h) instead of the mock:
// stores register, heartbeat, split through AskSplit, and carry out the operators of the
// scheduler's own coordinator and of the harness — the generic KV scenario must pass as it does
// with the mock, every operation linearizable.
#include <gtest/gtest.h>

#include "grading/harness/kv_scenario.h"
#include "grading/test_seed.h"

namespace tinykv::harness {
namespace {

KvScenarioOptions OnTheRealScheduler() {
  KvScenarioOptions o;
  o.clients = 3;
  o.rounds = 2;
  o.real_scheduler = true;
  o.max_replicas = 5;  // every store holds the first region: nothing to repair
  return o;
}

// Seeds S, S+1, S+2 (S = TINYKV_SEED, default 1), so a sweep can run them all.
void ExpectPasses(const std::string& name, const KvScenarioOptions& o) {
  const uint64_t base = grading::TestSeed(1);
  for (uint64_t seed = base; seed < base + 3; ++seed) {
    const KvScenarioResult r = RunKvScenario(name, seed, o);
    EXPECT_TRUE(r.passed) << name << " seed " << seed << ": " << r.failure;
    std::printf("%s seed %llu: %llu operations, %llu regions\n", name.c_str(),
                static_cast<unsigned long long>(seed),
                static_cast<unsigned long long>(r.operations),
                static_cast<unsigned long long>(r.regions));
  }
}

TEST(RealScheduler, SplitsHappenThroughTheRealScheduler) {
  KvScenarioOptions o = OnTheRealScheduler();
  o.split = true;
  o.keys = 20;
  o.value_padding = 40;
  o.crash = true;
  ExpectPasses("RealScheduler.Split", o);
}

TEST(RealScheduler, MembershipChurnThroughTheRealScheduler) {
  KvScenarioOptions o = OnTheRealScheduler();
  o.conf_change = true;
  ExpectPasses("RealScheduler.ConfChange", o);
}

}  // namespace
}  // namespace tinykv::harness
