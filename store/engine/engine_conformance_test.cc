// The engine conformance suite: one set of behaviours, run against every Engine implementation
// (MemEngine, RocksEngine, and MemEngine behind a pass-through FaultInjectionEngine).
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "store/engine/engine.h"
#include "store/engine/fault_injection_engine.h"
#include "store/engine/mem_engine.h"
#include "store/engine/rocks_engine.h"
#include "store/engine/temp_dir.h"

namespace tinykv::store {
namespace {

// Everything one engine under test needs; members die in reverse order (engine before its dir).
struct Subject {
  std::unique_ptr<TempDir> dir;
  std::unique_ptr<Engine> base;
  std::unique_ptr<Engine> engine;  // what the tests use; may wrap `base`
};

struct EngineKind {
  std::string name;
  std::function<Subject()> make;
};

Subject MakeMem() {
  Subject s;
  s.engine = MemEngine::OpenFresh();
  return s;
}

Subject MakeRocks() {
  Subject s;
  s.dir = std::make_unique<TempDir>("tinykv-conformance-");
  std::unique_ptr<RocksEngine> engine;
  Status st = RocksEngine::Open(s.dir->Sub("db"), RocksEngineOptions(), &engine);
  EXPECT_TRUE(st.ok()) << st.ToString();
  s.engine = std::move(engine);
  return s;
}

Subject MakeFaultWrappedMem() {
  Subject s;
  s.base = MemEngine::OpenFresh();
  s.engine = std::make_unique<FaultInjectionEngine>(s.base.get());
  return s;
}

class EngineConformanceTest : public ::testing::TestWithParam<EngineKind> {
 protected:
  void SetUp() override {
    subject_ = GetParam().make();
    ASSERT_NE(subject_.engine, nullptr);
    e_ = subject_.engine.get();
  }

