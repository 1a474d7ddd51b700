// Lab 4B graded tests: KvGet, KvPrewrite and KvCommit (txn/commands.h).
//
// The situations of TinyKV's 4B tests — reads at timestamps around commits, deletes and locks;
// prewrites alone, together, over locks and over newer writes; commits of one key, many keys,
// again, after a rollback, over another transaction's lock, and without a prewrite — plus a few
// of ours where a classic mistake passes TinyKV's: a prewrite that locks some keys of a request
// although another failed, a retried prewrite refused as "locked" by its own lock, a read
// blocked by the lock of a transaction that started after it, a commit that loses a delete.
//
// Each test stores records byte for byte (labs/txn/txn_bed.h), runs commands, and checks both the
// responses and every record left behind. Deterministic: one seed.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "labs/txn/txn_bed.h"
#include "txn/printable.h"

namespace tinykv::txn {
namespace {

using namespace std::string_literals;
using store::Cf;

const std::string kK = "\x63";  // TinyKV's key 99
const std::string kK3 = "\x03";
const std::string kK4 = "\x04";

class Lab4B : public ::testing::Test, public TxnBed {
 protected:
  kvrpcpb::GetResponse Get(const std::string& key, uint64_t version) {
    kvrpcpb::GetRequest req;
    req.set_key(key);
    req.set_version(version);
    return KvGet(env(), req);
  }
  // What a get returns, in words: the value, "not found", or the error.
  std::string GetShown(const std::string& key, uint64_t version) {
    const kvrpcpb::GetResponse r = Get(key, version);
    if (r.has_region_error()) return "region error " + r.region_error().message();
    if (r.has_error()) {
      if (r.error().has_locked()) {
        return "locked by the txn of start ts " + std::to_string(r.error().locked().lock_version());
      }
      return "error " + r.error().ShortDebugString();
    }
    return r.not_found() ? "not found" : Printable(r.value());
  }

  static kvrpcpb::Mutation Put(const std::string& key, const std::string& value) {
    kvrpcpb::Mutation m;
    m.set_op(kvrpcpb::Put);
    m.set_key(key);
    m.set_value(value);
    return m;
  }
  static kvrpcpb::Mutation Del(const std::string& key) {
    kvrpcpb::Mutation m;
    m.set_op(kvrpcpb::Del);
    m.set_key(key);
    return m;
  }
  kvrpcpb::PrewriteResponse Prewrite(uint64_t start_ts, const std::vector<kvrpcpb::Mutation>& ms,
                                     uint64_t ttl = 0) {
    kvrpcpb::PrewriteRequest req;
    for (const kvrpcpb::Mutation& m : ms) *req.add_mutations() = m;
    req.set_primary_lock(ms.empty() ? "" : ms.front().key());
    req.set_start_version(start_ts);
    req.set_lock_ttl(ttl);
    return KvPrewrite(env(), req);
  }
  kvrpcpb::CommitResponse Commit(uint64_t start_ts, uint64_t commit_ts,
                                 const std::vector<std::string>& keys) {
    kvrpcpb::CommitRequest req;
    for (const std::string& k : keys) req.add_keys(k);
    req.set_start_version(start_ts);
    req.set_commit_version(commit_ts);
    return KvCommit(env(), req);
  }

