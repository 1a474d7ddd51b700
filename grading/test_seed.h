// The seed of a graded test run.
//
// Graded tests (labs/*) are GoogleTest tests. The grading runner (tinykv-grade) runs each
// (test, seed) pair in its own child process and passes the seed in the environment variable
// TINYKV_SEED (a decimal unsigned 64-bit number). A test that needs randomness takes its seed
// from TestSeed(), never from the clock, so a failing run replays exactly from its seed.
#pragma once

#include <cstdint>

namespace tinykv::grading {

// Name of the environment variable that carries the seed.
inline constexpr const char* kSeedEnvVar = "TINYKV_SEED";

// Returns the seed from TINYKV_SEED when it is set, else `default_seed`.
// A malformed TINYKV_SEED (not a decimal number that fits 64 bits) prints a one-line error naming
// the variable and its value and exits the process with status 64: a mistyped seed must never
// silently run a different scenario.
uint64_t TestSeed(uint64_t default_seed = 1);

}  // namespace tinykv::grading