  void Put(Cf cf, std::string_view k, std::string_view v) {
    Status s = e_->Put(cf, k, v);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // The value of k, or "<none>" when absent (failing the test on any other error).
  std::string GetOr(Cf cf, std::string_view k) {
    std::string v;
    Status s = e_->Get(cf, k, &v);
    if (s.IsNotFound()) return "<none>";
    EXPECT_TRUE(s.ok()) << s.ToString();
    return v;
  }

  static std::vector<std::pair<std::string, std::string>> Drain(Iterator* it) {
    std::vector<std::pair<std::string, std::string>> out;
    for (; it->Valid(); it->Next())
      out.emplace_back(std::string(it->key()), std::string(it->value()));
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return out;
  }

  std::vector<std::pair<std::string, std::string>> All(Cf cf) {
    auto it = e_->NewIterator(cf);
    it->SeekToFirst();
    return Drain(it.get());
  }

  Subject subject_;
  Engine* e_ = nullptr;
};

using KVs = std::vector<std::pair<std::string, std::string>>;

TEST_P(EngineConformanceTest, GetOfMissingKeyIsNotFound) {
  std::string v = "untouched";
  Status s = e_->Get(Cf::kDefault, "missing", &v);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_EQ(v, "untouched");
}

TEST_P(EngineConformanceTest, PutThenGetAndOverwrite) {
  Put(Cf::kDefault, "k", "v1");
  EXPECT_EQ(GetOr(Cf::kDefault, "k"), "v1");
  Put(Cf::kDefault, "k", "v2");
  EXPECT_EQ(GetOr(Cf::kDefault, "k"), "v2");
}

TEST_P(EngineConformanceTest, ColumnFamiliesAreIndependent) {
  Put(Cf::kDefault, "k", "d");
  Put(Cf::kLock, "k", "l");
  Put(Cf::kWrite, "k", "w");
  Put(Cf::kLock, "only-lock", "x");
  EXPECT_EQ(GetOr(Cf::kDefault, "k"), "d");
  EXPECT_EQ(GetOr(Cf::kLock, "k"), "l");
  EXPECT_EQ(GetOr(Cf::kWrite, "k"), "w");
  EXPECT_EQ(GetOr(Cf::kDefault, "only-lock"), "<none>");
  EXPECT_EQ(GetOr(Cf::kWrite, "only-lock"), "<none>");

  ASSERT_TRUE(e_->Delete(Cf::kLock, "k").ok());
  EXPECT_EQ(GetOr(Cf::kLock, "k"), "<none>");
  EXPECT_EQ(GetOr(Cf::kDefault, "k"), "d");
  EXPECT_EQ(GetOr(Cf::kWrite, "k"), "w");
  EXPECT_EQ(All(Cf::kDefault), (KVs{{"k", "d"}}));
  EXPECT_EQ(All(Cf::kLock), (KVs{{"only-lock", "x"}}));
  EXPECT_EQ(All(Cf::kWrite), (KVs{{"k", "w"}}));
}

TEST_P(EngineConformanceTest, DeleteRemovesKeyAndDeletingAbsentKeyIsOk) {
  Put(Cf::kDefault, "a", "1");
  ASSERT_TRUE(e_->Delete(Cf::kDefault, "a").ok());
  EXPECT_EQ(GetOr(Cf::kDefault, "a"), "<none>");
  EXPECT_TRUE(e_->Delete(Cf::kDefault, "never-existed").ok());
  EXPECT_TRUE(All(Cf::kDefault).empty());
}

TEST_P(EngineConformanceTest, IteratorIsOrderedAndSeeksAtBoundaries) {
  for (const char* k : {"b", "d", "f"}) Put(Cf::kDefault, k, std::string("v") + k);
  auto it = e_->NewIterator(Cf::kDefault);
  EXPECT_FALSE(it->Valid());  // unpositioned until the first seek

  it->Seek("");  // before the first key
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "b");
  it->Seek("b");  // exactly a key
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "b");
  EXPECT_EQ(it->value(), "vb");
  it->Seek("c");  // between keys
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "d");
  it->Seek("f");  // the last key
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "f");
  it->Next();
  EXPECT_FALSE(it->Valid());
  it->Seek("f\x01");  // after the last key
  EXPECT_FALSE(it->Valid());
  it->SeekToFirst();  // seeking again after running off the end works
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(Drain(it.get()), (KVs{{"b", "vb"}, {"d", "vd"}, {"f", "vf"}}));
  EXPECT_TRUE(it->status().ok());
}

TEST_P(EngineConformanceTest, IteratorOnEmptyCfIsNeverValid) {
  Put(Cf::kLock, "elsewhere", "x");
  auto it = e_->NewIterator(Cf::kDefault);
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->Seek("");
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

TEST_P(EngineConformanceTest, IteratorReadsItsSnapshotWhileLaterWritesLand) {
  Put(Cf::kDefault, "a", "1");
  Put(Cf::kDefault, "b", "2");
  Put(Cf::kDefault, "c", "3");
  auto it = e_->NewIterator(Cf::kDefault);
  it->Seek("a");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "a");

  // Writes land mid-iteration: a new key ahead of the cursor, a delete of the next key, an
  // overwrite of the last, a whole range delete.
  Put(Cf::kDefault, "a5", "new");
  ASSERT_TRUE(e_->Delete(Cf::kDefault, "b").ok());
  Put(Cf::kDefault, "c", "overwritten");
  WriteBatch wipe;
  wipe.DeleteRange(Cf::kDefault, "", "zzz");
  ASSERT_TRUE(e_->Write(WriteOptions(), wipe).ok());

  it->Next();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "b");
  EXPECT_EQ(it->value(), "2");
  it->Next();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "c");
  EXPECT_EQ(it->value(), "3");
  it->Next();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());

  // A new iterator sees the new state.
  EXPECT_TRUE(All(Cf::kDefault).empty());
}

