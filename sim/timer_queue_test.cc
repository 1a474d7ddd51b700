#include "sim/timer_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <vector>

#include "sim/random.h"

namespace tinykv::sim {
namespace {

// Drives the queue through both representations with random pushes and pops and compares every
// pop against a reference multiset of due times.
void CheckAgainstReference(uint64_t seed, size_t peak) {
  TimerQueue queue;
  std::multimap<int64_t, uint32_t> reference;  // due time -> slot
  Rng rng(seed);
  uint32_t next_slot = 0;
  int64_t now = 0;
  auto push = [&] {
    // Few distinct times, so ties are common.
    const int64_t when = now + static_cast<int64_t>(rng.Below(50));
    queue.Push(TimerQueue::Entry{Time(Duration(when)), next_slot, 0});
    reference.emplace(when, next_slot);
    ++next_slot;
  };
  auto pop = [&] {
    ASSERT_FALSE(queue.empty());
    const std::vector<size_t>& due = queue.DueAtTop();
    const int64_t when = queue.Top().when.count();
    // Exactly the entries due at the earliest time, the top among them.
    ASSERT_EQ(when, reference.begin()->first);
    ASSERT_EQ(due.size(), reference.count(when));
    ASSERT_EQ(queue.At(due[0]).slot, queue.Top().slot);
    const size_t pick = due[static_cast<size_t>(rng.Below(due.size()))];
    const uint32_t slot = queue.At(pick).slot;
    ASSERT_EQ(queue.At(pick).when.count(), when);
    auto range = reference.equal_range(when);
    auto it = std::find_if(range.first, range.second, [&](auto& e) { return e.second == slot; });
    ASSERT_NE(it, range.second) << "popped a slot that is not due";
    reference.erase(it);
    queue.RemoveAt(pick);
    now = when;
  };
  for (size_t i = 0; i < peak; ++i) push();
  for (int step = 0; step < 3000; ++step) {
    if (rng.Bernoulli(0.5) || queue.empty()) {
      push();
    } else {
      pop();
    }
    ASSERT_EQ(queue.size(), reference.size());
  }
  while (!queue.empty()) pop();
  EXPECT_TRUE(reference.empty());
}

TEST(TimerQueue, SortedModeMatchesReference) { CheckAgainstReference(1, 20); }

TEST(TimerQueue, HeapModeAndSwitchingBackMatchReference) {
  // Starts far above the heap threshold and drains below the sorted one.
  CheckAgainstReference(2, TimerQueue::kHeapAbove * 3);
}

TEST(TimerQueue, RemoveIfKeepsOrderInBothModes) {
  for (size_t count : {size_t{30}, TimerQueue::kHeapAbove * 2}) {
    TimerQueue queue;
    Rng rng(3);
    for (uint32_t slot = 0; slot < count; ++slot) {
      queue.Push(TimerQueue::Entry{Time(Duration(rng.Below(1000))), slot, 0});
    }
    queue.RemoveIf([](const TimerQueue::Entry& e) { return e.slot % 3 == 0; });
    EXPECT_EQ(queue.size(), count - (count + 2) / 3);
    int64_t last = -1;
    while (!queue.empty()) {
      EXPECT_NE(queue.Top().slot % 3, 0u);
      EXPECT_GE(queue.Top().when.count(), last);
      last = queue.Top().when.count();
      queue.PopTop();
    }
  }
}

}  // namespace
}  // namespace tinykv::sim
