// Lab 2C graded scenarios, raftstore side: log compaction (CompactLog + raft-log GC) and snapshots.
//
// The situations of TinyKV's project 2C tests. The generic scenarios run with a raft-log GC limit
// of 100 entries and, besides linearizability and liveness, require every live store's log to stay
// within a few limits of its applied index after each round. OneSnapshot isolates a store, lets
// the others compact past what it has, and requires it to catch up by applying a snapshot.
//
// Replay a failing seed: make replay TEST=Lab2C.SnapshotRecover SEED=<seed>
#include <gtest/gtest.h>

#include <cstdio>

#include "grading/check/checker.h"
#include "grading/harness/cluster.h"
#include "grading/harness/kv_scenario.h"
#include "grading/test_seed.h"
#include "labs/raft/scenario_expect.h"
#include "store/raftstore/peer.h"
#include "store/raftstore/peer_storage.h"
#include "store/raftstore/store_node.h"

namespace tinykv::harness {
namespace {

using namespace std::chrono_literals;

// The 2C scenarios are the 2B ones with Raft-log GC on: snapshots become necessary.
void Expect(const char* name, KvScenarioOptions options) {
  options.raft_log_gc_limit = 100;
  options.lagging_store = true;
  ExpectScenarioPasses(name, options);
}

TEST(Lab2C, OneSnapshot) {
  const uint64_t seed = grading::TestSeed(1);
  ClusterOptions options;
  options.stores = 3;
  options.seed = seed;
  options.raft.raft_log_gc_count_limit = 10;
  Cluster c(options);
  KvClient client(c, 0);
  std::vector<std::string> failures;
  auto must_put = [&](const std::string& k, const std::string& v) {
    if (!PutUntilAcknowledged(c, client, k, v, 20s)) {
      failures.push_back("put " + k + " did not succeed within 20 s");
    }
  };
  auto wait_for = [&](const std::function<bool()>& done, sim::Duration budget) {
    return WaitFor(c, done, budget);
  };
  sim::NodeId lagging = 0;
  sim::RunResult run = c.Run([&] {
    must_put("k1", "v1");
    if (!wait_for([&] { return c.Leader().has_value(); }, 5s)) {
      failures.push_back("no leader elected");
      return;
    }
    const sim::NodeId leader = *c.Leader();
    for (sim::NodeId id : c.store_ids()) {
      if (id != leader) lagging = id;
    }
    std::vector<sim::NodeId> rest;
    for (sim::NodeId id : c.store_ids()) {
      if (id != lagging) rest.push_back(id);
    }
    c.Partition({{lagging}, rest});
    for (int i = 0; i < 100; ++i) must_put("k" + std::to_string(i % 10), "v" + std::to_string(i));
    // The majority compacts its log past everything the lagging store has.
    const bool compacted = wait_for(
        [&] {
          const raftstore::Peer* lead = c.store(leader).peer();
          const raftstore::Peer* lag = c.store(lagging).peer();
          return lead != nullptr && lag != nullptr &&
                 lead->vitals().truncated > lag->vitals().last_index;
        },
        5s);
    if (!compacted) {
      failures.push_back(
          "the leader never compacted its log past the lagging store's (GC limit 10)");
    }
    c.Heal();
    // Caught up: the data is there and no snapshot apply is still finishing (its data is
    // visible before the apply completes).
    const bool caught_up = wait_for(
        [&] {
          const raftstore::Peer* p = c.store(lagging).peer();
          return c.store(lagging).LocalValue("k9") == std::optional<std::string>("v99") &&
                 p != nullptr && !p->applying_snapshot();
        },
        10s);
    if (!caught_up) {
      failures.push_back("store " + std::to_string(lagging) + " did not catch up after the heal");
    }
  });
  EXPECT_EQ(run.outcome, sim::RunOutcome::kCompleted) << run.report;
  for (const std::string& f : failures) ADD_FAILURE() << "seed " << seed << ": " << f;
  ASSERT_NE(lagging, 0u);
  EXPECT_GT(c.store(lagging).snapshots_applied(), 0u)
      << "store " << lagging
      << " caught up without a snapshot: the log was not compacted far enough";
  ExpectLinearizable(c.history().history());
}

TEST(Lab2C, SnapshotRecover) {
  KvScenarioOptions o = Clients(1);
  o.crash = true;
  Expect("Lab2C.SnapshotRecover", o);
}

TEST(Lab2C, SnapshotRecoverManyClients) {
  KvScenarioOptions o = Clients(20);
  o.crash = true;
  Expect("Lab2C.SnapshotRecoverManyClients", o);
}

TEST(Lab2C, SnapshotUnreliable) {
  KvScenarioOptions o = Clients(5);
  o.unreliable = true;
  Expect("Lab2C.SnapshotUnreliable", o);
}

TEST(Lab2C, SnapshotUnreliableRecover) {
  KvScenarioOptions o = Clients(5);
  o.unreliable = true;
  o.crash = true;
  Expect("Lab2C.SnapshotUnreliableRecover", o);
}

TEST(Lab2C, SnapshotUnreliableRecoverConcurrentPartition) {
  KvScenarioOptions o = Clients(5);
  o.unreliable = true;
  o.crash = true;
  o.partitions = true;
  Expect("Lab2C.SnapshotUnreliableRecoverConcurrentPartition", o);
}

}  // namespace
}  // namespace tinykv::harness
