// Lab 2B graded scenarios: a fault-tolerant KV service on Raft, five stores in the simulator.
//
// Each test runs the generic KV scenario (grading/harness/kv_scenario.h) — the situations of
// TinyKV's project 2B tests: one or many clients, reliable or unreliable links, random partitions,
// and crashes of every store between rounds (restarted from what their disks kept). Three rounds
// of about five virtual seconds of client load each. A test passes when every operation of the
// run is linearizable and the healed cluster makes progress after each round.
//
// Replay a failing seed: make replay TEST=Lab2B.Unreliable SEED=<seed>
#include <gtest/gtest.h>

#include <cstdio>

#include "grading/harness/kv_scenario.h"
#include "grading/test_seed.h"

namespace tinykv::harness {
namespace {

void Expect(const char* name, KvScenarioOptions options) {
  const uint64_t seed = grading::TestSeed(1);
  KvScenarioResult r = RunKvScenario(name, seed, options);
  std::printf("%s seed %llu: %llu operations, %s virtual, %llu events, fingerprint %016llx\n", name,
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(r.operations),
              sim::FormatTime(r.virtual_time).c_str(), static_cast<unsigned long long>(r.events),
              static_cast<unsigned long long>(r.fingerprint));
  EXPECT_TRUE(r.passed) << name << " seed " << seed << ": " << r.failure;
  EXPECT_GT(r.operations, 20u) << "the clients completed almost nothing";
}

KvScenarioOptions Clients(int n) {
  KvScenarioOptions o;
  o.clients = n;
  return o;
}

TEST(Lab2B, Basic) { Expect("Lab2B.Basic", Clients(1)); }

TEST(Lab2B, Concurrent) { Expect("Lab2B.Concurrent", Clients(5)); }

TEST(Lab2B, Unreliable) {
  KvScenarioOptions o = Clients(5);
  o.unreliable = true;
  Expect("Lab2B.Unreliable", o);
}

TEST(Lab2B, ManyPartitionsOneClient) {
  KvScenarioOptions o = Clients(1);
  o.partitions = true;
  Expect("Lab2B.ManyPartitionsOneClient", o);
}

TEST(Lab2B, ManyPartitionsManyClients) {
  KvScenarioOptions o = Clients(5);
  o.partitions = true;
  Expect("Lab2B.ManyPartitionsManyClients", o);
}

TEST(Lab2B, PersistOneClient) {
  KvScenarioOptions o = Clients(1);
  o.crash = true;
  Expect("Lab2B.PersistOneClient", o);
}

TEST(Lab2B, PersistConcurrent) {
  KvScenarioOptions o = Clients(5);
  o.crash = true;
  Expect("Lab2B.PersistConcurrent", o);
}

TEST(Lab2B, PersistConcurrentUnreliable) {
  KvScenarioOptions o = Clients(5);
  o.crash = true;
  o.unreliable = true;
  Expect("Lab2B.PersistConcurrentUnreliable", o);
}

TEST(Lab2B, PersistPartition) {
  KvScenarioOptions o = Clients(5);
  o.crash = true;
  o.partitions = true;
  Expect("Lab2B.PersistPartition", o);
}

TEST(Lab2B, PersistPartitionUnreliable) {
  KvScenarioOptions o = Clients(5);
  o.crash = true;
  o.partitions = true;
  o.unreliable = true;
  Expect("Lab2B.PersistPartitionUnreliable", o);
}

}  // namespace
}  // namespace tinykv::harness
