#include "sim/timer_queue.h"

#include <algorithm>

namespace tinykv::sim {

void TimerQueue::Push(const Entry& entry) {
  if (heap_) {
    entries_.push_back(entry);
    SiftUp(entries_.size() - 1);
    return;
  }
  // Descending order: the new entry goes after every later one and before the ones due at the
  // same time (queued earlier, they stay nearer the back).
  auto pos = std::lower_bound(entries_.begin(), entries_.end(), entry,
                              [](const Entry& a, const Entry& b) { return a.when > b.when; });
  entries_.insert(pos, entry);
  if (entries_.size() > kHeapAbove) ToHeap();
}

const std::vector<size_t>& TimerQueue::DueAtTop() {
  due_.clear();
  const size_t top = TopPos();
  const Time when = entries_[top].when;
  due_.push_back(top);
  if (!heap_) {
    // Ties sit next to the top, towards the front.
    for (size_t pos = top; pos > 0 && entries_[pos - 1].when == when; --pos) {
      due_.push_back(pos - 1);
    }
    return due_;
  }
  // Every entry due at `when` has only such entries above it in the heap, so they form a
  // subtree at the root.
  for (size_t i = 0; i < due_.size(); ++i) {
    const size_t first_child = due_[i] * 4 + 1;
    const size_t end = std::min(first_child + 4, entries_.size());
    for (size_t c = first_child; c < end; ++c) {
      if (entries_[c].when == when) due_.push_back(c);
    }
  }
  return due_;
}

void TimerQueue::RemoveAt(size_t pos) {
  if (!heap_) {
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(pos));
    return;
  }
  const Entry last = entries_.back();
  entries_.pop_back();
  const size_t size = entries_.size();
  if (pos < size) {
    // Floyd's removal: move the hole down along the smallest children to a leaf (no comparison
    // with `last` on the way), then let `last` rise from there. `last` came from the bottom, so
    // it rarely rises far: fewer comparisons than sifting it down from `pos`.
    size_t hole = pos;
    while (const size_t child = EarliestChild(hole)) {
      entries_[hole] = entries_[child];
      hole = child;
    }
    entries_[hole] = last;
    SiftUp(hole);
  }
  if (size < kSortedBelow) ToSorted();
}

void TimerQueue::ToHeap() {
  // Ascending order is a valid min-heap.
  std::reverse(entries_.begin(), entries_.end());
  heap_ = true;
}

void TimerQueue::ToSorted() {
  // Stable, so entries due at one time keep an order fixed by the queue's history.
  std::stable_sort(entries_.begin(), entries_.end(),
                   [](const Entry& a, const Entry& b) { return a.when > b.when; });
  heap_ = false;
}

void TimerQueue::MakeHeap() {
  for (size_t pos = entries_.size() / 4 + 1; pos-- > 0;) {
    if (pos < entries_.size()) SiftDown(pos);
  }
  if (entries_.size() < kSortedBelow) ToSorted();
}

size_t TimerQueue::EarliestChild(size_t pos) const {
  const size_t first_child = pos * 4 + 1;
  if (first_child >= entries_.size()) return 0;
  const size_t end = std::min(first_child + 4, entries_.size());
  size_t best = first_child;
  for (size_t c = first_child + 1; c < end; ++c) {
    if (entries_[c].when < entries_[best].when) best = c;
  }
  return best;
}

void TimerQueue::SiftUp(size_t pos) {
  const Entry moving = entries_[pos];
  while (pos > 0) {
    const size_t parent = (pos - 1) / 4;
    if (!(moving.when < entries_[parent].when)) break;
    entries_[pos] = entries_[parent];
    pos = parent;
  }
  entries_[pos] = moving;
}

void TimerQueue::SiftDown(size_t pos) {
  const Entry moving = entries_[pos];
  while (const size_t child = EarliestChild(pos)) {
    if (!(entries_[child].when < moving.when)) break;
    entries_[pos] = entries_[child];
    pos = child;
  }
  entries_[pos] = moving;
}

}  // namespace tinykv::sim
