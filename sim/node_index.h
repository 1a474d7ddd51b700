// Dense indexes for node ids: 0, 1, 2, ... in the order nodes are added. The executor and the
// network keep per-node state in vectors by this index, so the lookup on every timer, send and
// delivery is a vector access for the small ids clusters use (below 4096) and for kWorld; other
// ids fall back to a map. by_id() lists the nodes in id order, for reports and for loops whose
// order must not depend on the order nodes were added. Single-threaded.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "sim/trace.h"

namespace tinykv::sim {

class NodeIndex {
 public:
  // The index of `id`, or kAbsent.
  static constexpr uint32_t kAbsent = UINT32_MAX;
  uint32_t Find(uint32_t id) const {
    if (id < small_.size()) return small_[id] - 1;  // 0 - 1 wraps to kAbsent
    if (id == kNoNode) return world_ - 1;
    return FindLarge(id);
  }
  // The index of `id`, adding it if new.
  uint32_t FindOrAdd(uint32_t id) {
    if (const uint32_t known = Find(id); known != kAbsent) return known;
    const auto index = static_cast<uint32_t>(by_id_.size());
    by_id_.emplace(id, index);
    if (id == kNoNode) {
      world_ = index + 1;
    } else if (constexpr uint32_t kSmallIds = 4096; id < kSmallIds) {
      if (small_.size() <= id) small_.resize(id + 1, 0);
      small_[id] = index + 1;
    }
    return index;
  }
  size_t size() const { return by_id_.size(); }
  // (id, index) in ascending id order.
  const std::map<uint32_t, uint32_t>& by_id() const { return by_id_; }

 private:
  uint32_t FindLarge(uint32_t id) const {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? kAbsent : it->second;
  }

  std::map<uint32_t, uint32_t> by_id_;
  std::vector<uint32_t> small_;  // index + 1 by id for small ids; 0 = absent
  uint32_t world_ = 0;           // index + 1 of kNoNode; 0 = absent
};

}  // namespace tinykv::sim
