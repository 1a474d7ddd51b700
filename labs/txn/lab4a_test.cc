// Lab 4A graded tests: the MVCC layer (txn/mvcc_txn.h, txn/scanner.h).
//
// The first group covers the situations TinyKV's 4A tests check — the MVCC key encoding (exact
// bytes and order), buffered puts and deletes of locks, values and writes, GetLock, GetValue at
// timestamps before, at and after commits, overwrites and deletes, CurrentWrite and
// MostRecentWrite — plus rollbacks, neighbouring keys and corrupt records. The Scan tests cover
// the Scanner: key order, start key, limit, range end, and what must not be returned (deleted
// and rolled-back keys, older versions, commits after the start ts).
//
// Every test runs on a StandaloneStorage over a MemEngine. Records are stored through the
// storage by hand, byte for byte in TinyKV's layout, and each failure message names the rule
// that broke. The tests are deterministic: one seed is enough.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "labs/txn/txn_bed.h"
#include "proto/kvrpcpb.pb.h"
#include "txn/lock.h"
#include "txn/mvcc_key.h"
#include "txn/mvcc_txn.h"
#include "txn/printable.h"
#include "txn/scanner.h"
#include "txn/write.h"

namespace tinykv::txn {
namespace {

using namespace std::string_literals;
using store::Cf;
using store::Modify;
using store::Status;

// The key TinyKV's tests use, and neighbours of it in every direction.
const std::string kKey = "\x10\xf0";

// A buffered modification, one line: `put lock "\x01" = "..."`, `delete default "..."`.
std::string Op(const Modify& m) {
  const std::string cf(CfName(m.cf));
  if (m.type == Modify::Type::kDelete) return "delete " + cf + " " + Printable(m.key);
  return "put " + cf + " " + Printable(m.key) + " = " + Printable(m.value);
}
std::string PutOp(Cf cf, std::string_view key, std::string_view value) {
  return Op(Modify::Put(cf, key, value));
}
std::string DeleteOp(Cf cf, std::string_view key) { return Op(Modify::Delete(cf, key)); }

std::vector<std::string> Ops(const MvccTxn& txn) {
  std::vector<std::string> out;
  for (const Modify& m : txn.writes()) out.push_back(Op(m));
  return out;
}

std::string Shown(const std::optional<std::string>& value) {
  return value ? Printable(*value) : "<none>";
}
std::string Shown(const std::optional<CommittedWrite>& w) {
  if (!w) return "<none>";
  return WriteKindName(w->write.kind) + " of the txn started at " +
         std::to_string(w->write.start_ts) + ", committed at " + std::to_string(w->commit_ts);
}
std::string Shown(const Lock& lock) {
  return "lock of primary " + Printable(lock.primary) + ", start ts " +
         std::to_string(lock.start_ts) + ", ttl " + std::to_string(lock.ttl) + ", kind " +
         WriteKindName(lock.kind);
}
std::string Shown(const std::optional<Lock>& lock) { return lock ? Shown(*lock) : "<none>"; }
std::string Shown(const std::vector<KvPair>& pairs) {
  std::string out = "[";
  for (const KvPair& p : pairs)
    out += (out.size() > 1 ? ", " : "") + Printable(p.key) + "=" + Printable(p.value);
  return out + "]";
}

class Lab4A : public ::testing::Test, public TxnBed {
 protected:
  // TinyKV's fixtures. SingleEntry: 1,2,3 written at 40, committed at 42.
  void SingleEntry() { CommitPut(kKey, 40, 42, "\x01\x02\x03"); }
  // TwoEntries: then 255,0,255 written at 50, committed at 52.
  void TwoEntries() {
    SingleEntry();
    CommitPut(kKey, 50, 52, "\xff\x00\xff"s);
  }
  // Deleted: SingleEntry, then deleted by the txn started at 50, committed at 52.
  void Deleted() {
    SingleEntry();
    CommitDelete(kKey, 50, 52);
  }

  // k1..k5 with values v1..v5, each written at 8 and committed at 10.
  void FiveKeys() {
    for (char c = '1'; c <= '5'; ++c) CommitPut("k"s + c, 8, 10, "v"s + c);
  }

  // A transaction at `start_ts` over a reader opened now (it sees what was Set before).
  MvccTxn& Txn(uint64_t start_ts) {
    readers_.push_back(Reader());
    txns_.push_back(std::make_unique<MvccTxn>(readers_.back().get(), start_ts));
    return *txns_.back();
  }

