// Status and Result<T>: the error model of the Raft library.
//
// Every fallible call in raft/ returns a Status (success or a typed error with a message) or a
// Result<T> (a value or a non-OK Status). Callers test the code with the predicates
// (IsCompacted(), IsProposalDropped(), ...) rather than comparing messages. Both types are plain
// values: cheap to copy when OK, safe to pass between any code that runs on the node's fiber.
#pragma once

#include <cassert>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tinykv::raft {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    // Storage: the requested index is older than the storage's first index (compacted away).
    kCompacted,
    // Storage: the requested index is newer than the storage's last index.
    kUnavailable,
    // Storage: a snapshot is being generated; ask again later.
    kSnapshotTemporarilyUnavailable,
    // Raft: the proposal could not be accepted (no leader, leader transfer pending, a conf
    // change already pending, or this node is not a member).
    kProposalDropped,
    // RawNode: a local-only message type was passed to Step from the network.
    kStepLocalMsg,
    // RawNode: a response message from a node that is not a member.
    kStepPeerNotFound,
    // Config::Validate and argument checks.
    kInvalidArgument,
  };

  Status() = default;
  static Status OK() { return Status(); }
  static Status Compacted(
      std::string_view msg = "requested index is unavailable due to compaction") {
    return Status(Code::kCompacted, msg);
  }
  static Status Unavailable(std::string_view msg = "requested entry at index is unavailable") {
    return Status(Code::kUnavailable, msg);
  }
  static Status SnapshotTemporarilyUnavailable(
      std::string_view msg = "snapshot is temporarily unavailable") {
    return Status(Code::kSnapshotTemporarilyUnavailable, msg);
  }
  static Status ProposalDropped(std::string_view msg) {
    return Status(Code::kProposalDropped, msg);
  }
  static Status StepLocalMsg(std::string_view msg = "cannot step raft local message") {
    return Status(Code::kStepLocalMsg, msg);
  }
  static Status StepPeerNotFound(std::string_view msg = "cannot step as peer not found") {
    return Status(Code::kStepPeerNotFound, msg);
  }
  static Status InvalidArgument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  bool IsCompacted() const { return code_ == Code::kCompacted; }
  bool IsUnavailable() const { return code_ == Code::kUnavailable; }
  bool IsSnapshotTemporarilyUnavailable() const {
    return code_ == Code::kSnapshotTemporarilyUnavailable;
  }
  bool IsProposalDropped() const { return code_ == Code::kProposalDropped; }
  bool IsStepLocalMsg() const { return code_ == Code::kStepLocalMsg; }
  bool IsStepPeerNotFound() const { return code_ == Code::kStepPeerNotFound; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }

  // "OK" or "<code name>: <message>".
  std::string ToString() const;

 private:
  Status(Code code, std::string_view msg) : code_(code), message_(msg) {}

  Code code_ = Code::kOk;
  std::string message_;
};

// A value of type T, or the non-OK Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  // REQUIRES: !status.ok().
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // OK when a value is held.
  Status status() const { return ok() ? Status::OK() : std::get<Status>(v_); }
  // REQUIRES: ok().
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

// "OK", or the code and the message (for GoogleTest failure messages).
std::ostream& operator<<(std::ostream& os, const Status& s);

}  // namespace tinykv::raft
