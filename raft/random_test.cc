#include "raft/random.h"

#include <gtest/gtest.h>

#include <vector>

namespace tinykv::raft {
namespace {

TEST(Random, SplitMix64IsDeterministicPerSeed) {
  SplitMix64 a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) {
    uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    EXPECT_NE(x, c.Next());
  }
}

TEST(Random, UniformBelowStaysInRangeAndCoversIt) {
  SplitMix64 g(7);
  RandomFn rng = [&g] { return g.Next(); };
  std::vector<int> counts(10, 0);
  for (int i = 0; i < 100000; ++i) {
    uint64_t v = UniformBelow(rng, 10);
    ASSERT_LT(v, 10u);
    counts[v]++;
  }
  for (int c : counts) {
    EXPECT_GT(c, 9000);
    EXPECT_LT(c, 11000);
  }
  EXPECT_EQ(UniformBelow(rng, 1), 0u);
}

TEST(Random, UniformBelowRejectsTheBiasedTail) {
  // With n = 2^63 + 1, only draws >= 2^64 mod n = 2^63 - 1 are accepted; smaller ones are
  // redrawn.
  const uint64_t n = (uint64_t{1} << 63) + 1;
  std::vector<uint64_t> draws = {5, (uint64_t{1} << 63) + 7};
  size_t k = 0;
  RandomFn rng = [&] { return draws[k++]; };
  EXPECT_EQ(UniformBelow(rng, n), ((uint64_t{1} << 63) + 7) % n);
  EXPECT_EQ(k, 2u);
}

}  // namespace
}  // namespace tinykv::raft
