// Lab 4C graded tests: KvScan, KvCheckTxnStatus, KvBatchRollback and KvResolveLock
// (txn/commands.h).
//
// The situations of TinyKV's 4C tests — rollbacks of nothing, of prewritten, duplicated, missing,
// committed, already rolled back and other transactions' keys; the status of a primary whose lock
// has or has not expired, that was rolled back, committed, or never written; resolving a
// transaction's locks to a commit or a rollback, also when they are gone; scans past the end,
// with limit 0, over everything, up to a limit and over deleted keys — plus a few of ours where a
// classic mistake passes TinyKV's: a TTL compared in whole timestamps instead of physical
// milliseconds, another transaction's lock or write taken for ours, a rollback that leaves part of
// its keys changed, a resolve that settles locks of other transactions or commits a delete as a
// put, and a scan that does not report locks (TinyKV's scans never meet one).
//
// Each test stores records byte for byte (labs/txn/txn_bed.h), runs commands, and checks both the
// responses and every record left behind. Deterministic: one seed.
#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "labs/txn/txn_bed.h"
#include "txn/printable.h"

namespace tinykv::txn {
namespace {

using store::Cf;

// A key (or value) of the given bytes, as TinyKV's tests write them: Bytes({3, 45}).
std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

const std::string k3 = Bytes({3});
const std::string k7 = Bytes({7});
const std::string k15 = Bytes({15});
const std::string k200 = Bytes({200});
const std::string k201 = Bytes({201});
const std::string kPrimary = Bytes({1});

// The start ts TinyKV's builder gives its first request.
constexpr uint64_t kTs = 100;
// TinyKV's CheckTxnStatus request: lock_ts and current_ts are 5 << 22 and 6 << 22 physical ms
// (about 70 minutes apart), both with logical part 100.
constexpr uint64_t kLockTs = (uint64_t{5} << 40) | kTs;
constexpr uint64_t kCurrentTs = (uint64_t{6} << 40) | kTs;

// A TSO timestamp: `ms` physical milliseconds, `logical` counter.
constexpr uint64_t Tso(uint64_t ms, uint64_t logical = 0) {
  return (ms << kPhysicalShiftBits) | logical;
}

// "ok", or the region error and KeyError of a response.
template <typename Response>
std::string Outcome(const Response& r) {
  std::string out;
  if (r.has_region_error()) out = "region error {" + r.region_error().ShortDebugString() + "}";
  if constexpr (requires { r.error(); }) {
    if (r.has_error())
      out += (out.empty() ? "" : ", ") + ("error {" + r.error().ShortDebugString() + "}");
  }
  return out.empty() ? "ok" : out;
}

std::string Shown(const kvrpcpb::CheckTxnStatusResponse& r) {
  if (r.has_region_error()) return Outcome(r);
  return kvrpcpb::Action_Name(r.action()) + ", lock_ttl " + std::to_string(r.lock_ttl()) +
         ", commit_version " + std::to_string(r.commit_version());
}

std::string Shown(const std::optional<Lock>& lock) {
  if (!lock) return "<no lock>";
  return WriteKindName(lock->kind) + " lock of start ts " + std::to_string(lock->start_ts) +
         ", primary " + Printable(lock->primary) + ", ttl " + std::to_string(lock->ttl);
}
std::string Shown(const std::optional<Write>& w) {
  if (!w) return "<no write>";
  return WriteKindName(w->kind) + " of start ts " + std::to_string(w->start_ts);
}
std::string Shown(const std::optional<std::string>& value) {
  return value ? Printable(*value) : "<no value>";
}

// One scanned pair, in words: `"\x03"="3"`, `"\x03" locked by start ts 100 (...)`.
std::string ValuePair(const std::string& key, const std::string& value) {
  return Printable(key) + "=" + Printable(value);
}
std::string LockedPair(const std::string& key, uint64_t start_ts, const std::string& primary,
                       uint64_t ttl) {
  return Printable(key) + " locked by start ts " + std::to_string(start_ts) + " (key " +
         Printable(key) + ", primary " + Printable(primary) + ", ttl " + std::to_string(ttl) + ")";
}
std::vector<std::string> Shown(const kvrpcpb::ScanResponse& r) {
  std::vector<std::string> out;
  if (r.has_region_error()) out.push_back(Outcome(r));
  for (const kvrpcpb::KvPair& p : r.pairs()) {
    if (!p.has_error()) {
      out.push_back(ValuePair(p.key(), p.value()));
    } else if (p.error().has_locked()) {
      const kvrpcpb::LockInfo& l = p.error().locked();
      out.push_back(LockedPair(l.key(), l.lock_version(), l.primary_lock(), l.lock_ttl()));
      if (l.key() != p.key()) out.back() += " in the pair of key " + Printable(p.key());
      if (!p.value().empty()) out.back() += " with value " + Printable(p.value());
    } else {
      out.push_back(Printable(p.key()) + " error {" + p.error().ShortDebugString() + "}");
    }
  }
  return out;
}

class Lab4C : public ::testing::Test, public TxnBed {
 protected:
  kvrpcpb::BatchRollbackResponse RollbackKeys(uint64_t start_ts,
                                              const std::vector<std::string>& keys) {
    kvrpcpb::BatchRollbackRequest req;
    req.set_start_version(start_ts);
    for (const std::string& k : keys) req.add_keys(k);
    return KvBatchRollback(env(), req);
  }
  kvrpcpb::CheckTxnStatusResponse CheckTxnStatus(const std::string& primary, uint64_t lock_ts,
                                                 uint64_t current_ts) {
    kvrpcpb::CheckTxnStatusRequest req;
    req.set_primary_key(primary);
    req.set_lock_ts(lock_ts);
    req.set_current_ts(current_ts);
    return KvCheckTxnStatus(env(), req);
  }
  kvrpcpb::ResolveLockResponse Resolve(uint64_t start_ts, uint64_t commit_ts) {
    kvrpcpb::ResolveLockRequest req;
    req.set_start_version(start_ts);
    req.set_commit_version(commit_ts);
    return KvResolveLock(env(), req);
  }
  std::vector<std::string> Scan(const std::string& start_key, uint32_t limit, uint64_t version) {
    kvrpcpb::ScanRequest req;
    req.set_start_key(start_key);
    req.set_limit(limit);
    req.set_version(version);
    return Shown(KvScan(env(), req));
  }

