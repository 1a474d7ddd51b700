// Lab 1 graded tests: StandaloneStorage and the raw KV handlers.
//
// The first group follows the behaviours TinyKV's project-1 tests check (get, not-found, put,
// delete, scan with a limit, CF independence, a reader opened before a delete still sees the
// key); the rest cover edge cases: unknown CFs, empty keys and values, binary keys, large values,
// errors from the engine, durability of acknowledged writes, a RocksDB-backed run, and a seeded
// random workload checked against a model (seed from TINYKV_SEED, see grading/test_seed.h).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "grading/test_seed.h"
#include "proto/kvrpcpb.pb.h"
#include "store/engine/fault_injection_engine.h"
#include "store/engine/mem_engine.h"
#include "store/engine/rocks_engine.h"
#include "store/engine/temp_dir.h"
#include "store/server/raw_api.h"
#include "store/storage/standalone_storage.h"

namespace tinykv::store {
namespace {

using namespace std::string_literals;

const kvrpcpb::Context kNoContext;

class Lab1 : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    storage_.reset();
    engine_.reset();
    ASSERT_TRUE(MemEngine::Open(disk_, &engine_).ok());
    storage_ = std::make_unique<StandaloneStorage>(engine_.get());
    ASSERT_TRUE(storage_->Start().ok());
  }

  // Writes through the storage interface (not through the handlers).
  void Set(Cf cf, const std::string& key, const std::string& value) {
    Status s = storage_->Write(kNoContext, {Modify::Put(cf, key, value)});
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // Reads through the storage interface: the value, or "<not found>".
  std::string Get(Cf cf, const std::string& key) {
    std::unique_ptr<StorageReader> reader;
    Status s = storage_->Reader(kNoContext, &reader);
    EXPECT_TRUE(s.ok()) << "Reader: " << s.ToString();
    if (!s.ok() || reader == nullptr) return "<no reader>";
    std::string value;
    s = reader->GetCF(cf, key, &value);
    if (s.IsNotFound()) return "<not found>";
    EXPECT_TRUE(s.ok()) << "GetCF: " << s.ToString();
    return value;
  }

  kvrpcpb::RawGetResponse RawGetReq(const std::string& cf, const std::string& key) {
    kvrpcpb::RawGetRequest req;
    req.set_key(key);
    req.set_cf(cf);
    return RawGet(*storage_, req);
  }
  kvrpcpb::RawPutResponse RawPutReq(const std::string& cf, const std::string& key,
                                    const std::string& value) {
    kvrpcpb::RawPutRequest req;
    req.set_key(key);
    req.set_value(value);
    req.set_cf(cf);
    return RawPut(*storage_, req);
  }
  kvrpcpb::RawDeleteResponse RawDeleteReq(const std::string& cf, const std::string& key) {
    kvrpcpb::RawDeleteRequest req;
    req.set_key(key);
    req.set_cf(cf);
    return RawDelete(*storage_, req);
  }
  kvrpcpb::RawScanResponse RawScanReq(const std::string& cf, const std::string& start,
                                      uint32_t limit) {
    kvrpcpb::RawScanRequest req;
    req.set_start_key(start);
    req.set_limit(limit);
    req.set_cf(cf);
    return RawScan(*storage_, req);
  }

  static std::vector<std::pair<std::string, std::string>> Kvs(
      const kvrpcpb::RawScanResponse& resp) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& kv : resp.kvs()) {
      EXPECT_FALSE(kv.has_error()) << "key " << kv.key();
      out.emplace_back(kv.key(), kv.value());
    }
    return out;
  }

  std::shared_ptr<MemDisk> disk_ = std::make_shared<MemDisk>();
  std::unique_ptr<MemEngine> engine_;
  std::unique_ptr<StandaloneStorage> storage_;
};

using Pairs = std::vector<std::pair<std::string, std::string>>;

// Values 233,k as in TinyKV's tests.
std::string V(char k) { return "\xe9"s + k; }

// ---- The behaviours TinyKV's project-1 tests check ----

TEST_F(Lab1, RawGetReturnsStoredValue) {
  Set(Cf::kDefault, "\x63", "\x2a");
  auto resp = RawGetReq("default", "\x63");
  EXPECT_EQ(resp.error(), "");
  EXPECT_FALSE(resp.not_found());
  EXPECT_EQ(resp.value(), "\x2a");
}

TEST_F(Lab1, RawGetOfMissingKeySetsNotFoundWithoutError) {
  auto resp = RawGetReq("default", "\x63");
  EXPECT_EQ(resp.error(), "");
  EXPECT_FALSE(resp.has_region_error());
  EXPECT_TRUE(resp.not_found());
  EXPECT_EQ(resp.value(), "");
}

