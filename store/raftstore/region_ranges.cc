#include "store/raftstore/region_ranges.h"

#include <iterator>
namespace tinykv::raftstore {

bool ExceedsEndKey(std::string_view key, std::string_view end) {
  return !end.empty() && key >= end;
}

bool KeyInRegion(std::string_view key, const metapb::Region& region) {
  return key >= std::string_view(region.start_key()) && !ExceedsEndKey(key, region.end_key());
}

std::string QuoteKey(std::string_view key) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : key) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out + "\"";
}

std::string RangeText(const metapb::Region& region) {
  return "[" + QuoteKey(region.start_key()) + ", " +
         (region.end_key().empty() ? "end" : QuoteKey(region.end_key())) + ")";
}

bool RegionRanges::Insert(uint64_t id, std::string start, std::string end) {
  if (!end.empty() && start >= end) return false;
  if (Contains(id) || !Overlapping(start, end).empty()) return false;
  start_of_[id] = start;
  by_start_.emplace(std::move(start), Range{id, std::move(end)});
  return true;
}

bool RegionRanges::Remove(uint64_t id) {
  auto it = start_of_.find(id);
  if (it == start_of_.end()) return false;
  by_start_.erase(it->second);
  start_of_.erase(it);
  return true;
}

std::optional<uint64_t> RegionRanges::Find(std::string_view key) const {
  auto it = by_start_.upper_bound(key);  // the first range starting after `key`
  if (it == by_start_.begin()) return std::nullopt;
  --it;
  if (ExceedsEndKey(key, it->second.end)) return std::nullopt;
  return it->second.id;
}

std::vector<uint64_t> RegionRanges::Overlapping(std::string_view start,
                                                std::string_view end) const {
  std::vector<uint64_t> out;
  // Ranges are disjoint and sorted, so their ends are sorted too: start from the last range that
  // begins at or before `start` (it may reach into [start, end)), then walk forward.
  auto it = by_start_.upper_bound(start);
  if (it != by_start_.begin()) {
    auto prev = std::prev(it);
    if (!ExceedsEndKey(start, prev->second.end)) out.push_back(prev->second.id);
  }
  for (; it != by_start_.end() && !ExceedsEndKey(it->first, end); ++it) {
    out.push_back(it->second.id);
  }
  return out;
}

}  // namespace tinykv::raftstore
