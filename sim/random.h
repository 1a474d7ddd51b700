// Seeded randomness for the simulator and everything that runs inside it.
//
// Rng is xoshiro256** seeded through splitmix64, with our own distribution functions: the standard
// library's distributions are implementation-defined and differ between libstdc++ and libc++, so
// they would make a seed replay differently across compilers (DESIGN.md §3, rule 2). Every function
// here is specified exactly and is pinned by tests (sim/random_test.cc).
//
// Named streams: Stream("network") derives an independent generator from the seed and the name,
// so adding draws in one subsystem does not shift the numbers another subsystem sees.
//
// Not thread-safe; one Rng belongs to one owner (the executor, a node, a test).
#pragma once

#include <bit>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace tinykv::sim {

// splitmix64 step: advances `state` and returns the next output. Also a good 64-bit mixer.
inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Stable 64-bit hash of a string (FNV-1a followed by a splitmix finaliser). Same on every platform.
uint64_t HashName(std::string_view name);

// Parses a seed: a decimal number in [0, 2^64), digits only (no sign, no spaces). Returns false on
// anything else, so a mistyped seed never silently runs a different scenario.
bool ParseSeed(std::string_view text, uint64_t* out);

class Rng {
 public:
  explicit Rng(uint64_t seed);

  // The seed this generator was built from.
  uint64_t seed() const { return seed_; }

  // Next raw 64-bit output.
  // Inline (as are the cheap draws below): the simulator draws a few numbers per packet.
  uint64_t Next() {
    const uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = std::rotl(s_[3], 45);
    return result;
  }

  // Uniform integer in [lo, hi] (both inclusive), without modulo bias (Lemire's method with
  // rejection). REQUIRES: lo <= hi.
  uint64_t UniformInt(uint64_t lo, uint64_t hi);
  int64_t UniformSigned(int64_t lo, int64_t hi);

  // Uniform index in [0, n). REQUIRES: n > 0.
  uint64_t Below(uint64_t n) { return UniformInt(0, n - 1); }

  // Uniform real in [0, 1) with 53 random bits.
  double UniformReal() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform real in [lo, hi).
  double UniformReal(double lo, double hi) { return lo + (hi - lo) * UniformReal(); }

  // True with probability p (p <= 0: never, p >= 1: always; draws one number either way so the
  // stream position does not depend on p).
  bool Bernoulli(double p) { return UniformReal() < p; }

  // Exponentially distributed real with the given mean (inverse-CDF with our own log argument
  // clamp). Uses std::log, which is correctly rounded enough on glibc/libm for identical results
  // across g++ and clang++ on one machine; pinned by a test.
  double Exponential(double mean);

  // Fisher–Yates shuffle, drawing from the back.
  template <typename T>
  void Shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) {
      size_t j = static_cast<size_t>(Below(i));
      std::swap(v[i - 1], v[j]);
    }
  }

  // A uniformly chosen element. REQUIRES: !v.empty().
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Below(v.size()))];
  }

  // An independent generator derived from this generator's seed and `name`. Does not advance
  // this generator.
  Rng Stream(std::string_view name) const;

 private:
  uint64_t seed_;
  uint64_t s_[4];
};

}  // namespace tinykv::sim
