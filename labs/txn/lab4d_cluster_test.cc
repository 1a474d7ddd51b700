// Lab 4D: the lab-4 commands as a distributed system. The same KvGet / KvPrewrite / KvCommit /
// KvScan / KvCheckTxnStatus / KvBatchRollback / KvResolveLock, served by five stores under the
// real scheduler, driven by transaction clients (txn/txn_client.h) on nodes of their own while
// nemeses strike (grading/harness/txn_scenario.h). What each scenario adds:
//   - Bank*: transfers between accounts and read-only sums; every sum must be the bank's total;
//   - ListAppend*: Elle's list-append workload over up to 300 keys, 8 in use at a time; the
//     history must be snapshot-isolated, and a
//     failure names the anomaly (G-single, G1c, ...) with its cycle, each edge in one line;
//   - ClientsStallPastTheirLockTtl: clients pause mid-commit for longer than their locks live,
//     on data split into many regions; others roll them back region by region, and a stalled
//     client's late commit must fail everywhere (a commit that "succeeds" on a rolled-back
//     primary commits half a transfer);
//   - ClientsCrashMidCommit: clients die between prewrite and commit, or after the primary
//     committed; others must roll their transactions back or forward, and no lock may remain.
// Every scenario ends with a liveness probe after each round and a sweep of every key; in the
// list-append ones the sweep's read is the history's last transaction, and every append a client
// was told had committed must be in it.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "grading/harness/txn_scenario.h"
#include "grading/runner/run_facts.h"
#include "grading/test_seed.h"

namespace tinykv::harness {
namespace {

using namespace std::chrono_literals;

void ExpectTxnScenarioPasses(const char* name, const TxnScenarioOptions& options) {
  const uint64_t seed = grading::TestSeed(1);
  const TxnScenarioResult r = RunTxnScenario(name, seed, options);
  auto n = [](uint64_t v) { return std::to_string(v); };
  char fingerprint[32];
  std::snprintf(fingerprint, sizeof fingerprint, "%016llx",
                static_cast<unsigned long long>(r.fingerprint));
  const std::string line =
      std::string(name) + " seed " + n(seed) + ": " + n(r.committed) + " committed, " +
      n(r.aborted) + " aborted, " + n(r.unknown) + " unknown, " + n(r.gave_up) + " gave up, " +
      n(r.sums) + " sums, " + n(r.locks_resolved) + " locks resolved, " + n(r.client_crashes) +
      " client crashes, " + n(r.client_stalls) + " stalls, " + n(r.regions) + " regions, " +
      n(r.conf_changes) + " conf changes, " + sim::FormatTime(r.virtual_time) + " virtual, " +
      n(r.events) + " events" + (r.verdict.empty() ? "" : ", " + r.verdict) + ", fingerprint " +
      fingerprint;
  std::printf("%s\n", line.c_str());
  if (!r.passed) {
    ADD_FAILURE() << grading::kCauseLinePrefix << r.failure;
    return;
  }
  EXPECT_GT(r.committed, 10u) << "the clients committed almost nothing";
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
  o.keys = 300;  // 8 at a time, each retired after 16 appends
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
  o.client_stall_probability = 0.05;
  o.split = true;
  o.conf_change = true;
  ExpectTxnScenarioPasses("Lab4D.ListAppendUnderCrashesSplitsAndChurn", o);
}

TEST(Lab4D, ClientsStallPastTheirLockTtl) {
  TxnScenarioOptions o = Bank();
  o.keys = 24;
  o.split = true;
  o.value_padding = 60;
  o.client_stall_probability = 0.1;
  ExpectTxnScenarioPasses("Lab4D.ClientsStallPastTheirLockTtl", o);
}

TEST(Lab4D, ClientsCrashMidCommit) {
  TxnScenarioOptions o = Bank();
  o.client_crash_probability = 0.15;
  ExpectTxnScenarioPasses("Lab4D.ClientsCrashMidCommit", o);
}

}  // namespace
}  // namespace tinykv::harness
