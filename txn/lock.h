// Lock: the record CF lock holds while a transaction has prewritten a key and not yet committed
// or rolled it back (TinyKV's mvcc.Lock).
//
// CF lock is keyed by the raw user key (at most one lock per key). The lock names the
// transaction's primary key (whose lock decides the whole transaction's fate), its start ts, a
// time-to-live in milliseconds (after which others may roll it back), and the kind of write the
// transaction will commit (put or delete; TinyKV's tests also store rollback, so it parses).
//
// Bytes (TinyKV's layout): primary + kind (1 byte) + big-endian start_ts (8) + big-endian ttl (8).
// The primary has no length prefix: it is whatever precedes the last 17 bytes. ParseLock rejects
// 16 bytes or fewer (no room for the fixed part; exactly 17 is a lock with an empty primary, as in
// TinyKV) and a kind byte outside WriteKind, with Corruption naming the problem; it never aborts.
//
// Plain values; any thread.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

#include "store/status.h"
#include "txn/write.h"

namespace tinykv::txn {

struct Lock {
  std::string primary;
  uint64_t start_ts = 0;
  uint64_t ttl = 0;
  WriteKind kind = WriteKind::kPut;

  // The stored bytes.
  std::string ToBytes() const;

  bool operator==(const Lock&) const = default;
};

// Parses the stored bytes of a Lock. On error returns Corruption and leaves *lock alone.
store::Status ParseLock(std::string_view bytes, Lock* lock);

// "{primary \"k\", start ts 10, ttl 3000 ms, put}" (for GoogleTest failure messages).
std::ostream& operator<<(std::ostream& os, const Lock& lock);

}  // namespace tinykv::txn
