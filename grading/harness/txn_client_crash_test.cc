// The transaction client crashing at each point of its commit (txn::CommitPoint), on its own
// simulated node: the primary decides. Crashed before the primary committed, the transaction is
// rolled back by whoever meets its locks (once their TTL ran out); crashed after, it is rolled
// forward — every key shows the new value — though the client never sent the secondaries'
// commit. Either way no lock remains once every key has been read.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "grading/harness/cluster.h"
#include "grading/harness/txn_bank.h"
#include "grading/test_seed.h"
#include "sim/executor.h"
#include "sim/sync.h"
#include "txn/txn_client.h"

namespace tinykv::harness {
namespace {

using namespace std::chrono_literals;

// Keys 8+ bytes long, so raw and encoded key orders differ.
const std::vector<std::string> kKeys = {"crash-key-a", "crash-key-m", "crash-key-z"};

struct Outcome {
  bool crashed = false;
  std::vector<std::optional<std::string>> values;  // read afterwards by another client
  std::string failure;
};

// Writes "old" to every key, then a transaction writing "new" to every key whose client crashes
// at `point`; then another client reads every key at a fresh timestamp.
Outcome CrashAt(txn::CommitPoint point) {
  ClusterOptions o = TxnClusterOptions(grading::TestSeed(1));
  Cluster c(o);
  Outcome out;
  sim::RunResult run = c.Run([&] {
    txn::TxnClient setup = MakeTxnClient(c, 0);
    txn::Transaction init;
    if (!setup.Begin(10s, &init).ok()) {
      out.failure = "setup: no timestamp";
      return;
    }
    for (const std::string& k : kKeys) init.Set(k, "old");
    if (setup.Commit(init, 10s) != txn::TxnOutcome::kCommitted) {
      out.failure = "setup: the first transaction did not commit";
      return;
    }
    sim::Executor& ex = c.executor();
    const sim::NodeId node = c.ClientNode(1);
    sim::WaitGroup gone("crashing-client");
    gone.Add();
    ex.SpawnOn(node, "crashing-client", [&] {
      struct Done {
        sim::WaitGroup& wg;
        ~Done() { wg.Done(); }
      } done{gone};
      txn::TxnClientOptions co;
      co.self = node;
      co.scheduler = kSchedulerNode;
      co.lock_ttl_ms = 100;
      co.at = [&](txn::CommitPoint reached) {
        if (reached != point) return;
        out.crashed = true;
        ex.Crash(node);  // lands at the client's next blocking point
      };
      txn::TxnClient client(c.network(), co);
      txn::Transaction t;
      if (!client.Begin(5s, &t).ok()) return;
      for (const std::string& k : kKeys) t.Set(k, "new");
      (void)client.Commit(t, 5s);
    });
    gone.Wait();
    txn::TxnClient reader = MakeTxnClient(c, 2);
    txn::Transaction r;
    if (!reader.Begin(10s, &r).ok()) {
      out.failure = "read: no timestamp";
      return;
    }
    for (const std::string& k : kKeys) {
      std::optional<std::string> v;
      store::Status s = reader.Get(r, k, 10s, &v);
      if (!s.ok()) out.failure = "read of " + k + ": " + s.ToString();
      out.values.push_back(v);
    }
  });
  if (run.outcome != sim::RunOutcome::kCompleted) out.failure = run.report;
  return out;
}

void ExpectEveryKey(const Outcome& out, const char* want) {
  ASSERT_TRUE(out.failure.empty()) << out.failure;
  ASSERT_TRUE(out.crashed) << "the client never reached the crash point";
  ASSERT_EQ(out.values.size(), kKeys.size());
  for (size_t i = 0; i < kKeys.size(); ++i) {
    EXPECT_EQ(out.values[i].value_or("<absent>"), want) << kKeys[i];
  }
}

TEST(TxnClientCrash, AfterThePrimaryPrewriteRollsBack) {
  ExpectEveryKey(CrashAt(txn::CommitPoint::kPrimaryPrewritten), "old");
}

TEST(TxnClientCrash, AfterEveryPrewriteRollsBack) {
  ExpectEveryKey(CrashAt(txn::CommitPoint::kAllPrewritten), "old");
}

TEST(TxnClientCrash, AfterThePrimaryCommittedRollsForward) {
  ExpectEveryKey(CrashAt(txn::CommitPoint::kPrimaryCommitted), "new");
}

}  // namespace
}  // namespace tinykv::harness
