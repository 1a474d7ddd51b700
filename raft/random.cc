#include "raft/random.h"

#include <cassert>

namespace tinykv::raft {

uint64_t UniformBelow(const RandomFn& rng, uint64_t n) {
  assert(n > 0);
  // Accept only draws below the largest multiple of n that fits in 2^64; the rest would make
  // small residues more likely.
  const uint64_t limit = (0 - n) % n;  // == 2^64 mod n
  for (;;) {
    uint64_t x = rng();
    if (x >= limit) return x % n;
  }
}

}  // namespace tinykv::raft
