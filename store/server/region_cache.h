// RegionCache: what a client knows of the cluster's regions — each region's range, epoch and
// peers, and the store it last saw leading it — so it can address a request for a key to the
// right region and peer without asking the scheduler every time (TinyKV's and TiKV's clients keep
// one). Filled from the scheduler's answers and from region errors; a client drops an entry when a
// store says it is stale.
//
// Ranges in the cache never overlap: learning a region drops every cached region its range
// overlaps (they are older states of the same keys). Single-threaded; plain data.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "proto/metapb.pb.h"

namespace tinykv::store {

class RegionCache {
 public:
  // Caches `region`, dropping what it overlaps.
  void Learn(const metapb::Region& region);
  // Drops region `region_id` and its leader.
  void Forget(uint64_t region_id);
  // The cached region holding `key`, or null. Valid until the cache changes.
  const metapb::Region* Find(std::string_view key) const;

  // The store last seen leading `region_id`, 0 when none is known.
  uint64_t Leader(uint64_t region_id) const;
  // Records (store != 0) or forgets (store == 0) the region's leader.
  void SetLeader(uint64_t region_id, uint64_t store);

 private:
  std::map<std::string, metapb::Region, std::less<>> by_start_;  // disjoint ranges
  std::map<uint64_t, uint64_t> leader_;                          // region id → store
};

}  // namespace tinykv::store
