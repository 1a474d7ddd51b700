// What the demo binaries (tinykv-demo, tinykv-demo-txn) do alike once their flags are parsed:
// read the seed and make the output directory the run's artifact directory. Header-only; for the
// demos' main files.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "grading/runner/run_facts.h"
#include "sim/random.h"

namespace tinykv::harness {

// On success sets *seed and returns nullopt; otherwise prints one line and returns the exit code
// (64: a bad seed, 73: the directory cannot be made).
inline std::optional<int> PrepareDemo(const std::string& seed_text, const std::string& out_dir,
                                      uint64_t* seed) {
  if (!sim::ParseSeed(seed_text, seed)) {
    std::fprintf(stderr, "error: --seed %s: a seed is a decimal number in [0, 2^64)\n",
                 seed_text.c_str());
    return 64;
  }
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) {
    std::fprintf(stderr, "error: cannot create %s: %s\n", out_dir.c_str(), ec.message().c_str());
    return 73;
  }
  setenv(grading::kArtifactDirEnvVar, std::filesystem::absolute(out_dir).c_str(), 1);
  return std::nullopt;
}

}  // namespace tinykv::harness
