#include "txn/lock.h"

#include <ostream>

#include <string>

#include "txn/codec.h"
#include "txn/printable.h"

namespace tinykv::txn {
namespace {

// kind + start_ts + ttl.
constexpr size_t kFixedSize = 17;

}  // namespace

std::string Lock::ToBytes() const {
  std::string out = primary;
  out.push_back(static_cast<char>(kind));
  AppendBigEndian64(&out, start_ts);
  AppendBigEndian64(&out, ttl);
  return out;
}

store::Status ParseLock(std::string_view bytes, Lock* lock) {
  if (bytes.size() < kFixedSize) {
    return store::Status::Corruption("lock record " + Printable(bytes) + ": expected at least " +
                                     std::to_string(kFixedSize) + " bytes, found " +
                                     std::to_string(bytes.size()));
  }
  const size_t primary_size = bytes.size() - kFixedSize;
  const auto kind = static_cast<uint8_t>(bytes[primary_size]);
  if (!IsWriteKind(kind)) {
    return store::Status::Corruption("lock record " + Printable(bytes) + ": unknown kind " +
                                     std::to_string(kind));
  }
  *lock = Lock{.primary = std::string(bytes.substr(0, primary_size)),
               .start_ts = ReadBigEndian64(bytes.substr(primary_size + 1)),
               .ttl = ReadBigEndian64(bytes.substr(primary_size + 9)),
               .kind = WriteKind{kind}};
  return store::Status::OK();
}

std::ostream& operator<<(std::ostream& os, const Lock& lock) {
  return os << "{primary " << Printable(lock.primary) << ", start ts " << lock.start_ts << ", ttl "
            << lock.ttl << " ms, " << WriteKindName(lock.kind) << "}";
}

}  // namespace tinykv::txn
