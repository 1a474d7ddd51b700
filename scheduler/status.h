// Status: the error model of the scheduler's core. A fallible call returns OK or a typed error
// with a one-line message; callers test the code (IsStale(), …), never the message. The node
// turns them into schedulerpb errors.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace tinykv::scheduler {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    // A region heartbeat older than what the scheduler knows of that region or of a region it
    // overlaps: nothing changed.
    kStaleRegion,
    // A request that names nothing valid (a region without an id, a store without an address…).
    kInvalidArgument,
    // The store or region the request names is not known; a key not stored.
    kNotFound,
    // Metadata could not be read or written (the node fails the request; nothing was handed out).
    kIoError,
  };

  Status() = default;
  static Status OK() { return Status(); }
  static Status StaleRegion(std::string_view msg) { return Status(Code::kStaleRegion, msg); }
  static Status InvalidArgument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status IoError(std::string_view msg) { return Status(Code::kIoError, msg); }

  bool ok() const { return code_ == Code::kOk; }
  bool IsStaleRegion() const { return code_ == Code::kStaleRegion; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsIoError() const { return code_ == Code::kIoError; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(Code code, std::string_view msg) : code_(code), message_(msg) {}

  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace tinykv::scheduler
