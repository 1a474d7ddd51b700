// Tso and IdAllocator: strictly increasing across batches, logical overflow, a clock that goes
// back, restarts, and failing saves.
#include "scheduler/tso.h"

#include <gtest/gtest.h>

#include "scheduler/id_allocator.h"
#include "scheduler/meta_codec.h"

namespace tinykv::scheduler {
namespace {

uint64_t MustNext(Tso& tso, uint32_t count, int64_t now_ms) {
  uint64_t last = 0;
  Status s = tso.Next(count, now_ms, &last);
  EXPECT_TRUE(s.ok()) << s.message();
  return last;
}

TEST(Tso, TimestampsComposePhysicalAndLogical) {
  EXPECT_EQ(ComposeTs(5, 3), (uint64_t{5} << 18) | 3);
  EXPECT_EQ(PhysicalOf(ComposeTs(123456, 77)), 123456);
  EXPECT_EQ(LogicalOf(ComposeTs(123456, 77)), 77u);
}

TEST(Tso, BatchesAreConsecutiveAndIncreasing) {
  MemMetaStore store;
  Tso tso(&store);
  ASSERT_TRUE(tso.Start(1000).ok());
  uint64_t prev = MustNext(tso, 1, 1000);
  EXPECT_EQ(PhysicalOf(prev), 1000);
  for (int i = 0; i < 1000; ++i) {
    const uint32_t count = 1 + i % 100;
    const uint64_t last = MustNext(tso, count, 1000 + i / 10);
    const uint64_t first = last - count + 1;
    EXPECT_GT(first, prev);
    EXPECT_EQ(PhysicalOf(first), PhysicalOf(last)) << "a batch spans one millisecond";
    prev = last;
  }
}

TEST(Tso, LogicalOverflowMovesToTheNextMillisecond) {
  MemMetaStore store;
  Tso tso(&store);
  ASSERT_TRUE(tso.Start(50).ok());
  uint64_t prev = 0;
  for (int i = 0; i < 10; ++i) {
    const uint64_t last = MustNext(tso, 60000, 50);  // the clock stands still
    EXPECT_GT(last - 59999, prev);
    EXPECT_LT(LogicalOf(last), kMaxLogical);
    prev = last;
  }
  EXPECT_GT(PhysicalOf(prev), 50) << "4 batches of 60,000 fill one millisecond";
}

TEST(Tso, AClockGoingBackDoesNotMoveTimestampsBack) {
  MemMetaStore store;
  Tso tso(&store);
  ASSERT_TRUE(tso.Start(10'000).ok());
  const uint64_t a = MustNext(tso, 1, 10'000);
  const uint64_t b = MustNext(tso, 1, 9'000);
  EXPECT_GT(b, a);
  EXPECT_EQ(PhysicalOf(b), 10'000);
}

TEST(Tso, ARestartedOracleStartsPastEverythingHandedOut) {
  MemMetaStore store;
  uint64_t last = 0;
  {
    Tso tso(&store, TsoOptions{.save_window_ms = 3000});
    ASSERT_TRUE(tso.Start(1'000).ok());
    for (int64_t t = 1'000; t < 20'000; t += 7) last = MustNext(tso, 10, t);
  }
  // Saves are rare: one per window of 3 s, not one per request.
  EXPECT_LE(store.saves(), 1 + 19'000 / 3000 + 1);
  // Restarted with a clock that went back a minute.
  Tso again(&store);
  ASSERT_TRUE(again.Start(-40'000).ok());
  EXPECT_GT(MustNext(again, 1, -40'000), last);
}

TEST(Tso, NothingIsHandedOutBeyondAWindowThatCouldNotBeSaved) {
  MemMetaStore store;
  Tso tso(&store, TsoOptions{.save_window_ms = 100});
  ASSERT_TRUE(tso.Start(0).ok());
  const uint64_t before = MustNext(tso, 1, 50);
  store.set_fail_saves(true);
  uint64_t last = 0;
  EXPECT_TRUE(tso.Next(1, 50, &last).ok()) << "inside the saved window: no save needed";
  EXPECT_TRUE(tso.Next(1, 500, &last).IsIoError());
  store.set_fail_saves(false);
  ASSERT_TRUE(tso.Next(1, 500, &last).ok());
  EXPECT_GT(last, before);
  EXPECT_GT(tso.saved_window_end_ms(), PhysicalOf(last));
}

TEST(Tso, BadRequestsAreRefused) {
  MemMetaStore store;
  Tso tso(&store);
  uint64_t last = 0;
  EXPECT_TRUE(tso.Next(1, 0, &last).IsInvalidArgument()) << "before Start";
  ASSERT_TRUE(tso.Start(0).ok());
  EXPECT_TRUE(tso.Next(0, 0, &last).IsInvalidArgument());
  EXPECT_TRUE(tso.Next(TsoOptions{}.max_batch + 1, 0, &last).IsInvalidArgument());
}

TEST(Tso, ACorruptedWindowIsAnError) {
  MemMetaStore store;
  ASSERT_TRUE(store.Save("tso/window_end_ms", "xyz").ok());
  Tso tso(&store);
  Status s = tso.Start(0);
  EXPECT_TRUE(s.IsIoError());
  EXPECT_NE(s.message().find("corrupted"), std::string::npos) << s.message();
}

TEST(IdAllocator, IdsIncreaseAcrossRangesAndRestarts) {
  MemMetaStore store;
  uint64_t last = 0;
  {
    IdAllocator ids(&store, /*step=*/10);
    for (int i = 0; i < 35; ++i) {
      uint64_t id = 0;
      ASSERT_TRUE(ids.Alloc(&id).ok());
      EXPECT_EQ(id, last + 1);
      last = id;
    }
  }
  EXPECT_EQ(store.saves(), 4) << "one save per 10 ids";
  IdAllocator again(&store, 10);
  uint64_t id = 0;
  ASSERT_TRUE(again.Alloc(&id).ok());
  EXPECT_GT(id, last);
  EXPECT_EQ(id, 41u) << "a restart starts past the saved range";
}

TEST(IdAllocator, IdsStayAboveTheIdsObservedInUse) {
  MemMetaStore store;
  IdAllocator ids(&store, 10);
  uint64_t id = 0;
  ASSERT_TRUE(ids.Alloc(&id).ok());
  EXPECT_EQ(id, 1u);
  ids.Observe(500);  // e.g. a region the harness bootstrapped with its own ids
  ids.Observe(7);
  ASSERT_TRUE(ids.Alloc(&id).ok());
  EXPECT_EQ(id, 501u);
  IdAllocator again(&store, 10);
  ASSERT_TRUE(again.Alloc(&id).ok());
  EXPECT_GT(id, 501u) << "the range saved past the observed id";
}

TEST(IdAllocator, AFailedSaveHandsOutNothingAndRecovers) {
  MemMetaStore store;
  IdAllocator ids(&store, 2);
  uint64_t id = 0;
  ASSERT_TRUE(ids.Alloc(&id).ok());
  ASSERT_TRUE(ids.Alloc(&id).ok());
  EXPECT_EQ(id, 2u);
  store.set_fail_saves(true);
  EXPECT_TRUE(ids.Alloc(&id).IsIoError());
  EXPECT_EQ(id, 2u);
  store.set_fail_saves(false);
  ASSERT_TRUE(ids.Alloc(&id).ok());
  EXPECT_EQ(id, 3u);
}

}  // namespace
}  // namespace tinykv::scheduler
