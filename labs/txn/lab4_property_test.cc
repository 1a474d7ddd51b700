// Lab 4's randomized property test: many transactions on a few keys, their commands interleaved
// on a seeded schedule — prewrites, primary and secondary commits, client rollbacks, and
// resolvers that check a lock's primary (KvCheckTxnStatus) and settle it (KvResolveLock) — with
// reads (KvGet, KvScan) at old and new timestamps in between. A small model of Percolator follows
// along: which transactions committed (their primary did) and at which ts, and which locks exist.
// Checked after every command:
//  - reads: a value returned at ts is the one the newest transaction committed on the key at or
//    before ts (deleted: not found); a `locked` error only for a lock of a transaction that
//    started at or before ts; a scan returns exactly the keys visible or locked at ts;
//  - first committer wins: a prewrite succeeds only if no other transaction holds a lock on its
//    keys and none committed one of them at or after its start;
//  - atomicity: a transaction whose primary committed commits every secondary; one rolled back
//    never commits; KvCheckTxnStatus agrees with the model;
//  - at the end, every lock is resolved and every key holds its model value.
// Each run is one seed of a sim::Rng; TINYKV_SEED picks the first of `kRuns` runs, and a
// failure prints the run's seed and the command that broke the rule.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "grading/test_seed.h"
#include "labs/txn/txn_bed.h"
#include "sim/random.h"
#include "txn/printable.h"

namespace tinykv::txn {
namespace {

constexpr int kRuns = 300;
constexpr int kSteps = 250;
const std::vector<std::string> kKeys = {"a", "b", "c", "d"};

// What the runs did, summed (printed: a schedule that exercises nothing proves nothing).
struct Tally {
  uint64_t txns = 0, committed = 0, rolled_back = 0, expired = 0, resolved_commits = 0,
           locked_reads = 0, conflicts = 0;
};

struct TxnModel {
  uint64_t start_ts = 0;
  std::string primary;
  std::map<std::string, std::optional<std::string>> writes;  // key → value (nullopt: delete)
  enum class State { kNew, kPrewritten, kCommitted, kRolledBack } state = State::kNew;
  uint64_t commit_ts = 0;
  uint64_t ttl_ms = 0;
  std::set<std::string> committed;  // keys whose lock became a write
};

class ScheduleRun : public TxnBed {
 public:
  ScheduleRun(uint64_t seed, Tally* tally) : rng_(seed), seed_(seed), tally_(tally) {}

  // The failure of this run, or "".
  std::string Go() {
    for (int step = 0; step < kSteps && failure_.empty(); ++step) Step();
    if (failure_.empty()) Finish();
    return failure_;
  }

 private:
  uint64_t Below(uint64_t n) { return rng_.Below(n); }
  // A new timestamp: physical ms << 18 | logical, the physical part moving on now and then.
  uint64_t Now() {
    if (Below(3) == 0) ms_ += Below(20);
    return (ms_ << 18) + ++logical_;
  }
  void Fail(const std::string& what) {
    if (failure_.empty()) failure_ = "run seed " + std::to_string(seed_) + ": " + what;
  }

  void Step() {
    const uint64_t r = Below(100);
    if (r < 15) return Begin();
    if (r < 30) return Prewrite();
    if (r < 42) return CommitPrimary();
    if (r < 54) return CommitSecondary();
    if (r < 62) return ClientRollback();
    if (r < 74) return Resolve();
    if (r < 90) return Get();
    return Scan();
  }

  TxnModel* Pick(TxnModel::State state) {
    std::vector<TxnModel*> in;
    for (auto& [ts, t] : txns_) {
      if (t.state == state) in.push_back(&t);
    }
    return in.empty() ? nullptr : in[Below(in.size())];
  }

