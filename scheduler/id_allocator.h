// IdAllocator: unique ids for stores, regions and peers (PD's id allocator). Ids are handed out
// in increasing order from a range [next, end); when the range runs out, a new end `step` further
// is saved to the MetaStore first, so a restarted allocator — which starts at the saved end —
// never repeats an id (it skips what the previous range had left).
#pragma once

#include <algorithm>
#include <cstdint>

#include "scheduler/meta_store.h"
#include "scheduler/status.h"

namespace tinykv::scheduler {

class IdAllocator {
 public:
  // `store` outlives the allocator; `step` ids are reserved per save.
  explicit IdAllocator(MetaStore* store, uint64_t step = 1000);

  // A new id (> 0, greater than every id handed out before, across restarts). IoError when the
  // next range cannot be saved (nothing handed out); the allocator stays usable.
  Status Alloc(uint64_t* id);
  // Ids handed out from now on are above `id`, one the cluster uses already (ids a deployment or
  // a test harness chose before the scheduler was asked: stores 1..N, region 1, its peers).
  void Observe(uint64_t id) { floor_ = std::max(floor_, id); }

 private:
  MetaStore* store_;
  uint64_t step_;
  bool loaded_ = false;
  uint64_t next_ = 0;   // the last id handed out
  uint64_t end_ = 0;    // the last id of the saved range
  uint64_t floor_ = 0;  // the highest id observed in use
};

}  // namespace tinykv::scheduler
