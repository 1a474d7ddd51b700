// The cluster's key layout (txn/region_keys.h): region keys order and delimit user keys, split
// keys never fall between a key's versions, and RegionKeyedStorage stores CF lock under region
// keys while the commands above it see user keys.
#include "txn/region_keys.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "proto/kvrpcpb.pb.h"
#include "store/engine/mem_engine.h"
#include "store/storage/standalone_storage.h"
#include "txn/codec.h"
#include "txn/lock.h"
#include "txn/mvcc_key.h"

namespace tinykv::txn {
namespace {

using store::Cf;
using store::Modify;

const kvrpcpb::Context kNoContext;

TEST(RegionKeys, AKeysLockAndAllItsVersionsFallOnOneSideOfEveryRegionKeyBoundary) {
  // 8+ byte keys are where raw and encoded orders part ways.
  const std::vector<std::string> keys = {
      "", "a", "account-1", "account-10", "account-2", std::string("account-\0", 9), "b"};
  for (const std::string& boundary_key : keys) {
    const std::string bound = RegionKey(boundary_key);
    for (const std::string& k : keys) {
      const bool right = k >= boundary_key;
      EXPECT_EQ(RegionKey(k) >= bound, right) << "lock of " << k << " vs " << boundary_key;
      for (uint64_t ts : {uint64_t{0}, uint64_t{1}, uint64_t{1} << 40, kTsMax}) {
        EXPECT_EQ(EncodeKey(k, ts) >= bound, right) << k << "@" << ts << " vs " << boundary_key;
      }
    }
  }
}

TEST(RegionKeys, BoundsDecodeToTheirUserKeys) {
  EXPECT_EQ(UserKeyOfBound(""), std::string());
  EXPECT_EQ(UserKeyOfBound(RegionKey("account-17")), "account-17");
  EXPECT_EQ(UserKeyOfBound(RegionKey("")), std::string());
  EXPECT_EQ(UserKeyOfBound("k100"), std::nullopt) << "a raw key is no region key";
  EXPECT_EQ(UserKeyOfBound(EncodeKey("k", 5)), std::nullopt) << "a version is no region key";
}

TEST(RegionKeys, SplitKeysDropTheVersionAndLeaveRawKeysAlone) {
  EXPECT_EQ(SplitKeyOf(EncodeKey("account-17", 42)), RegionKey("account-17"));
  EXPECT_EQ(SplitKeyOf(EncodeKey("", 1)), RegionKey(""));
  EXPECT_EQ(SplitKeyOf("k100"), "k100");
  EXPECT_EQ(SplitKeyOf(RegionKey("k")), RegionKey("k")) << "no timestamp: not a version";
}

class RegionKeyedStorageTest : public ::testing::Test {
 protected:
  RegionKeyedStorageTest() { EXPECT_TRUE(region_keyed_.Start().ok()); }

  static std::unique_ptr<store::MemEngine> OpenEngine() {
    std::unique_ptr<store::MemEngine> engine;
    EXPECT_TRUE(store::MemEngine::Open(std::make_shared<store::MemDisk>(), &engine).ok());
    return engine;
  }

  std::unique_ptr<store::StorageReader> Reader(store::Storage& s) {
    std::unique_ptr<store::StorageReader> reader;
    EXPECT_TRUE(s.Reader(kNoContext, &reader).ok());
    return reader;
  }

  std::unique_ptr<store::MemEngine> engine_ = OpenEngine();
  store::StandaloneStorage inner_{engine_.get()};
  RegionKeyedStorage region_keyed_{inner_};
};

TEST_F(RegionKeyedStorageTest, LocksAreStoredUnderRegionKeysAndReadBackUnderUserKeys) {
  const std::string lock = Lock{.primary = "account-1", .start_ts = 7, .ttl = 10}.ToBytes();
  ASSERT_TRUE(region_keyed_
                  .Write(kNoContext, {Modify::Put(Cf::kLock, "account-2", lock),
                                      Modify::Put(Cf::kLock, "account-10", lock),
                                      Modify::Put(Cf::kDefault, EncodeKey("account-2", 7), "v")})
                  .ok());

  std::string v;
  EXPECT_TRUE(Reader(inner_)->GetCF(Cf::kLock, RegionKey("account-2"), &v).ok());
  EXPECT_TRUE(Reader(inner_)->GetCF(Cf::kLock, "account-2", &v).IsNotFound());
  EXPECT_TRUE(Reader(inner_)->GetCF(Cf::kDefault, EncodeKey("account-2", 7), &v).ok())
      << "CF default passes through unchanged";
  ASSERT_TRUE(Reader(region_keyed_)->GetCF(Cf::kLock, "account-2", &v).ok());
  EXPECT_EQ(v, lock);

  auto reader = Reader(region_keyed_);
  auto it = reader->IterCF(Cf::kLock);
  std::vector<std::string> seen;
  for (it->Seek("account-10"); it->Valid(); it->Next()) seen.emplace_back(it->key());
  EXPECT_TRUE(it->status().ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"account-10", "account-2"}));

  ASSERT_TRUE(region_keyed_.Write(kNoContext, {Modify::Delete(Cf::kLock, "account-2")}).ok());
  EXPECT_TRUE(Reader(inner_)->GetCF(Cf::kLock, RegionKey("account-2"), &v).IsNotFound());
}

TEST_F(RegionKeyedStorageTest, ADamagedLockKeyStopsTheIteratorWithANamedCorruption) {
  ASSERT_TRUE(inner_.Write(kNoContext, {Modify::Put(Cf::kLock, "raw-key", "x")}).ok());
  auto reader = Reader(region_keyed_);
  auto it = reader->IterCF(Cf::kLock);
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
  EXPECT_NE(it->status().ToString().find("raw-key"), std::string::npos) << it->status().ToString();
}

}  // namespace
}  // namespace tinykv::txn
