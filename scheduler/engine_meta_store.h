// EngineMetaStore: the scheduler's MetaStore on a storage engine (MemEngine on a simulated disk,
// RocksDB for real), in the default column family, every save synced.
#pragma once

#include "scheduler/meta_store.h"
#include "store/engine/engine.h"

namespace tinykv::scheduler {

class EngineMetaStore final : public MetaStore {
 public:
  // `engine` outlives this object.
  explicit EngineMetaStore(store::Engine* engine) : engine_(engine) {}
  Status Load(std::string_view key, std::string* value) override;
  Status Save(std::string_view key, std::string_view value) override;
  Status Scan(std::string_view prefix,
              const std::function<Status(std::string_view, std::string_view)>& fn) override;

 private:
  store::Engine* engine_;
};

}  // namespace tinykv::scheduler
