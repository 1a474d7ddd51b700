#include "txn/codec.h"

#include <algorithm>
#include <string>
#include <utility>

#include "txn/printable.h"

namespace tinykv::txn {
namespace {

constexpr size_t kGroupSize = 8;
constexpr unsigned char kMarker = 0xFF;

}  // namespace

std::string EncodeBytes(std::string_view data) {
  std::string out;
  // Room for the groups and for the 8-byte timestamp an MVCC key appends.
  out.reserve((data.size() / kGroupSize + 1) * (kGroupSize + 1) + 8);
  // `<=`: an input whose length is a multiple of 8 still needs a final, all-padding group.
  for (size_t pos = 0; pos <= data.size(); pos += kGroupSize) {
    const size_t take = std::min(kGroupSize, data.size() - pos);
    const size_t pad = kGroupSize - take;
    out.append(data.substr(pos, take));
    out.append(pad, '\0');
    out.push_back(static_cast<char>(kMarker - pad));
  }
  return out;
}

store::Status DecodeBytes(std::string_view input, std::string* data, std::string_view* rest) {
  std::string decoded;
  std::string_view in = input;
  for (size_t offset = 0;; offset += kGroupSize + 1) {
    if (in.size() < kGroupSize + 1) {
      return store::Status::Corruption(
          "memcomparable bytes: need a 9-byte group at offset " + std::to_string(offset) +
          ", found " + std::to_string(in.size()) + " bytes (input " + Printable(input) + ")");
    }
    const auto marker = static_cast<unsigned char>(in[kGroupSize]);
    const size_t pad = kMarker - marker;
    if (pad > kGroupSize) {
      return store::Status::Corruption("memcomparable bytes: invalid marker byte " +
                                       Printable(in.substr(kGroupSize, 1)) + " at offset " +
                                       std::to_string(offset + kGroupSize) + " (input " +
                                       Printable(input) + ")");
    }
    const std::string_view group = in.substr(0, kGroupSize);
    if (group.find_first_not_of('\0', kGroupSize - pad) != std::string_view::npos) {
      return store::Status::Corruption(
          "memcomparable bytes: non-zero padding in the group at offset " + std::to_string(offset) +
          " (input " + Printable(input) + ")");
    }
    decoded.append(group.substr(0, kGroupSize - pad));
    in.remove_prefix(kGroupSize + 1);
    if (pad != 0) break;
  }
  *data = std::move(decoded);
  *rest = in;
  return store::Status::OK();
}

void AppendBigEndian64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

uint64_t ReadBigEndian64(std::string_view bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

}  // namespace tinykv::txn
