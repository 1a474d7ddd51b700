// Error model of the linearizability checker library (tinykv_check).
//
// tinykv_check depends on the standard library only (it is used by the harness, the grading runner
// and the stand-alone `tinykv-lincheck`), so it carries its own small Status / Result instead of a
// project-wide one. Codes are the sysexits(3) numbers the CLI exits with (DESIGN.md §6: 64+ for
// usage and input errors), so a caller can hand `code()` straight to exit().
// Values are plain data: copy them freely, from any thread.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

namespace tinykv::check {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kUsage = 64,       // bad flags or arguments (EX_USAGE)
    kDataError = 65,   // malformed history or an operation the model cannot interpret (EX_DATAERR)
    kNoInput = 66,     // input file missing or unreadable (EX_NOINPUT)
    kCantCreate = 73,  // output file cannot be written (EX_CANTCREAT)
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status Usage(std::string msg) { return Status(Code::kUsage, std::move(msg)); }
  static Status DataError(std::string msg) { return Status(Code::kDataError, std::move(msg)); }
  static Status NoInput(std::string msg) { return Status(Code::kNoInput, std::move(msg)); }
  static Status CantCreate(std::string msg) { return Status(Code::kCantCreate, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  // One line, naming what was wrong (and where: "file:line: ..." for history input).
  const std::string& message() const { return message_; }

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

// Either a value or a non-OK Status.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design, like absl::StatusOr
  // REQUIRES: !status.ok().
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) std::abort();                     // a Result must hold a value or an error
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  // REQUIRES: ok().
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace tinykv::check