TEST_P(EngineConformanceTest, SnapshotIsConsistentAcrossCfsAndOutlivesItsIterators) {
  Put(Cf::kDefault, "k", "old");
  Put(Cf::kWrite, "w", "old-w");
  std::unique_ptr<Snapshot> snap = e_->GetSnapshot();
  Put(Cf::kDefault, "k", "new");
  Put(Cf::kDefault, "k2", "new2");
  ASSERT_TRUE(e_->Delete(Cf::kWrite, "w").ok());

  std::string v;
  ASSERT_TRUE(snap->Get(Cf::kDefault, "k", &v).ok());
  EXPECT_EQ(v, "old");
  EXPECT_TRUE(snap->Get(Cf::kDefault, "k2", &v).IsNotFound());
  ASSERT_TRUE(snap->Get(Cf::kWrite, "w", &v).ok());
  EXPECT_EQ(v, "old-w");

  std::unique_ptr<Iterator> it = snap->NewIterator(Cf::kDefault);
  snap.reset();  // the iterator keeps reading the snapshot
  Put(Cf::kDefault, "a-later", "x");
  it->SeekToFirst();
  EXPECT_EQ(Drain(it.get()), (KVs{{"k", "old"}}));
  EXPECT_EQ(GetOr(Cf::kDefault, "k"), "new");
}

TEST_P(EngineConformanceTest, BatchAppliesInOrderAcrossCfs) {
  Put(Cf::kDefault, "gone", "x");
  auto before = e_->NewIterator(Cf::kDefault);

  WriteBatch b;
  b.Put(Cf::kDefault, "k", "first");
  b.Put(Cf::kDefault, "k", "second");  // later op on the same key wins
  b.Put(Cf::kDefault, "put-del", "x");
  b.Delete(Cf::kDefault, "put-del");  // put then delete: absent
  b.Delete(Cf::kDefault, "del-put");
  b.Put(Cf::kDefault, "del-put", "y");  // delete then put: present
  b.Delete(Cf::kDefault, "gone");
  b.Put(Cf::kLock, "l", "lock");
  b.Put(Cf::kWrite, "w", "write");
  EXPECT_EQ(b.Count(), 9u);
  Status s = e_->Write(WriteOptions(), b);
  ASSERT_TRUE(s.ok()) << s.ToString();

  EXPECT_EQ(All(Cf::kDefault), (KVs{{"del-put", "y"}, {"k", "second"}}));
  EXPECT_EQ(All(Cf::kLock), (KVs{{"l", "lock"}}));
  EXPECT_EQ(All(Cf::kWrite), (KVs{{"w", "write"}}));
  // An iterator opened before the batch sees none of it.
  before->SeekToFirst();
  EXPECT_EQ(Drain(before.get()), (KVs{{"gone", "x"}}));
}

TEST_P(EngineConformanceTest, BatchThatTookItsStringsOverWritesThemAndCanBeReused) {
  std::string key = "owned-key";
  std::string value(40, 'v');  // longer than any small-string buffer
  WriteBatch b;
  b.Put(Cf::kDefault, KeyValue{std::move(key), value});
  b.Put(Cf::kDefault, "copied", "c");
  EXPECT_EQ(b.Count(), 2u);
  EXPECT_EQ(b.ByteSize(), 9u + 40u + 6u + 1u);
  ASSERT_TRUE(e_->Write(WriteOptions(), b).ok());
  // The engine may keep the batch's entries; the batch stays usable (and unchanged) after Write.
  ASSERT_TRUE(e_->Write(WriteOptions{.sync = true}, b).ok());
  EXPECT_EQ(All(Cf::kDefault), (KVs{{"copied", "c"}, {"owned-key", value}}));
  EXPECT_EQ(b.ops()[0].key(), "owned-key");
  EXPECT_EQ(b.ops()[0].arg(), value);
}

