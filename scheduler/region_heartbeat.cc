#include "scheduler/region_heartbeat.h"

#include <algorithm>
#include <string>
#include <vector>

namespace tinykv::scheduler {
namespace {

[[maybe_unused]] std::string EpochText(const metapb::RegionEpoch& e) {
  return "version " + std::to_string(e.version()) + " conf_ver " + std::to_string(e.conf_ver());
}

// True when `now` says something `known` does not (see the file comment of the header).
[[maybe_unused]] bool HasNews([[maybe_unused]] const RegionInfo& known,
                              [[maybe_unused]] const RegionInfo& now) {
  // BEGIN SOLUTION(lab3c)
  // STUB: return true;
  return IsOlderEpoch(known.epoch(), now.epoch()) ||
         known.meta.start_key() != now.meta.start_key() ||
         known.meta.end_key() != now.meta.end_key() || !SameLeader(known, now) ||
         !SamePeers(known.meta.peers(), now.meta.peers()) || !known.pending_peers.empty() ||
         !now.pending_peers.empty() || known.approximate_size != now.approximate_size;
  // END SOLUTION
}

}  // namespace

Status ProcessRegionHeartbeat([[maybe_unused]] ClusterInfo& cluster,
                              [[maybe_unused]] const RegionInfo& region) {
  // BEGIN SOLUTION(lab3c)
  // STUB: return Status::OK();
  const RegionInfo* known = cluster.GetRegion(region.id());
  if (known != nullptr && IsOlderEpoch(region.epoch(), known->epoch())) {
    return Status::StaleRegion("region " + std::to_string(region.id()) + " at " +
                               EpochText(region.epoch()) + " is older than the known " +
                               EpochText(known->epoch()));
  }
  // A report of the known range overlaps nothing but the region itself (ranges in the tree never
  // overlap): the common case skips the scan.
  const bool same_range = known != nullptr && known->meta.start_key() == region.meta.start_key() &&
                          known->meta.end_key() == region.meta.end_key();
  for (const RegionInfo* other :
       same_range ? std::vector<const RegionInfo*>{} : cluster.GetOverlaps(region.meta)) {
    if (IsOlderEpoch(region.epoch(), other->epoch())) {
      return Status::StaleRegion("region " + std::to_string(region.id()) + " at " +
                                 EpochText(region.epoch()) + " overlaps region " +
                                 std::to_string(other->id()) + " at the newer " +
                                 EpochText(other->epoch()));
    }
  }
  if (known != nullptr && !HasNews(*known, region)) return Status::OK();
  std::vector<uint64_t> stores;
  for (const metapb::Peer& p : region.meta.peers()) stores.push_back(p.store_id());
  for (const RegionInfo& removed : cluster.PutRegion(region)) {
    for (const metapb::Peer& p : removed.meta.peers()) stores.push_back(p.store_id());
  }
  std::sort(stores.begin(), stores.end());
  stores.erase(std::unique(stores.begin(), stores.end()), stores.end());
  for (uint64_t store : stores) cluster.UpdateStoreStatus(store);
  return Status::OK();
  // END SOLUTION
}

}  // namespace tinykv::scheduler
