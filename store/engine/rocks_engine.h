// RocksEngine: the Engine of real mode, on RocksDB with one RocksDB column family per CF.
//
// RocksDB's headers stay out of this file (they are expensive to compile); only rocks_engine.cc
// includes them. Sizing: small memory defaults (a few MiB of memtable per CF), and one block
// cache plus one write-buffer budget shared by every RocksEngine of the process, so a process
// that opens several engines (a kv DB and a raft DB per store, several stores in tests) stays
// small.
//
// Durability: WriteOptions::sync fsyncs RocksDB's write-ahead log before Write returns; an
// un-synced write survives a process crash (it is in the OS) but maybe not a machine crash.
//
// Errors: opening a database that is locked (another process or engine holds it) gives Busy; a
// missing one with create_if_missing=false gives NotFound; a damaged one gives Corruption; each
// message names the path. Nothing here aborts on bad data on disk.
//
// Thread safety: RocksDB is thread-safe, and so is this class; the store still uses it from one
// thread. Snapshots and iterators must be destroyed before the engine.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "store/engine/engine.h"

namespace tinykv::store {

struct RocksEngineOptions {
  // Create the directory and database when missing; otherwise opening one fails with NotFound.
  bool create_if_missing = true;
  // Memtable size per CF before a flush.
  size_t write_buffer_size = 4 << 20;
};

class RocksEngine final : public Engine {
 public:
  // Opens (or creates) the database in directory `path`.
  static Status Open(const std::string& path, const RocksEngineOptions& options,
                     std::unique_ptr<RocksEngine>* engine);

  ~RocksEngine() override;
  RocksEngine(const RocksEngine&) = delete;
  RocksEngine& operator=(const RocksEngine&) = delete;

  Status Get(Cf cf, std::string_view key, std::string* value) override;
  Status Write(const WriteOptions& options, const WriteBatch& batch) override;
  std::unique_ptr<Snapshot> GetSnapshot() override;
  std::unique_ptr<Iterator> NewIterator(Cf cf) override;

  const std::string& path() const { return path_; }

  struct Impl;  // RocksDB handles; defined in rocks_engine.cc

 private:
  RocksEngine(std::string path, std::unique_ptr<Impl> impl);

  std::string path_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tinykv::store
