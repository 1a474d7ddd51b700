// MemEngine's durability model: what survives MemDisk::Crash, and engine lifetime on a disk.
#include "store/engine/mem_engine.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace tinykv::store {
namespace {

class MemEngineCrashTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    engine_.reset();
    Status s = MemEngine::Open(disk_, &engine_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  void Write(std::string_view k, std::string_view v, bool sync) {
    WriteBatch b;
    b.Put(Cf::kDefault, k, v);
    ASSERT_TRUE(engine_->Write(WriteOptions{.sync = sync}, b).ok());
  }

  std::string GetOr(std::string_view k) {
    std::string v;
    Status s = engine_->Get(Cf::kDefault, k, &v);
    if (s.IsNotFound()) return "<none>";
    EXPECT_TRUE(s.ok()) << s.ToString();
    return v;
  }

  std::shared_ptr<MemDisk> disk_ = std::make_shared<MemDisk>();
  std::unique_ptr<MemEngine> engine_;
};

TEST_F(MemEngineCrashTest, UnsyncedWritesAreVisibleBeforeTheCrash) {
  Write("a", "1", false);
  EXPECT_EQ(GetOr("a"), "1");
  EXPECT_EQ(disk_->UnsyncedBatchCount(), 1u);
}

TEST_F(MemEngineCrashTest, CrashDropsUnsyncedBatches) {
  Write("a", "1", false);
  Write("b", "2", false);
  disk_->Crash(0);
  Reopen();
  EXPECT_EQ(GetOr("a"), "<none>");
  EXPECT_EQ(GetOr("b"), "<none>");
  EXPECT_EQ(disk_->UnsyncedBatchCount(), 0u);
}

TEST_F(MemEngineCrashTest, SyncedBatchSurvivesAndMakesEarlierBatchesDurable) {
  Write("a", "1", false);
  Write("b", "2", true);  // syncs a's batch too (a WAL fsync covers what came before)
  Write("c", "3", false);
  EXPECT_EQ(disk_->UnsyncedBatchCount(), 1u);
  disk_->Crash(0);
  Reopen();
  EXPECT_EQ(GetOr("a"), "1");
  EXPECT_EQ(GetOr("b"), "2");
  EXPECT_EQ(GetOr("c"), "<none>");
}

TEST_F(MemEngineCrashTest, CrashKeepsAnInOrderPrefixOfUnsyncedBatches) {
  Write("k", "synced", true);
  Write("k", "u1", false);
  Write("x", "u2", false);
  Write("k", "u3", false);
  disk_->Crash(2);
  Reopen();
  EXPECT_EQ(GetOr("k"), "u1");
  EXPECT_EQ(GetOr("x"), "u2");
  // The survivors are now durable: another crash keeps them.
  disk_->Crash(0);
  Reopen();
  EXPECT_EQ(GetOr("k"), "u1");
  EXPECT_EQ(GetOr("x"), "u2");
}

TEST_F(MemEngineCrashTest, PrefixLongerThanTheUnsyncedListKeepsEverything) {
  Write("a", "1", false);
  Write("b", "2", false);
  disk_->Crash(100);
  Reopen();
  EXPECT_EQ(GetOr("a"), "1");
  EXPECT_EQ(GetOr("b"), "2");
}

TEST_F(MemEngineCrashTest, ABatchSurvivesWholeOrNotAtAll) {
  WriteBatch b;
  b.Put(Cf::kDefault, "a", "1");
  b.Put(Cf::kLock, "a", "lock");
  b.DeleteRange(Cf::kWrite, "", "z");
  Write("w-before", "x", true);
  ASSERT_TRUE(engine_->Put(Cf::kWrite, "w", "old", true).ok());
  ASSERT_TRUE(engine_->Write(WriteOptions(), b).ok());

  disk_->Crash(0);
  Reopen();
  std::string v;
  EXPECT_TRUE(engine_->Get(Cf::kDefault, "a", &v).IsNotFound());
  EXPECT_TRUE(engine_->Get(Cf::kLock, "a", &v).IsNotFound());
  ASSERT_TRUE(engine_->Get(Cf::kWrite, "w", &v).ok());
  EXPECT_EQ(v, "old");

  ASSERT_TRUE(engine_->Write(WriteOptions(), b).ok());
  disk_->Crash(1);
  Reopen();
  EXPECT_TRUE(engine_->Get(Cf::kDefault, "a", &v).ok());
  EXPECT_TRUE(engine_->Get(Cf::kLock, "a", &v).ok());
  EXPECT_TRUE(engine_->Get(Cf::kWrite, "w", &v).IsNotFound());
}

TEST_F(MemEngineCrashTest, CrashClosesTheEngineButOldSnapshotsStillRead) {
  Write("a", "1", false);
  std::unique_ptr<Snapshot> snap = engine_->GetSnapshot();
  std::unique_ptr<Iterator> it = engine_->NewIterator(Cf::kDefault);
  disk_->Crash(0);

  EXPECT_FALSE(engine_->is_open());
  std::string v;
  EXPECT_TRUE(engine_->Get(Cf::kDefault, "a", &v).IsIOError());
  EXPECT_TRUE(engine_->Put(Cf::kDefault, "b", "2").IsIOError());
  EXPECT_TRUE(engine_->GetSnapshot()->Get(Cf::kDefault, "a", &v).IsIOError());
  auto dead_it = engine_->NewIterator(Cf::kDefault);
  dead_it->SeekToFirst();
  EXPECT_FALSE(dead_it->Valid());
  EXPECT_TRUE(dead_it->status().IsIOError());
  EXPECT_EQ(disk_->UnsyncedBatchCount(), 0u);  // the failed write reached nothing

  // Views taken before the crash read what they saw (memory of a dead process, never consulted
  // by a correct node, but reading it must not crash the simulator).
  ASSERT_TRUE(snap->Get(Cf::kDefault, "a", &v).ok());
  EXPECT_EQ(v, "1");
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "a");