TEST_F(Lab1, RawPutIsVisibleThroughTheStorage) {
  auto resp = RawPutReq("default", "\x63", "\x2a");
  EXPECT_EQ(resp.error(), "");
  EXPECT_EQ(Get(Cf::kDefault, "\x63"), "\x2a");
}

TEST_F(Lab1, RawGetAfterRawPutKeepsColumnFamiliesApart) {
  EXPECT_EQ(RawPutReq("default", "\x63", "\x2a").error(), "");
  EXPECT_EQ(RawPutReq("write", "\x63", "\x2c").error(), "");
  EXPECT_EQ(RawGetReq("default", "\x63").value(), "\x2a");
  EXPECT_EQ(RawGetReq("write", "\x63").value(), "\x2c");
  EXPECT_TRUE(RawGetReq("lock", "\x63").not_found());
}

TEST_F(Lab1, RawGetAfterRawDeleteIsNotFound) {
  Set(Cf::kDefault, "\x63", "\x2a");
  EXPECT_EQ(RawDeleteReq("default", "\x63").error(), "");
  auto resp = RawGetReq("default", "\x63");
  EXPECT_EQ(resp.error(), "");
  EXPECT_TRUE(resp.not_found());
}

TEST_F(Lab1, RawDeleteRemovesFromTheStorage) {
  Set(Cf::kDefault, "\x63", "\x2a");
  EXPECT_EQ(RawDeleteReq("default", "\x63").error(), "");
  EXPECT_EQ(Get(Cf::kDefault, "\x63"), "<not found>");
}

TEST_F(Lab1, RawScanHonoursLimit) {
  for (char k = 1; k <= 5; ++k) Set(Cf::kDefault, std::string(1, k), V(k));
  auto resp = RawScanReq("default", "\x01", 3);
  EXPECT_EQ(resp.error(), "");
  EXPECT_EQ(Kvs(resp), (Pairs{{"\x01", V(1)}, {"\x02", V(2)}, {"\x03", V(3)}}));
}

TEST_F(Lab1, RawScanSeesEarlierRawPut) {
  for (char k = 1; k <= 4; ++k) Set(Cf::kDefault, std::string(1, k), V(k));
  EXPECT_EQ(RawPutReq("default", "\x05", V(5)).error(), "");
  auto resp = RawScanReq("default", "\x01", 10);
  EXPECT_EQ(resp.error(), "");
  Pairs want;
  for (char k = 1; k <= 5; ++k) want.emplace_back(std::string(1, k), V(k));
  EXPECT_EQ(Kvs(resp), want);
}

TEST_F(Lab1, RawScanSkipsRawDeletedKey) {
  for (char k = 1; k <= 4; ++k) Set(Cf::kDefault, std::string(1, k), V(k));
  EXPECT_EQ(RawDeleteReq("default", "\x03").error(), "");
  auto resp = RawScanReq("default", "\x01", 10);
  EXPECT_EQ(resp.error(), "");
  EXPECT_EQ(Kvs(resp), (Pairs{{"\x01", V(1)}, {"\x02", V(2)}, {"\x04", V(4)}}));
}

TEST_F(Lab1, ReaderOpenedBeforeADeleteStillSeesTheKey) {
  for (char k = 1; k <= 4; ++k) Set(Cf::kDefault, std::string(1, k), V(k));
  std::unique_ptr<StorageReader> reader;
  ASSERT_TRUE(storage_->Reader(kNoContext, &reader).ok());
  ASSERT_NE(reader, nullptr);
  std::unique_ptr<Iterator> it = reader->IterCF(Cf::kDefault);
  ASSERT_NE(it, nullptr);

  EXPECT_EQ(RawDeleteReq("default", "\x03").error(), "");

  std::vector<std::string> keys;
  for (it->Seek("\x01"); it->Valid(); it->Next()) keys.emplace_back(it->key());
  EXPECT_TRUE(it->status().ok());
  EXPECT_EQ(keys, (std::vector<std::string>{"\x01", "\x02", "\x03", "\x04"}));
  std::string v;
  EXPECT_TRUE(reader->GetCF(Cf::kDefault, "\x03", &v).ok());
  EXPECT_EQ(v, V(3));
}

// ---- Storage interface ----

