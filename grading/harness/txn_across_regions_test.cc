// Transactions on a cluster whose data splits into many regions (txn/region_keys.h): the keys are
// long enough (>= 8 bytes) for raw and encoded key orders to part ways, transfers touch keys of
// different regions, and the regions split under the load. Afterwards every region boundary is a
// user key's region key, every key's lock and versions sit in one region on every store, no
// lock is left, every read transaction saw the total, KvScan of each region returns exactly its
// keys, and the client's Scan crosses regions (everything, a limit, an end bound).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "grading/harness/cluster.h"
#include "grading/harness/scheduler_view.h"
#include "grading/harness/txn_bank.h"
#include "grading/test_seed.h"
#include "store/engine/mem_engine.h"
#include "store/raftstore/keys.h"
#include "store/raftstore/store_node.h"
#include "store/server/sim_rpc.h"
#include "txn/mvcc_key.h"
#include "txn/printable.h"
#include "txn/region_keys.h"
#include "txn/txn_client.h"

namespace tinykv::harness {
namespace {

using namespace std::chrono_literals;

constexpr int kAccounts = 40;
constexpr int kInitial = 100;

std::string Account(int i) {
  char name[32];
  std::snprintf(name, sizeof name, "account-%04d", i);
  return name;
}

std::vector<std::string> Accounts() {
  std::vector<std::string> all;
  for (int i = 0; i < kAccounts; ++i) all.push_back(Account(i));
  return all;
}

// The region (by id) holding engine key `key`, from regions keyed by start key.
uint64_t RegionOf(const std::map<std::string, metapb::Region>& by_start, const std::string& key) {
  auto it = by_start.upper_bound(key);
  if (it == by_start.begin()) return 0;
  --it;
  const metapb::Region& r = it->second;
  return r.end_key().empty() || key < r.end_key() ? r.id() : 0;
}

// Every record of the store's kv engine, checked against the regions: each data key of CF
// default / CF write in the same region as its user key's region key, each CF lock key a region
// key. One line per violation (the first few), empty when there is none.
std::vector<std::string> MisplacedRecords(Cluster& c, sim::NodeId store,
                                          const std::map<std::string, metapb::Region>& by_start,
                                          size_t* locks) {
  std::vector<std::string> out;
  const store::MemState& state = c.store(store).disks().kv->live_state();
  for (store::Cf cf : {store::Cf::kDefault, store::Cf::kWrite, store::Cf::kLock}) {
    store::PersistentMap::Cursor cur(state[static_cast<size_t>(cf)]);
    for (cur.Seek(raftstore::DataKey("")); cur.Valid() && out.size() < 5; cur.Next()) {
      const auto data_key = raftstore::OriginKey(cur.key());
      if (!data_key) continue;
      const std::string key(*data_key);
      std::string user_key;
      if (cf == store::Cf::kLock) {
        ++*locks;
        if (!txn::UserKeyOfBound(key)) {
          out.push_back("store " + std::to_string(store) + ": CF lock key " + txn::Printable(key) +
                        " is not a region key");
        }
        continue;
      }
      if (!txn::DecodeUserKey(key, &user_key).ok()) continue;
      const uint64_t here = RegionOf(by_start, key);
      const uint64_t home = RegionOf(by_start, txn::RegionKey(user_key));
      if (here != home) {
        out.push_back("store " + std::to_string(store) + ": a version of " +
                      txn::Printable(user_key) + " is in region " + std::to_string(here) +
                      ", its key's region is " + std::to_string(home));
      }
    }
  }
  return out;
}

// KvScan of one whole region, from the user key its range starts at, sent to its leader; the keys
// it returned, or nullopt when no leader answered without an error.
std::optional<std::vector<std::string>> ScanRegion(Cluster& c, const metapb::Region& region,
                                                   uint64_t version) {
  kvrpcpb::ScanRequest req;
  req.set_start_key(txn::UserKeyOfBound(region.start_key()).value_or(""));
  req.set_limit(10 * kAccounts);
  req.set_version(version);
  req.mutable_context()->set_region_id(region.id());
  *req.mutable_context()->mutable_region_epoch() = region.region_epoch();
  for (int attempt = 0; attempt < 50; ++attempt) {
    const auto leader = c.scheduler().Leader(region.id());
    if (leader && leader->id() != 0) {
      *req.mutable_context()->mutable_peer() = *leader;
      auto resp = store::CallKv<kvrpcpb::ScanResponse>(c.network(), c.ClientNode(98),
                                                       leader->store_id(), "KvScan", req, 1s);
      if (resp && !resp->has_region_error()) {
        std::vector<std::string> keys;
        for (const auto& pair : resp->pairs()) {
          if (pair.has_error()) return std::nullopt;
          keys.push_back(pair.key());
        }
        return keys;
      }
    }
    sim::Sleep(100ms);
  }
  return std::nullopt;
}

TEST(TxnAcrossRegions, SplitsKeepEveryKeysLockAndVersionsInOneRegion) {
  ClusterOptions o = TxnClusterOptions(grading::TestSeed(1));
  o.raft.region_max_size = 3000;
  o.raft.region_split_size = 1800;
  Cluster c(o);
  BankOptions bank;
  bank.accounts = Accounts();
  bank.initial = kInitial;
  bank.padding = 60;  // a few versions of every account fill several regions
  bank.transfers_per_client = 40;
  bank.total_every = 10;
  bank.far_apart = true;  // the two accounts usually live in different regions
  BankTally tally;
  std::vector<std::string> scan_failures;
  sim::RunResult run = c.Run([&] {
    RunBank(c, bank, &tally);
    if (::testing::Test::HasFatalFailure()) return;

    // KvScan region by region: each answers exactly the accounts of its range, and together
    // they are every account once, in order.
    txn::TxnClient checker = MakeTxnClient(c, 9);
    txn::Transaction at;
    ASSERT_TRUE(checker.Begin(5s, &at).ok());
    std::vector<metapb::Region> regions = c.scheduler().Regions();
    std::sort(regions.begin(), regions.end(),
              [](const auto& a, const auto& b) { return a.start_key() < b.start_key(); });
    std::vector<std::string> scanned;
    for (const metapb::Region& r : regions) {
      auto keys = ScanRegion(c, r, at.start_ts);
      if (!keys) {
        scan_failures.push_back("region " + std::to_string(r.id()) + ": no complete KvScan");
        continue;
      }
      for (const std::string& k : *keys) {
        const std::string rk = txn::RegionKey(k);
        if (rk < r.start_key() || (!r.end_key().empty() && rk >= r.end_key())) {
          scan_failures.push_back("region " + std::to_string(r.id()) + " returned " +
                                  txn::Printable(k) + ", outside its range");
        }
        scanned.push_back(k);
      }
    }
    if (scanned != Accounts()) {
      scan_failures.push_back("the regions' scans returned " + std::to_string(scanned.size()) +
                              " keys, not the " + std::to_string(kAccounts) + " accounts in order");
    }

    // The client's Scan crosses the regions itself: everything, a limit, an end bound.
    auto client_scan = [&](const std::string& from, const std::string& to, uint32_t limit,
                           int first, int count) {
      std::vector<std::pair<std::string, std::string>> pairs;
      store::Status st = checker.Scan(at, from, to, limit, 5s, &pairs);
      std::vector<std::string> keys;
      int sum = 0;
      for (const auto& [k, v] : pairs) {
        keys.push_back(k);
        sum += std::stoi(v);
      }
      const std::vector<std::string> all = Accounts();
      const std::vector<std::string> want(all.begin() + first, all.begin() + first + count);
      const std::string what = "Scan [" + from + ", " + to + ") limit " + std::to_string(limit);
      if (!st.ok()) scan_failures.push_back(what + ": " + st.ToString());
      if (keys != want) {
        scan_failures.push_back(what + " returned " + std::to_string(keys.size()) +
                                " keys, not accounts " + std::to_string(first) + ".." +
                                std::to_string(first + count - 1));
      }
      return sum;
    };
    const int scanned_total = client_scan("", "", 1000, 0, kAccounts);
    if (scanned_total != kAccounts * kInitial) {
      scan_failures.push_back("a Scan of every account sums to " + std::to_string(scanned_total));
    }
    client_scan(Account(5), "", 7, 5, 7);
    client_scan(Account(15), Account(20), 100, 15, 5);
    // Let every store apply the last splits and commits before its engine is inspected.
    sim::Sleep(2s);
  });
  ASSERT_EQ(run.outcome, sim::RunOutcome::kCompleted) << run.report;

  const std::vector<metapb::Region> regions = c.scheduler().Regions();
  EXPECT_GE(regions.size(), 4u) << "the load should have split the data into several regions";
  std::map<std::string, metapb::Region> by_start;
  for (const metapb::Region& r : regions) {
    by_start[r.start_key()] = r;
    EXPECT_TRUE(txn::UserKeyOfBound(r.start_key()).has_value())
        << "region " << r.id() << " starts at " << txn::Printable(r.start_key())
        << ", which is not a user key's region key (a cut between versions of one key)";
  }
  for (sim::NodeId store = 1; store <= 3; ++store) {
    size_t locks = 0;
    for (const std::string& line : MisplacedRecords(c, store, by_start, &locks)) {
      ADD_FAILURE() << line;
    }
    EXPECT_EQ(locks, 0u) << "store " << store << " still holds locks after every client finished";
  }
  for (const std::string& f : scan_failures) ADD_FAILURE() << f;
  EXPECT_GT(tally.committed, 40) << "most transfers should commit (" << tally.aborted
                                 << " aborted)";
  EXPECT_GT(tally.stats.locks_resolved, 0u)
      << "readers should have met and settled locks of transfers across regions";
  ASSERT_FALSE(tally.totals.empty());
  for (int total : tally.totals) {
    EXPECT_EQ(total, kAccounts * kInitial) << "a read transaction saw money appear or vanish";
  }
  std::printf(
      "TxnAcrossRegions seed %llu: %zu regions, %d committed, %d aborted, %zu totals, %llu locks "
      "met, %llu resolved, %llu region errors\n",
      static_cast<unsigned long long>(o.seed), regions.size(), tally.committed, tally.aborted,
      tally.totals.size(), static_cast<unsigned long long>(tally.stats.locks_met),
      static_cast<unsigned long long>(tally.stats.locks_resolved),
      static_cast<unsigned long long>(tally.stats.region_errors));
}

}  // namespace
}  // namespace tinykv::harness
