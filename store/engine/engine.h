// Engine: the ordered key-value store under a TinyKV store (DESIGN.md §4, store/).
//
// An engine holds three column families (CFs) — `default`, `lock` and `write`, the ones
// Percolator needs — each an independent, bytewise-ordered map from binary keys to binary values.
// Keys and values may be empty and may hold any byte (0x00 and 0xFF included); order is that of
// memcmp, a shorter key before its extensions.
//
// Reads: point reads (Get) and forward iterators. Every iterator reads one consistent snapshot,
// taken when it was created: later writes never show through, and the iterator stays usable while
// they land. Writes: a WriteBatch of puts, deletes and range deletes, applied atomically and in
// order (a later operation on the same key wins); `WriteOptions::sync` asks for durability
// before Write returns (what that means for each engine is said on the engine's class).
//
// Implementations: RocksEngine (store/engine/rocks_engine.h; real mode), MemEngine
// (store/engine/mem_engine.h; simulation, with a crash model) and FaultInjectionEngine
// (store/engine/fault_injection_engine.h; a test decorator). One conformance suite
// (engine_conformance_test.cc) holds them to the same behaviour.
//
// Ownership and threads: the engine owns its data. Snapshots and iterators it hands out are owned
// by the caller and keep what they read alive; the engine must outlive them. Engines are not
// thread-safe: one node's fibers (one OS thread) use an engine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/engine/key_value.h"
#include "store/status.h"

namespace tinykv::store {

// Column families. The numeric values index arrays; the names are TinyKV's wire names.
enum class Cf : uint8_t { kDefault = 0, kLock = 1, kWrite = 2 };
inline constexpr size_t kNumCfs = 3;
inline constexpr Cf kAllCfs[kNumCfs] = {Cf::kDefault, Cf::kLock, Cf::kWrite};

// "default", "lock" or "write".
std::string_view CfName(Cf cf);
std::ostream& operator<<(std::ostream& os, Cf cf);  // CfName (for GoogleTest)

// The CF called `name` ("default", "lock", "write"; case-sensitive), or nullopt for any other
// name. The empty name is not a CF here; the KV service decides what an empty name in a request
// means.
std::optional<Cf> CfFromName(std::string_view name);

// An ordered list of modifications, applied all-or-nothing by Engine::Write.
class WriteBatch {
 public:
  enum class OpType : uint8_t { kPut, kDelete, kDeleteRange };
  struct Op {
    OpType type;
    Cf cf;
    // kPut: key and value; kDelete: key (empty value); kDeleteRange: the first key of the range
    // and the end of the range (exclusive). Shared, never copied: an engine may keep it.
    KeyValuePtr kv;

    std::string_view key() const { return kv->key; }
    // kPut: the value; kDeleteRange: the end of the range.
    std::string_view arg() const { return kv->value; }
  };

  void Put(Cf cf, std::string_view key, std::string_view value);
  // The same, taking the strings over instead of copying them (for freshly built keys and
  // serialized values).
  void Put(Cf cf, KeyValue kv);
  // Deleting an absent key is not an error.
  void Delete(Cf cf, std::string_view key);
  // Deletes every key k of `cf` with begin <= k < end. begin >= end is an empty range (no-op).
  void DeleteRange(Cf cf, std::string_view begin, std::string_view end);

  // Appends every op of `other`, in order.
  void Append(const WriteBatch& other);
  void Clear();

  const std::vector<Op>& ops() const { return ops_; }
  size_t Count() const { return ops_.size(); }
  bool Empty() const { return ops_.empty(); }
  // Bytes of keys and values held (what a write costs, for latency models and benchmarks).
  size_t ByteSize() const { return bytes_; }

 private:
  std::vector<Op> ops_;
  size_t bytes_ = 0;
};

struct WriteOptions {
  // Durable before Write returns: survives a crash of the machine (RocksEngine: the WAL is
  // fsync'ed; MemEngine: the batch, and every batch before it, survives MemDisk::Crash).
  bool sync = false;
};

// A forward cursor over one CF of one snapshot. Starts unpositioned (not Valid); call Seek or
// SeekToFirst. Not thread-safe.
class Iterator {
 public:
  virtual ~Iterator() = default;

  // Positioned at an entry? False before the first seek, past the last entry, and on error.
  virtual bool Valid() const = 0;
  // Moves to the first entry of the CF.
  virtual void SeekToFirst() = 0;
  // Moves to the first entry whose key is >= target.
  virtual void Seek(std::string_view target) = 0;
  // Moves to the next entry. REQUIRES: Valid().
  virtual void Next() = 0;
  // The current entry. REQUIRES: Valid(). The views stay valid until the iterator moves or dies.
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  // OK unless the iterator hit an error (it is then not Valid).
  virtual Status status() const = 0;
};

// A consistent, read-only view of all three CFs at one moment. May outlive nothing but its engine.
class Snapshot {
 public:
  virtual ~Snapshot() = default;

  // Reads `key` of `cf` into *value. Returns NotFound (and leaves *value alone) when absent.
  virtual Status Get(Cf cf, std::string_view key, std::string* value) const = 0;
  // An iterator over `cf` of this snapshot; it may outlive the Snapshot object.
  virtual std::unique_ptr<Iterator> NewIterator(Cf cf) const = 0;
};

class Engine {
 public:
  virtual ~Engine() = default;

  // Reads the latest value of `key` in `cf` into *value. NotFound when absent; another error when
  // the engine cannot read (corruption, a closed engine).
  virtual Status Get(Cf cf, std::string_view key, std::string* value) = 0;

  // Applies every op of `batch`, in order, atomically: on error none of it is visible.
  // An empty batch is OK (with sync: it still makes earlier writes durable).
  virtual Status Write(const WriteOptions& options, const WriteBatch& batch) = 0;

  // The current state of all CFs. Never null; on an engine that cannot read, the snapshot's reads
  // fail with the engine's error.
  virtual std::unique_ptr<Snapshot> GetSnapshot() = 0;

  // An iterator over `cf` as of now (an implicit snapshot). Never null.
  virtual std::unique_ptr<Iterator> NewIterator(Cf cf) = 0;

  // Convenience single-op writes (one-op batches).
  Status Put(Cf cf, std::string_view key, std::string_view value, bool sync = false);
  Status Delete(Cf cf, std::string_view key, bool sync = false);
};

// An iterator that is never Valid and reports `status` (for engines that cannot read).
std::unique_ptr<Iterator> NewErrorIterator(Status status);

}  // namespace tinykv::store