  // `out` shown, when `s` (the status of the call `what` that produced it) is OK; else the test
  // fails, naming the call.
  template <typename Out>
  static std::string ShownIfOk(const std::string& what, const Status& s, const Out& out) {
    if (s.ok()) return Shown(out);
    ADD_FAILURE() << what << " must succeed, got " << s.ToString();
    return "<error>";
  }
  static std::string Call(std::string_view method, std::string_view key, uint64_t start_ts) {
    return std::string(method) + "(" + Printable(key) + ") at ts " + std::to_string(start_ts);
  }

  // What GetValue / CurrentWrite / MostRecentWrite of `key` return at `start_ts`, shown.
  std::string ValueAt(uint64_t start_ts, std::string_view key = kKey) {
    std::optional<std::string> value;
    Status s = Txn(start_ts).GetValue(key, &value);
    return ShownIfOk(Call("GetValue", key, start_ts), s, value);
  }
  std::string CurrentWriteAt(uint64_t start_ts, std::string_view key = kKey) {
    std::optional<CommittedWrite> write;
    Status s = Txn(start_ts).CurrentWrite(key, &write);
    return ShownIfOk(Call("CurrentWrite", key, start_ts), s, write);
  }
  std::string MostRecentWriteAt(uint64_t start_ts, std::string_view key = kKey) {
    std::optional<CommittedWrite> write;
    Status s = Txn(start_ts).MostRecentWrite(key, &write);
    return ShownIfOk(Call("MostRecentWrite", key, start_ts), s, write);
  }

  // Every pair a Scanner from `start` at `start_ts` returns, shown.
  std::string ScanAt(uint64_t start_ts, std::string_view start, ScanOptions options = {}) {
    Scanner scanner(&Txn(start_ts), start, std::move(options));
    std::vector<KvPair> pairs;
    Status s = ScanAll(&scanner, &pairs);
    return ShownIfOk(Call("Scan", start, start_ts), s, pairs);
  }

