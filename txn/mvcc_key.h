// MVCC keys: how a (user key, timestamp) pair is laid out in CF default and CF write.
//
// EncodeKey(k, ts) = EncodeBytes(k) + big-endian(~ts), byte for byte TinyKV's layout. The
// memcomparable part keeps user keys in their byte order and delimits them, so one key's
// versions never interleave with another's; the inverted timestamp makes a key's newer versions
// sort first. A forward iterator that seeks to EncodeKey(k, ts) therefore lands on the newest
// version of k at or below ts (or past k's versions when there is none). For one user key k:
//   EncodeKey(k, kTsMax) is the smallest MVCC key of k (suffix all zeros), and
//   EncodeKey(k, 0)      is the largest (suffix all 0xFF).
// CF lock is keyed by the raw user key; only CF default (keyed at the start ts) and CF write
// (keyed at the commit ts) use MVCC keys.
//
// Errors: decoding never aborts and never reads out of bounds. A key that is not exactly
// EncodeBytes(user key) followed by 8 timestamp bytes is Status::Corruption, naming what is wrong.
//
// Pure functions; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/status.h"

namespace tinykv::txn {

// The largest timestamp; TinyKV's TsMax.
inline constexpr uint64_t kTsMax = ~uint64_t{0};

// A TSO timestamp is physical milliseconds << 18 | a logical counter (scheduler/tso.h; the value
// is repeated here because txn/ must not depend on scheduler/).
inline constexpr int kPhysicalShiftBits = 18;

// The MVCC key of `user_key` at `ts`.
std::string EncodeKey(std::string_view user_key, uint64_t ts);

// Splits an MVCC key into its user key and timestamp. On error returns Corruption and leaves both
// out-values alone.
store::Status DecodeKey(std::string_view key, std::string* user_key, uint64_t* ts);

// The user key part of an MVCC key (the whole key is checked, as DecodeKey does).
store::Status DecodeUserKey(std::string_view key, std::string* user_key);

// The timestamp part of an MVCC key (the whole key is checked, as DecodeKey does).
store::Status DecodeTimestamp(std::string_view key, uint64_t* ts);

// The physical part of a TSO timestamp, in milliseconds.
constexpr uint64_t PhysicalTime(uint64_t ts) { return ts >> kPhysicalShiftBits; }

}  // namespace tinykv::txn
