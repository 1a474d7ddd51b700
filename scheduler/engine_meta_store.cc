#include "scheduler/engine_meta_store.h"

#include <string>

namespace tinykv::scheduler {

Status EngineMetaStore::Load(std::string_view key, std::string* value) {
  const store::Status s = engine_->Get(store::Cf::kDefault, key, value);
  if (s.IsNotFound()) return Status::NotFound(std::string(key) + " is not saved");
  if (!s.ok()) return Status::IoError("cannot read " + std::string(key) + ": " + s.ToString());
  return Status::OK();
}

Status EngineMetaStore::Save(std::string_view key, std::string_view value) {
  store::WriteBatch batch;
  batch.Put(store::Cf::kDefault, key, value);
  const store::Status s = engine_->Write(store::WriteOptions{.sync = true}, batch);
  if (!s.ok()) return Status::IoError("cannot save " + std::string(key) + ": " + s.ToString());
  return Status::OK();
}

Status EngineMetaStore::Scan(std::string_view prefix,
                             const std::function<Status(std::string_view, std::string_view)>& fn) {
  auto it = engine_->NewIterator(store::Cf::kDefault);
  for (it->Seek(prefix); it->Valid() && it->key().substr(0, prefix.size()) == prefix; it->Next()) {
    if (Status s = fn(it->key(), it->value()); !s.ok()) return s;
  }
  if (const store::Status s = it->status(); !s.ok()) {
    return Status::IoError("cannot scan " + std::string(prefix) + ": " + s.ToString());
  }
  return Status::OK();
}

}  // namespace tinykv::scheduler