  std::vector<std::unique_ptr<store::StorageReader>> readers_;
  std::vector<std::unique_ptr<MvccTxn>> txns_;
};

const Lock kLock{.primary = "\x10", .start_ts = 100, .ttl = 100000, .kind = WriteKind::kRollback};

// ---- Buffered writes ----

TEST_F(Lab4A, PutLockBuffersAPutInCfLockUnderTheRawKey) {
  MvccTxn& txn = Txn(42);
  txn.PutLock("\x01", kLock);
  EXPECT_EQ(Ops(txn), std::vector<std::string>{PutOp(Cf::kLock, "\x01", kLock.ToBytes())})
      << "PutLock must buffer exactly one put: CF lock, the raw user key, Lock::ToBytes()";
}

TEST_F(Lab4A, DeleteLockBuffersADeleteInCfLock) {
  MvccTxn& txn = Txn(42);
  txn.DeleteLock("\x01");
  EXPECT_EQ(Ops(txn), std::vector<std::string>{DeleteOp(Cf::kLock, "\x01")})
      << "DeleteLock must buffer exactly one delete of the raw user key in CF lock";
}

TEST_F(Lab4A, PutWriteBuffersAPutInCfWriteAtTheCommitTs) {
  MvccTxn& txn = Txn(0);
  const Write write{.start_ts = 100, .kind = WriteKind::kDelete};
  txn.PutWrite(kKey, 0, write);
  txn.PutWrite(kKey, 107, write);
  EXPECT_EQ(Ops(txn),
            (std::vector<std::string>{PutOp(Cf::kWrite, EncodeKey(kKey, 0), write.ToBytes()),
                                      PutOp(Cf::kWrite, EncodeKey(kKey, 107), write.ToBytes())}))
      << "PutWrite must buffer one put per call: CF write, EncodeKey(key, commit_ts) (not the "
         "txn's start ts), Write::ToBytes()";
}

TEST_F(Lab4A, PutValueBuffersAPutInCfDefaultAtTheStartTs) {
  MvccTxn& txn = Txn(453325345);
  txn.PutValue("\x20", "\x01\x01\x02\x03\x05\x08\x0d");
  EXPECT_EQ(Ops(txn), std::vector<std::string>{PutOp(Cf::kDefault, EncodeKey("\x20", 453325345),
                                                     "\x01\x01\x02\x03\x05\x08\x0d")})
      << "PutValue must buffer exactly one put: CF default, EncodeKey(key, the txn's start ts)";
}

TEST_F(Lab4A, DeleteValueBuffersADeleteInCfDefaultAtTheStartTs) {
  MvccTxn& txn = Txn(63454245);
  txn.DeleteValue("\x11\xff\x00"s);
  EXPECT_EQ(Ops(txn),
            std::vector<std::string>{DeleteOp(Cf::kDefault, EncodeKey("\x11\xff\x00"s, 63454245))})
      << "DeleteValue must buffer exactly one delete: CF default, EncodeKey(key, start ts)";
}

TEST_F(Lab4A, BufferedWritesReachTheStorageOnlyWhenTheCallerWritesThem) {
  MvccTxn& txn = Txn(40);
  txn.PutValue(kKey, "v");
  txn.PutWrite(kKey, 42, Write{.start_ts = 40, .kind = WriteKind::kPut});
  txn.PutLock(kKey, kLock);
  ASSERT_EQ(txn.writes().size(), 3u) << "three calls must buffer three modifications";
  EXPECT_EQ(ValueAt(50), "<none>") << "nothing may reach the storage before Storage::Write";
  ASSERT_TRUE(storage().Write(kNoContext, txn.writes()).ok());
  EXPECT_EQ(ValueAt(50), Printable("v"))
      << "after Storage::Write of writes(), a txn at ts 50 must see the put committed at ts 42";
  std::optional<Lock> lock;
  ASSERT_TRUE(Txn(50).GetLock(kKey, &lock).ok());
  EXPECT_EQ(Shown(lock), Shown(kLock)) << "the buffered lock must be stored as written";
}

// ---- GetLock ----

TEST_F(Lab4A, GetLockReturnsTheStoredLock) {
  Set(Cf::kLock, "\x01", kLock.ToBytes());
  std::optional<Lock> lock;
  Status s = Txn(42).GetLock("\x01", &lock);
  ASSERT_TRUE(s.ok()) << "GetLock of a locked key must succeed, got " << s.ToString();
  EXPECT_EQ(Shown(lock), Shown(kLock))
      << "GetLock must find the lock stored in CF lock under the raw key, field for field";
}

TEST_F(Lab4A, GetLockOfAnUnlockedKeyIsEmpty) {
  Set(Cf::kLock, "\x01", kLock.ToBytes());
  std::optional<Lock> lock = kLock;
  Status s = Txn(42).GetLock("\x02", &lock);
  ASSERT_TRUE(s.ok()) << "no lock is not an error: GetLock must return OK, got " << s.ToString();
  EXPECT_EQ(Shown(lock), "<none>") << "GetLock of an unlocked key must return no lock";
}

TEST_F(Lab4A, GetLockOfACorruptLockIsAnError) {
  Set(Cf::kLock, "\x01", "short");
  std::optional<Lock> lock;
  Status s = Txn(42).GetLock("\x01", &lock);
  EXPECT_TRUE(s.IsCorruption()) << "a lock record that does not parse must be Corruption, got "
                                << s.ToString();
}

// ---- GetValue ----

TEST_F(Lab4A, GetValueSimple) {
  SingleEntry();
  EXPECT_EQ(ValueAt(43), Printable("\x01\x02\x03"))
      << "GetValue at ts 43 must see the put committed at ts 42 (its value is in CF default at "
         "the put's start ts 40)";
}

TEST_F(Lab4A, GetValueMissing) {
  SingleEntry();
  EXPECT_EQ(ValueAt(43, "\x10\xf1"), "<none>")
      << "GetValue of a key never written must return nothing (and OK)";
}

TEST_F(Lab4A, GetValueTooEarly) {
  SingleEntry();
  EXPECT_EQ(ValueAt(41), "<none>") << "GetValue at ts 41 must not see the put committed at ts 42";
}

TEST_F(Lab4A, GetValueAtTheCommitTsSeesTheCommit) {
  SingleEntry();
  EXPECT_EQ(ValueAt(42), Printable("\x01\x02\x03"))
      << "a write committed at ts 42 is visible at start ts 42 (commit_ts <= start_ts)";
}

TEST_F(Lab4A, GetValueOverwritten) {
  TwoEntries();
  EXPECT_EQ(ValueAt(52), Printable("\xff\x00\xff"s))
      << "GetValue at ts 52 must see the newer put committed at ts 52, not the one at 42";
  EXPECT_EQ(ValueAt(500), Printable("\xff\x00\xff"s))
      << "GetValue at ts 500 must see the newest put (committed at ts 52)";
}

TEST_F(Lab4A, GetValueNotOverwritten) {
  TwoEntries();
  EXPECT_EQ(ValueAt(50), Printable("\x01\x02\x03"))
      << "GetValue at ts 50 must not see the put committed at ts 52, only the one at 42";
}

TEST_F(Lab4A, GetValueDeleted) {
  Deleted();
  EXPECT_EQ(ValueAt(500), "<none>")
      << "GetValue at ts 500 must see the delete committed at ts 52: no value";
}

TEST_F(Lab4A, GetValueNotDeleted) {
  Deleted();
  EXPECT_EQ(ValueAt(45), Printable("\x01\x02\x03"))
      << "GetValue at ts 45 must not see the delete committed at ts 52, only the put at 42";
}

TEST_F(Lab4A, GetValueSkipsRollbacks) {
  SingleEntry();
  Rollback(kKey, 45);
  EXPECT_EQ(ValueAt(50), Printable("\x01\x02\x03"))
      << "GetValue at ts 50 must skip the rollback at ts 45 and see the put committed at ts 42";
  Rollback("\x20", 45);
  EXPECT_EQ(ValueAt(50, "\x20"), "<none>") << "a key with nothing but a rollback has no value";
}

TEST_F(Lab4A, GetValueIgnoresNeighbouringKeys) {
  // Keys right next to kKey in byte order, with versions visible at ts 50.
  CommitPut("\x10", 30, 31, "shorter");
  CommitPut("\x10\xf0\x00"s, 30, 31, "longer");
  CommitPut("\x10\xf1", 30, 31, "next");
  EXPECT_EQ(ValueAt(50), "<none>")
      << "GetValue must only return a version of the key itself, not of a key next to it";
  SingleEntry();
  EXPECT_EQ(ValueAt(50), Printable("\x01\x02\x03"));
  EXPECT_EQ(ValueAt(50, "\x10\xf0\x00"s), Printable("longer"));
}

TEST_F(Lab4A, GetValueOfACorruptWriteIsAnError) {
  Set(Cf::kWrite, EncodeKey(kKey, 42), "\x01\x00");
  std::optional<std::string> value;
  Status s = Txn(50).GetValue(kKey, &value);
  EXPECT_TRUE(s.IsCorruption()) << "a write record that does not parse must be Corruption, got "
                                << s.ToString();
}

// ---- CurrentWrite / MostRecentWrite ----

TEST_F(Lab4A, CurrentWrite) {
  TwoEntries();
  EXPECT_EQ(CurrentWriteAt(50), "put of the txn started at 50, committed at 52")
      << "CurrentWrite of the txn started at 50 is its put committed at ts 52";
  EXPECT_EQ(CurrentWriteAt(40), "put of the txn started at 40, committed at 42")
      << "CurrentWrite must search every commit ts, not only those at or below the start ts";
  EXPECT_EQ(CurrentWriteAt(41), "<none>")
      << "no write was made by a txn started at 41: CurrentWrite must return nothing";
}

TEST_F(Lab4A, CurrentWriteFindsARollback) {
  TwoEntries();
  Rollback(kKey, 45);
  EXPECT_EQ(CurrentWriteAt(45), "rollback of the txn started at 45, committed at 45")
      << "a rollback is the current write of the rolled-back txn (stored at its start ts)";
}

TEST_F(Lab4A, MostRecentWriteOfAnUnwrittenKeyIsEmpty) {
  EXPECT_EQ(MostRecentWriteAt(50), "<none>") << "an empty store has no write";
  TwoEntries();
  EXPECT_EQ(MostRecentWriteAt(50, "\x10"), "<none>")
      << "writes of another key (here a longer one) are not the key's";
}

TEST_F(Lab4A, MostRecentWrite) {
  TwoEntries();
  EXPECT_EQ(MostRecentWriteAt(50), "put of the txn started at 50, committed at 52")
      << "MostRecentWrite is the write with the largest commit ts";
}

TEST_F(Lab4A, MostRecentWriteSeesADelete) {
  Deleted();
  EXPECT_EQ(MostRecentWriteAt(50), "delete of the txn started at 50, committed at 52")
      << "MostRecentWrite returns deletes too";
}

TEST_F(Lab4A, MostRecentWriteDoesNotDependOnTheStartTs) {
  TwoEntries();
  EXPECT_EQ(MostRecentWriteAt(5000), "put of the txn started at 50, committed at 52");
  EXPECT_EQ(MostRecentWriteAt(1), "put of the txn started at 50, committed at 52")
      << "MostRecentWrite at ts 1 must still see the write committed at ts 52";
}

// ---- Scanner ----

TEST_F(Lab4A, ScanReturnsKeysInOrder) {
  // Stored out of order, and with keys that are prefixes of each other.
  CommitPut("b", 8, 10, "vb");
  CommitPut("a\x00"s, 8, 10, "va0");
  CommitPut("a", 8, 10, "va");
  CommitPut("\xff", 8, 10, "vff");
  CommitPut("", 8, 10, "vempty");
  EXPECT_EQ(ScanAt(20, ""),
            "[\"\"=\"vempty\", \"a\"=\"va\", \"a\\x00\"=\"va0\", \"b\"=\"vb\", "
            "\"\\xff\"=\"vff\"]")
      << "a scan returns every visible key once, in byte order of the user keys";
}

TEST_F(Lab4A, ScanStartsAtTheStartKey) {
  FiveKeys();
  EXPECT_EQ(ScanAt(20, "k3"), "[\"k3\"=\"v3\", \"k4\"=\"v4\", \"k5\"=\"v5\"]")
      << "a scan starts at the start key itself when it exists";
  EXPECT_EQ(ScanAt(20, "k2a"), "[\"k3\"=\"v3\", \"k4\"=\"v4\", \"k5\"=\"v5\"]")
      << "a scan from an absent key starts at the next key";
}

TEST_F(Lab4A, ScanHonoursTheLimit) {
  FiveKeys();
  EXPECT_EQ(ScanAt(20, "", ScanOptions{.limit = 2}), "[\"k1\"=\"v1\", \"k2\"=\"v2\"]")
      << "a scan with limit 2 returns the first two visible keys";
  EXPECT_EQ(ScanAt(20, "", ScanOptions{.limit = 0}), "[]") << "limit 0 returns nothing";
  CommitDelete("k1", 12, 14);
  EXPECT_EQ(ScanAt(20, "", ScanOptions{.limit = 2}), "[\"k2\"=\"v2\", \"k3\"=\"v3\"]")
      << "keys that yield nothing (k1 is deleted) do not count against the limit";
}

TEST_F(Lab4A, ScanStopsBeforeTheRangeEnd) {
  FiveKeys();
  EXPECT_EQ(ScanAt(20, "k2", ScanOptions{.end_key = "k4"}), "[\"k2\"=\"v2\", \"k3\"=\"v3\"]")
      << "the range end is exclusive: a scan from k2 to k4 returns k2 and k3";
  EXPECT_EQ(ScanAt(20, "k2", ScanOptions{.end_key = "k3\x00"s}), "[\"k2\"=\"v2\", \"k3\"=\"v3\"]")
      << "k3 < k3\\x00: a scan to k3\\x00 includes k3";
}

TEST_F(Lab4A, ScanSkipsDeletedKeys) {
  FiveKeys();
  CommitDelete("k2", 12, 14);
  CommitDelete("k4", 12, 30);
  EXPECT_EQ(ScanAt(20, ""), "[\"k1\"=\"v1\", \"k3\"=\"v3\", \"k4\"=\"v4\", \"k5\"=\"v5\"]")
      << "at ts 20, k2 (deleted at 14) is gone and k4 (deleted at 30) is not yet";
}

TEST_F(Lab4A, ScanSkipsRolledBackKeys) {
  CommitPut("k1", 8, 10, "v1");
  Rollback("k1", 12);
  Rollback("k2", 12);
  CommitPut("k3", 8, 10, "v3");
  EXPECT_EQ(ScanAt(20, ""), "[\"k1\"=\"v1\", \"k3\"=\"v3\"]")
      << "a rollback hides nothing (k1 keeps its value) and adds nothing (k2 has none)";
}

TEST_F(Lab4A, ScanSkipsOlderVersionsAndLaterCommits) {
  CommitPut("k1", 8, 10, "old");
  CommitPut("k1", 12, 14, "new");
  CommitPut("k1", 22, 24, "too new");
  CommitPut("k2", 22, 24, "too new");
  CommitPut("k3", 8, 10, "v3");
  EXPECT_EQ(ScanAt(20, ""), "[\"k1\"=\"new\", \"k3\"=\"v3\"]")
      << "at ts 20: k1 once, at its newest version committed by then (14); k2 not yet";
}

TEST_F(Lab4A, ScanOfAnEmptyStoreIsEmpty) {
  Set(Cf::kLock, "k1", kLock.ToBytes());
  EXPECT_EQ(ScanAt(20, ""), "[]") << "nothing committed: nothing to scan (locks are not values)";
}

}  // namespace
}  // namespace tinykv::txn
