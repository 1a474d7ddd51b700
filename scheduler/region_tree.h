// RegionTree: the regions the scheduler knows, ordered by start key (TinyKV's regionTree, a PD
// b-tree in the original). Ranges in the tree never overlap: putting a region removes every
// region it overlaps, which is how a split's or a merge's newer regions push out the older ones.
//
// Holds region ids and ranges only; the cluster (cluster_info.h) keeps the RegionInfo. Pure and
// deterministic (ordered containers). Keys are bytes; an empty end key is +infinity.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/metapb.pb.h"

namespace tinykv::scheduler {

class RegionTree {
 public:
  // Indexes `region` (its id and range), first removing every indexed region whose range
  // overlaps it. Returns the removed ids, in key order. The region's own earlier entry, if its
  // range moved away from it, is the caller's to Remove first (it knows the old start key).
  std::vector<uint64_t> Put(const metapb::Region& region);
  // Drops region `id` if it is indexed with exactly `start_key` (a region moved since is left
  // alone). False when it was not.
  bool Remove(uint64_t id, const std::string& start_key);
  // The ids of the indexed regions overlapping `region`'s range, in key order.
  std::vector<uint64_t> Overlapping(const metapb::Region& region) const;
  // The region holding `key`.
  std::optional<uint64_t> Find(std::string_view key) const;
  // The region just before the one holding `key` in key order: the indexed region whose end is
  // the start of the region that holds `key` (none when `key` is in no region or that region
  // starts at "", or when there is a gap before it).
  std::optional<uint64_t> FindPrev(std::string_view key) const;
  // Up to `limit` (<= 0: all) regions overlapping [start, end), in key order.
  std::vector<uint64_t> Scan(std::string_view start, std::string_view end, int limit) const;
  size_t size() const { return by_start_.size(); }

 private:
  struct Item {
    uint64_t id = 0;
    std::string end;
  };
  using Map = std::map<std::string, Item, std::less<>>;
  // The first item whose range may hold `key` or lie after it.
  Map::const_iterator FirstNotBefore(std::string_view key) const;

  Map by_start_;
};

}  // namespace tinykv::scheduler
