// Codec: TinyKV's memcomparable byte encoding and big-endian integers (kv/util/codec in TinyKV).
//
// EncodeBytes turns arbitrary bytes into a string whose bytewise order is the order of the
// inputs and which is self-delimiting, so something can follow it (an MVCC key appends a
// timestamp, txn/mvcc_key.h). The input is cut into groups of 8 bytes; the last group is padded
// with zeros to 8 bytes; each group is followed by a marker byte, 0xFF minus the number of
// padding bytes. A marker of 0xFF means "a full group, more follow"; any other marker ends the
// value. An input whose length is a multiple of 8 therefore ends with an all-padding group
// (marker 0xF7). Examples:
//   ""          -> 00 00 00 00 00 00 00 00 f7
//   01 02 03    -> 01 02 03 00 00 00 00 00 fa
//   01..08      -> 01 02 03 04 05 06 07 08 ff 00 00 00 00 00 00 00 00 f7
// Encoded length is 9 * (len / 8 + 1). The encoding is canonical: DecodeBytes accepts exactly the
// strings EncodeBytes produces (followed by anything), so decode-then-encode gives back the
// same bytes.
//
// Errors: DecodeBytes never reads past its input and never aborts. A short input, a marker below
// 0xF7 or a non-zero padding byte is Status::Corruption, with a message naming which and where.
//
// Pure functions; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/status.h"

namespace tinykv::txn {

// The memcomparable encoding of `data` (see above).
std::string EncodeBytes(std::string_view data);

// Decodes one EncodeBytes value from the front of `input`. On success sets *data to the decoded
// bytes and *rest to the input left after it (a view into `input`). On error returns Corruption
// and leaves both alone.
store::Status DecodeBytes(std::string_view input, std::string* data, std::string_view* rest);

// Appends `v` as 8 bytes, most significant first.
void AppendBigEndian64(std::string* out, uint64_t v);

// The 8 bytes at the front of `bytes` read most significant first. REQUIRES: bytes.size() >= 8.
uint64_t ReadBigEndian64(std::string_view bytes);

}  // namespace tinykv::txn
