// Storage: what the KV service reads from and writes to (TinyKV's storage.Storage).
//
// Two implementations share this interface: StandaloneStorage (lab1: one engine, no
// replication) and, later, the raftstore's storage (lab2b on: writes go through Raft). The KV
// service's handlers (store/server/raw_api.h, txn/) only ever see this interface, so the same
// handler code serves both.
//
// Writes are batches of Modify (put or delete on one CF) applied atomically. Reads go through a
// StorageReader, a consistent snapshot of all CFs taken when Reader() was called: writes made
// after that are invisible to it. A reader is owned by the caller and must be destroyed before
// the storage.
//
// Region errors: a replicated storage may refuse a request that reached the wrong region / peer;
// it then returns Status::RegionError carrying a serialized errorpb.Error (see store/status.h)
// and the handler copies it into the response (store/server/raw_api.h: FillError).
//
// Threads: like the engine under it, a storage belongs to one node's fibers.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/engine/engine.h"
#include "store/status.h"

namespace kvrpcpb {
class Context;
}  // namespace kvrpcpb

namespace tinykv::store {

// One modification of a write batch.
struct Modify {
  enum class Type { kPut, kDelete };
  Type type;
  Cf cf;
  std::string key;
  std::string value;  // kPut only

  static Modify Put(Cf cf, std::string_view key, std::string_view value) {
    return Modify{Type::kPut, cf, std::string(key), std::string(value)};
  }
  static Modify Delete(Cf cf, std::string_view key) {
    return Modify{Type::kDelete, cf, std::string(key), std::string()};
  }
};

// A read-only, consistent view of the storage (all CFs), valid until destroyed.
class StorageReader {
 public:
  virtual ~StorageReader() = default;

  // Reads `key` of `cf`. Returns NotFound when the key is absent (a normal outcome, not a
  // failure), another error when the read failed.
  virtual Status GetCF(Cf cf, std::string_view key, std::string* value) = 0;

  // An iterator over `cf` of this reader's snapshot, unpositioned (call Seek). Never null. It may
  // be used after further writes to the storage and sees none of them.
  virtual std::unique_ptr<Iterator> IterCF(Cf cf) = 0;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // Starts background work, if any. Must be called before Write / Reader.
  virtual Status Start() = 0;
  // Stops background work. Idempotent.
  virtual Status Stop() = 0;

  // Applies `batch` atomically (all modifications or none). `ctx` names the region the request
  // was addressed to (ignored by StandaloneStorage).
  virtual Status Write(const kvrpcpb::Context& ctx, const std::vector<Modify>& batch) = 0;

  // On success sets *reader to a reader over a snapshot taken now.
  virtual Status Reader(const kvrpcpb::Context& ctx, std::unique_ptr<StorageReader>* reader) = 0;
};

}  // namespace tinykv::store
