// ClusterInfo: the scheduler's picture of the cluster (TinyKV's BasicCluster) — the stores with
// their last heartbeat and statistics, the regions by id and by key (region_tree.h), and per
// store the regions it leads, follows, and holds a pending peer of, with their sizes.
//
// The indexes follow PutRegion exactly: a region's peers on a store are that store's leader or
// follower regions, its pending peers that store's pending regions; a region pushed out of the
// tree by a newer overlapping one leaves every index. A store's counters in StoreInfo are a copy
// of its index, refreshed by UpdateStoreStatus (what the balance schedulers read).
//
// Pure and deterministic: ordered containers, time passed in. Not thread-safe; the scheduler
// node serializes every request onto one fiber.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string_view>
#include <vector>

#include "proto/metapb.pb.h"
#include "proto/schedulerpb.pb.h"
#include "scheduler/region_info.h"
#include "scheduler/region_tree.h"
#include "scheduler/status.h"

namespace tinykv::scheduler {

using Time = std::chrono::nanoseconds;

struct StoreInfo {
  metapb::Store meta;
  schedulerpb::StoreStats stats;
  Time last_heartbeat{0};
  // Copied from the region index by ClusterInfo::UpdateStoreStatus.
  int leader_count = 0;
  int region_count = 0;
  int pending_peer_count = 0;
  int64_t leader_size = 0;
  int64_t region_size = 0;

  uint64_t id() const { return meta.id(); }
  bool IsUp() const { return meta.state() == metapb::StoreState::Up; }
};

class ClusterInfo {
 public:
  // ---- stores ----
  // Adds the store, or replaces its metadata (statistics and counters stay).
  void PutStore(const metapb::Store& meta);
  // Records a store heartbeat at `now`. NotFound for a store never put.
  Status StoreHeartbeat(const schedulerpb::StoreStats& stats, Time now);
  const StoreInfo* GetStore(uint64_t id) const;
  std::vector<const StoreInfo*> GetStores() const;  // by id
  // Copies store `id`'s index counts and sizes into its StoreInfo (no-op for an unknown store).
  void UpdateStoreStatus(uint64_t id);

  // ---- regions ----
  const RegionInfo* GetRegion(uint64_t id) const;
  const RegionInfo* GetRegionByKey(std::string_view key) const;
  // The region just before the one holding `key` (RegionTree::FindPrev).
  const RegionInfo* GetPrevRegion(std::string_view key) const;
  // Up to `limit` (<= 0: all) regions overlapping [start, end), in key order.
  std::vector<const RegionInfo*> ScanRegions(std::string_view start, std::string_view end,
                                             int limit) const;
  // The known regions whose ranges overlap `region`'s, in key order (its own id included when
  // its known range overlaps).
  std::vector<const RegionInfo*> GetOverlaps(const metapb::Region& region) const;
  std::vector<const RegionInfo*> GetRegions() const;  // by id
  size_t region_count() const { return regions_.size(); }

  // Stores `region` as the latest of its id, first removing every known region it overlaps and
  // its own earlier version, from the tree and every index. Returns what was removed (the
  // earlier version of the same id included), so the caller can refresh those stores.
  std::vector<RegionInfo> PutRegion(RegionInfo region);

  // ---- per store ----
  int StoreRegionCount(uint64_t store) const;
  int StoreLeaderCount(uint64_t store) const;
  int StoreFollowerCount(uint64_t store) const;
  int StorePendingPeerCount(uint64_t store) const;
  int64_t StoreRegionSize(uint64_t store) const;
  int64_t StoreLeaderSize(uint64_t store) const;
  // Region ids, ascending.
  std::vector<uint64_t> StoreLeaderRegions(uint64_t store) const;
  std::vector<uint64_t> StoreFollowerRegions(uint64_t store) const;
  std::vector<uint64_t> StorePendingRegions(uint64_t store) const;
  bool StoreLeads(uint64_t store, uint64_t region) const;
  bool StoreFollows(uint64_t store, uint64_t region) const;

  // The known stores holding a peer of `region`, and those holding a follower, by store id.
  std::vector<const StoreInfo*> RegionStores(const RegionInfo& region) const;
  std::vector<const StoreInfo*> FollowerStores(const RegionInfo& region) const;

 private:
  struct StoreIndex {
    std::set<uint64_t> leaders;
    std::set<uint64_t> followers;
    std::set<uint64_t> pending;
    int64_t leader_size = 0;
    int64_t region_size = 0;  // of leaders and followers
  };
  void AddToIndex(const RegionInfo& region);
  void RemoveFromIndex(const RegionInfo& region);
  const StoreIndex* Index(uint64_t store) const;

  std::map<uint64_t, StoreInfo> stores_;
  std::map<uint64_t, RegionInfo> regions_;
  RegionTree tree_;
  std::map<uint64_t, StoreIndex> index_;
};

}  // namespace tinykv::scheduler