  void Begin() {
    TxnModel t;
    t.start_ts = Now();
    const size_t n = 1 + Below(3);
    for (size_t i = 0; i < n; ++i) {
      const std::string& key = kKeys[Below(kKeys.size())];
      if (t.primary.empty()) t.primary = key;
      t.writes[key] =
          Below(4) == 0 ? std::nullopt
                        : std::optional<std::string>("t" + std::to_string(t.start_ts) + "-" + key);
    }
    // At least 1 ms: a live lock reports its TTL, and lock_ttl 0 with no commit means rolled back.
    t.ttl_ms = 1 + Below(40);
    txns_[t.start_ts] = t;
    ++tally_->txns;
  }

  void Prewrite() {
    TxnModel* t = Pick(TxnModel::State::kNew);
    if (t == nullptr) return;
    kvrpcpb::PrewriteRequest req;
    for (const auto& [key, value] : t->writes) {
      kvrpcpb::Mutation* m = req.add_mutations();
      m->set_key(key);
      m->set_op(value ? kvrpcpb::Put : kvrpcpb::Del);
      if (value) m->set_value(*value);
    }
    req.set_primary_lock(t->primary);
    req.set_start_version(t->start_ts);
    req.set_lock_ttl(t->ttl_ms);
    const kvrpcpb::PrewriteResponse resp = KvPrewrite(env(), req);
    std::string blocker;  // why the model says it cannot succeed
    for (const auto& [key, value] : t->writes) {
      if (auto it = locks_.find(key); it != locks_.end() && it->second != t->start_ts) {
        blocker = "key " + key + " is locked by the txn of start ts " + std::to_string(it->second);
      }
      for (const auto& [commit_ts, owner] : versions_[key]) {
        if (commit_ts >= t->start_ts) {
          blocker = "key " + key + " was committed at " + std::to_string(commit_ts) +
                    ", after this txn started at " + std::to_string(t->start_ts);
        }
      }
    }
    if (resp.errors_size() == 0 && !blocker.empty()) {
      return Fail("prewrite of the txn of start ts " + std::to_string(t->start_ts) +
                  " succeeded although " + blocker);
    }
    if (resp.errors_size() == 0) {
      t->state = TxnModel::State::kPrewritten;
      for (const auto& [key, value] : t->writes) locks_[key] = t->start_ts;
      return;
    }
    // The client gives up: it rolls back what it wrote (nothing, if the prewrite was atomic).
    ++tally_->conflicts;
    RollBack(*t, "after its failed prewrite");
  }

  void RollBack(TxnModel& t, const std::string& why) {
    kvrpcpb::BatchRollbackRequest req;
    req.set_start_version(t.start_ts);
    for (const auto& [key, value] : t.writes) req.add_keys(key);
    const kvrpcpb::BatchRollbackResponse resp = KvBatchRollback(env(), req);
    if (resp.has_error()) {
      return Fail("rollback of the txn of start ts " + std::to_string(t.start_ts) + " " + why +
                  " failed although it never committed: " + resp.error().ShortDebugString());
    }
    t.state = TxnModel::State::kRolledBack;
    ++tally_->rolled_back;
    for (const auto& [key, value] : t.writes) {
      if (auto it = locks_.find(key); it != locks_.end() && it->second == t.start_ts)
        locks_.erase(it);
    }
  }

  // Commits `key` of `t` at its commit ts; the response's error, "" on success.
  std::string CommitKey(TxnModel& t, const std::string& key) {
    kvrpcpb::CommitRequest req;
    req.set_start_version(t.start_ts);
    req.set_commit_version(t.commit_ts);
    req.add_keys(key);
    const kvrpcpb::CommitResponse resp = KvCommit(env(), req);
    if (resp.has_error() || resp.has_region_error()) return resp.ShortDebugString();
    if (t.committed.insert(key).second) {
      versions_[key][t.commit_ts] = t.start_ts;
      if (auto it = locks_.find(key); it != locks_.end() && it->second == t.start_ts)
        locks_.erase(it);
    }
    return "";
  }

