#include "scheduler/replica_checker.h"

#include <vector>

namespace tinykv::scheduler {
namespace {

bool Healthy(const ClusterInfo& cluster, const metapb::Peer& peer, const ScheduleOptions& options,
             Time now) {
  const StoreInfo* store = cluster.GetStore(peer.store_id());
  return store != nullptr && IsSuitableStore(*store, options, now);
}

}  // namespace

std::optional<Operator> CheckReplicas(const ClusterInfo& cluster, const RegionInfo& region,
                                      const ScheduleOptions& options, IdAllocator& ids, Time now) {
  if (!region.leader) return std::nullopt;
  const metapb::Peer* unhealthy = nullptr;
  int healthy = 0;
  for (const metapb::Peer& p : region.meta.peers()) {
    if (Healthy(cluster, p, options, now)) {
      ++healthy;
    } else if (unhealthy == nullptr && !region.IsLeaderPeer(p)) {
      unhealthy = &p;
    }
  }
  if (healthy < options.max_replicas) {
    const StoreInfo* home = SmallestStoreWithout(cluster, region, options, now);
    uint64_t peer_id = 0;
    if (home == nullptr || !ids.Alloc(&peer_id).ok()) return std::nullopt;
    std::vector<OpStep> steps = {OpStep::AddPeer(home->id(), peer_id)};
    if (unhealthy != nullptr) steps.push_back(OpStep::RemovePeer(unhealthy->store_id()));
    return Operator(unhealthy != nullptr ? "replace-unhealthy-peer" : "add-missing-peer",
                    region.id(), region.epoch(), std::move(steps), now);
  }
  if (region.meta.peers_size() > options.max_replicas) {
    const metapb::Peer* victim = unhealthy;
    if (victim == nullptr) {
      int64_t largest = -1;
      for (const metapb::Peer& p : region.meta.peers()) {
        const StoreInfo* s = cluster.GetStore(p.store_id());
        if (region.IsLeaderPeer(p) || s == nullptr || s->region_size <= largest) continue;
        victim = &p;
        largest = s->region_size;
      }
    }
    if (victim == nullptr) return std::nullopt;
    return Operator("remove-extra-peer", region.id(), region.epoch(),
                    {OpStep::RemovePeer(victim->store_id())}, now);
  }
  return std::nullopt;
}

}  // namespace tinykv::scheduler
