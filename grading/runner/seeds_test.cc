#include "grading/runner/seeds.h"

#include <gtest/gtest.h>

#include <set>

namespace tinykv::grading::runner {
namespace {

TEST(Seeds, SplitMix64MatchesTheReferenceSequence) {
  // First outputs of the reference implementation (Vigna, splitmix64.c) from state 0.
  uint64_t state = 0;
  EXPECT_EQ(SplitMix64(&state), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(SplitMix64(&state), 0x6e789e6aa1b965f4ULL);
}

TEST(Seeds, DefaultsAreUsedAsGiven) {
  EXPECT_EQ(SeedsFor("T.A", {5, 9, 2}, std::nullopt, std::nullopt),
            (std::vector<uint64_t>{5, 9, 2}));
  EXPECT_EQ(SeedsFor("T.A", {5, 9, 2}, 2, std::nullopt), (std::vector<uint64_t>{5, 9}));
  EXPECT_EQ(SeedsFor("T.A", {5, 9, 2}, 5, std::nullopt), (std::vector<uint64_t>{5, 9, 2, 10, 11}));
}

TEST(Seeds, SeedBaseDrawsAStableDistinctSetPerTest) {
  std::vector<uint64_t> a = SeedsFor("T.A", {1}, 50, 12345);
  EXPECT_EQ(a, SeedsFor("T.A", {7, 8}, 50, 12345)) << "defaults must not matter with a base";
  EXPECT_EQ(std::set<uint64_t>(a.begin(), a.end()).size(), 50u);
  EXPECT_NE(a, SeedsFor("T.B", {1}, 50, 12345));
  EXPECT_NE(a, SeedsFor("T.A", {1}, 50, 12346));
  EXPECT_EQ(SeedsFor("T.A", {1, 2, 3}, std::nullopt, 12345).size(), 3u);
}

}  // namespace
}  // namespace tinykv::grading::runner
