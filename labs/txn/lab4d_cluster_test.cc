// Lab 4D: the lab-4 commands as a distributed system. The same KvGet / KvPrewrite / KvCommit /
// KvScan / KvCheckTxnStatus / KvBatchRollback / KvResolveLock, served by five stores under the
// real scheduler, driven by transaction clients (txn/txn_client.h) on nodes of their own while
// nemeses strike (grading/harness/txn_scenario.h). What each scenario adds:
//   - Bank*: transfers between accounts and read-only sums; every sum must be the bank's total;
//   - ListAppend*: Elle's list-append workload; the history must be snapshot-isolated, and a
//     failure names the anomaly (G-single, G1c, ...) with its cycle, each edge in one line;
//   - ClientsCrashMidCommit: clients die between prewrite and commit, or after the primary
//     committed; others must roll their transactions back or forward, and no lock may remain.
// Every scenario ends with a liveness probe after each round and a sweep of every key.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "grading/harness/txn_scenario.h"
#include "grading/runner/run_facts.h"
#include "grading/test_seed.h"

namespace tinykv::harness {
namespace {

using namespace std::chrono_literals;

void ExpectTxnScenarioPasses(const char* name, const TxnScenarioOptions& options) {
  const uint64_t seed = grading::TestSeed(1);
  const TxnScenarioResult r = RunTxnScenario(name, seed, options);
  std::printf(
      "%s seed %llu: %llu committed, %llu aborted, %llu unknown, %llu gave up, %llu sums, %llu "
      "locks resolved, %llu client crashes, %llu regions, %llu conf changes, %s virtual, %llu "
      "events%s%s, fingerprint %016llx\n",
      name, static_cast<unsigned long long>(seed), static_cast<unsigned long long>(r.committed),
      static_cast<unsigned long long>(r.aborted), static_cast<unsigned long long>(r.unknown),
      static_cast<unsigned long long>(r.gave_up), static_cast<unsigned long long>(r.sums),
      static_cast<unsigned long long>(r.locks_resolved),
      static_cast<unsigned long long>(r.client_crashes), static_cast<unsigned long long>(r.regions),
      static_cast<unsigned long long>(r.conf_changes), sim::FormatTime(r.virtual_time).c_str(),
      static_cast<unsigned long long>(r.events), r.verdict.empty() ? "" : ", ", r.verdict.c_str(),
      static_cast<unsigned long long>(r.fingerprint));
  if (!r.passed) {
    ADD_FAILURE() << grading::kCauseLinePrefix << r.failure;
    return;
  }
  EXPECT_GT(r.committed, 20u) << "the clients committed almost nothing";
}

TxnScenarioOptions Bank() {
  TxnScenarioOptions o;
  o.workload = TxnWorkloadKind::kBank;
  o.keys = 8;
  return o;
}

TxnScenarioOptions ListAppend() {
  TxnScenarioOptions o;
  o.workload = TxnWorkloadKind::kListAppend;
  o.keys = 20;
  return o;
}

TEST(Lab4D, BankUnderPartitionsAndUnreliableLinks) {
  TxnScenarioOptions o = Bank();
  o.partitions = true;
  o.unreliable = true;
  ExpectTxnScenarioPasses("Lab4D.BankUnderPartitionsAndUnreliableLinks", o);
}

TEST(Lab4D, BankUnderStoreAndClientCrashes) {
  TxnScenarioOptions o = Bank();
  o.crash = true;
  o.client_crash_probability = 0.05;
  ExpectTxnScenarioPasses("Lab4D.BankUnderStoreAndClientCrashes", o);
}

TEST(Lab4D, BankAcrossSplitsAndMembershipChurn) {
  TxnScenarioOptions o = Bank();
  o.keys = 24;
  o.split = true;
  o.value_padding = 60;
  o.conf_change = true;
  ExpectTxnScenarioPasses("Lab4D.BankAcrossSplitsAndMembershipChurn", o);
}

TEST(Lab4D, ListAppendUnderPartitionsAndUnreliableLinks) {
  TxnScenarioOptions o = ListAppend();
  o.partitions = true;
  o.unreliable = true;
  ExpectTxnScenarioPasses("Lab4D.ListAppendUnderPartitionsAndUnreliableLinks", o);
}

TEST(Lab4D, ListAppendUnderCrashesSplitsAndChurn) {
  TxnScenarioOptions o = ListAppend();
  o.crash = true;
  o.client_crash_probability = 0.05;
  o.split = true;
  o.conf_change = true;
  ExpectTxnScenarioPasses("Lab4D.ListAppendUnderCrashesSplitsAndChurn", o);
}

TEST(Lab4D, ClientsCrashMidCommit) {
  TxnScenarioOptions o = Bank();
  o.client_crash_probability = 0.3;
  ExpectTxnScenarioPasses("Lab4D.ClientsCrashMidCommit", o);
}

}  // namespace
}  // namespace tinykv::harness
