// Status: the one error model of the store layer (engines, storage, KV service).
//
// A Status is either OK or carries a code and a one-line human message naming what went wrong
// (the path, the column family, the key size ...). Fallible calls return a Status and hand
// results back through out-parameters; callers propagate by early return. Statuses are plain
// values: copy them, compare their codes with the Is*() predicates, print them with ToString().
//
// kRegionError is the one code that carries a machine-readable payload: `detail()` holds a
// serialized errorpb.Error. Raftstore returns it when a request reached the wrong region/peer;
// the KV service copies it into the response's `region_error` field (see store/server/raw_api.h)
// so clients can retry elsewhere. Every other code has an empty detail.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

namespace tinykv::store {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kNotFound,         // the key / file / database does not exist
    kCorruption,       // stored data is damaged
    kInvalidArgument,  // the caller asked for something malformed (unknown CF, empty key ...)
    kIOError,          // the disk failed, or the engine was closed by a (simulated) crash
    kBusy,             // someone else holds the resource (a locked database)
    kNotSupported,     // the operation is not implemented (also: unimplemented lab stubs)
    kRegionError,      // raftstore: wrong region / not leader; detail() has an errorpb.Error
  };

  // OK.
  Status() = default;

  static Status OK() { return Status(); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status InvalidArgument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }
  static Status IOError(std::string_view msg) { return Status(Code::kIOError, msg); }
  static Status Busy(std::string_view msg) { return Status(Code::kBusy, msg); }
  static Status NotSupported(std::string_view msg) { return Status(Code::kNotSupported, msg); }
  // `serialized_error` is an errorpb.Error in protobuf wire format.
  static Status RegionError(std::string_view msg, std::string serialized_error) {
    Status s(Code::kRegionError, msg);
    s.detail_ = std::move(serialized_error);
    return s;
  }

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsIOError() const { return code_ == Code::kIOError; }
  bool IsBusy() const { return code_ == Code::kBusy; }
  bool IsNotSupported() const { return code_ == Code::kNotSupported; }
  bool IsRegionError() const { return code_ == Code::kRegionError; }

  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& detail() const { return detail_; }

  // "OK", or "<code name>: <message>", e.g. "Busy: database /tmp/x is locked ...".
  std::string ToString() const;

  // Name of a code: "OK", "NotFound", "Corruption", ...
  static std::string_view CodeName(Code code);

 private:
  Status(Code code, std::string_view msg) : code_(code), message_(msg) {}

  Code code_ = Code::kOk;
  std::string message_;
  std::string detail_;
};

// Status::ToString(), for GoogleTest failure messages.
std::ostream& operator<<(std::ostream& os, const Status& s);

}  // namespace tinykv::store
