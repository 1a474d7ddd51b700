#include "txn/mvcc_key.h"

#include <string>

#include "txn/codec.h"
#include "txn/printable.h"

namespace tinykv::txn {

std::string EncodeKey(std::string_view user_key, uint64_t ts) {
  std::string key = EncodeBytes(user_key);
  AppendBigEndian64(&key, ~ts);
  return key;
}

store::Status DecodeKey(std::string_view key, std::string* user_key, uint64_t* ts) {
  std::string decoded;
  std::string_view rest;
  store::Status s = DecodeBytes(key, &decoded, &rest);
  if (!s.ok()) return store::Status::Corruption("MVCC key: " + s.message());
  if (rest.size() != 8) {
    return store::Status::Corruption("MVCC key " + Printable(key) +
                                     ": expected 8 timestamp bytes after the user key " +
                                     Printable(decoded) + ", found " + std::to_string(rest.size()));
  }
  *user_key = std::move(decoded);
  *ts = ~ReadBigEndian64(rest);
  return store::Status::OK();
}

store::Status DecodeUserKey(std::string_view key, std::string* user_key) {
  uint64_t ts = 0;
  return DecodeKey(key, user_key, &ts);
}

store::Status DecodeTimestamp(std::string_view key, uint64_t* ts) {
  std::string user_key;
  return DecodeKey(key, &user_key, ts);
}

}  // namespace tinykv::txn