  void CommitPrimary() {
    TxnModel* t = Pick(TxnModel::State::kPrewritten);
    if (t == nullptr) return;
    t->commit_ts = Now();
    const std::string error = CommitKey(*t, t->primary);
    // The primary's lock is gone only if a resolver rolled the txn back (its TTL ran out).
    if (error.empty()) {
      t->state = TxnModel::State::kCommitted;
      ++tally_->committed;
    } else {
      Fail("commit of the primary " + t->primary + " of the txn of start ts " +
           std::to_string(t->start_ts) + " failed although it holds its lock: " + error);
    }
  }

  void CommitSecondary() {
    TxnModel* t = Pick(TxnModel::State::kCommitted);
    if (t == nullptr) return;
    for (const auto& [key, value] : t->writes) {
      if (t->committed.count(key) != 0) continue;
      if (std::string error = CommitKey(*t, key); !error.empty()) {
        Fail("commit of the secondary " + key + " of the txn of start ts " +
             std::to_string(t->start_ts) + ", whose primary committed at " +
             std::to_string(t->commit_ts) + ", failed: " + error);
      }
      return;
    }
  }

  void ClientRollback() {
    TxnModel* t = Pick(TxnModel::State::kPrewritten);
    if (t != nullptr) RollBack(*t, "by its client");
  }

  // A resolver meets a lock: it asks the lock's primary what became of the txn, and settles it.
  void Resolve() {
    if (locks_.empty()) return;
    auto it = locks_.begin();
    std::advance(it, static_cast<long>(Below(locks_.size())));
    TxnModel& t = txns_.at(it->second);
    kvrpcpb::CheckTxnStatusRequest check;
    check.set_primary_key(t.primary);
    check.set_lock_ts(t.start_ts);
    check.set_current_ts(Now());
    // TTLs are milliseconds, compared on the physical parts of the timestamps.
    const bool expired = (t.start_ts >> 18) + t.ttl_ms < (check.current_ts() >> 18);
    const kvrpcpb::CheckTxnStatusResponse status = KvCheckTxnStatus(env(), check);
    const std::string txn = "the txn of start ts " + std::to_string(t.start_ts);
    if (status.has_region_error())
      return Fail("check of " + txn + ": " + status.ShortDebugString());
    uint64_t commit_ts = 0;
    if (status.commit_version() != 0) {
      if (t.state != TxnModel::State::kCommitted || status.commit_version() != t.commit_ts) {
        return Fail("KvCheckTxnStatus says " + txn + " committed at " +
                    std::to_string(status.commit_version()) + "; it " +
                    (t.state == TxnModel::State::kCommitted
                         ? "committed at " + std::to_string(t.commit_ts)
                         : std::string("never committed")));
      }
      commit_ts = t.commit_ts;
      ++tally_->resolved_commits;
    } else if (status.lock_ttl() != 0) {
      if (t.state != TxnModel::State::kPrewritten) {
        return Fail("KvCheckTxnStatus says " + txn + " still holds its primary lock; it is " +
                    (t.state == TxnModel::State::kCommitted ? "committed" : "rolled back"));
      }
      if (expired) {
        return Fail("KvCheckTxnStatus at " + std::to_string(check.current_ts()) + " keeps " + txn +
                    " alive, but its " + std::to_string(t.ttl_ms) + " ms TTL ran out");
      }
      return;  // alive: the resolver waits
    } else {
      if (t.state == TxnModel::State::kCommitted) {
        return Fail("KvCheckTxnStatus says " + txn + " was rolled back; its primary committed at " +
                    std::to_string(t.commit_ts));
      }
      if (t.state == TxnModel::State::kPrewritten && !expired) {
        return Fail("KvCheckTxnStatus at " + std::to_string(check.current_ts()) + " rolled back " +
                    txn + ", whose " + std::to_string(t.ttl_ms) +
                    " ms TTL has not run out (TTLs are compared on the physical milliseconds)");
      }
      t.state = TxnModel::State::kRolledBack;  // expired, and rolled back by the check
      ++tally_->expired;
    }
    kvrpcpb::ResolveLockRequest resolve;
    resolve.set_start_version(t.start_ts);
    resolve.set_commit_version(commit_ts);
    const kvrpcpb::ResolveLockResponse resp = KvResolveLock(env(), resolve);
    if (resp.has_error() || resp.has_region_error()) {
      return Fail("KvResolveLock of " + txn + ": " + resp.ShortDebugString());
    }
    for (const auto& [key, value] : t.writes) {
      auto lock = locks_.find(key);
      if (lock == locks_.end() || lock->second != t.start_ts) continue;
      locks_.erase(lock);
      if (commit_ts != 0 && t.committed.insert(key).second) versions_[key][commit_ts] = t.start_ts;
    }
  }

