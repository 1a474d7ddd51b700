#include "scheduler/region_tree.h"

namespace tinykv::scheduler {
namespace {

bool BeforeEnd(std::string_view key, std::string_view end) { return end.empty() || key < end; }

}  // namespace

RegionTree::Map::const_iterator RegionTree::FirstNotBefore(std::string_view key) const {
  // The item starting at or before `key` holds it if its range reaches past it; otherwise the
  // first item starting after `key` is the first candidate.
  auto it = by_start_.upper_bound(key);
  if (it != by_start_.begin()) {
    auto prev = std::prev(it);
    if (BeforeEnd(key, prev->second.end)) return prev;
  }
  return it;
}

std::vector<uint64_t> RegionTree::Scan(std::string_view start, std::string_view end,
                                       int limit) const {
  std::vector<uint64_t> ids;
  for (auto it = FirstNotBefore(start); it != by_start_.end() && BeforeEnd(it->first, end); ++it) {
    if (limit > 0 && ids.size() >= static_cast<size_t>(limit)) break;
    ids.push_back(it->second.id);
  }
  return ids;
}

std::vector<uint64_t> RegionTree::Overlapping(const metapb::Region& region) const {
  return Scan(region.start_key(), region.end_key(), 0);
}

std::vector<uint64_t> RegionTree::Put(const metapb::Region& region) {
  std::vector<uint64_t> removed;
  for (auto it = FirstNotBefore(region.start_key());
       it != by_start_.end() && BeforeEnd(it->first, region.end_key());) {
    removed.push_back(it->second.id);
    it = by_start_.erase(it);
  }
  by_start_[region.start_key()] = Item{region.id(), region.end_key()};
  return removed;
}

bool RegionTree::Remove(uint64_t id, const std::string& start_key) {
  auto it = by_start_.find(start_key);
  if (it == by_start_.end() || it->second.id != id) return false;
  by_start_.erase(it);
  return true;
}

std::optional<uint64_t> RegionTree::Find(std::string_view key) const {
  auto it = FirstNotBefore(key);
  if (it == by_start_.end() || it->first > key) return std::nullopt;
  return it->second.id;
}

std::optional<uint64_t> RegionTree::FindPrev(std::string_view key) const {
  auto it = FirstNotBefore(key);
  if (it == by_start_.end() || it->first > key || it == by_start_.begin()) return std::nullopt;
  auto prev = std::prev(it);
  if (prev->second.end != it->first) return std::nullopt;
  return prev->second.id;
}

}  // namespace tinykv::scheduler
