// Grade() over several seeds of the deliberately broken tests (testdata/broken_tests.cc).
#include "grading/runner/grader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace tinykv::grading::runner {
namespace {

namespace fs = std::filesystem;

// A build directory of its own holding a copy of the broken tests, which a test may replace.
class ScratchBuild {
 public:
  ScratchBuild() {
    dir_ = fs::temp_directory_path() / ("grader-test-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    fs::copy_file(BROKEN_TESTS_BINARY, dir_ / "broken_tests", fs::copy_options::overwrite_existing);
  }
  ~ScratchBuild() { fs::remove_all(dir_); }
  std::string dir() const { return dir_.string(); }

 private:
  fs::path dir_;
};

PartInfo PartWith(const std::string& test, std::vector<uint64_t> seeds) {
  PartInfo part;
  part.name = "lab9a";
  part.lab = "broken";
  TestPlan plan;
  plan.part = "lab9a";
  plan.name = "Broken." + test;
  plan.binary = "broken_tests";
  plan.points = 1;
  plan.default_seeds = std::move(seeds);
  plan.timeout_seconds = 20;
  plan.memory_limit_mb = 1024;
  part.tests.push_back(plan);
  return part;
}

GradeOptions OptionsFor(const ScratchBuild& build) {
  GradeOptions options;
  options.build_dir = build.dir();
  options.scratch_root = fs::temp_directory_path().string();
  options.jobs = 1;
  return options;
}

TEST(Grader, EverySeedRunsWhileTheBuildStaysTheSame) {
  ScratchBuild build;
  const PartInfo part = PartWith("Passes", {1, 2, 3, 4});
  GradeReport report = Grade({&part}, OptionsFor(build), nullptr);
  EXPECT_TRUE(report.build_changed.empty()) << report.build_changed;
  ASSERT_EQ(report.parts[0].tests[0].seeds.size(), 4u);
  EXPECT_EQ(report.parts[0].tests[0].seeds_passed(), 4);
}

// A rebuild of the build directory during a grade (here: the test binary is replaced by its first
// seed) stops the grade and says which binary changed: the later seeds never start, and nothing
// of it may be reported as the submission's grade.
TEST(Grader, ARebuiltBinaryStopsTheGrade) {
  ScratchBuild build;
  const PartInfo part = PartWith("IsRebuiltWhileItRuns", {1, 2, 3, 4});
  GradeReport report = Grade({&part}, OptionsFor(build), nullptr);
  EXPECT_EQ(report.build_changed, build.dir() + "/broken_tests");
  int started = 0;
  for (const SeedResult& seed : report.parts[0].tests[0].seeds) {
    started += seed.outcome != Outcome::kRunnerError || !seed.reason.empty();
  }
  EXPECT_EQ(started, 1) << "only the seed that rebuilt the binary ran";
}

}  // namespace
}  // namespace tinykv::grading::runner
