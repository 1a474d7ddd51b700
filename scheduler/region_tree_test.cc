// RegionTree: lookups by key, overlap removal, scans, and the previous region.
#include "scheduler/region_tree.h"

#include <gtest/gtest.h>

namespace tinykv::scheduler {
namespace {

metapb::Region R(uint64_t id, std::string start, std::string end) {
  metapb::Region r;
  r.set_id(id);
  r.set_start_key(std::move(start));
  r.set_end_key(std::move(end));
  return r;
}

TEST(RegionTree, FindsTheRegionHoldingAKeyAndNothingInAGap) {
  RegionTree t;
  EXPECT_TRUE(t.Put(R(1, "", "b")).empty());
  EXPECT_TRUE(t.Put(R(2, "d", "")).empty());
  EXPECT_EQ(t.Find(""), 1u);
  EXPECT_EQ(t.Find("a"), 1u);
  EXPECT_EQ(t.Find("b"), std::nullopt);  // end keys are exclusive
  EXPECT_EQ(t.Find("c"), std::nullopt);
  EXPECT_EQ(t.Find("d"), 2u);
  EXPECT_EQ(t.Find("\xff\xff"), 2u);  // "" as end is +infinity
}

TEST(RegionTree, APutPushesOutEveryRegionItOverlaps) {
  RegionTree t;
  (void)t.Put(R(1, "", "c"));
  (void)t.Put(R(2, "c", "f"));
  (void)t.Put(R(3, "f", "k"));
  (void)t.Put(R(4, "k", ""));
  EXPECT_EQ(t.Put(R(5, "b", "g")), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.Find("a"), std::nullopt);
  EXPECT_EQ(t.Find("f"), 5u);
  EXPECT_EQ(t.Find("h"), std::nullopt);
  EXPECT_EQ(t.Find("k"), 4u);
  // Touching is not overlapping.
  EXPECT_TRUE(t.Put(R(6, "g", "k")).empty());
  EXPECT_EQ(t.Overlapping(R(0, "a", "")), (std::vector<uint64_t>{5, 6, 4}));
}

TEST(RegionTree, ScanStopsAtTheEndAndTheLimit) {
  RegionTree t;
  (void)t.Put(R(1, "", "c"));
  (void)t.Put(R(2, "c", "f"));
  (void)t.Put(R(3, "f", ""));
  EXPECT_EQ(t.Scan("d", "f", 0), (std::vector<uint64_t>{2}));
  EXPECT_EQ(t.Scan("d", "", 0), (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(t.Scan("", "", 2), (std::vector<uint64_t>{1, 2}));
}

TEST(RegionTree, PrevIsTheAdjacentRegionBefore) {
  RegionTree t;
  (void)t.Put(R(1, "", "c"));
  (void)t.Put(R(2, "c", "f"));
  (void)t.Put(R(3, "g", ""));
  EXPECT_EQ(t.FindPrev("d"), 1u);
  EXPECT_EQ(t.FindPrev("a"), std::nullopt);  // the first region
  EXPECT_EQ(t.FindPrev("h"), std::nullopt);  // a gap before region 3
  EXPECT_EQ(t.FindPrev("f"), std::nullopt);  // no region holds "f"
}

TEST(RegionTree, RemoveNeedsTheIndexedStartKey) {
  RegionTree t;
  (void)t.Put(R(1, "a", "c"));
  EXPECT_FALSE(t.Remove(1, "b"));
  EXPECT_FALSE(t.Remove(2, "a"));
  EXPECT_TRUE(t.Remove(1, "a"));
  EXPECT_EQ(t.size(), 0u);
}

}  // namespace
}  // namespace tinykv::scheduler
