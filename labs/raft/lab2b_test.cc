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

#include "grading/check/checker.h"
#include "grading/harness/cluster.h"
#include "grading/harness/kv_scenario.h"
#include "grading/test_seed.h"
#include "labs/raft/scenario_expect.h"
#include "store/raftstore/store_node.h"

namespace tinykv::harness {
namespace {

TEST(Lab2B, Basic) { ExpectScenarioPasses("Lab2B.Basic", Clients(1)); }

TEST(Lab2B, Concurrent) { ExpectScenarioPasses("Lab2B.Concurrent", Clients(5)); }

TEST(Lab2B, Unreliable) {
  KvScenarioOptions o = Clients(5);
  o.unreliable = true;
  ExpectScenarioPasses("Lab2B.Unreliable", o);
}

// The leader's side of a partition keeps serving; the minority side applies nothing; an old leader
// cut into a minority is replaced, never answers with stale data, and catches up after the heal.
TEST(Lab2B, OnePartition) {
  using namespace std::chrono_literals;
  const uint64_t seed = grading::TestSeed(1);
  ClusterOptions options;
  options.seed = seed;
  Cluster c(options);
  KvClient client(c, 0);
  std::vector<std::string> failures;
  auto must_put = [&](const std::string& k, const std::string& v) {
    if (!PutUntilAcknowledged(c, client, k, v, 20s)) {
      failures.push_back("put " + k + "=" + v + " did not succeed within 20 s");
    }
  };
  auto must_get = [&](const std::string& k, const std::string& want) {
    std::optional<std::string> got = client.Get(k, 20s);
    if (!got || *got != want) {
      failures.push_back("get " + k + " returned '" + got.value_or("<nothing>") + "', want '" +
                         want + "'");
    }
  };
  auto wait_for = [&](const std::function<bool()>& done, sim::Duration budget) {
    return WaitFor(c, done, budget);
  };
  sim::RunResult run = c.Run([&] {
    must_put("k0", "v0");
    ASSERT_TRUE(wait_for([&] { return c.Leader().has_value(); }, 5s)) << "no leader elected";
    const sim::NodeId leader = *c.Leader();
    std::vector<sim::NodeId> s1{leader}, s2;
    for (sim::NodeId id : c.store_ids()) {
      if (id == leader) continue;
      (s1.size() < 3 ? s1 : s2).push_back(id);
    }
    // The leader is in the majority: writes and reads go on; the minority applies nothing.
    c.Partition({s1, s2});
    must_put("k1", "v1");
    must_get("k1", "v1");
    sim::Sleep(500ms);
    for (sim::NodeId id : s2) {
      EXPECT_FALSE(c.store(id).LocalValue("k1").has_value())
          << "store " << id << " in the minority applied k1";
    }
    c.Heal();
    // The old leader is now in a minority of two: the majority elects a new leader.
    s2.push_back(s1[2]);
    s1.resize(2);
    c.Partition({s1, s2});
    must_get("k1", "v1");
    must_put("k1", "changed");
    must_get("k1", "changed");
    c.Heal();
    // Healed: the old leader catches up.
    must_put("k2", "v2");
    must_get("k2", "v2");
    EXPECT_TRUE(wait_for(
        [&] {
          return c.store(s1[0]).LocalValue("k2") == std::optional<std::string>("v2") &&
                 c.store(s1[0]).LocalValue("k1") == std::optional<std::string>("changed");
        },
        5s))
        << "the old leader (store " << s1[0] << ") did not catch up after the heal";
  });
  EXPECT_EQ(run.outcome, sim::RunOutcome::kCompleted) << run.report;
  std::printf("Lab2B.OnePartition seed %llu: %zu operations, %s virtual\n",
              static_cast<unsigned long long>(seed), c.history().history().ops.size(),
              sim::FormatTime(run.end_time).c_str());
  for (const std::string& f : failures) ADD_FAILURE() << "seed " << seed << ": " << f;
  ExpectLinearizable(c.history().history());
}

TEST(Lab2B, ManyPartitionsOneClient) {
  KvScenarioOptions o = Clients(1);
  o.partitions = true;
  ExpectScenarioPasses("Lab2B.ManyPartitionsOneClient", o);
}

TEST(Lab2B, ManyPartitionsManyClients) {
  KvScenarioOptions o = Clients(5);
  o.partitions = true;
  ExpectScenarioPasses("Lab2B.ManyPartitionsManyClients", o);
}

TEST(Lab2B, PersistOneClient) {
  KvScenarioOptions o = Clients(1);
  o.crash = true;
  ExpectScenarioPasses("Lab2B.PersistOneClient", o);
}

TEST(Lab2B, PersistConcurrent) {
  KvScenarioOptions o = Clients(5);
  o.crash = true;
  ExpectScenarioPasses("Lab2B.PersistConcurrent", o);
}

TEST(Lab2B, PersistConcurrentUnreliable) {
  KvScenarioOptions o = Clients(5);
  o.crash = true;
  o.unreliable = true;
  ExpectScenarioPasses("Lab2B.PersistConcurrentUnreliable", o);
}

TEST(Lab2B, PersistPartition) {
  KvScenarioOptions o = Clients(5);
  o.crash = true;
  o.partitions = true;
  ExpectScenarioPasses("Lab2B.PersistPartition", o);
}

TEST(Lab2B, PersistPartitionUnreliable) {
  KvScenarioOptions o = Clients(5);
  o.crash = true;
  o.partitions = true;
  o.unreliable = true;
  ExpectScenarioPasses("Lab2B.PersistPartitionUnreliable", o);
}

}  // namespace
}  // namespace tinykv::harness
