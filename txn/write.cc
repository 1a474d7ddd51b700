#include "txn/write.h"

#include "txn/mvcc_txn.h"

#include <ostream>

#include <string>

#include "txn/codec.h"
#include "txn/printable.h"

namespace tinykv::txn {
namespace {

constexpr size_t kWriteSize = 9;

}  // namespace

std::string WriteKindName(WriteKind kind) {
  switch (kind) {
    case WriteKind::kPut:
      return "put";
    case WriteKind::kDelete:
      return "delete";
    case WriteKind::kRollback:
      return "rollback";
  }
  return "kind " + std::to_string(static_cast<unsigned>(kind));
}

bool IsWriteKind(uint8_t byte) {
  return byte >= static_cast<uint8_t>(WriteKind::kPut) &&
         byte <= static_cast<uint8_t>(WriteKind::kRollback);
}

std::string Write::ToBytes() const {
  std::string out(1, static_cast<char>(kind));
  AppendBigEndian64(&out, start_ts);
  return out;
}

store::Status ParseWrite(std::string_view bytes, Write* write) {
  if (bytes.size() != kWriteSize) {
    return store::Status::Corruption("write record " + Printable(bytes) + ": expected " +
                                     std::to_string(kWriteSize) + " bytes, found " +
                                     std::to_string(bytes.size()));
  }
  const auto kind = static_cast<uint8_t>(bytes[0]);
  if (!IsWriteKind(kind)) {
    return store::Status::Corruption("write record " + Printable(bytes) + ": unknown kind " +
                                     std::to_string(kind));
  }
  *write = Write{.start_ts = ReadBigEndian64(bytes.substr(1)), .kind = WriteKind{kind}};
  return store::Status::OK();
}

std::ostream& operator<<(std::ostream& os, WriteKind kind) { return os << WriteKindName(kind); }

std::ostream& operator<<(std::ostream& os, const Write& w) {
  return os << "{" << WriteKindName(w.kind) << ", start ts " << w.start_ts << "}";
}

std::ostream& operator<<(std::ostream& os, const CommittedWrite& w) {
  return os << w.write << " at " << w.commit_ts;
}

}  // namespace tinykv::txn
