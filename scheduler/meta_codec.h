// Fixed-width encodings of the scheduler's saved numbers (big-endian, 8 bytes).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tinykv::scheduler {

inline std::string EncodeU64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

// False when `raw` is not exactly 8 bytes.
inline bool DecodeU64(std::string_view raw, uint64_t* v) {
  if (raw.size() != 8) return false;
  *v = 0;
  for (char c : raw) *v = (*v << 8) | static_cast<uint8_t>(c);
  return true;
}

}  // namespace tinykv::scheduler
