#include "scheduler/balance_region.h"

#include <algorithm>
#include <vector>

namespace tinykv::scheduler {
namespace {

// The source store's candidate regions, most preferred first (see the header).
[[maybe_unused]] std::vector<uint64_t> Candidates(const ClusterInfo& cluster, uint64_t store) {
  std::vector<uint64_t> out = cluster.StorePendingRegions(store);
  for (uint64_t id : cluster.StoreFollowerRegions(store)) out.push_back(id);
  for (uint64_t id : cluster.StoreLeaderRegions(store)) out.push_back(id);
  return out;
}

}  // namespace

std::optional<Operator> BalanceRegion([[maybe_unused]] const ClusterInfo& cluster,
                                      [[maybe_unused]] const ScheduleOptions& options,
                                      [[maybe_unused]] IdAllocator& ids,
                                      [[maybe_unused]] Time now) {
  // BEGIN SOLUTION(lab3c)
  // STUB: return std::nullopt;
  std::vector<const StoreInfo*> stores;
  for (const StoreInfo* s : cluster.GetStores()) {
    if (IsSuitableStore(*s, options, now)) stores.push_back(s);
  }
  if (stores.size() < 2) return std::nullopt;
  // Largest first; ties by store id, so the choice never depends on anything but the state.
  std::stable_sort(stores.begin(), stores.end(), [](const StoreInfo* a, const StoreInfo* b) {
    return a->region_size > b->region_size;
  });
  for (const StoreInfo* source : stores) {
    for (uint64_t region_id : Candidates(cluster, source->id())) {
      const RegionInfo* region = cluster.GetRegion(region_id);
      if (region == nullptr || region->meta.peers_size() != options.max_replicas) continue;
      // An empty region evens nothing, and the move would qualify again at once, for ever.
      if (region->approximate_size <= 0) continue;
      const StoreInfo* target = SmallestStoreWithout(cluster, *region, options, now);
      if (target == nullptr) continue;
      if (source->region_size - target->region_size <= 2 * region->approximate_size) continue;
      uint64_t peer_id = 0;
      if (!ids.Alloc(&peer_id).ok()) return std::nullopt;
      std::vector<OpStep> steps = {OpStep::AddPeer(target->id(), peer_id)};
      if (region->leader && region->leader->store_id() == source->id()) {
        steps.push_back(OpStep::TransferLeader(source->id(), target->id()));
      }
      steps.push_back(OpStep::RemovePeer(source->id()));
      return Operator("balance-region", region->id(), region->epoch(), std::move(steps), now);
    }
  }
  return std::nullopt;
  // END SOLUTION
}

}  // namespace tinykv::scheduler