  Reopen();
  EXPECT_EQ(GetOr("a"), "<none>");
}

TEST_F(MemEngineCrashTest, OnlyOneEngineAtATimeOnADisk) {
  std::unique_ptr<MemEngine> second;
  Status s = MemEngine::Open(disk_, &second);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  EXPECT_EQ(second, nullptr);
  engine_.reset();
  EXPECT_FALSE(disk_->engine_open());
  EXPECT_TRUE(MemEngine::Open(disk_, &second).ok());
}

TEST_F(MemEngineCrashTest, CleanCloseKeepsUnsyncedDataUntilACrash) {
  Write("a", "1", false);
  Reopen();  // clean close + open: nothing lost
  EXPECT_EQ(GetOr("a"), "1");
  EXPECT_EQ(disk_->UnsyncedBatchCount(), 1u);
  engine_.reset();
  disk_->Crash(0);  // power loss while no engine is open
  Reopen();
  EXPECT_EQ(GetOr("a"), "<none>");
}

TEST_F(MemEngineCrashTest, DurableStateReportsWhatACrashWouldLeave) {
  Write("a", "1", true);
  Write("b", "2", false);
  std::string v;
  EXPECT_TRUE(disk_->durable_state()[0].Get("a", &v));
  EXPECT_FALSE(disk_->durable_state()[0].Contains("b"));
  EXPECT_TRUE(disk_->live_state()[0].Contains("b"));
}

TEST_F(MemEngineCrashTest, SameWritesAndCrashesGiveTheSameState) {
  auto run = [](size_t keep) {
    auto disk = std::make_shared<MemDisk>();
    std::unique_ptr<MemEngine> e;
    EXPECT_TRUE(MemEngine::Open(disk, &e).ok());
    for (int i = 0; i < 50; ++i) {
      EXPECT_TRUE(
          e->Put(Cf::kDefault, "k" + std::to_string(i % 7), std::to_string(i), i % 11 == 0).ok());
    }
    disk->Crash(keep);
    std::string out;
    auto it = disk->live_state()[0];
    PersistentMap::Cursor c(it);
    for (c.SeekToFirst(); c.Valid(); c.Next()) out += c.key() + "=" + c.value() + ";";
    return out;
  };
  EXPECT_EQ(run(3), run(3));
  EXPECT_NE(run(0), run(5));
}

}  // namespace
}  // namespace tinykv::store
