// RegionRanges: the ordered index of the key ranges of the regions one store hosts (TinyKV's
// storeMeta.regionRanges). The store routes a key to its region through it, and refuses a region
// — a new peer created by a message, a snapshot — whose range overlaps one it still has: two
// regions of one store never cover the same key.
//
// Ranges are [start, end) of user keys; an empty end means "to the end of the key space". Only
// initialized regions (whose range is known) are indexed. Pure and deterministic (ordered
// containers); owned by the store's raft worker.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/metapb.pb.h"

namespace tinykv::raftstore {

// True when `key` >= `end`, where an empty `end` is +infinity (TinyKV's ExceedEndKey).
bool ExceedsEndKey(std::string_view key, std::string_view end);
// True when `key` lies in [region.start_key, region.end_key).
bool KeyInRegion(std::string_view key, const metapb::Region& region);
// A key for traces and failure lines: in double quotes, bytes outside printable ASCII (and " and
// \) as \xNN, so a line stays one line.
std::string QuoteKey(std::string_view key);
// The region's range for traces and failure lines: ["a", "m") or ["m", end).
std::string RangeText(const metapb::Region& region);

class RegionRanges {
 public:
  // Indexes region `id` over [start, end). False, and nothing changes, when the range is empty
  // (start >= a non-empty end), when `id` is indexed already, or when the range overlaps an
  // indexed one.
  bool Insert(uint64_t id, std::string start, std::string end);
  bool Insert(const metapb::Region& region) {
    return Insert(region.id(), region.start_key(), region.end_key());
  }
  // Drops region `id`; false when it was not indexed.
  bool Remove(uint64_t id);
  // The region whose range holds `key`.
  std::optional<uint64_t> Find(std::string_view key) const;
  // The indexed regions overlapping [start, end), in key order.
  std::vector<uint64_t> Overlapping(std::string_view start, std::string_view end) const;
  bool Contains(uint64_t id) const { return start_of_.count(id) != 0; }
  size_t size() const { return by_start_.size(); }

 private:
  struct Range {
    uint64_t id;
    std::string end;
  };
  std::map<std::string, Range, std::less<>> by_start_;
  std::map<uint64_t, std::string> start_of_;
};

}  // namespace tinykv::raftstore
