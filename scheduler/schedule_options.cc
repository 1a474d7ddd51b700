#include "scheduler/schedule_options.h"

namespace tinykv::scheduler {

const StoreInfo* SmallestStoreWithout(const ClusterInfo& cluster, const RegionInfo& region,
                                      const ScheduleOptions& options, Time now) {
  const StoreInfo* best = nullptr;
  for (const StoreInfo* s : cluster.GetStores()) {
    if (!IsSuitableStore(*s, options, now) || region.StorePeer(s->id()) != nullptr) continue;
    if (best == nullptr || s->region_size < best->region_size) best = s;
  }
  return best;
}

}  // namespace tinykv::scheduler