TEST_P(EngineConformanceTest, EmptyBatchIsOkWithAndWithoutSync) {
  Put(Cf::kDefault, "k", "v");
  EXPECT_TRUE(e_->Write(WriteOptions{.sync = false}, WriteBatch()).ok());
  EXPECT_TRUE(e_->Write(WriteOptions{.sync = true}, WriteBatch()).ok());
  EXPECT_EQ(GetOr(Cf::kDefault, "k"), "v");
}

TEST_P(EngineConformanceTest, SyncedWritesAreReadable) {
  WriteBatch b;
  b.Put(Cf::kWrite, "s", "synced");
  ASSERT_TRUE(e_->Write(WriteOptions{.sync = true}, b).ok());
  EXPECT_EQ(GetOr(Cf::kWrite, "s"), "synced");
}

TEST_P(EngineConformanceTest, DeleteRangeIsHalfOpenAndPerCf) {
  for (const char* k : {"a", "b", "bb", "c", "d"}) {
    Put(Cf::kDefault, k, k);
    Put(Cf::kLock, k, k);
  }
  WriteBatch b;
  b.DeleteRange(Cf::kDefault, "b", "d");  // removes b, bb, c; keeps d
  ASSERT_TRUE(e_->Write(WriteOptions(), b).ok());
  EXPECT_EQ(All(Cf::kDefault), (KVs{{"a", "a"}, {"d", "d"}}));
  EXPECT_EQ(All(Cf::kLock).size(), 5u);

  WriteBatch noop;
  noop.DeleteRange(Cf::kLock, "c", "c");  // empty range
  noop.DeleteRange(Cf::kLock, "d", "a");  // inverted range
  ASSERT_TRUE(e_->Write(WriteOptions(), noop).ok());
  EXPECT_EQ(All(Cf::kLock).size(), 5u);

  WriteBatch from_start;
  from_start.DeleteRange(Cf::kLock, "", "c");  // the empty key is the smallest
  ASSERT_TRUE(e_->Write(WriteOptions(), from_start).ok());
  EXPECT_EQ(All(Cf::kLock), (KVs{{"c", "c"}, {"d", "d"}}));

  WriteBatch range_then_put;
  range_then_put.DeleteRange(Cf::kLock, "a", "z");
  range_then_put.Put(Cf::kLock, "c", "again");  // order inside the batch holds
  ASSERT_TRUE(e_->Write(WriteOptions(), range_then_put).ok());
  EXPECT_EQ(All(Cf::kLock), (KVs{{"c", "again"}}));
}

TEST_P(EngineConformanceTest, EmptyKeyAndEmptyValue) {
  Put(Cf::kDefault, "", "empty-key");
  Put(Cf::kDefault, "k", "");
  EXPECT_EQ(GetOr(Cf::kDefault, ""), "empty-key");
  std::string v = "x";
  ASSERT_TRUE(e_->Get(Cf::kDefault, "k", &v).ok());
  EXPECT_EQ(v, "");  // present with an empty value, not absent
  EXPECT_EQ(All(Cf::kDefault), (KVs{{"", "empty-key"}, {"k", ""}}));
  ASSERT_TRUE(e_->Delete(Cf::kDefault, "").ok());
  EXPECT_EQ(GetOr(Cf::kDefault, ""), "<none>");
}