TEST_F(Lab1, StorageWriteAppliesABatchInOrderAcrossCfs) {
  Set(Cf::kDefault, "old", "x");
  Status s = storage_->Write(
      kNoContext, {Modify::Put(Cf::kDefault, "a", "1"), Modify::Put(Cf::kLock, "a", "L"),
                   Modify::Put(Cf::kDefault, "a", "2"),  // later wins
                   Modify::Delete(Cf::kDefault, "old"), Modify::Put(Cf::kWrite, "w", "W")});
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Get(Cf::kDefault, "a"), "2");
  EXPECT_EQ(Get(Cf::kLock, "a"), "L");
  EXPECT_EQ(Get(Cf::kWrite, "w"), "W");
  EXPECT_EQ(Get(Cf::kDefault, "old"), "<not found>");
}

TEST_F(Lab1, StorageReaderIsASnapshotForPointReads) {
  Set(Cf::kDefault, "k", "before");
  std::unique_ptr<StorageReader> reader;
  ASSERT_TRUE(storage_->Reader(kNoContext, &reader).ok());
  ASSERT_NE(reader, nullptr);
  Set(Cf::kDefault, "k", "after");
  Set(Cf::kDefault, "new", "x");
  std::string v;
  ASSERT_TRUE(reader->GetCF(Cf::kDefault, "k", &v).ok());
  EXPECT_EQ(v, "before");
  EXPECT_TRUE(reader->GetCF(Cf::kDefault, "new", &v).IsNotFound());
  EXPECT_EQ(Get(Cf::kDefault, "k"), "after");
}

TEST_F(Lab1, StorageReaderGetOfMissingKeyIsNotFound) {
  std::unique_ptr<StorageReader> reader;
  ASSERT_TRUE(storage_->Reader(kNoContext, &reader).ok());
  ASSERT_NE(reader, nullptr);
  std::string v;
  Status s = reader->GetCF(Cf::kWrite, "missing", &v);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
}

// ---- Scan edge cases ----

TEST_F(Lab1, RawScanStartsAtStartKeyEvenWhenAbsent) {
  for (const char* k : {"a", "c", "e"}) Set(Cf::kDefault, k, k);
  EXPECT_EQ(Kvs(RawScanReq("default", "b", 10)), (Pairs{{"c", "c"}, {"e", "e"}}));
  EXPECT_EQ(Kvs(RawScanReq("default", "c", 1)), (Pairs{{"c", "c"}}));
  EXPECT_TRUE(RawScanReq("default", "f", 10).kvs().empty());
}

TEST_F(Lab1, RawScanWithEmptyStartKeyBeginsAtTheFirstKey) {
  for (const char* k : {"b", "a"}) Set(Cf::kDefault, k, k);
  EXPECT_EQ(Kvs(RawScanReq("default", "", 10)), (Pairs{{"a", "a"}, {"b", "b"}}));
}

TEST_F(Lab1, RawScanWithLimitZeroReturnsNothing) {
  Set(Cf::kDefault, "a", "a");
  auto resp = RawScanReq("default", "", 0);
  EXPECT_EQ(resp.error(), "");
  EXPECT_TRUE(resp.kvs().empty());
}

TEST_F(Lab1, RawScanReadsOnlyTheRequestedCf) {
  Set(Cf::kDefault, "a", "d");
  Set(Cf::kLock, "b", "l");
  Set(Cf::kWrite, "c", "w");
  EXPECT_EQ(Kvs(RawScanReq("lock", "", 10)), (Pairs{{"b", "l"}}));
  EXPECT_EQ(Kvs(RawScanReq("write", "", 10)), (Pairs{{"c", "w"}}));
  EXPECT_EQ(Kvs(RawScanReq("default", "", 10)), (Pairs{{"a", "d"}}));
}

TEST_F(Lab1, RawScanOfAnEmptyCfReturnsNothing) {
  Set(Cf::kDefault, "a", "in-another-cf");
  auto resp = RawScanReq("write", "", 100);
  EXPECT_EQ(resp.error(), "");
  EXPECT_TRUE(resp.kvs().empty());
  EXPECT_EQ(RawScanReq("default", "", 100).kvs_size(), 1);
}

// ---- Malformed requests ----

TEST_F(Lab1, UnknownCfIsAnErrorAndWritesNothing) {
  auto put = RawPutReq("nope", "k", "v");
  EXPECT_NE(put.error(), "");
  EXPECT_NE(RawGetReq("nope", "k").error(), "");
  EXPECT_NE(RawDeleteReq("Default", "k").error(), "");  // names are case-sensitive
  auto scan = RawScanReq("locks", "", 10);
  EXPECT_NE(scan.error(), "");
  EXPECT_TRUE(scan.kvs().empty());
  for (Cf cf : kAllCfs) EXPECT_EQ(Get(cf, "k"), "<not found>");
}

