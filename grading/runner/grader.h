// Grades a selection of lab parts: every (test, seed) in its own child process, `jobs` at a time.
//
// Results are stored by position, never by completion order, so the report is the same for any
// number of jobs. A test earns its points only when every one of its seeds passes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "grading/runner/manifest.h"
#include "grading/runner/seed_run.h"

namespace tinykv::grading::runner {

struct GradeOptions {
  std::string build_dir;      // absolute
  std::string artifact_root;  // per-seed output goes to <root>/<Test.Name>/seed-<S>/
  std::string scratch_root;   // $TMPDIR or /tmp
  int jobs = 1;
  std::optional<uint32_t> seed_count;  // --seeds
  std::optional<uint64_t> seed_base;   // --seed-base
  std::optional<uint32_t> timeout_seconds;
  std::optional<uint32_t> memory_limit_mb;
  uint32_t memory_cap_mb = 0;  // SeedRunOptions::memory_cap_mb
  uint64_t output_limit_bytes = 64ull << 20;
};

struct TestGrade {
  TestPlan test;
  std::vector<SeedResult> seeds;  // in the order of the seeds run

  int seeds_passed() const;
  bool passed() const { return seeds_passed() == static_cast<int>(seeds.size()); }
  uint32_t earned() const { return passed() ? test.points : 0; }
};

struct PartGrade {
  PartInfo part;  // copy: the report outlives nothing
  std::vector<TestGrade> tests;
  uint32_t earned() const;
  uint32_t max_points() const;
};

struct GradeReport {
  std::vector<PartGrade> parts;
  std::optional<uint64_t> seed_base;
  double wall_seconds = 0;
  // Set when a test binary changed while the grade ran (the build directory was rebuilt): no seed
  // is started after that, and the results, which may come from either build, must not be
  // reported as a grade. Says which binary.
  std::string build_changed;
  uint32_t earned() const;
  uint32_t max_points() const;
  bool all_passed() const;
};

// Progress: called (serialized) after each finished seed with counts so far.
using ProgressFn = std::function<void(int done, int total, int failed, const std::string& last)>;

GradeReport Grade(const std::vector<const PartInfo*>& parts, const GradeOptions& options,
                  const ProgressFn& progress);

}  // namespace tinykv::grading::runner