TEST_P(EngineConformanceTest, BinaryKeysSortBytewiseUnsigned) {
  using namespace std::string_literals;
  const std::vector<std::string> sorted = {"\x00"s,   "\x00\x00"s, "\x00\xff"s, "\x01"s,
                                           "a\x00z"s, "a\xff"s,    "\x7f"s,     "\x80"s,
                                           "\xff"s,   "\xff\x00"s, "\xff\xff"s};
  // Insert in an order unrelated to the sort order.
  for (size_t i = 0; i < sorted.size(); ++i) {
    const std::string& k = sorted[(i * 7) % sorted.size()];
    Put(Cf::kWrite, k, "v" + k);
  }
  KVs got = All(Cf::kWrite);
  ASSERT_EQ(got.size(), sorted.size());
  for (size_t i = 0; i < sorted.size(); ++i) {
    EXPECT_EQ(got[i].first, sorted[i]) << "position " << i;
    EXPECT_EQ(got[i].second, "v" + sorted[i]);
  }
  // Embedded zero bytes are part of the key, not a terminator.
  EXPECT_EQ(GetOr(Cf::kWrite, "a\x00z"s), "va\x00z"s);
  EXPECT_EQ(GetOr(Cf::kWrite, "a"), "<none>");
  auto it = e_->NewIterator(Cf::kWrite);
  it->Seek("\xff"s);
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "\xff"s);
  it->Seek("\x00\x01"s);
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "\x00\xff"s);
}

TEST_P(EngineConformanceTest, OneMebibyteValues) {
  std::string big(1 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 131) & 0xff);
  Put(Cf::kDefault, "big", big);
  std::string big2(1 << 20, 'z');
  Put(Cf::kDefault, "big2", big2);
  EXPECT_EQ(GetOr(Cf::kDefault, "big"), big);
  auto it = e_->NewIterator(Cf::kDefault);
  it->Seek("big");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value().size(), big.size());
  EXPECT_TRUE(it->value() == big);
  it->Next();
  ASSERT_TRUE(it->Valid());
  EXPECT_TRUE(it->value() == big2);
}

// Seeded random operations against a std::map model; every few steps the whole state is compared,
// and an old iterator is checked against the model state it was opened on.
TEST_P(EngineConformanceTest, RandomOperationsMatchAModel) {
  uint64_t state = 0x5eed;
  auto next = [&state](uint64_t n) {  // splitmix64, reduced; fixed so the test is reproducible
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (z ^ (z >> 31)) % n;
  };
  auto key = [&]() { return std::string(1 + next(2), static_cast<char>('a' + next(6))); };
  std::map<std::string, std::string> model[kNumCfs];

  for (int step = 0; step < 600; ++step) {
    WriteBatch b;
    size_t ops = 1 + next(4);
    for (size_t i = 0; i < ops; ++i) {
      Cf cf = kAllCfs[next(kNumCfs)];
      auto& m = model[static_cast<size_t>(cf)];
      switch (next(5)) {
        case 0:
        case 1:
        case 2: {
          std::string k = key(), v = std::to_string(step) + "/" + std::to_string(i);
          b.Put(cf, k, v);
          m[k] = v;
          break;
        }
        case 3: {
          std::string k = key();
          b.Delete(cf, k);
          m.erase(k);
          break;
        }
        default: {
          std::string lo = key(), hi = key();
          b.DeleteRange(cf, lo, hi);
          if (lo < hi) m.erase(m.lower_bound(lo), m.lower_bound(hi));
          break;
        }
      }
    }
    ASSERT_TRUE(e_->Write(WriteOptions{.sync = next(10) == 0}, b).ok());
    if (step % 25 == 0) {
      for (Cf cf : kAllCfs) {
        const auto& m = model[static_cast<size_t>(cf)];
        ASSERT_EQ(All(cf), KVs(m.begin(), m.end())) << "step " << step << " cf " << CfName(cf);
        std::string probe = key();
        auto it = e_->NewIterator(cf);
        it->Seek(probe);
        auto want = m.lower_bound(probe);
        ASSERT_EQ(it->Valid(), want != m.end());
        if (it->Valid()) {
          EXPECT_EQ(it->key(), want->first);
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, EngineConformanceTest,
                         ::testing::Values(EngineKind{"Mem", MakeMem},
                                           EngineKind{"Rocks", MakeRocks},
                                           EngineKind{"FaultWrappedMem", MakeFaultWrappedMem}),
                         [](const ::testing::TestParamInfo<EngineKind>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace tinykv::store