  // The model's value of `key` at `ts`: the newest committed version at or before ts.
  std::optional<std::string> ModelValue(const std::string& key, uint64_t ts) {
    const auto& v = versions_[key];
    auto it = v.upper_bound(ts);
    if (it == v.begin()) return std::nullopt;
    --it;
    return txns_.at(it->second).writes.at(key);
  }
  // Is `key` locked, for a read at `ts`, in the model?
  bool ModelLocked(const std::string& key, uint64_t ts) {
    auto it = locks_.find(key);
    return it != locks_.end() && it->second <= ts;
  }
  // A read timestamp: now, or one from the past.
  uint64_t ReadTs() { return Below(3) == 0 ? (ms_ << 18) + Below(logical_ + 1) : Now(); }

  void Get() {
    const std::string& key = kKeys[Below(kKeys.size())];
    const uint64_t ts = ReadTs();
    kvrpcpb::GetRequest req;
    req.set_key(key);
    req.set_version(ts);
    const kvrpcpb::GetResponse resp = KvGet(env(), req);
    const std::string what = "KvGet(" + key + ") at " + std::to_string(ts);
    if (resp.error().has_locked()) {
      if (!ModelLocked(key, ts)) Fail(what + " reported a lock no txn that started by then holds");
      ++tally_->locked_reads;
      return;
    }
    if (ModelLocked(key, ts)) {
      return Fail(what + " returned " + (resp.not_found() ? "not found" : Printable(resp.value())) +
                  " although the txn of start ts " + std::to_string(locks_.at(key)) +
                  " holds a lock on it (it may commit before " + std::to_string(ts) + ")");
    }
    const std::optional<std::string> want = ModelValue(key, ts);
    const std::optional<std::string> got =
        resp.not_found() ? std::nullopt : std::optional<std::string>(resp.value());
    if (got != want) {
      Fail(what + " returned " + (got ? Printable(*got) : "not found") + ", the newest commit by " +
           "then wrote " + (want ? Printable(*want) : "nothing (or a delete)"));
    }
  }

  void Scan() {
    const uint64_t ts = ReadTs();
    kvrpcpb::ScanRequest req;
    req.set_version(ts);
    req.set_limit(static_cast<uint32_t>(kKeys.size()));
    const kvrpcpb::ScanResponse resp = KvScan(env(), req);
    std::map<std::string, std::string> got;  // key → value or "<locked>"
    for (const kvrpcpb::KvPair& p : resp.pairs()) {
      got[p.key()] = p.error().has_locked() ? "<locked>"
                     : p.has_error()        ? "<error " + p.error().ShortDebugString() + ">"
                                            : Printable(p.value());
    }
    std::map<std::string, std::string> want;
    for (const std::string& key : kKeys) {
      if (ModelLocked(key, ts)) {
        want[key] = "<locked>";
      } else if (auto v = ModelValue(key, ts)) {
        want[key] = Printable(*v);
      }
    }
    if (got != want) {
      auto text = [](const std::map<std::string, std::string>& m) {
        std::string out;
        for (const auto& [k, v] : m) out += (out.empty() ? "" : ", ") + k + "=" + v;
        return "{" + out + "}";
      };
      Fail("KvScan at " + std::to_string(ts) + " returned " + text(got) + ", the model says " +
           text(want));
    }
  }