TEST_F(Lab1, EmptyCfNameMeansDefault) {
  EXPECT_EQ(RawPutReq("", "k", "v").error(), "");
  EXPECT_EQ(Get(Cf::kDefault, "k"), "v");
  EXPECT_EQ(RawGetReq("", "k").value(), "v");
  EXPECT_EQ(Kvs(RawScanReq("", "", 5)), (Pairs{{"k", "v"}}));
  EXPECT_EQ(RawDeleteReq("", "k").error(), "");
  EXPECT_EQ(Get(Cf::kDefault, "k"), "<not found>");
}

TEST_F(Lab1, EmptyKeyIsAnError) {
  EXPECT_NE(RawPutReq("default", "", "v").error(), "");
  EXPECT_NE(RawGetReq("default", "").error(), "");
  EXPECT_NE(RawDeleteReq("default", "").error(), "");
  EXPECT_EQ(Get(Cf::kDefault, ""), "<not found>");
}

// ---- Values and keys ----

TEST_F(Lab1, EmptyValueIsFoundNotMissing) {
  EXPECT_EQ(RawPutReq("default", "k", "").error(), "");
  auto resp = RawGetReq("default", "k");
  EXPECT_EQ(resp.error(), "");
  EXPECT_FALSE(resp.not_found());
  EXPECT_EQ(resp.value(), "");
  EXPECT_EQ(Kvs(RawScanReq("default", "", 10)), (Pairs{{"k", ""}}));
}

TEST_F(Lab1, BinaryKeysAndValuesRoundTripInByteOrder) {
  const std::vector<std::string> keys = {"\x00"s, "\x00\x00"s, "\x01\xff"s, "\x7f"s,
                                         "\x80"s, "\xff"s,     "\xff\x00"s, "\xff\xff"s};
  for (size_t i = keys.size(); i-- > 0;) {
    ASSERT_EQ(RawPutReq("default", keys[i], "\x00v\xff"s + keys[i]).error(), "");
  }
  for (const std::string& k : keys) EXPECT_EQ(RawGetReq("default", k).value(), "\x00v\xff"s + k);
  auto resp = RawScanReq("default", "\x00"s, 100);
  ASSERT_EQ(resp.kvs_size(), static_cast<int>(keys.size()));
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(resp.kvs(i).key(), keys[i]) << i;
  EXPECT_EQ(Kvs(RawScanReq("default", "\xff"s, 2)),
            (Pairs{{"\xff"s, "\x00v\xff\xff"s}, {"\xff\x00"s, "\x00v\xff\xff\x00"s}}));
}

