#include "grading/runner/seeds.h"

#include <algorithm>
#include <set>

namespace tinykv::grading::runner {

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Fnv1a64(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::vector<uint64_t> SeedsFor(std::string_view test_name, const std::vector<uint64_t>& defaults,
                               std::optional<uint32_t> count, std::optional<uint64_t> base) {
  const size_t n = count.has_value() ? *count : defaults.size();
  std::vector<uint64_t> seeds;
  seeds.reserve(n);
  if (base.has_value()) {
    uint64_t state = *base ^ Fnv1a64(test_name);
    std::set<uint64_t> seen;
    while (seeds.size() < n) {
      uint64_t seed = SplitMix64(&state);
      if (seen.insert(seed).second) seeds.push_back(seed);
    }
    return seeds;
  }
  for (size_t i = 0; i < n && i < defaults.size(); ++i) seeds.push_back(defaults[i]);
  uint64_t next = defaults.empty() ? 1 : *std::max_element(defaults.begin(), defaults.end()) + 1;
  while (seeds.size() < n) seeds.push_back(next++);
  return seeds;
}

}  // namespace tinykv::grading::runner
