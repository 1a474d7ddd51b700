#include "scheduler/coordinator.h"

#include <optional>
#include <string>

#include "scheduler/balance_leader.h"
#include "scheduler/balance_region.h"
#include "scheduler/replica_checker.h"

namespace tinykv::scheduler {
namespace {

// The store the operator's current step needs up — the one it adds a peer on or transfers
// leadership to — or 0 (finished, or removing a peer: a down store's peer may go).
uint64_t NeededStore(const Operator& op) {
  if (op.finished()) return 0;
  const OpStep& step = op.steps()[op.steps_done()];
  return step.kind == OpStep::Kind::kRemovePeer ? 0 : step.to_store;
}

}  // namespace

Coordinator::Coordinator(const ClusterInfo& cluster, OperatorController& operators,
                         IdAllocator& ids, const ScheduleOptions& options)
    : cluster_(cluster), operators_(operators), ids_(ids), options_(options) {}

int Coordinator::RunRound(Time now) {
  int added = 0;
  std::string why;
  auto add = [&](std::optional<Operator> op) {
    if (!op) return;
    const RegionInfo* region = cluster_.GetRegion(op->region_id());
    if (region != nullptr && operators_.Add(std::move(*op), *region, &why)) ++added;
  };
  if (options_.replica_checker) {
    for (const RegionInfo* region : cluster_.GetRegions()) {
      if (const Operator* op = operators_.Get(region->id()); op != nullptr) {
        // A step waiting on a store that went down would hold the region until the operator
        // times out (a minute for a peer move), while the region needs a new peer elsewhere.
        const uint64_t needs = NeededStore(*op);
        const StoreInfo* store = needs == 0 ? nullptr : cluster_.GetStore(needs);
        if (needs == 0 || (store != nullptr && IsSuitableStore(*store, options_, now))) continue;
        operators_.Cancel(region->id(), "store " + std::to_string(needs) + " is down");
      }
      add(CheckReplicas(cluster_, *region, options_, ids_, now));
    }
  }
  if (options_.balance_leader) add(BalanceLeader(cluster_, options_, now));
  if (options_.balance_region &&
      operators_.Count("balance-region") < static_cast<size_t>(options_.region_schedule_limit)) {
    add(BalanceRegion(cluster_, options_, ids_, now));
  }
  return added;
}

}  // namespace tinykv::scheduler
