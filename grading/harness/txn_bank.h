// Shared by the harness's transactional tests: a transaction client on one of a cluster's client
// nodes, the bank total (every account read in one transaction), and a bank workload — clients
// moving money between accounts while reading the total now and then. Header-only, tests only.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "grading/harness/cluster.h"
#include "sim/sync.h"
#include "txn/txn_client.h"

namespace tinykv::harness {

// Three stores, three replicas, the real scheduler (for its TSO and region lookups).
inline ClusterOptions TxnClusterOptions(uint64_t seed) {
  ClusterOptions o;
  o.stores = 3;
  o.seed = seed;
  o.with_scheduler = true;
  o.real_scheduler = true;
  o.max_replicas = 3;
  return o;
}

// A client on client node `id`, talking to the real scheduler; short lock TTLs so that locks of
// abandoned transactions are settled within a test's virtual seconds.
inline txn::TxnClient MakeTxnClient(Cluster& c, int64_t id, uint64_t lock_ttl_ms = 50) {
  txn::TxnClientOptions o;
  o.self = c.ClientNode(id);
  o.scheduler = kSchedulerNode;
  o.lock_ttl_ms = lock_ttl_ms;
  return txn::TxnClient(c.network(), o);
}

// The sum of the balances of `accounts` at a fresh snapshot (a balance is a decimal number,
// possibly followed by padding that is not a digit; an absent account is 0), or nullopt when a
// read did not complete in time.
inline std::optional<int> ReadTotal(txn::TxnClient& client,
                                    const std::vector<std::string>& accounts) {
  using namespace std::chrono_literals;
  txn::Transaction t;
  if (!client.Begin(5s, &t).ok()) return std::nullopt;
  int sum = 0;
  for (const std::string& account : accounts) {
    std::optional<std::string> v;
    if (!client.Get(t, account, 5s, &v).ok()) return std::nullopt;
    sum += v ? std::stoi(*v) : 0;
  }
  return sum;
}

struct BankOptions {
  std::vector<std::string> accounts;
  int initial = 100;          // every account's first balance
  int padding = 0;            // bytes after each balance ("100|....."), to make the data bigger
  int accounts_per_load = 8;  // accounts written by each loading transaction
  int clients = 3;
  int transfers_per_client = 15;
  int total_every = 5;     // a client reads the total after every this many transfers
  bool far_apart = false;  // transfers between accounts about half the bank apart
};

struct BankTally {
  int committed = 0;
  int aborted = 0;
  std::vector<int> totals;    // every total read, the final one (by a fresh client) last
  txn::TxnClientStats stats;  // of the transferring clients, summed
};

// Loads the accounts, runs `clients` transferring clients (client nodes 1..clients) to their end,
// and reads the final total from client node 9. Call on the cluster's run fiber; a load or a final
// read that does not complete is a test failure (and the tally is left incomplete).
inline void RunBank(Cluster& c, const BankOptions& o, BankTally* tally) {
  using namespace std::chrono_literals;
  const int n = static_cast<int>(o.accounts.size());
  auto balance = [&o](int amount) {
    return std::to_string(amount) + (o.padding > 0 ? "|" + std::string(o.padding, '.') : "");
  };
  txn::TxnClient setup = MakeTxnClient(c, 0);
  for (int first = 0; first < n; first += o.accounts_per_load) {
    txn::Transaction load;
    ASSERT_TRUE(setup.Begin(10s, &load).ok());
    for (int i = first; i < std::min(n, first + o.accounts_per_load); ++i) {
      load.Set(o.accounts[i], balance(o.initial));
    }
    ASSERT_EQ(setup.Commit(load, 10s), txn::TxnOutcome::kCommitted);
  }

  sim::Rng rng = c.executor().Stream("transfers");
  sim::WaitGroup done("clients");
  for (int id = 1; id <= o.clients; ++id) {
    done.Add();
    sim::Go("client" + std::to_string(id), [&, id] {
      txn::TxnClient client = MakeTxnClient(c, id);
      for (int k = 0; k < o.transfers_per_client; ++k) {
        const int from = static_cast<int>(rng.Below(n));
        const int to = o.far_apart ? (from + n / 2 + static_cast<int>(rng.Below(5))) % n
                                   : (from + 1 + static_cast<int>(rng.Below(n - 1))) % n;
        const int amount = 1 + static_cast<int>(rng.Below(10));
        txn::Transaction t;
        if (!client.Begin(5s, &t).ok()) continue;
        std::optional<std::string> a, b;
        if (!client.Get(t, o.accounts[from], 5s, &a).ok() ||
            !client.Get(t, o.accounts[to], 5s, &b).ok()) {
          continue;
        }
        t.Set(o.accounts[from], balance(std::stoi(a.value_or("0")) - amount));
        t.Set(o.accounts[to], balance(std::stoi(b.value_or("0")) + amount));
        const bool committed = client.Commit(t, 5s) == txn::TxnOutcome::kCommitted;
        (committed ? tally->committed : tally->aborted) += 1;
        if (k % o.total_every == o.total_every - 1) {
          if (auto total = ReadTotal(client, o.accounts)) tally->totals.push_back(*total);
        }
      }
      tally->stats.locks_met += client.stats().locks_met;
      tally->stats.locks_resolved += client.stats().locks_resolved;
      tally->stats.region_errors += client.stats().region_errors;
      done.Done();
    });
  }
  done.Wait();
  txn::TxnClient checker = MakeTxnClient(c, 9);
  std::optional<int> final_total = ReadTotal(checker, o.accounts);
  ASSERT_TRUE(final_total.has_value()) << "the final read of the total did not complete";
  tally->totals.push_back(*final_total);
}

}  // namespace tinykv::harness
