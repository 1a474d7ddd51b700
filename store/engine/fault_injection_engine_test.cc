// FaultInjectionEngine: injected latency runs before writes; a sync delay runs between writing a
// synced batch and making it durable; injected errors apply nothing.
#include "store/engine/fault_injection_engine.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "store/engine/mem_engine.h"

namespace tinykv::store {
namespace {

TEST(FaultInjectionEngineTest, DelayCallbackRunsBeforeEachWriteReachesTheEngine) {
  auto base = MemEngine::OpenFresh();
  FaultInjectionEngine e(base.get());
  std::vector<std::string> log;
  uint64_t virtual_now = 0;
  e.set_write_delay([&](const WriteBatch& b, const WriteOptions& o) {
    // A simulator would sleep in virtual time here; this fake clock just advances.
    virtual_now += o.sync ? 10 : 1;
    std::string v;
    log.push_back(base->Get(Cf::kDefault, "k", &v).ok() ? "present" : "absent");
    EXPECT_EQ(b.Count(), 1u);
  });
  ASSERT_TRUE(e.Put(Cf::kDefault, "k", "v", /*sync=*/true).ok());
  ASSERT_TRUE(e.Put(Cf::kDefault, "k", "v2").ok());
  EXPECT_EQ(virtual_now, 11u);
  EXPECT_EQ(log, (std::vector<std::string>{"absent", "present"}));
  EXPECT_EQ(e.writes_passed(), 2u);
}

TEST(FaultInjectionEngineTest, SyncDelayRunsWhileTheBatchIsWrittenButNotYetDurable) {
  auto disk = std::make_shared<MemDisk>();
  std::unique_ptr<MemEngine> base;
  ASSERT_TRUE(MemEngine::Open(disk, &base).ok());
  FaultInjectionEngine e(base.get());
  int delays = 0;
  e.set_sync_delay([&] {
    ++delays;
    std::string v;
    EXPECT_TRUE(base->Get(Cf::kDefault, "k", &v).ok()) << "readers see the batch during the sync";
    EXPECT_EQ(disk->UnsyncedBatchCount(), 2u)
        << "it and the earlier one: a crash now could lose both";
  });
  ASSERT_TRUE(e.Put(Cf::kDefault, "j", "unsynced").ok());  // no delay without sync
  EXPECT_EQ(delays, 0);
  ASSERT_TRUE(e.Put(Cf::kDefault, "k", "v", /*sync=*/true).ok());
  EXPECT_EQ(delays, 1);
  EXPECT_EQ(disk->UnsyncedBatchCount(), 0u) << "durable once Write returns";
  std::string v;
  EXPECT_TRUE(disk->durable_state()[0].Get("k", &v));
  EXPECT_EQ(v, "v");
}

TEST(FaultInjectionEngineTest, FailedWritesApplyNothing) {
  auto base = MemEngine::OpenFresh();
  FaultInjectionEngine e(base.get());
  e.FailNextWrites(2, Status::IOError("injected: disk full"));
  WriteBatch b;
  b.Put(Cf::kDefault, "a", "1");
  b.Put(Cf::kWrite, "b", "2");
  Status s = e.Write(WriteOptions(), b);
  EXPECT_TRUE(s.IsIOError());
  EXPECT_EQ(s.message(), "injected: disk full");
  EXPECT_TRUE(e.Write(WriteOptions(), b).IsIOError());
  std::string v;
  EXPECT_TRUE(e.Get(Cf::kDefault, "a", &v).IsNotFound());
  EXPECT_TRUE(e.Get(Cf::kWrite, "b", &v).IsNotFound());
  EXPECT_EQ(base->disk()->UnsyncedBatchCount(), 0u);

  EXPECT_TRUE(e.Write(WriteOptions(), b).ok());  // the third write goes through
  EXPECT_TRUE(e.Get(Cf::kWrite, "b", &v).ok());
  EXPECT_EQ(e.writes_failed(), 2u);
  EXPECT_EQ(e.writes_passed(), 1u);
}

TEST(FaultInjectionEngineTest, ErrorCallbackDecidesPerWrite) {
  auto base = MemEngine::OpenFresh();
  FaultInjectionEngine e(base.get());
  e.set_write_error([](const WriteBatch&, const WriteOptions& o) {
    return o.sync ? Status::IOError("injected: fsync failed") : Status::OK();
  });
  EXPECT_TRUE(e.Put(Cf::kDefault, "a", "1").ok());
  EXPECT_TRUE(e.Put(Cf::kDefault, "b", "2", /*sync=*/true).IsIOError());
  std::string v;
  EXPECT_TRUE(e.Get(Cf::kDefault, "a", &v).ok());
  EXPECT_TRUE(e.Get(Cf::kDefault, "b", &v).IsNotFound());
  // Reads and snapshots pass straight through.
  EXPECT_TRUE(e.GetSnapshot()->Get(Cf::kDefault, "a", &v).ok());
  auto it = e.NewIterator(Cf::kDefault);
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "a");
}

}  // namespace
}  // namespace tinykv::store
