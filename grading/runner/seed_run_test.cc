// RunTestSeed() against deliberately broken tests (testdata/broken_tests.cc): each way a test
// can end must be classified correctly, and the runner must survive all of them.
#include "grading/runner/seed_run.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace tinykv::grading::runner {
namespace {

namespace fs = std::filesystem;

TestPlan Broken(const std::string& name) {
  TestPlan plan;
  plan.part = "lab9a";
  plan.name = "Broken." + name;
  plan.binary = fs::path(BROKEN_TESTS_BINARY).filename().string();
  plan.points = 1;
  plan.default_seeds = {1};
  plan.timeout_seconds = 20;
  plan.memory_limit_mb = 1024;
  return plan;
}

SeedRunOptions Options() {
  SeedRunOptions options;
  options.build_dir = fs::path(BROKEN_TESTS_BINARY).parent_path().string();
  options.scratch_root = fs::temp_directory_path().string();
  return options;
}

TEST(SeedRun, PassingTestPasses) {
  SeedResult r = RunTestSeed(Broken("Passes"), 1, Options());
  EXPECT_EQ(r.outcome, Outcome::kPassed) << r.reason;
  EXPECT_EQ(r.reason, "passed");
}

TEST(SeedRun, AssertionFailureCarriesGtestMessage) {
  SeedResult r = RunTestSeed(Broken("AssertionFails"), 1, Options());
  EXPECT_EQ(r.outcome, Outcome::kAssertion);
  EXPECT_EQ(r.reason.rfind("assertion failed at grading/runner/testdata/broken_tests.cc:", 0), 0u)
      << r.reason;
  EXPECT_NE(r.details.find("expected three replicas → got two"), std::string::npos) << r.details;
}

TEST(SeedRun, FailureWithACauseLineHasItAsReason) {
  SeedResult r = RunTestSeed(Broken("NamesItsCause"), 1, Options());
  EXPECT_EQ(r.outcome, Outcome::kAssertion);
  EXPECT_EQ(r.reason, "durability: store 2 lost its vote");
  EXPECT_NE(r.details.find("how to replay it"), std::string::npos) << r.details;
}

TEST(SeedRun, AnExceptionOutOfTheTestBodyIsNamedWithItsMessage) {
  SeedResult r = RunTestSeed(Broken("Throws"), 1, Options());
  EXPECT_EQ(r.outcome, Outcome::kAssertion);
  EXPECT_EQ(r.reason, "uncaught exception: region 7 not found in store 2 (in the test body)");
}

TEST(SeedRun, SegfaultIsACrashNamingTheSignal) {
  SeedRunOptions options = Options();
  options.artifact_dir = (fs::temp_directory_path() / "tinykv-seed-run-segfault").string();
  SeedResult r = RunTestSeed(Broken("Segfault"), 1, options);
  EXPECT_EQ(r.outcome, Outcome::kCrash);
  EXPECT_NE(r.reason.find("SIGSEGV"), std::string::npos) << r.reason;
  // What the student sees and what is kept carry the test's output, not the allocator's chatter
  // (the runner's environment makes mimalloc warn about huge pages at start-up).
  EXPECT_NE(r.details.find("Running main()"), std::string::npos) << r.details;
  EXPECT_EQ(r.details.find("mimalloc"), std::string::npos) << r.details;
  std::ifstream kept(r.output_file);
  std::string output((std::istreambuf_iterator<char>(kept)), std::istreambuf_iterator<char>());
  EXPECT_NE(output.find("Running main()"), std::string::npos) << output;
  EXPECT_EQ(output.find("mimalloc"), std::string::npos) << output;
  fs::remove_all(options.artifact_dir);
}

TEST(SeedRun, AbortIsACrashNamingTheSignal) {
  SeedResult r = RunTestSeed(Broken("Aborts"), 1, Options());
  EXPECT_EQ(r.outcome, Outcome::kCrash);
  EXPECT_NE(r.reason.find("SIGABRT"), std::string::npos) << r.reason;
}

TestPlan BrokenMemory(const std::string& name) {
  TestPlan plan = Broken(name);
  plan.name = "BrokenMemory." + name;
  plan.binary = fs::path(BROKEN_MEMORY_TESTS_BINARY).filename().string();
  return plan;
}

TEST(SeedRun, DoubleDeleteIsHeapCorruption) {
  SeedResult r = RunTestSeed(BrokenMemory("DoubleDelete"), 1, Options());
  EXPECT_EQ(r.outcome, Outcome::kCrash);
  EXPECT_EQ(r.reason,
            "heap corruption: double free (the same memory freed or deleted twice; glibc stopped "
            "the test)");
  EXPECT_NE(r.details.find("double free"), std::string::npos) << r.details;
}

TEST(SeedRun, WritingPastABufferIsHeapCorruptionWithGlibcsMessage) {
  SeedResult r = RunTestSeed(BrokenMemory("WritesPastItsBuffer"), 1, Options());
  EXPECT_EQ(r.outcome, Outcome::kCrash);
  EXPECT_EQ(r.reason.rfind("heap corruption: \"", 0), 0u) << r.reason;
  EXPECT_NE(r.reason.find("a write past an allocation"), std::string::npos) << r.reason;
}

TEST(SeedRun, FiberStackOverflowNamesTheFiber) {
  SeedResult r = RunTestSeed(BrokenMemory("FiberStackOverflow"), 1, Options());
  EXPECT_EQ(r.outcome, Outcome::kCrash);
  EXPECT_EQ(r.reason.rfind("crash: stack overflow: guard page hit in fiber '", 0), 0u) << r.reason;
  EXPECT_NE(r.reason.find("on node 'store2'"), std::string::npos) << r.reason;
}

TEST(SeedRun, InfiniteLoopTimesOut) {
  SeedRunOptions options = Options();
  options.timeout_seconds = 1;
  SeedResult r = RunTestSeed(Broken("InfiniteLoop"), 1, options);
  EXPECT_EQ(r.outcome, Outcome::kTimeout);
  EXPECT_NE(r.reason.find("1 s"), std::string::npos) << r.reason;
  EXPECT_LT(r.seconds, 10);
}

TEST(SeedRun, MemoryBlowupHitsTheLimit) {
  SeedRunOptions options = Options();
  options.memory_limit_mb = 256;
  SeedResult r = RunTestSeed(Broken("MemoryBlowup"), 1, options);
  EXPECT_EQ(r.outcome, Outcome::kMemoryLimit) << r.reason << "\n" << r.details;
  EXPECT_EQ(r.reason, "memory limit: its resident memory went above its limit of 256 MiB; killed");
  EXPECT_NE(r.details.find("resident memory when it was killed: "), std::string::npos) << r.details;
}

TEST(SeedRun, OutputFloodIsKilledAtTheCap) {
  SeedRunOptions options = Options();
  options.output_limit_bytes = 4 << 20;
  SeedResult r = RunTestSeed(Broken("OutputFlood"), 1, options);
  EXPECT_EQ(r.outcome, Outcome::kOutputFlood) << r.reason;
}

TEST(SeedRun, ExitWithoutResultIsReported) {
  SeedResult r = RunTestSeed(Broken("ExitsWithoutResult"), 1, Options());
  EXPECT_EQ(r.outcome, Outcome::kNoResult);
  EXPECT_NE(r.reason.find("exited with code 0"), std::string::npos) << r.reason;
}

TEST(SeedRun, UnknownTestIsNoResultNamingIt) {
  SeedResult r = RunTestSeed(Broken("DoesNotExist"), 1, Options());
  EXPECT_EQ(r.outcome, Outcome::kNoResult);
  EXPECT_NE(r.reason.find("Broken.DoesNotExist not found"), std::string::npos) << r.reason;
}

TEST(SeedRun, SeedReachesTheTest) {
  EXPECT_EQ(RunTestSeed(Broken("PassesOnEvenSeeds"), 2, Options()).outcome, Outcome::kPassed);
  SeedResult odd = RunTestSeed(Broken("PassesOnEvenSeeds"), 3, Options());
  EXPECT_EQ(odd.outcome, Outcome::kAssertion);
  EXPECT_NE(odd.details.find("seed 3 is odd"), std::string::npos) << odd.details;
}

// A child the test leaves behind (holding the output pipe) does not hang the runner, and it fails
// the seed, saying so: a passing test must not leave processes running.
TEST(SeedRun, AChildLeftBehindFailsTheSeedAndIsKilled) {
  SeedResult r = RunTestSeed(Broken("LeavesGrandchild"), 1, Options());
  EXPECT_EQ(r.outcome, Outcome::kStrayProcesses) << r.reason;
  EXPECT_NE(r.reason.find("the test left 1 process running after it ended"), std::string::npos)
      << r.reason;
  EXPECT_NE(r.reason.find("tinykv_grade_broken_tests"), std::string::npos)
      << "names the process: " << r.reason;
}

// One that leaves the process group and the session (setsid) is contained all the same: the
// seed fails naming it, and it does not outlive the seed.
TEST(SeedRun, AGrandchildThatEscapesWithSetsidIsContainedAndKilled) {
  SeedRunOptions options = Options();
  options.artifact_dir = (fs::temp_directory_path() / "tinykv-seed-run-setsid").string();
  SeedResult r = RunTestSeed(Broken("GrandchildEscapesWithSetsid"), 1, options);
  EXPECT_EQ(r.outcome, Outcome::kStrayProcesses) << r.reason;
  std::ifstream kept(r.output_file);
  std::string output((std::istreambuf_iterator<char>(kept)), std::istreambuf_iterator<char>());
  const size_t at = output.find("escaped pid ");
  ASSERT_NE(at, std::string::npos) << output;
  const pid_t escaped = std::stoi(output.substr(at + std::string("escaped pid ").size()));
  EXPECT_NE(r.details.find("left running: pid " + std::to_string(escaped) + " "), std::string::npos)
      << r.details;
  EXPECT_EQ(kill(escaped, 0), -1) << "process " << escaped << " outlived its seed";
  EXPECT_EQ(errno, ESRCH);
  fs::remove_all(options.artifact_dir);
}

// Blocked or stopped, a test uses no CPU: the wall-clock bound ends it, and the reason says how
// little CPU it used.
TEST(SeedRun, ABlockedOrStoppedTestEndsAtTheWallClockBound) {
  SeedRunOptions options = Options();
  options.wall_clock_seconds = 1;
  for (const char* test : {"Blocks", "StopsItself"}) {
    SeedResult r = RunTestSeed(Broken(test), 1, options);
    EXPECT_EQ(r.outcome, Outcome::kTimeout) << test;
    EXPECT_NE(r.reason.find("after 1 s of wall-clock time, having used 0.0 s of CPU"),
              std::string::npos)
        << r.reason;
  }
}

TEST(SeedRun, TodoLinesAreCollected) {
  SeedResult r = RunTestSeed(Broken("PrintsTodo"), 1, Options());
  EXPECT_EQ(r.outcome, Outcome::kAssertion);
  ASSERT_EQ(r.todos.size(), 1u);
  EXPECT_EQ(r.todos[0], "TODO(lab9a) not implemented: Square (fixture/square.cc:3)");
}

TEST(SeedRun, RunFactsReachTheResult) {
  SeedResult r = RunTestSeed(Broken("ReportsFacts"), 7, Options());
  EXPECT_EQ(r.outcome, Outcome::kAssertion);
  EXPECT_EQ(r.facts["fingerprint"], "fp-7");
  EXPECT_NE(r.details.find("checker: not linearizable: ops 3, 4"), std::string::npos) << r.details;
}

TEST(SeedRun, MissingBinaryIsNotBuilt) {
  TestPlan plan = Broken("Passes");
  plan.binary = "no/such/binary";
  SeedResult r = RunTestSeed(plan, 1, Options());
  EXPECT_EQ(r.outcome, Outcome::kNotBuilt);
  EXPECT_NE(r.reason.find("no/such/binary"), std::string::npos) << r.reason;
}

TEST(SeedRun, OutputOfFailedSeedsIsKeptAndOfPassingSeedsDropped) {
  const fs::path root = fs::temp_directory_path() / ("seed-run-test-" + std::to_string(getpid()));
  SeedRunOptions options = Options();
  options.artifact_dir = (root / "fail").string();
  SeedResult failed = RunTestSeed(Broken("AssertionFails"), 1, options);
  ASSERT_FALSE(failed.output_file.empty());
  EXPECT_TRUE(fs::exists(failed.output_file));
  options.artifact_dir = (root / "pass").string();
  SeedResult passed = RunTestSeed(Broken("Passes"), 1, options);
  EXPECT_TRUE(passed.output_file.empty());
  EXPECT_FALSE(fs::exists(root / "pass"));
  fs::remove_all(root);
}

// The kept output.txt has all of a failing seed's output, not only the head and tail the runner
// holds in memory for its report.
TEST(SeedRun, TheKeptOutputIsWhole) {
  SeedRunOptions options = Options();
  options.artifact_dir = (fs::temp_directory_path() / "tinykv-seed-run-whole").string();
  SeedResult r = RunTestSeed(Broken("PrintsALotThenFails"), 1, options);
  EXPECT_EQ(r.outcome, Outcome::kAssertion);
  std::ifstream kept(r.output_file);
  std::string output((std::istreambuf_iterator<char>(kept)), std::istreambuf_iterator<char>());
  for (const char* line : {"\nline 0\n", "\nline 25000\n", "\nline 49999\n"}) {
    EXPECT_NE(output.find(line), std::string::npos) << line;
  }
  EXPECT_EQ(output.find("bytes of output omitted"), std::string::npos);
  fs::remove_all(options.artifact_dir);
}

}  // namespace
}  // namespace tinykv::grading::runner
