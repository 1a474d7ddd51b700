#include "store/raftstore/region_ranges.h"

#include <gtest/gtest.h>

namespace tinykv::raftstore {
namespace {

using Ids = std::vector<uint64_t>;

TEST(RegionRanges, FindRoutesEveryKeyToTheRegionHoldingIt) {
  RegionRanges r;
  ASSERT_TRUE(r.Insert(1, "", "b"));
  ASSERT_TRUE(r.Insert(2, "b", "d"));
  ASSERT_TRUE(r.Insert(3, "d", ""));
  EXPECT_EQ(r.Find(""), 1u);
  EXPECT_EQ(r.Find("a"), 1u);
  EXPECT_EQ(r.Find("b"), 2u);  // a start key belongs to its region, an end key does not
  EXPECT_EQ(r.Find("c\xff"), 2u);
  EXPECT_EQ(r.Find("d"), 3u);
  EXPECT_EQ(r.Find("\xff\xff\xff"), 3u);  // empty end = to the end of the key space
}

TEST(RegionRanges, GapsRouteNowhere) {
  RegionRanges r;
  ASSERT_TRUE(r.Insert(1, "b", "c"));
  EXPECT_FALSE(r.Find("a").has_value());
  EXPECT_FALSE(r.Find("c").has_value());
  EXPECT_EQ(r.Find("bz"), 1u);
}

TEST(RegionRanges, InsertRefusesOverlapsDuplicatesAndEmptyRanges) {
  RegionRanges r;
  ASSERT_TRUE(r.Insert(1, "b", "d"));
  EXPECT_FALSE(r.Insert(2, "a", "c"));  // reaches into 1 from the left
  EXPECT_FALSE(r.Insert(2, "c", "e"));  // from the right
  EXPECT_FALSE(r.Insert(2, "", ""));    // covers everything
  EXPECT_FALSE(r.Insert(2, "c", "c\x01"));
  EXPECT_FALSE(r.Insert(1, "x", "y"));  // id indexed already
  EXPECT_FALSE(r.Insert(2, "e", "e"));  // empty range
  EXPECT_FALSE(r.Insert(2, "f", "e"));
  EXPECT_EQ(r.size(), 1u);
  EXPECT_TRUE(r.Insert(2, "d", ""));  // touching is not overlapping
  EXPECT_TRUE(r.Insert(3, "", "b"));
  EXPECT_EQ(r.size(), 3u);
}

TEST(RegionRanges, OverlappingListsEveryRegionTheRangeTouchesInKeyOrder) {
  RegionRanges r;
  ASSERT_TRUE(r.Insert(7, "", "b"));
  ASSERT_TRUE(r.Insert(5, "b", "d"));
  ASSERT_TRUE(r.Insert(9, "f", ""));
  EXPECT_EQ(r.Overlapping("", ""), (Ids{7, 5, 9}));
  EXPECT_EQ(r.Overlapping("a", "c"), (Ids{7, 5}));
  EXPECT_EQ(r.Overlapping("b", "d"), (Ids{5}));
  EXPECT_EQ(r.Overlapping("d", "f"), Ids{});  // the gap
  EXPECT_EQ(r.Overlapping("e", ""), (Ids{9}));
  EXPECT_EQ(r.Overlapping("c", "g"), (Ids{5, 9}));
}

TEST(RegionRanges, RemoveFreesTheRange) {
  RegionRanges r;
  ASSERT_TRUE(r.Insert(1, "", ""));
  EXPECT_FALSE(r.Insert(2, "m", ""));
  EXPECT_TRUE(r.Remove(1));
  EXPECT_FALSE(r.Remove(1));
  EXPECT_FALSE(r.Contains(1));
  EXPECT_FALSE(r.Find("m").has_value());
  EXPECT_TRUE(r.Insert(2, "m", ""));
  EXPECT_TRUE(r.Insert(1, "", "m"));  // the split shape: the old id keeps the left half
  EXPECT_EQ(r.Find("l"), 1u);
  EXPECT_EQ(r.Find("m"), 2u);
}

TEST(RegionRanges, KeyInRegionTreatsAnEmptyEndAsInfinity) {
  metapb::Region region;
  region.set_start_key("b");
  EXPECT_FALSE(KeyInRegion("a", region));
  EXPECT_TRUE(KeyInRegion("b", region));
  EXPECT_TRUE(KeyInRegion("\xff", region));
  region.set_end_key("c");
  EXPECT_FALSE(KeyInRegion("c", region));
  EXPECT_TRUE(ExceedsEndKey("c", "c"));
  EXPECT_FALSE(ExceedsEndKey("zzz", ""));
}

}  // namespace
}  // namespace tinykv::raftstore
