#include "store/server/region_cache.h"

#include <iterator>

namespace tinykv::store {

void RegionCache::Learn(const metapb::Region& region) {
  for (auto it = by_start_.begin(); it != by_start_.end();) {
    const metapb::Region& r = it->second;
    const bool before = !r.end_key().empty() && r.end_key() <= region.start_key();
    const bool after = !region.end_key().empty() && region.end_key() <= r.start_key();
    it = before || after ? std::next(it) : by_start_.erase(it);
  }
  by_start_[region.start_key()] = region;
}

void RegionCache::Forget(uint64_t region_id) {
  for (auto it = by_start_.begin(); it != by_start_.end(); ++it) {
    if (it->second.id() == region_id) {
      by_start_.erase(it);
      break;
    }
  }
  leader_.erase(region_id);
}

const metapb::Region* RegionCache::Find(std::string_view key) const {
  auto it = by_start_.upper_bound(key);
  if (it == by_start_.begin()) return nullptr;
  --it;
  const metapb::Region& r = it->second;
  return r.end_key().empty() || key < r.end_key() ? &r : nullptr;
}

uint64_t RegionCache::Leader(uint64_t region_id) const {
  auto it = leader_.find(region_id);
  return it == leader_.end() ? 0 : it->second;
}

void RegionCache::SetLeader(uint64_t region_id, uint64_t store) {
  if (store == 0) {
    leader_.erase(region_id);
  } else {
    leader_[region_id] = store;
  }
}

}  // namespace tinykv::store
