#include "sim/random.h"

#include <cmath>

namespace tinykv::sim {
uint64_t HashName(std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return SplitMix64(h);
}

bool ParseSeed(std::string_view text, uint64_t* out) {
  if (text.empty() || text.size() > 20) return false;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return false;
    value = value * 10 + digit;
  }
  *out = value;
  return true;
}

Rng::Rng(uint64_t seed) : seed_(seed) {
  uint64_t state = seed;
  for (uint64_t& word : s_) word = SplitMix64(state);
}

uint64_t Rng::UniformInt(uint64_t lo, uint64_t hi) {
  const uint64_t span = hi - lo;
  if (span == UINT64_MAX) return Next();
  const uint64_t range = span + 1;
  // Lemire: multiply into 128 bits, reject the low part's biased zone.
  unsigned __int128 m = static_cast<unsigned __int128>(Next()) * range;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < range) {
    const uint64_t threshold = (0 - range) % range;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(Next()) * range;
      low = static_cast<uint64_t>(m);
    }
  }
  return lo + static_cast<uint64_t>(m >> 64);
}

int64_t Rng::UniformSigned(int64_t lo, int64_t hi) {
  const uint64_t offset = UniformInt(0, static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo));
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + offset);
}

double Rng::Exponential(double mean) {
  // 1 - u is in (0, 1], so the log is finite.
  const double u = 1.0 - UniformReal();
  return -mean * std::log(u);
}

Rng Rng::Stream(std::string_view name) const {
  uint64_t mix = seed_ ^ HashName(name);
  return Rng(SplitMix64(mix));
}

}  // namespace tinykv::sim