  // Resolves every lock (the primaries' TTLs all run out), then checks every key's final value.
  void Finish() {
    ms_ += 1000;
    for (int i = 0; i < 100 && failure_.empty(); ++i) {
      bool any = false;
      for (auto& [ts, t] : txns_) {
        if (t.state == TxnModel::State::kCommitted && t.committed.size() < t.writes.size()) {
          CommitSecondary();
          any = true;
          break;
        }
      }
      if (!any && locks_.empty()) break;
      if (!any) Resolve();
    }
    for (auto& [ts, t] : txns_) {
      if (t.state == TxnModel::State::kCommitted && t.committed.size() != t.writes.size()) {
        Fail("the txn of start ts " + std::to_string(ts) + " committed its primary, but not all " +
             "of its secondaries could be committed");
      }
    }
    if (!failure_.empty()) return;
    const uint64_t end = Now();
    for (const std::string& key : kKeys) {
      kvrpcpb::GetRequest req;
      req.set_key(key);
      req.set_version(end);
      const kvrpcpb::GetResponse resp = KvGet(env(), req);
      const std::optional<std::string> got = resp.not_found() || resp.has_error()
                                                 ? std::nullopt
                                                 : std::optional<std::string>(resp.value());
      if (resp.has_error() || got != ModelValue(key, end)) {
        Fail("after every lock was resolved, key " + key + " reads " +
             (resp.has_error() ? resp.error().ShortDebugString()
                               : (got ? Printable(*got) : "not found")) +
             ", the model says " +
             (ModelValue(key, end) ? Printable(*ModelValue(key, end)) : "nothing"));
      }
    }
  }

  sim::Rng rng_;  // the project's generator: the same draws on every compiler and library
  uint64_t seed_;
  std::string failure_;
  Tally* tally_;
  uint64_t ms_ = 1000;
  uint64_t logical_ = 0;
  std::map<uint64_t, TxnModel> txns_;                             // by start ts
  std::map<std::string, uint64_t> locks_;                         // key → start ts of its owner
  std::map<std::string, std::map<uint64_t, uint64_t>> versions_;  // key → commit ts → start ts
};

TEST(Lab4, RandomizedTransactionsAgainstAPercolatorModel) {
  const uint64_t base = grading::TestSeed(1) * 1000;
  Tally tally;
  for (uint64_t run = base; run < base + kRuns; ++run) {
    const std::string failure = ScheduleRun(run, &tally).Go();
    ASSERT_TRUE(failure.empty()) << failure;
  }
  std::printf(
      "Lab4.RandomizedTransactionsAgainstAPercolatorModel: %d runs from %llu, %llu txns: "
      "%llu committed, %llu rolled back (%llu by resolvers after their TTL), %llu resolved "
      "as committed, %llu prewrites refused, %llu reads that met a lock\n",
      kRuns, static_cast<unsigned long long>(base), static_cast<unsigned long long>(tally.txns),
      static_cast<unsigned long long>(tally.committed),
      static_cast<unsigned long long>(tally.rolled_back + tally.expired),
      static_cast<unsigned long long>(tally.expired),
      static_cast<unsigned long long>(tally.resolved_commits),
      static_cast<unsigned long long>(tally.conflicts),
      static_cast<unsigned long long>(tally.locked_reads));
  // Each kind of event must happen, or the schedule tests less than it claims.
  EXPECT_GT(tally.committed, 0u);
  EXPECT_GT(tally.expired, 0u);
  EXPECT_GT(tally.resolved_commits, 0u);
  EXPECT_GT(tally.conflicts, 0u);
  EXPECT_GT(tally.locked_reads, 0u);
}

}  // namespace
}  // namespace tinykv::txn
