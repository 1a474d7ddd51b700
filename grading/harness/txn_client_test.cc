// The transaction client (txn/txn_client.h) on a cluster with the real scheduler (its TSO and
// region lookups): concurrent transfers between accounts keep the total, every read transaction
// sees it, and no lock is left once every client is done.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "grading/harness/cluster.h"
#include "grading/test_seed.h"
#include "txn/txn_client.h"

namespace tinykv::harness {
namespace {

using namespace std::chrono_literals;

constexpr int kAccounts = 6;
constexpr int kInitial = 100;

std::string Account(int i) { return "acct" + std::to_string(i); }

txn::TxnClient MakeClient(Cluster& c, int64_t id) {
  txn::TxnClientOptions o;
  o.self = c.ClientNode(id);
  o.scheduler = kSchedulerNode;
  o.lock_ttl_ms = 50;
  return txn::TxnClient(c.network(), o);
}

// The sum of every account at a fresh snapshot, or nullopt when a read did not complete.
std::optional<int> Total(txn::TxnClient& client) {
  txn::Transaction t;
  if (!client.Begin(5s, &t).ok()) return std::nullopt;
  int sum = 0;
  for (int i = 0; i < kAccounts; ++i) {
    std::optional<std::string> v;
    if (!client.Get(t, Account(i), 5s, &v).ok()) return std::nullopt;
    sum += v ? std::stoi(*v) : 0;
  }
  return sum;
}

TEST(TxnClient, ConcurrentTransfersKeepTheTotal) {
  ClusterOptions o;
  o.stores = 3;
  o.seed = grading::TestSeed(1);
  o.with_scheduler = true;
  o.real_scheduler = true;
  o.max_replicas = 3;
  Cluster c(o);
  int committed = 0;
  int aborted = 0;
  std::vector<int> totals;
  sim::RunResult run = c.Run([&] {
    txn::TxnClient setup = MakeClient(c, 0);
    txn::Transaction init;
    ASSERT_TRUE(setup.Begin(10s, &init).ok());
    for (int i = 0; i < kAccounts; ++i) init.Set(Account(i), std::to_string(kInitial));
    ASSERT_EQ(setup.Commit(init, 10s), txn::TxnOutcome::kCommitted);

    sim::Rng rng = c.executor().Stream("transfers");
    sim::WaitGroup done("clients");
    for (int id = 1; id <= 3; ++id) {
      done.Add();
      sim::Go("client" + std::to_string(id), [&, id] {
        txn::TxnClient client = MakeClient(c, id);
        for (int n = 0; n < 15; ++n) {
          const int from = static_cast<int>(rng.Below(kAccounts));
          const int to = (from + 1 + static_cast<int>(rng.Below(kAccounts - 1))) % kAccounts;
          const int amount = 1 + static_cast<int>(rng.Below(10));
          txn::Transaction t;
          if (!client.Begin(5s, &t).ok()) continue;
          std::optional<std::string> a, b;
          if (!client.Get(t, Account(from), 5s, &a).ok() ||
              !client.Get(t, Account(to), 5s, &b).ok()) {
            continue;
          }
          t.Set(Account(from), std::to_string(std::stoi(a.value_or("0")) - amount));
          t.Set(Account(to), std::to_string(std::stoi(b.value_or("0")) + amount));
          const txn::TxnOutcome out = client.Commit(t, 5s);
          (out == txn::TxnOutcome::kCommitted ? committed : aborted) += 1;
          if (n % 5 == 4) {
            if (auto total = Total(client)) totals.push_back(*total);
          }
        }
        done.Done();
      });
    }
    done.Wait();
    txn::TxnClient checker = MakeClient(c, 9);
    std::optional<int> final_total = Total(checker);
    ASSERT_TRUE(final_total.has_value()) << "the final read did not complete";
    totals.push_back(*final_total);
  });
  ASSERT_EQ(run.outcome, sim::RunOutcome::kCompleted) << run.report;
  EXPECT_GT(committed, 10) << "most transfers should commit (" << aborted << " aborted)";
  EXPECT_GT(aborted, 0) << "three clients on six accounts must conflict sometimes";
  ASSERT_FALSE(totals.empty());
  for (int total : totals) {
    EXPECT_EQ(total, kAccounts * kInitial) << "a read transaction saw money appear or vanish";
  }
  std::printf(
      "TxnClient.ConcurrentTransfersKeepTheTotal seed %llu: %d committed, %d aborted, %zu "
      "totals read\n",
      static_cast<unsigned long long>(o.seed), committed, aborted, totals.size());
}

}  // namespace
}  // namespace tinykv::harness
