// OperatorController: the operators in flight, at most one per region (PD's and TinyKV's
// operator controller). Each region heartbeat dispatches its region's operator: finished steps
// are skipped, and the current one goes back to the leader in the heartbeat response, in the
// form TinyKV's stores expect (change_peer with AddNode / RemoveNode and the peer, or
// transfer_leader with the target peer; region_id, region_epoch and target_peer always set).
//
// An operator ends when every step is finished; when it outlives its timeout (a leader transfer
// is quick, a peer move waits for a snapshot); or when it is stale — the region's conf_ver moved
// by more than the operator's own steps account for (someone else changed the membership, so
// the plan no longer fits), or the target store holds no peer to transfer leadership to, or
// another peer than the one to add; or when its planner cancels it (Cancel: the coordinator
// does when the current step needs a store that went down). Each end is counted and described,
// for traces and tests.
//
// Pure; time comes in. Not thread-safe (the node serializes requests).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "proto/schedulerpb.pb.h"
#include "scheduler/operator.h"
#include "scheduler/region_info.h"

namespace tinykv::scheduler {

struct OperatorControllerOptions {
  std::chrono::nanoseconds leader_timeout = std::chrono::seconds(10);  // only leader transfers
  std::chrono::nanoseconds region_timeout = std::chrono::minutes(1);   // any peer change
};

class OperatorController {
 public:
  enum class End { kFinished, kTimedOut, kStale };

  explicit OperatorController(OperatorControllerOptions options = {});

  // Takes `op` for its region. False (and *why says it) when the region has an operator
  // already, when `op` has no steps, or when its epoch is older than `region`'s.
  bool Add(Operator op, const RegionInfo& region, std::string* why);
  const Operator* Get(uint64_t region_id) const;
  // Drops the region's operator without counting it as ended (replaced by its planner); false
  // when there was none.
  bool Remove(uint64_t region_id) { return operators_.erase(region_id) != 0; }
  // Ends the region's operator as stale, `why` in the log; false when there was none.
  bool Cancel(uint64_t region_id, const std::string& why);
  size_t size() const { return operators_.size(); }
  // How many operators in flight were planned as `desc` ("balance-region", …).
  size_t Count(std::string_view desc) const;

  // On a heartbeat of `region` at `now`: the response to send with the current step of its
  // operator, or nullopt (no operator, it just ended, or its added peer is still catching up).
  std::optional<schedulerpb::RegionHeartbeatResponse> Dispatch(const RegionInfo& region,
                                                               std::chrono::nanoseconds now);

  uint64_t ended(End how) const { return ended_[static_cast<size_t>(how)]; }
  // Leader changes the region's operators caused: leader transfers (counted once a heartbeat
  // shows them, not when their operator ends), and removals of the leader's own peer (counted
  // when first sent: the leader steps down once it applies its removal, and the others elect).
  // Each is a new Raft term the scheduler caused, which a churn check must not blame on the
  // region.
  uint64_t leader_changes_caused(uint64_t region_id) const {
    auto it = leader_changes_.find(region_id);
    return it == leader_changes_.end() ? 0 : it->second;
  }
  // One line per operator that ended, oldest first ("finished balance-region of region 5: …").
  const std::vector<std::string>& log() const { return log_; }

 private:
  void Finish(std::map<uint64_t, Operator>::iterator it, End how, const std::string& why = "");
  std::chrono::nanoseconds TimeoutOf(const Operator& op) const;

  OperatorControllerOptions options_;
  std::map<uint64_t, Operator> operators_;  // by region id
  uint64_t ended_[3] = {0, 0, 0};
  std::map<uint64_t, uint64_t> leader_changes_;  // by region id
  std::set<uint64_t> leader_removal_sent_;       // regions whose operator removes its leader
  std::vector<std::string> log_;
};

}  // namespace tinykv::scheduler