TEST_F(Lab1, OneMebibyteValue) {
  std::string big(1 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>(i >> 12);
  EXPECT_EQ(RawPutReq("default", "big", big).error(), "");
  EXPECT_TRUE(RawGetReq("default", "big").value() == big);
  auto scan = RawScanReq("default", "", 1);
  ASSERT_EQ(scan.kvs_size(), 1);
  EXPECT_TRUE(scan.kvs(0).value() == big);
}

TEST_F(Lab1, OverwriteReplacesTheValue) {
  EXPECT_EQ(RawPutReq("default", "k", "1").error(), "");
  EXPECT_EQ(RawPutReq("default", "k", "2").error(), "");
  EXPECT_EQ(RawGetReq("default", "k").value(), "2");
  EXPECT_EQ(RawScanReq("default", "", 10).kvs_size(), 1);
}

TEST_F(Lab1, DeletingAnAbsentKeySucceedsAndTouchesNothingElse) {
  Set(Cf::kLock, "other", "x");
  auto resp = RawDeleteReq("lock", "never-written");
  EXPECT_EQ(resp.error(), "");
  EXPECT_FALSE(resp.has_region_error());
  EXPECT_EQ(RawGetReq("lock", "other").value(), "x");
}

// ---- Errors and durability ----

TEST_F(Lab1, EngineWriteErrorsReachTheResponse) {
  FaultInjectionEngine faulty(engine_.get());
  StandaloneStorage storage(&faulty);
  ASSERT_TRUE(storage.Start().ok());
  faulty.FailNextWrites(2, Status::IOError("injected: disk full"));

  kvrpcpb::RawPutRequest put;
  put.set_key("k");
  put.set_value("v");
  put.set_cf("default");
  auto put_resp = RawPut(storage, put);
  EXPECT_NE(put_resp.error().find("disk full"), std::string::npos) << put_resp.error();
  kvrpcpb::RawDeleteRequest del;
  del.set_key("k");
  del.set_cf("default");
  auto del_resp = RawDelete(storage, del);
  EXPECT_NE(del_resp.error().find("disk full"), std::string::npos) << del_resp.error();
  EXPECT_EQ(Get(Cf::kDefault, "k"), "<not found>");
  EXPECT_EQ(RawPut(storage, put).error(), "");  // the disk recovered
  EXPECT_EQ(Get(Cf::kDefault, "k"), "v");
}

TEST_F(Lab1, AcknowledgedWritesSurviveACrash) {
  // StandaloneStorage writes with sync by default (StandaloneStorageOptions::sync_writes), so a
  // write whose response came back must survive the node losing its un-synced data.
  EXPECT_EQ(RawPutReq("default", "k", "v").error(), "");
  EXPECT_EQ(RawPutReq("lock", "gone", "x").error(), "");
  EXPECT_EQ(RawDeleteReq("lock", "gone").error(), "");
  disk_->Crash(0);
  Open();
  EXPECT_EQ(RawGetReq("default", "k").value(), "v");
  EXPECT_TRUE(RawGetReq("lock", "gone").not_found());
}

TEST_F(Lab1, WorksOnRocksDbAndPersistsAcrossReopen) {
  TempDir dir("tinykv-lab1-");
  for (int round = 0; round < 2; ++round) {
    std::unique_ptr<RocksEngine> rocks;
    Status s = RocksEngine::Open(dir.Sub("db"), RocksEngineOptions(), &rocks);
    ASSERT_TRUE(s.ok()) << s.ToString();
    StandaloneStorage storage(rocks.get());
    ASSERT_TRUE(storage.Start().ok());
    kvrpcpb::RawGetRequest get;
    get.set_key("k");
    get.set_cf("write");
    if (round == 0) {
      EXPECT_TRUE(RawGet(storage, get).not_found());
      kvrpcpb::RawPutRequest put;
      put.set_key("k");
      put.set_value("v");
      put.set_cf("write");
      EXPECT_EQ(RawPut(storage, put).error(), "");
    }
    EXPECT_EQ(RawGet(storage, get).value(), "v");
    kvrpcpb::RawScanRequest scan;
    scan.set_limit(10);
    scan.set_cf("write");
    EXPECT_EQ(RawScan(storage, scan).kvs_size(), 1);
    ASSERT_TRUE(storage.Stop().ok());
  }
}

// A seeded random workload of raw requests, checked against a std::map model after every step.
TEST_F(Lab1, RandomRequestsMatchAModel) {
  uint64_t state = grading::TestSeed(1);
  auto next = [&state](uint64_t n) {  // splitmix64, reduced: a fixed function of the seed
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (z ^ (z >> 31)) % n;
  };
  const std::vector<std::string> cfs = {"default", "lock", "write"};
  std::map<std::string, std::string> model[3];
  auto key = [&]() {
    std::string k(1 + next(3), '\0');
    for (char& c : k) c = static_cast<char>(next(4) * 85);  // 0x00, 0x55, 0xaa, 0xff
    return k;
  };
  for (int step = 0; step < 400; ++step) {
    size_t c = next(3);
    const std::string& cf = cfs[c];
    std::string k = key();
    SCOPED_TRACE("step " + std::to_string(step) + " cf " + cf);
    switch (next(4)) {
      case 0: {
        std::string v = "v" + std::to_string(step);
        ASSERT_EQ(RawPutReq(cf, k, v).error(), "");
        model[c][k] = v;
        break;
      }
      case 1:
        ASSERT_EQ(RawDeleteReq(cf, k).error(), "");
        model[c].erase(k);
        break;
      case 2: {
        auto resp = RawGetReq(cf, k);
        ASSERT_EQ(resp.error(), "");
        auto it = model[c].find(k);
        ASSERT_EQ(resp.not_found(), it == model[c].end());
        if (it != model[c].end()) {
          ASSERT_EQ(resp.value(), it->second);
        }
        break;
      }
      default: {
        uint32_t limit = static_cast<uint32_t>(next(6));
        auto resp = RawScanReq(cf, k, limit);
        ASSERT_EQ(resp.error(), "");
        Pairs want;
        for (auto it = model[c].lower_bound(k); it != model[c].end() && want.size() < limit; ++it) {
          want.emplace_back(it->first, it->second);
        }
        ASSERT_EQ(Kvs(resp), want);
      }
    }
  }
}

}  // namespace
}  // namespace tinykv::store
