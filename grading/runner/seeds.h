// Which seeds a graded test runs with.
//
// Default seeds are fixed per test by its manifest, so `make lab2b` is repeatable. An instructor's
// private --seed-base S draws a different set, deterministically from S and the test's name (the
// same S always gives the same seeds, on every machine), so students cannot tune for them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace tinykv::grading::runner {

// One step of SplitMix64: advances *state and returns the next output.
uint64_t SplitMix64(uint64_t* state);

// 64-bit FNV-1a hash of `text` (stable across compilers and platforms).
uint64_t Fnv1a64(std::string_view text);

// The seeds to run `test_name` with.
//   defaults: the manifest's seeds (non-empty).
//   count:    --seeds N; when unset, defaults.size().
//   base:     --seed-base S; when unset, the first `count` default seeds, continued with
//             max(defaults)+1, +2, ... if `count` exceeds them. When set, `count` distinct seeds
//             drawn from SplitMix64 seeded with S ^ Fnv1a64(test_name).
std::vector<uint64_t> SeedsFor(std::string_view test_name, const std::vector<uint64_t>& defaults,
                               std::optional<uint32_t> count, std::optional<uint64_t> base);

}  // namespace tinykv::grading::runner
