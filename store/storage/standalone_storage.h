// StandaloneStorage: a Storage on one local Engine, no replication (lab1, TinyKV project 1).
//
// Write turns a batch of Modify into one engine WriteBatch and applies it atomically; Reader
// hands out a StorageReader over an engine snapshot. Region contexts are ignored: there is only
// one copy of the data. The KV service's raw handlers (store/server/raw_api.h) run on top of it
// in lab1 and, unchanged, on the raftstore's storage from lab2b on.
//
// The engine is not owned and must outlive the storage and every reader it handed out. Runs on
// the fibers of the node that owns the engine (or, in real mode, its one executor thread).
#pragma once

#include <memory>
#include <vector>

#include "store/engine/engine.h"
#include "store/storage/storage.h"

namespace tinykv::store {

struct StandaloneStorageOptions {
  // Write with WriteOptions::sync, so an acknowledged write survives a crash of the machine
  // (RocksEngine) or of the simulated node (MemEngine).
  bool sync_writes = true;
};

class StandaloneStorage final : public Storage {
 public:
  // REQUIRES: engine != nullptr, and it outlives this storage and its readers.
  explicit StandaloneStorage(Engine* engine, StandaloneStorageOptions options = {})
      : engine_(engine), options_(options) {}

  Status Start() override;
  Status Stop() override;
  Status Write(const kvrpcpb::Context& ctx, const std::vector<Modify>& batch) override;
  Status Reader(const kvrpcpb::Context& ctx, std::unique_ptr<StorageReader>* reader) override;

  Engine* engine() const { return engine_; }

 private:
  Engine* engine_;
  StandaloneStorageOptions options_;
};

}  // namespace tinykv::store
