#include "scheduler/coordinator.h"

#include <optional>
#include <string>

#include "scheduler/balance_leader.h"
#include "scheduler/balance_region.h"
#include "scheduler/replica_checker.h"

namespace tinykv::scheduler {

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
      if (operators_.Get(region->id()) != nullptr) continue;
      add(CheckReplicas(cluster_, *region, options_, ids_, now));
    }
  }
  if (options_.balance_leader) add(BalanceLeader(cluster_, options_, now));
  if (options_.balance_region) add(BalanceRegion(cluster_, options_, ids_, now));
  return added;
}

}  // namespace tinykv::scheduler
