#include "scheduler/operator_controller.h"

#include <utility>

namespace tinykv::scheduler {
namespace {

const char* EndName(OperatorController::End how) {
  switch (how) {
    case OperatorController::End::kFinished:
      return "finished";
    case OperatorController::End::kTimedOut:
      return "timed out";
    case OperatorController::End::kStale:
      return "stale";
  }
  return "?";
}

}  // namespace

OperatorController::OperatorController(OperatorControllerOptions options) : options_(options) {}

bool OperatorController::Add(Operator op, const RegionInfo& region, std::string* why) {
  if (op.steps().empty()) {
    *why = "an operator needs at least one step";
    return false;
  }
  if (operators_.count(op.region_id()) != 0) {
    *why = "region " + std::to_string(op.region_id()) +
           " has an operator already: " + operators_.at(op.region_id()).ToString();
    return false;
  }
  if (IsOlderEpoch(op.epoch(), region.epoch())) {
    *why =
        "the operator was planned for an older epoch of region " + std::to_string(op.region_id());
    return false;
  }
  const uint64_t id = op.region_id();
  operators_.emplace(id, std::move(op));
  return true;
}

const Operator* OperatorController::Get(uint64_t region_id) const {
  auto it = operators_.find(region_id);
  return it == operators_.end() ? nullptr : &it->second;
}

size_t OperatorController::Count(std::string_view desc) const {
  size_t n = 0;
  for (const auto& [region, op] : operators_) n += op.desc() == desc;
  return n;
}

bool OperatorController::Cancel(uint64_t region_id, const std::string& why) {
  auto it = operators_.find(region_id);
  if (it == operators_.end()) return false;
  Finish(it, End::kStale, "canceled: " + why);
  return true;
}

std::chrono::nanoseconds OperatorController::TimeoutOf(const Operator& op) const {
  for (const OpStep& s : op.steps()) {
    if (s.kind != OpStep::Kind::kTransferLeader) return options_.region_timeout;
  }
  return options_.leader_timeout;
}

void OperatorController::Finish(std::map<uint64_t, Operator>::iterator it, End how,
                                const std::string& why) {
  ++ended_[static_cast<size_t>(how)];
  leader_removal_sent_.erase(it->first);
  log_.push_back(std::string(EndName(how)) + " " + it->second.ToString() +
                 (why.empty() ? "" : " (" + why + ")"));
  operators_.erase(it);
}

std::optional<schedulerpb::RegionHeartbeatResponse> OperatorController::Dispatch(
    const RegionInfo& region, std::chrono::nanoseconds now) {
  auto it = operators_.find(region.id());
  if (it == operators_.end()) return std::nullopt;
  Operator& op = it->second;
  const size_t done_before = op.steps_done();
  const OpStep* step = op.Check(region);
  // Count each leader transfer as soon as a heartbeat shows it, not when its operator ends: a
  // move's transfer is over long before its last step (the source peer's removal) is.
  for (size_t i = done_before; i < op.steps_done(); ++i) {
    if (op.steps()[i].kind == OpStep::Kind::kTransferLeader) ++leader_changes_[region.id()];
  }
  if (step == nullptr) {
    Finish(it, End::kFinished);
    return std::nullopt;
  }
  if (now - op.created_at() > TimeoutOf(op)) {
    Finish(it, End::kTimedOut);
    return std::nullopt;
  }
  // The target store's peer: the transferee of a leader transfer; for an added peer, there once
  // the change applied (it is then catching up: nothing to send until it has).
  const metapb::Peer* target =
      step->kind == OpStep::Kind::kRemovePeer ? nullptr : region.StorePeer(step->to_store);
  const bool fits = step->kind == OpStep::Kind::kTransferLeader
                        ? target != nullptr
                        : step->kind != OpStep::Kind::kAddPeer || target == nullptr ||
                              target->id() == step->peer_id;
  if (!fits || region.epoch().conf_ver() > op.epoch().conf_ver() + op.ConfVerChanges(region)) {
    Finish(it, End::kStale);
    return std::nullopt;
  }
  if (step->kind == OpStep::Kind::kAddPeer && target != nullptr) return std::nullopt;
  schedulerpb::RegionHeartbeatResponse resp;
  resp.set_region_id(region.id());
  *resp.mutable_region_epoch() = region.epoch();
  if (region.leader) *resp.mutable_target_peer() = *region.leader;
  switch (step->kind) {
    case OpStep::Kind::kTransferLeader:
      *resp.mutable_transfer_leader()->mutable_peer() = *target;
      break;
    case OpStep::Kind::kAddPeer: {
      auto* change = resp.mutable_change_peer();
      change->set_change_type(eraftpb::AddNode);
      change->mutable_peer()->set_id(step->peer_id);
      change->mutable_peer()->set_store_id(step->to_store);
      break;
    }
    case OpStep::Kind::kRemovePeer: {
      // Not finished, so the region still has a peer there.
      if (region.leader && region.leader->store_id() == step->from_store &&
          leader_removal_sent_.insert(region.id()).second) {
        ++leader_changes_[region.id()];
      }
      auto* change = resp.mutable_change_peer();
      change->set_change_type(eraftpb::RemoveNode);
      *change->mutable_peer() = *region.StorePeer(step->from_store);
      break;
    }
  }
  return resp;
}

}  // namespace tinykv::scheduler
