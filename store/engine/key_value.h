// KeyValue: one key and its value, immutable once built and shared by pointer.
//
// A WriteBatch builds one per operation, and MemEngine's maps (store/engine/persistent_map.h),
// the un-synced batches its crash model keeps, and every version of a map that holds the entry
// share that same object: a write copies the bytes once, into the batch, and never again.
// Immutable, so sharing needs no locking; the shared pointer's count is thread-safe as usual.
#pragma once

#include <memory>
#include <string>

namespace tinykv::store {

struct KeyValue {
  std::string key;
  std::string value;
};

using KeyValuePtr = std::shared_ptr<const KeyValue>;

}  // namespace tinykv::store
