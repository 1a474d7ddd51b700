// Randomness for the Raft library: an injected generator and our own range function.
//
// Raft never seeds or owns a generator: the caller passes a RandomFn through Config (in the
// simulator, one of the run's seeded streams). We never use std:: distributions, whose output
// differs between standard libraries; UniformBelow is exact (unbiased) and identical everywhere.
// SplitMix64 is a small seeded generator for callers and tests that have none of their own.
#pragma once

#include <cstdint>
#include <functional>

namespace tinykv::raft {

// Returns 64 uniformly random bits per call.
using RandomFn = std::function<uint64_t()>;

// A uniformly distributed value in [0, n), drawing from `rng` as many times as rejection sampling
// needs (on average < 2). REQUIRES: n > 0.
uint64_t UniformBelow(const RandomFn& rng, uint64_t n);

// Seeded 64-bit generator (Steele, Lea, Flood: SplitMix64). Deterministic for a seed.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t operator()() { return Next(); }

 private:
  uint64_t state_;
};

}  // namespace tinykv::raft
