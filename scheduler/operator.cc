#include "scheduler/operator.h"

#include <utility>

namespace tinykv::scheduler {

bool OpStep::IsFinished(const RegionInfo& region) const {
  switch (kind) {
    case Kind::kTransferLeader:
      return region.leader.has_value() && region.leader->store_id() == to_store;
    case Kind::kAddPeer: {
      const metapb::Peer* p = region.StorePeer(to_store);
      return p != nullptr && p->id() == peer_id && !region.IsPendingPeer(*p);
    }
    case Kind::kRemovePeer:
      return region.StorePeer(from_store) == nullptr;
  }
  return false;
}

bool OpStep::ChangedConfVer(const RegionInfo& region) const {
  switch (kind) {
    case Kind::kTransferLeader:
      return false;
    case Kind::kAddPeer: {
      const metapb::Peer* p = region.StorePeer(to_store);
      return p != nullptr && p->id() == peer_id;
    }
    case Kind::kRemovePeer:
      return region.StorePeer(from_store) == nullptr;
  }
  return false;
}

std::string OpStep::ToString() const {
  switch (kind) {
    case Kind::kTransferLeader:
      return "transfer leader from store " + std::to_string(from_store) + " to store " +
             std::to_string(to_store);
    case Kind::kAddPeer:
      return "add peer " + std::to_string(peer_id) + " on store " + std::to_string(to_store);
    case Kind::kRemovePeer:
      return "remove peer on store " + std::to_string(from_store);
  }
  return "?";
}

Operator::Operator(std::string desc, uint64_t region_id, metapb::RegionEpoch epoch,
                   std::vector<OpStep> steps, std::chrono::nanoseconds created_at)
    : desc_(std::move(desc)),
      region_id_(region_id),
      epoch_(std::move(epoch)),
      steps_(std::move(steps)),
      created_at_(created_at) {}

const OpStep* Operator::Check(const RegionInfo& region) {
  while (current_ < steps_.size() && steps_[current_].IsFinished(region)) ++current_;
  return finished() ? nullptr : &steps_[current_];
}

uint64_t Operator::ConfVerChanges(const RegionInfo& region) const {
  // The current step included: this very heartbeat may show it taking effect.
  const size_t through = finished() ? steps_.size() : current_ + 1;
  uint64_t n = 0;
  for (size_t i = 0; i < through; ++i) {
    if (steps_[i].ChangedConfVer(region)) ++n;
  }
  return n;
}

std::string Operator::ToString() const {
  std::string s = desc_ + " of region " + std::to_string(region_id_) + ": ";
  for (size_t i = 0; i < steps_.size(); ++i) {
    if (i > 0) s += ", ";
    s += steps_[i].ToString();
  }
  return s;
}

}  // namespace tinykv::scheduler
