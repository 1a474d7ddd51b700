#include "raft/status.h"

namespace tinykv::raft {

namespace {
const char* CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return "OK";
    case Status::Code::kCompacted:
      return "Compacted";
    case Status::Code::kUnavailable:
      return "Unavailable";
    case Status::Code::kSnapshotTemporarilyUnavailable:
      return "SnapshotTemporarilyUnavailable";
    case Status::Code::kProposalDropped:
      return "ProposalDropped";
    case Status::Code::kStepLocalMsg:
      return "StepLocalMsg";
    case Status::Code::kStepPeerNotFound:
      return "StepPeerNotFound";
    case Status::Code::kInvalidArgument:
      return "InvalidArgument";
  }
  return "Unknown";
}
}  // namespace

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + message_;
}

}  // namespace tinykv::raft
