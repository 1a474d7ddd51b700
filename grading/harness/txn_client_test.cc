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
#include "grading/harness/txn_bank.h"
#include "grading/test_seed.h"
#include "txn/txn_client.h"

namespace tinykv::harness {
namespace {

using namespace std::chrono_literals;

constexpr int kAccounts = 6;
constexpr int kInitial = 100;

std::string Account(int i) { return "acct" + std::to_string(i); }

std::vector<std::string> Accounts() {
  std::vector<std::string> all;
  for (int i = 0; i < kAccounts; ++i) all.push_back(Account(i));
  return all;
}

TEST(TxnClient, ConcurrentTransfersKeepTheTotal) {
  ClusterOptions o = TxnClusterOptions(grading::TestSeed(1));
  Cluster c(o);
  BankOptions bank;
  bank.accounts = Accounts();
  bank.initial = kInitial;
  BankTally tally;
  sim::RunResult run = c.Run([&] { RunBank(c, bank, &tally); });
  ASSERT_EQ(run.outcome, sim::RunOutcome::kCompleted) << run.report;
  EXPECT_GT(tally.committed, 10) << "most transfers should commit (" << tally.aborted
                                 << " aborted)";
  EXPECT_GT(tally.aborted, 0) << "three clients on six accounts must conflict sometimes";
  ASSERT_FALSE(tally.totals.empty());
  for (int total : tally.totals) {
    EXPECT_EQ(total, kAccounts * kInitial) << "a read transaction saw money appear or vanish";
  }
  std::printf(
      "TxnClient.ConcurrentTransfersKeepTheTotal seed %llu: %d committed, %d aborted, %zu "
      "totals read\n",
      static_cast<unsigned long long>(o.seed), tally.committed, tally.aborted, tally.totals.size());
}

}  // namespace
}  // namespace tinykv::harness