  std::string LockShown(const std::string& key) { return Shown(LockOn(key)); }
  std::string WriteShown(const std::string& key, uint64_t commit_ts) {
    return Shown(WriteAt(key, commit_ts));
  }
  std::string ValueShown(const std::string& key, uint64_t start_ts) {
    return Shown(ValueAt(key, start_ts));
  }
  static std::string RollbackOf(uint64_t start_ts) {
    return Shown(Write{.start_ts = start_ts, .kind = WriteKind::kRollback});
  }
  static std::string PutOf(uint64_t start_ts) {
    return Shown(Write{.start_ts = start_ts, .kind = WriteKind::kPut});
  }
  static std::string LockOf(uint64_t start_ts, const std::string& primary, uint64_t ttl = 0,
                            WriteKind kind = WriteKind::kPut) {
    return Shown(Lock{.primary = primary, .start_ts = start_ts, .ttl = ttl, .kind = kind});
  }

  // TinyKV's scan fixture: the keys of Committed99(); four keys written at 110 and committed at
  // 116, four written at 97 and committed at 101 (both after the scans' ts 100); and key 150,
  // put (80 / 99), deleted (97 / 101) and put again (110 / 116).
  void ScanFixture() {
    for (const auto& [key, value] : Committed99()) CommitPut(key, 80, 99, value);
    const int later[] = {58, 57, 58, 59};
    for (int b = 45; b <= 48; ++b) CommitPut(Bytes({4, b}), 110, 116, Bytes({later[b - 45]}));
    for (int b = 45; b <= 48; ++b) CommitPut(Bytes({5, b}), 97, 101, Bytes({60 + b - 45}));
    CommitPut(Bytes({150}), 80, 99, Bytes({42}));
    CommitDelete(Bytes({150}), 97, 101);
    CommitPut(Bytes({150}), 110, 116, Bytes({64}));
  }
  // The scan fixture's keys written at 80 and committed at 99, with their values.
  static const std::map<std::string, std::string>& Committed99() {
    static const std::map<std::string, std::string> kValues = {
        {Bytes({1}), Bytes({50})},     {Bytes({1, 23}), Bytes({55})}, {Bytes({3}), Bytes({51})},
        {Bytes({3, 45}), Bytes({56})}, {Bytes({3, 46}), Bytes({57})}, {Bytes({3, 47}), Bytes({58})},
        {Bytes({3, 48}), Bytes({59})}, {Bytes({4}), Bytes({52})},     {Bytes({120}), Bytes({53})},
        {Bytes({199}), Bytes({54})}};
    return kValues;
  }
  // How a scan shows one of those keys.
  static std::string At99(std::initializer_list<int> key) {
    return ValuePair(Bytes(key), Committed99().at(Bytes(key)));
  }
  // TinyKV's resolve fixture: txn 100 holds keys 3 and 7, txn 110 key 200.
  void TwoTxnsLocked() {
    Prewritten(k3, "", 100, Bytes({42}));
    Prewritten(k7, "", 100, Bytes({43}));
    Prewritten(k200, "", 110, Bytes({44}));
  }
  // TinyKV's fixture where txn 100 has no lock left: its values, and a commit and a rollback
  // record of it (on another key); txn 110 holds key 200.
  void TxnSettledFixture() {
    Set(Cf::kDefault, EncodeKey(k3, 100), Bytes({42}));
    SetWrite(k201, 120, 100, WriteKind::kPut);
    Set(Cf::kDefault, EncodeKey(k7, 100), Bytes({43}));
    Rollback(k201, 100);
    Prewritten(k200, "", 110, Bytes({44}));
  }
  void ExpectTxnSettledUnchanged() {
    EXPECT_EQ(Counts(), "default 3, lock 1, write 2")
        << "with no lock of txn 100 left, resolving it changes nothing";
    EXPECT_EQ(WriteShown(k201, 120), PutOf(100));
    EXPECT_EQ(WriteShown(k201, 100), RollbackOf(100));
    EXPECT_EQ(LockShown(k200), LockOf(110, "")) << "txn 110's lock is not txn 100's";
  }
};

// ---- KvBatchRollback ----

TEST_F(Lab4C, EmptyRollback) {
  auto r = RollbackKeys(kTs, {});
  EXPECT_EQ(Outcome(r), "ok") << "rolling back no keys must succeed";
  EXPECT_EQ(Counts(), "default 0, lock 0, write 0") << "rolling back no keys writes nothing";
}

TEST_F(Lab4C, Rollback) {
  Prewritten(k3, kPrimary, kTs, Bytes({42}));
  auto r = RollbackKeys(kTs, {k3});
  ASSERT_EQ(Outcome(r), "ok") << "rolling back a prewritten key must succeed";
  EXPECT_EQ(Counts(), "default 0, lock 0, write 1")
      << "a rollback deletes the txn's lock and staged value and leaves one rollback record";
  EXPECT_EQ(WriteShown(k3, kTs), RollbackOf(kTs))
      << "the rollback record sits in CF write at the txn's start ts";
}

TEST_F(Lab4C, RollbackDuplicateKeys) {
  Prewritten(k3, kPrimary, kTs, Bytes({42}));
  Prewritten(k15, kPrimary, kTs, Bytes({0}));
  auto r = RollbackKeys(kTs, {k3, k15, k3});
  ASSERT_EQ(Outcome(r), "ok") << "a key named twice in a rollback is no error";
  EXPECT_EQ(Counts(), "default 0, lock 0, write 2") << "both keys rolled back, each once";
  EXPECT_EQ(WriteShown(k3, kTs), RollbackOf(kTs));
  EXPECT_EQ(WriteShown(k15, kTs), RollbackOf(kTs));
}

TEST_F(Lab4C, RollbackMissingPrewrite) {
  auto r = RollbackKeys(kTs, {k3});
  ASSERT_EQ(Outcome(r), "ok") << "rolling back a key never prewritten must succeed";
  EXPECT_EQ(Counts(), "default 0, lock 0, write 1");
  EXPECT_EQ(WriteShown(k3, kTs), RollbackOf(kTs))
      << "a key never prewritten still gets a rollback record, so that a prewrite of the txn "
         "arriving late fails";
}

TEST_F(Lab4C, RollbackCommitted) {
  Set(Cf::kDefault, EncodeKey(k3, kTs), Bytes({42}));
  SetWrite(k3, 110, kTs, WriteKind::kPut);
  auto r = RollbackKeys(kTs, {k3});
  EXPECT_FALSE(r.error().abort().empty())
      << "rolling back a txn that committed the key must abort, got " << Outcome(r);
  EXPECT_FALSE(r.has_region_error()) << Outcome(r);
  EXPECT_EQ(Counts(), "default 1, lock 0, write 1") << "a refused rollback writes nothing";
  EXPECT_EQ(WriteShown(k3, 110), PutOf(kTs)) << "the commit stays";
  EXPECT_EQ(ValueShown(k3, kTs), Printable(Bytes({42}))) << "the committed value stays";
  // For contrast: a key the txn did not commit still rolls back.
  r = RollbackKeys(kTs, {k7});
  EXPECT_EQ(Outcome(r), "ok") << "the txn did not commit key 7: its rollback must succeed";
  EXPECT_EQ(WriteShown(k7, kTs), RollbackOf(kTs));
}

TEST_F(Lab4C, RollbackDuplicate) {
  Rollback(k3, kTs);
  auto r = RollbackKeys(kTs, {k3});
  ASSERT_EQ(Outcome(r), "ok") << "rolling back a key rolled back before must succeed";
  EXPECT_EQ(Counts(), "default 0, lock 0, write 1");
  EXPECT_EQ(WriteShown(k3, kTs), RollbackOf(kTs));
}

TEST_F(Lab4C, RollbackOtherTxn) {
  Prewritten(k3, kPrimary, 80, Bytes({42}));
  auto r = RollbackKeys(kTs, {k3});
  ASSERT_EQ(Outcome(r), "ok") << "rolling back a key locked by another txn must succeed";
  EXPECT_EQ(Counts(), "default 1, lock 1, write 1");
  EXPECT_EQ(LockShown(k3), LockOf(80, kPrimary)) << "another txn's lock is not ours to remove";
  EXPECT_EQ(ValueShown(k3, 80), Printable(Bytes({42}))) << "nor is its staged value";
  EXPECT_EQ(WriteShown(k3, kTs), RollbackOf(kTs))
      << "the key still gets our rollback record, so that our late prewrite fails";
}

TEST_F(Lab4C, RollbackIsAllOrNothing) {
  Prewritten(k3, kPrimary, kTs, Bytes({42}));
  CommitPut(k7, kTs, 110, Bytes({43}));
  auto r = RollbackKeys(kTs, {k3, k7, k15});
  EXPECT_FALSE(r.error().abort().empty())
      << "a rollback of keys one of which the txn committed must abort, got " << Outcome(r);
  EXPECT_EQ(Counts(), "default 2, lock 1, write 1")
      << "an aborted rollback changes none of its keys, not even those it could roll back";
  EXPECT_EQ(LockShown(k3), LockOf(kTs, kPrimary)) << "key 3's lock must stay";
  EXPECT_EQ(WriteShown(k15, kTs), "<no write>") << "key 15 gets no rollback record";
  // Without the committed key, the same rollback goes through.
  r = RollbackKeys(kTs, {k3, k15});
  ASSERT_EQ(Outcome(r), "ok") << "a rollback of keys 3 and 15 alone must succeed";
  EXPECT_EQ(Counts(), "default 1, lock 0, write 3");
}

TEST_F(Lab4C, RollbackOverOtherTxnsWrites) {
  // Our prewrite of these keys never arrived; others wrote them, before and after our start.
  CommitPut(k3, 80, 90, Bytes({1}));
  CommitPut(k7, 105, 110, Bytes({2}));
  auto r = RollbackKeys(kTs, {k3, k7});
  ASSERT_EQ(Outcome(r), "ok")
      << "other txns' commits are not ours: only CurrentWrite (the write of *this* txn) says "
         "whether the txn committed a key, not MostRecentWrite";
  EXPECT_EQ(WriteShown(k3, kTs), RollbackOf(kTs));
  EXPECT_EQ(WriteShown(k7, kTs), RollbackOf(kTs));
  EXPECT_EQ(Counts(), "default 2, lock 0, write 4") << "the other txns' records stay";
}

// ---- KvCheckTxnStatus ----

TEST_F(Lab4C, CheckTxnStatusTtlExpired) {
  Prewritten(k3, k3, kLockTs, Bytes({42}), /*ttl=*/8);
  auto r = CheckTxnStatus(k3, kLockTs, kCurrentTs);
  EXPECT_EQ(Shown(r), "TTLExpireRollback, lock_ttl 0, commit_version 0")
      << "a primary lock whose ttl (8 ms) ran out long before current_ts must be rolled back";
  EXPECT_EQ(Counts(), "default 0, lock 0, write 1")
      << "rolling back the primary deletes its lock and value and leaves a rollback record";
  EXPECT_EQ(WriteShown(k3, kLockTs), RollbackOf(kLockTs));
}

TEST_F(Lab4C, CheckTxnStatusTtlNotExpired) {
  const uint64_t ttl = (uint64_t{1} << 32) + 8;  // about 50 days
  Prewritten(k3, k3, kLockTs, Bytes({42}), ttl);
  auto r = CheckTxnStatus(k3, kLockTs, kCurrentTs);
  EXPECT_EQ(Shown(r), "NoAction, lock_ttl " + std::to_string(ttl) + ", commit_version 0")
      << "a live primary lock is left alone and its ttl reported";
  EXPECT_EQ(Counts(), "default 1, lock 1, write 0") << "a live lock is not rolled back";
  EXPECT_EQ(LockShown(k3), LockOf(kLockTs, k3, ttl));
}

TEST_F(Lab4C, CheckTxnStatusRolledBack) {
  Set(Cf::kDefault, EncodeKey(k3, kLockTs), Bytes({42}));
  Rollback(k3, kLockTs);
  // A later transaction's lock on the key since.
  const uint64_t later = (uint64_t{8} << 40) | kTs;
  SetLock(k3, Lock{.primary = k3, .start_ts = later, .ttl = 8});
  auto r = CheckTxnStatus(k3, kLockTs, kCurrentTs);
  EXPECT_EQ(Shown(r), "NoAction, lock_ttl 0, commit_version 0")
      << "a rolled-back txn is reported as such (all zero), and nothing is done";
  EXPECT_EQ(Counts(), "default 1, lock 1, write 1");
  EXPECT_EQ(LockShown(k3), LockOf(later, k3, 8));
}

TEST_F(Lab4C, CheckTxnStatusCommitted) {
  Set(Cf::kDefault, EncodeKey(k3, kLockTs), Bytes({42}));
  SetWrite(k3, kLockTs, kLockTs, WriteKind::kPut);
  auto r = CheckTxnStatus(k3, kLockTs, kCurrentTs);
  EXPECT_EQ(Shown(r), "NoAction, lock_ttl 0, commit_version " + std::to_string(kLockTs))
      << "a committed txn is reported with its commit ts";
  EXPECT_EQ(Counts(), "default 1, lock 0, write 1");
}

TEST_F(Lab4C, CheckTxnStatusNoLockNoWrite) {
  auto r = CheckTxnStatus(k3, kLockTs, kCurrentTs);
  EXPECT_EQ(Shown(r), "LockNotExistRollback, lock_ttl 0, commit_version 0")
      << "a primary never prewritten is rolled back";
  EXPECT_EQ(Counts(), "default 0, lock 0, write 1");
  EXPECT_EQ(WriteShown(k3, kLockTs), RollbackOf(kLockTs))
      << "the rollback record makes the txn's late prewrite of its primary fail";
}

TEST_F(Lab4C, CheckTxnStatusTtlIsInPhysicalMilliseconds) {
  const uint64_t lock_ts = Tso(1000, 5);
  Prewritten(k3, k3, lock_ts, Bytes({42}), /*ttl=*/10);
  auto r = CheckTxnStatus(k3, lock_ts, Tso(1005));
  EXPECT_EQ(Shown(r), "NoAction, lock_ttl 10, commit_version 0")
      << "a lock of ttl 10 ms taken at 1000 ms is alive at 1005 ms: compare PhysicalTime(lock "
         "ts) + ttl with PhysicalTime(current_ts), not whole timestamps (whose low 18 bits are "
         "a logical counter)";
  EXPECT_EQ(LockShown(k3), LockOf(lock_ts, k3, 10)) << "a live lock stays";
  r = CheckTxnStatus(k3, lock_ts, Tso(1011));
  EXPECT_EQ(Shown(r), "TTLExpireRollback, lock_ttl 0, commit_version 0")
      << "the same lock has expired at 1011 ms";
  EXPECT_EQ(Counts(), "default 0, lock 0, write 1");
}

TEST_F(Lab4C, CheckTxnStatusLeavesOtherTxnsLockAlone) {
  // Another txn locked our primary (an expired lock, were it ours); ours never got there.
  const uint64_t other = (uint64_t{5} << 40) | 200;
  Prewritten(k3, k3, other, Bytes({42}), /*ttl=*/8);
  auto r = CheckTxnStatus(k3, kLockTs, kCurrentTs);
  EXPECT_EQ(Shown(r), "LockNotExistRollback, lock_ttl 0, commit_version 0")
      << "only a lock of start ts lock_ts is the txn's: another txn's lock on the primary "
         "means ours does not exist";
  EXPECT_EQ(LockShown(k3), LockOf(other, k3, 8)) << "the other txn's lock is not ours to remove";
  EXPECT_EQ(ValueShown(k3, other), Printable(Bytes({42}))) << "nor its value";
  EXPECT_EQ(WriteShown(k3, kLockTs), RollbackOf(kLockTs));
}

TEST_F(Lab4C, CheckTxnStatusReportsTheCommitTsOfThisTxn) {
  CommitPut(k3, kLockTs, kLockTs + 10, Bytes({42}));
  CommitPut(k3, kLockTs + 15, kLockTs + 20, Bytes({43}));
  auto r = CheckTxnStatus(k3, kLockTs, kCurrentTs);
  EXPECT_EQ(Shown(r), "NoAction, lock_ttl 0, commit_version " + std::to_string(kLockTs + 10))
      << "commit_version is the commit ts of this txn's write (CurrentWrite), not its start ts "
         "nor a later txn's commit";
  EXPECT_EQ(Counts(), "default 2, lock 0, write 2");
}

// ---- KvResolveLock ----

TEST_F(Lab4C, EmptyResolve) {
  auto r = Resolve(0, 0);
  EXPECT_EQ(Outcome(r), "ok") << "resolving a txn without locks must succeed";
  EXPECT_EQ(Counts(), "default 0, lock 0, write 0");
}

TEST_F(Lab4C, ResolveCommit) {
  TwoTxnsLocked();
  auto r = Resolve(100, 120);
  ASSERT_EQ(Outcome(r), "ok") << "resolving txn 100 to a commit at 120 must succeed";
  EXPECT_EQ(Counts(), "default 3, lock 1, write 2")
      << "both locks of txn 100 become writes; txn 110's lock stays";
  EXPECT_EQ(WriteShown(k3, 120), PutOf(100));
  EXPECT_EQ(WriteShown(k7, 120), PutOf(100));
  EXPECT_EQ(LockShown(k200), LockOf(110, "")) << "txn 110's lock is not txn 100's";
}

TEST_F(Lab4C, ResolveRollback) {
  TwoTxnsLocked();
  auto r = Resolve(100, 0);
  ASSERT_EQ(Outcome(r), "ok") << "resolving txn 100 to a rollback (commit_version 0) must succeed";
  EXPECT_EQ(Counts(), "default 1, lock 1, write 2")
      << "txn 100's locks and values are gone, a rollback record each; txn 110's stay";
  EXPECT_EQ(WriteShown(k3, 100), RollbackOf(100));
  EXPECT_EQ(WriteShown(k7, 100), RollbackOf(100));
  EXPECT_EQ(LockShown(k200), LockOf(110, ""));
  EXPECT_EQ(ValueShown(k200, 110), Printable(Bytes({44})));
}

TEST_F(Lab4C, ResolveCommitWritten) {
  TxnSettledFixture();
  auto r = Resolve(100, 120);
  EXPECT_EQ(Outcome(r), "ok") << "resolving a txn with no lock left must succeed";
  ExpectTxnSettledUnchanged();
}

TEST_F(Lab4C, ResolveRollbackWritten) {
  TxnSettledFixture();
  auto r = Resolve(100, 0);
  EXPECT_EQ(Outcome(r), "ok") << "resolving a txn with no lock left must succeed";
  ExpectTxnSettledUnchanged();
}

TEST_F(Lab4C, ResolveLeavesOtherTxnsLocksAlone) {
  Prewritten(k3, "", 90, Bytes({41}));
  Prewritten(k7, "", 100, Bytes({42}));
  Prewritten(k200, "", 110, Bytes({43}));
  auto r = Resolve(100, 120);
  ASSERT_EQ(Outcome(r), "ok");
  EXPECT_EQ(LockShown(k3), LockOf(90, ""))
      << "resolving txn 100 settles locks of start ts 100 only, not those of older txns";
  EXPECT_EQ(LockShown(k200), LockOf(110, "")) << "nor those of newer txns";
  EXPECT_EQ(WriteShown(k7, 120), PutOf(100));
  EXPECT_EQ(Counts(), "default 3, lock 2, write 1");
}

TEST_F(Lab4C, ResolveCommitKeepsTheLockKind) {
  Prewritten(k3, k3, 100, Bytes({42}));
  SetLock(k7, Lock{.primary = k3, .start_ts = 100, .kind = WriteKind::kDelete});
  auto r = Resolve(100, 120);
  ASSERT_EQ(Outcome(r), "ok");
  EXPECT_EQ(WriteShown(k3, 120), PutOf(100));
  EXPECT_EQ(WriteShown(k7, 120), Shown(Write{.start_ts = 100, .kind = WriteKind::kDelete}))
      << "a delete's lock commits to a delete record: the write's kind is the lock's";
  EXPECT_EQ(Counts(), "default 1, lock 0, write 2");
}

// ---- KvScan ----

TEST_F(Lab4C, ScanEmpty) {
  ScanFixture();
  EXPECT_EQ(Scan(Bytes({200}), 10000, kTs), std::vector<std::string>{})
      << "a scan from after the last key returns nothing";
}

TEST_F(Lab4C, ScanLimitZero) {
  ScanFixture();
  EXPECT_EQ(Scan(k3, 0, kTs), std::vector<std::string>{}) << "a scan with limit 0 returns nothing";
}

TEST_F(Lab4C, ScanAll) {
  ScanFixture();
  const std::vector<std::string> want = {
      At99({1}),     At99({1, 23}), At99({3}), At99({3, 45}), At99({3, 46}),
      At99({3, 47}), At99({3, 48}), At99({4}), At99({120}),   ValuePair(Bytes({150}), Bytes({42})),
      At99({199})};
  EXPECT_EQ(Scan(Bytes({0}), 10000, kTs), want)
      << "a scan at ts 100 sees every key committed at 99, in key order, and nothing committed "
         "at 101 or 116 (key 150: its put at 99, not its delete at 101)";
}

TEST_F(Lab4C, ScanLimit) {
  ScanFixture();
  const std::vector<std::string> want = {At99({3}),     At99({3, 45}), At99({3, 46}),
                                         At99({3, 47}), At99({3, 48}), At99({4})};
  EXPECT_EQ(Scan(Bytes({2}), 6, kTs), want)
      << "a scan from key 2 (absent) with limit 6 returns the first 6 keys from there";
}

TEST_F(Lab4C, ScanDeleted) {
  ScanFixture();
  EXPECT_EQ(
      Scan(Bytes({100}), 10000, 100),
      (std::vector<std::string>{At99({120}), ValuePair(Bytes({150}), Bytes({42})), At99({199})}))
      << "at ts 100, key 150 still has its value of 99";
  EXPECT_EQ(Scan(Bytes({100}), 10000, 105), (std::vector<std::string>{At99({120}), At99({199})}))
      << "at ts 105, key 150 is deleted (at 101): no pair";
  EXPECT_EQ(
      Scan(Bytes({100}), 10000, 120),
      (std::vector<std::string>{At99({120}), ValuePair(Bytes({150}), Bytes({64})), At99({199})}))
      << "at ts 120, key 150 has the value put again at 116";
}

TEST_F(Lab4C, ScanReportsALockInsteadOfTheValue) {
  ScanFixture();
  SetLock(Bytes({3, 45}), Lock{.primary = kPrimary, .start_ts = kTs, .ttl = 7});
  const std::vector<std::string> want = {At99({3}), LockedPair(Bytes({3, 45}), kTs, kPrimary, 7),
                                         At99({3, 46})};
  EXPECT_EQ(Scan(k3, 3, kTs), want)
      << "a key locked by a txn that started at or before the scan's version yields a pair with "
         "a `locked` KeyError (the lock's key, primary, start ts and ttl) and no value: that txn "
         "may commit below the version";
}

TEST_F(Lab4C, ScanReportsALockOnAKeyWithoutValue) {
  ScanFixture();
  SetLock(Bytes({2}), Lock{.primary = kPrimary, .start_ts = 90});
  const std::vector<std::string> want = {At99({1}), At99({1, 23}),
                                         LockedPair(Bytes({2}), 90, kPrimary, 0), At99({3})};
  EXPECT_EQ(Scan(Bytes({0}), 4, kTs), want)
      << "a lock on a key with no committed value is reported too: the Scanner walks CF write "
         "only, so KvScan must also walk CF lock";
}

TEST_F(Lab4C, ScanIgnoresLocksOfLaterTxns) {
  ScanFixture();
  SetLock(Bytes({2}), Lock{.primary = kPrimary, .start_ts = kTs + 1});
  SetLock(k3, Lock{.primary = kPrimary, .start_ts = kTs + 1});
  const std::vector<std::string> want = {At99({1}), At99({1, 23}), At99({3}), At99({3, 45})};
  EXPECT_EQ(Scan(Bytes({0}), 4, kTs), want)
      << "a lock of a txn that started after the scan's version hides nothing: that txn will "
         "commit above the version";
}

TEST_F(Lab4C, ScanCountsLockedKeysTowardsTheLimit) {
  ScanFixture();
  SetLock(Bytes({2}), Lock{.primary = kPrimary, .start_ts = 90});
  SetLock(k3, Lock{.primary = kPrimary, .start_ts = 90});
  SetLock(Bytes({3, 46}), Lock{.primary = kPrimary, .start_ts = 95});
  const std::vector<std::string> want = {LockedPair(k3, 90, kPrimary, 0), At99({3, 45}),
                                         LockedPair(Bytes({3, 46}), 95, kPrimary, 0)};
  EXPECT_EQ(Scan(k3, 3, kTs), want)
      << "a scan from key 3 with limit 3: locks before the start key are not reported, locked "
         "keys count towards the limit and come in key order with the values";
}

}  // namespace
}  // namespace tinykv::txn
