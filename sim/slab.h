// A vector whose slots are handed out by index and reused once released: the simulator keeps its
// fibers, timers and packets in flight this way, so a hot lookup is an index, not a search.
//
// Acquire() returns a free slot (the most recently released one first, else a new
// default-constructed one); its contents are whatever the last user left, and the caller
// overwrites what it needs (timers keep a generation counter across uses on purpose). Release()
// only makes the slot available again. Indexes stay valid until released; references do not
// survive an Acquire (the vector may grow). Single-threaded; the reuse order is deterministic.
#pragma once

#include <cstdint>
#include <vector>

namespace tinykv::sim {

template <typename T>
class Slab {
 public:
  uint32_t Acquire() {
    if (free_.empty()) {
      slots_.emplace_back();
      return static_cast<uint32_t>(slots_.size() - 1);
    }
    const uint32_t index = free_.back();
    free_.pop_back();
    return index;
  }
  // REQUIRES: `index` was acquired and not yet released.
  void Release(uint32_t index) { free_.push_back(index); }

  T& operator[](uint32_t index) { return slots_[index]; }
  const T& operator[](uint32_t index) const { return slots_[index]; }
  // Slots ever handed out (acquired or released): valid indexes are below this.
  size_t capacity() const { return slots_.size(); }
  void clear() {
    slots_.clear();
    free_.clear();
  }

 private:
  std::vector<T> slots_;
  std::vector<uint32_t> free_;
};

}  // namespace tinykv::sim
