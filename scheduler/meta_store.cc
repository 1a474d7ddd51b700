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

Status MemMetaStore::Scan(std::string_view prefix,
                          const std::function<Status(std::string_view, std::string_view)>& fn) {
  for (auto it = values_.lower_bound(prefix);
       it != values_.end() && std::string_view(it->first).substr(0, prefix.size()) == prefix;
       ++it) {
    if (Status s = fn(it->first, it->second); !s.ok()) return s;
  }
  return Status::OK();
}

}  // namespace tinykv::scheduler
