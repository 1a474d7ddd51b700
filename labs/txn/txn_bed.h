// The test bed of the lab-4 graded tests: a StandaloneStorage over a MemEngine, records stored by
// hand byte for byte in TinyKV's layout (as TinyKV's tests do with MemStorage.Set), and ways to
// look at what a command left behind. Header-only; used by lab4a_test, lab4b_test, lab4c_test.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "proto/kvrpcpb.pb.h"
#include "store/engine/mem_engine.h"
#include "store/storage/standalone_storage.h"
#include "txn/commands.h"
#include "txn/latches.h"
#include "txn/lock.h"
#include "txn/mvcc_key.h"
#include "txn/write.h"

namespace tinykv::txn {

// Reads nothing: every key absent, every iterator empty (the stand-in when a storage gives no
// reader).
class NothingReader final : public store::StorageReader {
 public:
  store::Status GetCF(store::Cf, std::string_view, std::string*) override {
    return store::Status::NotFound("no reader");
  }
  std::unique_ptr<store::Iterator> IterCF(store::Cf) override {
    return std::make_unique<NothingIterator>();
  }

 private:
  class NothingIterator final : public store::Iterator {
   public:
    bool Valid() const override { return false; }
    void SeekToFirst() override {}
    void Seek(std::string_view) override {}
    void Next() override {}
    std::string_view key() const override { return {}; }
    std::string_view value() const override { return {}; }
    store::Status status() const override { return store::Status::OK(); }
  };
};

class TxnBed {
 public:
  TxnBed() { EXPECT_TRUE(storage_->Start().ok()); }

  store::Storage& storage() { return *storage_; }
  CommandEnv& env() { return env_; }
  Latches& latches() { return latches_; }

  // Stores raw bytes through the storage.
  void Set(store::Cf cf, std::string_view key, std::string_view value) {
    store::Status s = storage_->Write(kNoContext, {store::Modify::Put(cf, key, value)});
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  // A committed put: the value in CF default at start_ts, a put record in CF write at commit_ts.
  void CommitPut(std::string_view key, uint64_t start_ts, uint64_t commit_ts,
                 std::string_view value) {
    Set(store::Cf::kDefault, EncodeKey(key, start_ts), value);
    SetWrite(key, commit_ts, start_ts, WriteKind::kPut);
  }
  void CommitDelete(std::string_view key, uint64_t start_ts, uint64_t commit_ts) {
    SetWrite(key, commit_ts, start_ts, WriteKind::kDelete);
  }
  // A rollback record: stored at the rolled-back transaction's start ts.
  void Rollback(std::string_view key, uint64_t start_ts) {
    SetWrite(key, start_ts, start_ts, WriteKind::kRollback);
  }
  void SetWrite(std::string_view key, uint64_t commit_ts, uint64_t start_ts, WriteKind kind) {
    Set(store::Cf::kWrite, EncodeKey(key, commit_ts),
        Write{.start_ts = start_ts, .kind = kind}.ToBytes());
  }
  // A prewritten key: its value at start_ts and its lock.
  void Prewritten(std::string_view key, std::string_view primary, uint64_t start_ts,
                  std::string_view value, uint64_t ttl = 0) {
    Set(store::Cf::kDefault, EncodeKey(key, start_ts), value);
    SetLock(key, Lock{.primary = std::string(primary), .start_ts = start_ts, .ttl = ttl});
  }
  void SetLock(std::string_view key, const Lock& lock) {
    Set(store::Cf::kLock, key, lock.ToBytes());
  }

  // How many records a CF holds.
  size_t Count(store::Cf cf) {
    std::unique_ptr<store::StorageReader> reader = Reader();
    size_t n = 0;
    auto it = reader->IterCF(cf);
    for (it->Seek(""); it->Valid(); it->Next()) ++n;
    return n;
  }
  // "default 1, lock 0, write 1": all three counts, for one assertion with a readable failure.
  std::string Counts() {
    return "default " + std::to_string(Count(store::Cf::kDefault)) + ", lock " +
           std::to_string(Count(store::Cf::kLock)) + ", write " +
           std::to_string(Count(store::Cf::kWrite));
  }
  // The raw record of `cf` under `key` (for CF default / write: an MVCC key), or nothing.
  std::optional<std::string> Raw(store::Cf cf, std::string_view key) {
    std::string value;
    store::Status s = Reader()->GetCF(cf, key, &value);
    if (s.IsNotFound()) return std::nullopt;
    EXPECT_TRUE(s.ok()) << s.ToString();
    return value;
  }
  std::optional<Lock> LockOn(std::string_view key) {
    auto raw = Raw(store::Cf::kLock, key);
    if (!raw) return std::nullopt;
    Lock lock;
    EXPECT_TRUE(ParseLock(*raw, &lock).ok());
    return lock;
  }
  std::optional<Write> WriteAt(std::string_view key, uint64_t commit_ts) {
    auto raw = Raw(store::Cf::kWrite, EncodeKey(key, commit_ts));
    if (!raw) return std::nullopt;
    Write write;
    EXPECT_TRUE(ParseWrite(*raw, &write).ok());
    return write;
  }
  std::optional<std::string> ValueAt(std::string_view key, uint64_t start_ts) {
    return Raw(store::Cf::kDefault, EncodeKey(key, start_ts));
  }

  // A reader of the storage; when the storage gives none (lab 1's StandaloneStorage::Reader not
  // done), a failure saying so and a reader of nothing, so that the test fails rather than
  // crashes.
  std::unique_ptr<store::StorageReader> Reader() { return ReaderOf(*storage_); }

  static std::unique_ptr<store::StorageReader> ReaderOf(store::Storage& storage) {
    std::unique_ptr<store::StorageReader> reader;
    store::Status s = storage.Reader(kNoContext, &reader);
    if (s.ok() && reader != nullptr) return reader;
    ADD_FAILURE() << "the storage gave no reader (" << (s.ok() ? "a null one" : s.ToString())
                  << "): lab 4 runs on lab 1's StandaloneStorage, whose Reader must work";
    return std::make_unique<NothingReader>();
  }

  static inline const kvrpcpb::Context kNoContext;

 private:
  static std::unique_ptr<store::MemEngine> OpenEngine(std::shared_ptr<store::MemDisk> disk) {
    std::unique_ptr<store::MemEngine> engine;
    EXPECT_TRUE(store::MemEngine::Open(std::move(disk), &engine).ok());
    return engine;
  }

  // In this order: each is built from the one before.
  std::shared_ptr<store::MemDisk> disk_ = std::make_shared<store::MemDisk>();
  std::unique_ptr<store::MemEngine> engine_ = OpenEngine(disk_);
  std::unique_ptr<store::StandaloneStorage> storage_ =
      std::make_unique<store::StandaloneStorage>(engine_.get());
  Latches latches_;
  CommandEnv env_{*storage_, latches_};
};

}  // namespace tinykv::txn