  static std::string Errors(const kvrpcpb::PrewriteResponse& r) {
    std::string out;
    for (const kvrpcpb::KeyError& e : r.errors())
      out += (out.empty() ? "" : "; ") + e.ShortDebugString();
    return out.empty() ? "none" : out;
  }
  static std::string Shown(const std::optional<Lock>& lock) {
    if (!lock) return "<no lock>";
    return "lock of primary " + Printable(lock->primary) + " start ts " +
           std::to_string(lock->start_ts) + " ttl " + std::to_string(lock->ttl) + " " +
           WriteKindName(lock->kind);
  }
  static std::string Shown(const std::optional<Write>& w) {
    if (!w) return "<no write>";
    return WriteKindName(w->kind) + " of start ts " + std::to_string(w->start_ts);
  }
};

// ---- KvGet ----

TEST_F(Lab4B, GetValue) {
  CommitPut(kK, 50, 54, "\x2a");
  EXPECT_EQ(GetShown(kK, kTsMax), Printable("\x2a"));
}

TEST_F(Lab4B, GetValueTs) {
  CommitPut(kK, 50, 54, "\x2a");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(GetShown(kK, 100), Printable("\x2a")) << "a read changes nothing: read " << i;
  }
}

TEST_F(Lab4B, GetEmpty) { EXPECT_EQ(GetShown("\x64", kTsMax), "not found"); }

TEST_F(Lab4B, GetNone) {
  CommitPut("\x63", 50, 54, "\x2a");
  CommitPut("\x65", 50, 54, "\x2a");
  EXPECT_EQ(GetShown("\x64", kTsMax), "not found") << "the neighbours' values are not key 100's";
}

TEST_F(Lab4B, GetVersions) {
  CommitPut(kK, 50, 54, "\x2a");
  CommitPut(kK, 60, 66, "\x2b");
  CommitPut(kK, 120, 122, "\x2c");
  EXPECT_EQ(GetShown(kK, 40), "not found") << "nothing was committed by ts 40";
  EXPECT_EQ(GetShown(kK, 56), Printable("\x2a"));
  EXPECT_EQ(GetShown(kK, 60), Printable("\x2a"));
  EXPECT_EQ(GetShown(kK, 65), Printable("\x2a")) << "written at 60 but committed only at 66";
  EXPECT_EQ(GetShown(kK, 66), Printable("\x2b")) << "a commit at 66 is seen at 66";
  EXPECT_EQ(GetShown(kK, 100), Printable("\x2b"));
  EXPECT_EQ(GetShown(kK, 122), Printable("\x2c"));
  EXPECT_EQ(GetShown(kK, kTsMax), Printable("\x2c"));
}

TEST_F(Lab4B, GetDeleted) {
  CommitPut(kK, 50, 54, "\x2a");
  CommitDelete(kK, 60, 66);
  CommitPut(kK, 120, 122, "\x2c");
  EXPECT_EQ(GetShown(kK, 54), Printable("\x2a"));
  EXPECT_EQ(GetShown(kK, 66), "not found") << "deleted at 66";
  EXPECT_EQ(GetShown(kK, 100), "not found") << "deleted at 66";
  EXPECT_EQ(GetShown(kK, 122), Printable("\x2c")) << "put again at 122";
}

TEST_F(Lab4B, GetLocked) {
  CommitPut(kK, 50, 54, "\x2a");
  SetLock(kK, Lock{.primary = kK, .start_ts = 200, .ttl = 0, .kind = WriteKind::kPut});
  EXPECT_EQ(GetShown(kK, 55), Printable("\x2a"))
      << "the lock of a txn that started at 200 cannot hide a value from a read at 55";
  const kvrpcpb::GetResponse r = Get(kK, 300);
  ASSERT_TRUE(r.has_error() && r.error().has_locked())
      << "a read at 300 must report the lock of the txn started at 200 (it may commit before "
         "300); got "
      << r.ShortDebugString();
  EXPECT_EQ(r.error().locked().key(), kK);
  EXPECT_EQ(r.error().locked().primary_lock(), kK);
  EXPECT_EQ(r.error().locked().lock_version(), 200u);
}

TEST_F(Lab4B, GetIgnoresTheLockOfALaterTransaction) {
  CommitPut(kK, 50, 54, "\x2a");
  SetLock(kK, Lock{.primary = kK, .start_ts = 100, .ttl = 10, .kind = WriteKind::kPut});
  EXPECT_EQ(GetShown(kK, 99), Printable("\x2a"))
      << "a txn that started at 100 commits after 100: it cannot matter to a read at 99";
  EXPECT_EQ(GetShown(kK, 100), "locked by the txn of start ts 100");
}

// ---- KvPrewrite ----

TEST_F(Lab4B, EmptyPrewrite) {
  const auto r = Prewrite(100, {});
  EXPECT_EQ(Errors(r), "none");
  EXPECT_EQ(Counts(), "default 0, lock 0, write 0");
}

TEST_F(Lab4B, SinglePrewrite) {
  const auto r = Prewrite(100, {Put(kK3, "\x2a")}, 1000);
  EXPECT_EQ(Errors(r), "none");
  EXPECT_EQ(Counts(), "default 1, lock 1, write 0");
  EXPECT_EQ(ValueAt(kK3, 100), "\x2a") << "the value is staged at the start ts";
  EXPECT_EQ(Raw(Cf::kLock, kK3), "\x03\x01\0\0\0\0\0\0\0\x64\0\0\0\0\0\0\x03\xe8"s)
      << "the lock: primary 3, put, start ts 100, ttl 1000 — TinyKV's bytes";
}

TEST_F(Lab4B, PrewriteLocked) {
  EXPECT_EQ(Errors(Prewrite(100, {Put(kK3, "\x2a")})), "none");
  const auto r = Prewrite(101, {Put(kK3, "\x35")});
  ASSERT_EQ(r.errors_size(), 1) << "key 3 is locked by the txn of start ts 100";
  EXPECT_TRUE(r.errors(0).has_locked()) << Errors(r);
  EXPECT_EQ(r.errors(0).locked().lock_version(), 100u);
  EXPECT_EQ(Counts(), "default 1, lock 1, write 0") << "the second prewrite wrote nothing";
  EXPECT_EQ(ValueAt(kK3, 100), "\x2a");
  EXPECT_EQ(LockOn(kK3)->start_ts, 100u);
}

TEST_F(Lab4B, PrewriteWritten) {
  CommitPut(kK3, 80, 101, "\x05");
  const auto r = Prewrite(100, {Put(kK3, "\x2a")});
  ASSERT_EQ(r.errors_size(), 1) << "a write committed at 101 is newer than our start at 100";
  ASSERT_TRUE(r.errors(0).has_conflict()) << Errors(r);
  EXPECT_EQ(r.errors(0).conflict().start_ts(), 100u);
  EXPECT_EQ(r.errors(0).conflict().conflict_ts(), 101u);
  EXPECT_EQ(r.errors(0).conflict().key(), kK3);
  EXPECT_EQ(Counts(), "default 1, lock 0, write 1") << "nothing staged, nothing locked";
}

TEST_F(Lab4B, PrewriteWrittenNoConflict) {
  CommitPut(kK3, 80, 90, "\x05");
  const auto r = Prewrite(100, {Put(kK3, "\x2a")});
  EXPECT_EQ(Errors(r), "none") << "a write committed at 90 is older than our start at 100";
  EXPECT_EQ(Counts(), "default 2, lock 1, write 1");
  EXPECT_EQ(ValueAt(kK3, 80), "\x05");
  EXPECT_EQ(ValueAt(kK3, 100), "\x2a");
}

TEST_F(Lab4B, PrewriteAtTheCommitTsOfANewerWriteConflicts) {
  CommitPut(kK3, 80, 100, "\x05");
  const auto r = Prewrite(100, {Put(kK3, "\x2a")});
  ASSERT_EQ(r.errors_size(), 1)
      << "a write committed at 100, our start ts: it was not in our snapshot's past";
  EXPECT_TRUE(r.errors(0).has_conflict()) << Errors(r);
}

TEST_F(Lab4B, MultiplePrewrites) {
  EXPECT_EQ(Errors(Prewrite(100, {Put(kK3, "\x2a")})), "none");
  EXPECT_EQ(Errors(Prewrite(101, {Put(kK4, "\x35")})), "none") << "another key: no conflict";
  EXPECT_EQ(Counts(), "default 2, lock 2, write 0");
  EXPECT_EQ(LockOn(kK3)->start_ts, 100u);
  EXPECT_EQ(LockOn(kK4)->start_ts, 101u);
}

TEST_F(Lab4B, PrewriteOverwrite) {
  EXPECT_EQ(Errors(Prewrite(100, {Put(kK3, "\x2a"), Put(kK3, "\x2d")})), "none");
  EXPECT_EQ(Counts(), "default 1, lock 1, write 0");
  EXPECT_EQ(ValueAt(kK3, 100), "\x2d") << "the later mutation of a key wins";
}

TEST_F(Lab4B, PrewriteMultiple) {
  const auto r = Prewrite(100, {Put(kK3, "\x2a"), Put(kK4, "\x2b"), Put("\x05", "\x2c"), Del(kK4),
                                Put(kK4, "\x01\x03\x05"), Put("\xff", "\x2d")});
  EXPECT_EQ(Errors(r), "none");
  EXPECT_EQ(Counts(), "default 4, lock 4, write 0");
  EXPECT_EQ(ValueAt(kK4, 100), "\x01\x03\x05") << "key 4: put, delete, put — the last wins";
}

TEST_F(Lab4B, PrewriteIsAllOrNothing) {
  SetLock(kK4, Lock{.primary = kK4, .start_ts = 90, .ttl = 10, .kind = WriteKind::kPut});
  const auto r = Prewrite(100, {Put(kK3, "\x2a"), Put(kK4, "\x2b"), Put("\x05", "\x2c")});
  ASSERT_EQ(r.errors_size(), 1) << "only key 4 is locked";
  ASSERT_TRUE(r.errors(0).has_locked()) << Errors(r);
  EXPECT_EQ(r.errors(0).locked().key(), kK4);
  EXPECT_EQ(Shown(LockOn(kK3)), "<no lock>")
      << "one key could not be locked: the request must leave every key as it was";
  EXPECT_EQ(Counts(), "default 0, lock 1, write 0");
}

TEST_F(Lab4B, PrewriteRetriedByItsOwnTransactionSucceeds) {
  EXPECT_EQ(Errors(Prewrite(100, {Put(kK3, "\x2a")}, 50)), "none");
  EXPECT_EQ(Errors(Prewrite(100, {Put(kK3, "\x2a")}, 50)), "none")
      << "the response to the first prewrite may have been lost: its own lock is no conflict";
  EXPECT_EQ(Counts(), "default 1, lock 1, write 0");
}

TEST_F(Lab4B, PrewriteOfADeleteLocksAsDelete) {
  CommitPut(kK3, 80, 90, "\x05");
  EXPECT_EQ(Errors(Prewrite(100, {Del(kK3)})), "none");
  EXPECT_EQ(Shown(LockOn(kK3)), "lock of primary \"\\x03\" start ts 100 ttl 0 delete");
  EXPECT_EQ(ValueAt(kK3, 100), std::nullopt) << "a delete stages no value";
}

// ---- KvCommit ----

TEST_F(Lab4B, EmptyCommit) {
  const auto r = Commit(100, 110, {});
  EXPECT_FALSE(r.has_error()) << r.ShortDebugString();
  EXPECT_EQ(Counts(), "default 0, lock 0, write 0");
}

TEST_F(Lab4B, SingleCommit) {
  Prewritten(kK3, kK3, 100, "\x2a");
  const auto r = Commit(100, 110, {kK3});
  EXPECT_FALSE(r.has_error()) << r.ShortDebugString();
  EXPECT_EQ(Counts(), "default 1, lock 0, write 1") << "the lock becomes a write";
  EXPECT_EQ(Raw(Cf::kWrite, EncodeKey(kK3, 110)), "\x01\0\0\0\0\0\0\0\x64"s)
      << "a put of start ts 100 at commit ts 110 — TinyKV's bytes";
  EXPECT_EQ(ValueAt(kK3, 100), "\x2a");
}

TEST_F(Lab4B, CommitOverwrite) {
  CommitPut(kK3, 80, 90, "\x0f");
  Prewritten(kK3, kK3, 100, "\x2a");
  EXPECT_FALSE(Commit(100, 110, {kK3}).has_error());
  EXPECT_EQ(Counts(), "default 2, lock 0, write 2");
  EXPECT_EQ(Shown(WriteAt(kK3, 110)), "put of start ts 100");
  EXPECT_EQ(Shown(WriteAt(kK3, 90)), "put of start ts 80") << "the older version stays";
}

TEST_F(Lab4B, CommitMultipleKeys) {
  for (const std::string& k : {kK3, kK4, "\x05"s}) Prewritten(k, kK3, 100, "\x2a");
  Prewritten("\x06", kK3, 101, "\x2b");  // another txn's
  EXPECT_FALSE(Commit(100, 110, {kK3, kK4, "\x05"}).has_error());
  EXPECT_EQ(Counts(), "default 4, lock 1, write 3");
  for (const std::string& k : {kK3, kK4, "\x05"s}) {
    EXPECT_EQ(Shown(WriteAt(k, 110)), "put of start ts 100") << Printable(k);
  }
  EXPECT_EQ(LockOn("\x06")->start_ts, 101u) << "the other txn's lock is not ours to commit";
}

TEST_F(Lab4B, RecommitKey) {
  Prewritten(kK3, kK3, 100, "\x2a");
  EXPECT_FALSE(Commit(100, 110, {kK3, kK3}).has_error()) << "a key listed twice";
  EXPECT_EQ(Counts(), "default 1, lock 0, write 1");
}

TEST_F(Lab4B, CommitConflictRollback) {
  Rollback(kK3, 100);
  Prewritten(kK4, kK4, 200, "\x2a");  // a live transaction, for contrast
  const auto live = Commit(200, 210, {kK4});
  EXPECT_FALSE(live.has_error()) << "the txn of start ts 200 holds its lock: it commits; got "
                                 << live.ShortDebugString();
  const auto r = Commit(100, 110, {kK3});
  EXPECT_TRUE(r.has_error())
      << "the txn of start ts 100 was rolled back on key 3: it cannot commit";
  EXPECT_EQ(Shown(WriteAt(kK3, 100)), "rollback of start ts 100") << "the rollback stays";
  EXPECT_EQ(Shown(WriteAt(kK3, 110)), "<no write>");
}

TEST_F(Lab4B, CommitConflictRace) {
  Prewritten(kK3, kK3, 90, "\x6e");  // a lock of another txn, where ours should be
  const auto r = Commit(100, 110, {kK3});
  EXPECT_FALSE(r.error().retryable().empty()) << "got " << r.ShortDebugString();
  EXPECT_EQ(Counts(), "default 1, lock 1, write 0") << "the other txn's lock stays";
  EXPECT_EQ(LockOn(kK3)->start_ts, 90u);
}

TEST_F(Lab4B, CommitConflictRepeat) {
  CommitPut(kK3, 100, 110, "\x2a");
  const auto r = Commit(100, 110, {kK3});
  EXPECT_FALSE(r.has_error()) << "a commit repeated (its first response lost) succeeds again; got "
                              << r.ShortDebugString();
  EXPECT_EQ(Counts(), "default 1, lock 0, write 1");
}

TEST_F(Lab4B, CommitMissingPrewrite) {
  CommitPut(kK4, 80, 84, "\x0f");
  CommitPut("\x03\x00"s, 80, 84, "\x96");
  const auto r = Commit(100, 110, {kK3});
  EXPECT_FALSE(r.has_error()) << r.ShortDebugString();
  EXPECT_EQ(Counts(), "default 2, lock 0, write 2") << "no lock of ours, no write: nothing to do";
}

TEST_F(Lab4B, CommitKeepsTheKindOfTheLock) {
  CommitPut(kK3, 80, 90, "\x0f");
  SetLock(kK3, Lock{.primary = kK3, .start_ts = 100, .ttl = 0, .kind = WriteKind::kDelete});
  EXPECT_FALSE(Commit(100, 110, {kK3}).has_error());
  EXPECT_EQ(Shown(WriteAt(kK3, 110)), "delete of start ts 100")
      << "the lock said delete: committing it as a put would bring back the old value";
  EXPECT_EQ(GetShown(kK3, 120), "not found");
}

}  // namespace
}  // namespace tinykv::txn
