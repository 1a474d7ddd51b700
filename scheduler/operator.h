// Operator: a plan for one region, as a list of steps the region's leader carries out one at a
// time (PD's and TinyKV's operators): transfer leadership to a store, add a peer (a given peer
// id) on a store, remove the peer on a store. A balance-region move is "add peer on the target,
// [transfer leader away from the source], remove peer on the source".
//
// A step is finished when a region heartbeat shows it: the leader on the target store; the new
// peer among the region's peers and no longer pending (it has caught up); no peer on the source
// store. Check(region) skips the finished steps and names the current one.
//
// Pure: the creation time comes in, the controller (operator_controller.h) compares it with the
// clock for timeouts.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "proto/metapb.pb.h"
#include "scheduler/region_info.h"

namespace tinykv::scheduler {

struct OpStep {
  enum class Kind { kTransferLeader, kAddPeer, kRemovePeer };
  Kind kind = Kind::kTransferLeader;
  uint64_t from_store = 0;  // kTransferLeader, kRemovePeer
  uint64_t to_store = 0;    // kTransferLeader, kAddPeer
  uint64_t peer_id = 0;     // kAddPeer: the id of the new peer

  static OpStep TransferLeader(uint64_t from, uint64_t to) {
    return {Kind::kTransferLeader, from, to, 0};
  }
  static OpStep AddPeer(uint64_t to, uint64_t peer_id) { return {Kind::kAddPeer, 0, to, peer_id}; }
  static OpStep RemovePeer(uint64_t from) { return {Kind::kRemovePeer, from, 0, 0}; }

  bool IsFinished(const RegionInfo& region) const;
  // True when the region shows this step's membership change done (it moved conf_ver).
  bool ChangedConfVer(const RegionInfo& region) const;
  // "add peer 12 on store 4", …
  std::string ToString() const;
};

class Operator {
 public:
  // `desc` names the plan for traces ("balance-region", "replica-checker"…); `epoch` is the
  // region's when the plan was made.
  Operator(std::string desc, uint64_t region_id, metapb::RegionEpoch epoch,
           std::vector<OpStep> steps, std::chrono::nanoseconds created_at);

  // Skips the steps `region` shows finished; the current step, or null when all are.
  const OpStep* Check(const RegionInfo& region);
  bool finished() const { return current_ >= steps_.size(); }
  // How many steps heartbeats have shown finished, from the first.
  size_t steps_done() const { return current_; }
  // How many steps up to and including the current one `region` shows having moved its
  // conf_ver (for the controller's staleness check).
  uint64_t ConfVerChanges(const RegionInfo& region) const;

  const std::string& desc() const { return desc_; }
  uint64_t region_id() const { return region_id_; }
  const metapb::RegionEpoch& epoch() const { return epoch_; }
  const std::vector<OpStep>& steps() const { return steps_; }
  std::chrono::nanoseconds created_at() const { return created_at_; }
  std::string ToString() const;

 private:
  std::string desc_;
  uint64_t region_id_;
  metapb::RegionEpoch epoch_;
  std::vector<OpStep> steps_;
  size_t current_ = 0;
  std::chrono::nanoseconds created_at_;
};

}  // namespace tinykv::scheduler
