// Lab 3C cluster scenarios: the scheduler node (scheduler/scheduler_node.h) runs the whole
// cluster — stores register with it, split through it, and carry out the operators its
// coordinator hands them — while clients hammer the data and every operation is checked for
// linearizability (grading/harness/kv_scenario.h). What each scenario adds:
//   - BalanceAfterStoresJoin: three stores hold the data, split into >= 30 regions; three empty
//     stores join, and within the balance budget every store's data and leader count must come
//     within 20 % of the mean (measured on the stores, not in the scheduler's view), and then
//     the regions must stop moving;
//   - ReplaceAStoreDownForGood: after the balance, one store crashes for good: once it has been
//     silent for max-store-down-time, its regions must get a new peer each, elsewhere;
//   - BalanceThroughSchedulerRestarts: the scheduler crashes and restarts every round (its TSO
//     never goes back, its region tree and ids survive on its disk, and balance still completes);
//   - BalanceUnderPartitionsAndUnreliableLinks: the same balance with the 2B nemeses on.
#include <gtest/gtest.h>

#include <chrono>

#include "labs/raft/scenario_expect.h"

namespace tinykv::harness {
namespace {

using namespace std::chrono_literals;

// Six stores, data on the first three; 100 keys of ~55 bytes preloaded split into ~32 regions of
// at most 300 bytes; the other three join after the preload; three rounds of 10 s of clients.
KvScenarioOptions StoresJoin(int clients) {
  KvScenarioOptions o = Clients(clients);
  o.stores = 6;
  o.joining_stores = 3;
  o.real_scheduler = true;
  o.max_replicas = 3;
  o.split = true;
  o.preload = true;
  o.keys = 100;
  o.value_padding = 40;
  o.min_regions = 30;
  o.rounds = 3;
  o.round = 10s;
  o.balance_budget = 30s;  // measured: 13-15 s on seeds 1-20
  o.max_store_down_time = 2s;
  o.client_think_time = 20ms;
  return o;
}

TEST(Lab3C, BalanceAfterStoresJoin) {
  ExpectScenarioPasses("Lab3C.BalanceAfterStoresJoin", StoresJoin(3));
}

TEST(Lab3C, ReplaceAStoreDownForGood) {
  KvScenarioOptions o = StoresJoin(3);
  o.retire_round = 3;
  ExpectScenarioPasses("Lab3C.ReplaceAStoreDownForGood", o);
}

TEST(Lab3C, BalanceThroughSchedulerRestarts) {
  KvScenarioOptions o = StoresJoin(3);
  o.crash_scheduler = true;
  o.balance_budget = 40s;  // measured: 11-25 s on seeds 1-20
  ExpectScenarioPasses("Lab3C.BalanceThroughSchedulerRestarts", o);
}

TEST(Lab3C, BalanceUnderPartitionsAndUnreliableLinks) {
  KvScenarioOptions o = StoresJoin(3);
  o.partitions = true;
  o.unreliable = true;
  o.balance_budget = 60s;  // measured: 12-43 s on seeds 1-20 (the partitions last 30 s)
  ExpectScenarioPasses("Lab3C.BalanceUnderPartitionsAndUnreliableLinks", o);
}

}  // namespace
}  // namespace tinykv::harness
