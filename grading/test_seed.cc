#include "grading/test_seed.h"

#include <cstdio>
#include <cstdlib>

#include "sim/random.h"

namespace tinykv::grading {

uint64_t TestSeed(uint64_t default_seed) {
  const char* text = std::getenv(kSeedEnvVar);
  if (text == nullptr || *text == '\0') return default_seed;
  uint64_t seed = 0;
  if (!sim::ParseSeed(text, &seed)) {
    std::fprintf(stderr, "error: %s=%s is not a decimal seed in [0, 2^64)\n", kSeedEnvVar, text);
    std::exit(64);
  }
  return seed;
}

}  // namespace tinykv::grading
