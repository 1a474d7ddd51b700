#include "scheduler/meta_store.h"

namespace tinykv::scheduler {

Status MemMetaStore::Load(std::string_view key, std::string* value) {
  auto it = values_.find(key);
  if (it == values_.end()) return Status::NotFound(std::string(key) + " is not saved");
  *value = it->second;
  return Status::OK();
}

Status MemMetaStore::Save(std::string_view key, std::string_view value) {
  if (fail_saves_) return Status::IoError("cannot save " + std::string(key) + ": injected failure");
  values_[std::string(key)] = std::string(value);
  ++saves_;
  return Status::OK();
}

}  // namespace tinykv::scheduler
