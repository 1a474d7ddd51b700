// Write: the record CF write holds for one version of a key (TinyKV's mvcc.Write).
//
// Committing a transaction writes, for each of its keys, a Write under EncodeKey(key, commit_ts)
// (txn/mvcc_key.h) that points back at the transaction's start ts, where CF default holds the
// value. A rollback is recorded the same way, with kind kRollback and commit ts == start ts, so a
// late prewrite of the rolled-back transaction can see that it must not succeed.
//
// Bytes (TinyKV's layout): kind (1 byte) + big-endian start_ts (8 bytes), exactly 9 bytes.
// ParseWrite rejects any other length, and a kind byte outside WriteKind, with Corruption naming
// the problem; it never aborts.
//
// Plain values; any thread.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

#include "store/status.h"

namespace tinykv::txn {

// The numbers are TinyKV's (they are stored on disk). Locks use the same kinds (txn/lock.h).
enum class WriteKind : uint8_t { kPut = 1, kDelete = 2, kRollback = 3 };

// "put", "delete", "rollback", or "kind <n>" for a byte outside the enum.
std::string WriteKindName(WriteKind kind);
std::ostream& operator<<(std::ostream& os, WriteKind kind);  // WriteKindName (for GoogleTest)

// Is `byte` one of WriteKind's values? (What ParseWrite and ParseLock accept.)
bool IsWriteKind(uint8_t byte);

struct Write {
  uint64_t start_ts = 0;
  WriteKind kind = WriteKind::kPut;

  // The 9 stored bytes.
  std::string ToBytes() const;

  bool operator==(const Write&) const = default;
};

// Parses the stored bytes of a Write. On error returns Corruption and leaves *write alone.
store::Status ParseWrite(std::string_view bytes, Write* write);

// "{put, start ts 10}" (for GoogleTest failure messages).
std::ostream& operator<<(std::ostream& os, const Write& w);

}  // namespace tinykv::txn
