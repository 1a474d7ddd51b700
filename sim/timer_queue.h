// The executor's pending timers, earliest first: a priority queue tuned for the simulator's load.
//
// Entries are ordered by their due time. Which of several timers due at one instant fires first
// is not decided here: DueAtTop() lists them all, in an order fixed by the sequence of operations
// on the queue (so the same in every run of a seed), and the executor draws among them
// (DESIGN.md §3, rule 4).
//
// A scenario keeps a few dozen timers pending (packets in flight, a sleeping ticker per node,
// RPC deadlines), and every packet inserts and removes one. For that size a vector kept sorted
// (latest first, so the earliest is popped from the back) beats a heap: an insert is a binary
// search and a short memmove, a pop is O(1), and ties sit next to each other. When many timers
// are pending (thousands of sleeping fibers) the queue turns into a 4-ary min-heap, and back into a
// sorted vector once it shrinks (the thresholds differ, so it does not flip back and forth).
//
// Cancellation is the caller's business: an entry carries the (slot, generation) of the timer it
// stands for, and the executor skips entries whose timer is gone. RemoveIf drops them in bulk.
// Single-threaded, owned by the executor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/time.h"

namespace tinykv::sim {

class TimerQueue {
 public:
  // 16 bytes: a sorted insert moves a few hundred bytes at most.
  struct Entry {
    Time when;
    uint32_t slot;
    uint32_t generation;
  };

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  void clear() { entries_.clear(); }

  void Push(const Entry& entry);
  // The earliest entry. REQUIRES: !empty().
  const Entry& Top() const { return entries_[TopPos()]; }
  void PopTop() { RemoveAt(TopPos()); }
  // Positions of every entry due at the same instant as Top(), Top() first. REQUIRES: !empty().
  const std::vector<size_t>& DueAtTop();
  const Entry& At(size_t pos) const { return entries_[pos]; }
  // Removes the entry at `pos` (as returned by DueAtTop). Invalidates positions.
  void RemoveAt(size_t pos);
  // Removes every entry for which dead(entry) is true, keeping the order of the rest.
  template <typename Pred>
  void RemoveIf(Pred dead) {
    std::erase_if(entries_, dead);
    if (heap_) MakeHeap();
  }

  // Sizes at which the representation changes (see the header comment). Public for tests.
  static constexpr size_t kHeapAbove = 256;
  static constexpr size_t kSortedBelow = 64;

 private:
  size_t TopPos() const { return heap_ ? 0 : entries_.size() - 1; }
  void ToHeap();
  void ToSorted();
  void MakeHeap();
  // Heap mode: the position of `pos`'s earliest child, or 0 when it has none.
  size_t EarliestChild(size_t pos) const;
  void SiftUp(size_t pos);
  void SiftDown(size_t pos);

  // Sorted mode: descending by time (earliest at the back; among equal times, the one queued first
  // nearest the back). Heap mode: a 4-ary min-heap on time.
  std::vector<Entry> entries_;
  bool heap_ = false;
  std::vector<size_t> due_;  // DueAtTop's result, kept to avoid reallocating
};

}  // namespace tinykv::sim
