// RocksEngine specifics: persistence across reopen, and clear errors (not crashes) for locked,
// missing and damaged databases.
#include "store/engine/rocks_engine.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "store/engine/temp_dir.h"

namespace tinykv::store {
namespace {

std::unique_ptr<RocksEngine> MustOpen(const std::string& path) {
  std::unique_ptr<RocksEngine> engine;
  Status s = RocksEngine::Open(path, RocksEngineOptions(), &engine);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return engine;
}

TEST(RocksEngineTest, DataSurvivesCloseAndReopenInEveryCf) {
  TempDir dir("tinykv-rocks-");
  {
    auto e = MustOpen(dir.Sub("db"));
    ASSERT_NE(e, nullptr);
    ASSERT_TRUE(e->Put(Cf::kDefault, "d", "1").ok());
    ASSERT_TRUE(e->Put(Cf::kLock, "l", "2", /*sync=*/true).ok());
    ASSERT_TRUE(e->Put(Cf::kWrite, "w", "3").ok());
  }
  auto e = MustOpen(dir.Sub("db"));
  ASSERT_NE(e, nullptr);
  std::string v;
  ASSERT_TRUE(e->Get(Cf::kDefault, "d", &v).ok());
  EXPECT_EQ(v, "1");
  ASSERT_TRUE(e->Get(Cf::kLock, "l", &v).ok());
  EXPECT_EQ(v, "2");
  ASSERT_TRUE(e->Get(Cf::kWrite, "w", &v).ok());
  EXPECT_EQ(v, "3");
  EXPECT_TRUE(e->Get(Cf::kDefault, "l", &v).IsNotFound());
}

TEST(RocksEngineTest, OpeningALockedDatabaseIsBusy) {
  TempDir dir("tinykv-rocks-");
  auto first = MustOpen(dir.Sub("db"));
  ASSERT_NE(first, nullptr);
  std::unique_ptr<RocksEngine> second;
  Status s = RocksEngine::Open(dir.Sub("db"), RocksEngineOptions(), &second);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  EXPECT_NE(s.message().find(dir.Sub("db")), std::string::npos) << s.ToString();
  EXPECT_EQ(second, nullptr);
  first.reset();
  EXPECT_NE(MustOpen(dir.Sub("db")), nullptr);  // the lock goes with the engine
}

TEST(RocksEngineTest, MissingDatabaseWithoutCreateIsNotFound) {
  TempDir dir("tinykv-rocks-");
  std::unique_ptr<RocksEngine> e;
  Status s = RocksEngine::Open(dir.Sub("nope"), RocksEngineOptions{.create_if_missing = false}, &e);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_NE(s.message().find(dir.Sub("nope")), std::string::npos) << s.ToString();
  EXPECT_EQ(e, nullptr);
}

TEST(RocksEngineTest, DamagedManifestIsCorruption) {
  TempDir dir("tinykv-rocks-");
  {
    auto e = MustOpen(dir.Sub("db"));
    ASSERT_NE(e, nullptr);
    ASSERT_TRUE(e->Put(Cf::kDefault, "k", "v", true).ok());
  }
  // Overwrite every MANIFEST with garbage.
  int damaged = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.Sub("db"))) {
    if (entry.path().filename().string().rfind("MANIFEST-", 0) == 0) {
      std::ofstream(entry.path(), std::ios::trunc | std::ios::binary) << "this is not a manifest";
      ++damaged;
    }
  }
  ASSERT_GT(damaged, 0);
  std::unique_ptr<RocksEngine> e;
  Status s = RocksEngine::Open(dir.Sub("db"), RocksEngineOptions(), &e);
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(e, nullptr);
}

TEST(RocksEngineTest, GarbageCurrentFileIsAnErrorNotACrash) {
  TempDir dir("tinykv-rocks-");
  { ASSERT_NE(MustOpen(dir.Sub("db")), nullptr); }
  std::ofstream(dir.Sub("db") + "/CURRENT", std::ios::trunc) << "garbage-without-newline";
  std::unique_ptr<RocksEngine> e;
  Status s = RocksEngine::Open(dir.Sub("db"), RocksEngineOptions(), &e);
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsCorruption() || s.IsNotFound() || s.IsIOError()) << s.ToString();
  EXPECT_NE(s.message().find(dir.Sub("db")), std::string::npos) << s.ToString();
}

TEST(RocksEngineTest, PathThatIsAFileIsAnError) {
  TempDir dir("tinykv-rocks-");
  std::ofstream(dir.Sub("file")) << "x";
  std::unique_ptr<RocksEngine> e;
  Status s = RocksEngine::Open(dir.Sub("file"), RocksEngineOptions(), &e);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(dir.Sub("file")), std::string::npos) << s.ToString();
}

TEST(RocksEngineTest, OpeningTwoEnginesInOneProcessSharesTheCache) {
  TempDir dir("tinykv-rocks-");
  auto kv = MustOpen(dir.Sub("kv"));
  auto raft = MustOpen(dir.Sub("raft"));
  ASSERT_NE(kv, nullptr);
  ASSERT_NE(raft, nullptr);
  ASSERT_TRUE(kv->Put(Cf::kDefault, "k", "kv").ok());
  ASSERT_TRUE(raft->Put(Cf::kDefault, "k", "raft").ok());
  std::string v;
  ASSERT_TRUE(kv->Get(Cf::kDefault, "k", &v).ok());
  EXPECT_EQ(v, "kv");
  ASSERT_TRUE(raft->Get(Cf::kDefault, "k", &v).ok());
  EXPECT_EQ(v, "raft");
}

}  // namespace
}  // namespace tinykv::store
