#include "scheduler/balance_leader.h"

#include <algorithm>
#include <vector>

namespace tinykv::scheduler {

std::optional<Operator> BalanceLeader(const ClusterInfo& cluster, const ScheduleOptions& options,
                                      Time now) {
  std::vector<const StoreInfo*> stores;
  for (const StoreInfo* s : cluster.GetStores()) {
    if (IsSuitableStore(*s, options, now)) stores.push_back(s);
  }
  std::stable_sort(stores.begin(), stores.end(), [](const StoreInfo* a, const StoreInfo* b) {
    return a->leader_count > b->leader_count;
  });
  for (const StoreInfo* source : stores) {
    for (uint64_t region_id : cluster.StoreLeaderRegions(source->id())) {
      const RegionInfo* region = cluster.GetRegion(region_id);
      if (region == nullptr) continue;
      const StoreInfo* target = nullptr;
      for (const StoreInfo* s : cluster.FollowerStores(*region)) {
        if (!IsSuitableStore(*s, options, now) ||
            region->IsPendingPeer(*region->StorePeer(s->id())))
          continue;
        if (target == nullptr || s->leader_count < target->leader_count) target = s;
      }
      if (target == nullptr || source->leader_count - target->leader_count < 2) continue;
      return Operator("balance-leader", region->id(), region->epoch(),
                      {OpStep::TransferLeader(source->id(), target->id())}, now);
    }
  }
  return std::nullopt;
}

}  // namespace tinykv::scheduler
