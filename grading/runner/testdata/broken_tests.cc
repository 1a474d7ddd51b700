// Deliberately broken graded tests, for the grading runner's own tests (not registered with CTest:
// most of them are meant to fail). Each one ends in a different way the runner must classify.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "grading/runner/run_facts.h"
#include "grading/test_seed.h"

namespace {

TEST(Broken, Passes) { EXPECT_EQ(2 + 2, 4); }

TEST(Broken, AssertionFails) {
  int replicas = 2;
  // Non-ASCII on purpose: GoogleTest's JSON report escapes it byte by byte.
  EXPECT_EQ(replicas, 3) << "expected three replicas → got two";
}

TEST(Broken, NamesItsCause) {
  ADD_FAILURE() << "cause: durability: store 2 lost its vote\nhow to replay it";
}

TEST(Broken, Segfault) {
  volatile int* pointer = nullptr;
  *pointer = 1;
}

TEST(Broken, Aborts) { std::abort(); }

TEST(Broken, InfiniteLoop) {
  volatile unsigned long spins = 0;
  for (;;) spins = spins + 1;
}

// Allocates and touches memory until the address-space limit stops it.
TEST(Broken, MemoryBlowup) {
  std::vector<std::unique_ptr<char[]>> blocks;
  for (;;) {
    blocks.emplace_back(new char[16 << 20]);
    std::memset(blocks.back().get(), 1, 16 << 20);
  }
}

// 100 MB of output, far more than any cap the runner's tests use.
TEST(Broken, OutputFlood) {
  std::string line(1023, 'x');
  line += '\n';
  for (int i = 0; i < 100 * 1024; ++i) std::fwrite(line.data(), 1, line.size(), stdout);
}

// 50,000 numbered lines (about 600 KB: more than the runner keeps in memory), then a failure.
TEST(Broken, PrintsALotThenFails) {
  for (int i = 0; i < 50000; ++i) std::printf("line %d\n", i);
  FAIL() << "after a lot of output";
}

// Leaves the process before GoogleTest can record the test.
TEST(Broken, ExitsWithoutResult) {
  std::fflush(stdout);
  std::_Exit(0);
}

// An exception leaves the test body.
TEST(Broken, Throws) { throw std::runtime_error("region 7 not found in store 2"); }

// Replaces its own executable with a copy, as a relink of the build directory does (a new file
// renamed over the old one), then passes. Only ever run on a scratch copy of this binary.
TEST(Broken, IsRebuiltWhileItRuns) {
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  ASSERT_GT(n, 0);
  self[n] = '\0';
  const std::string path = self, copy = path + ".relinked";
  {
    std::ifstream in(path, std::ios::binary);
    std::ofstream out(copy, std::ios::binary);
    out << in.rdbuf();
  }
  ASSERT_EQ(chmod(copy.c_str(), 0755), 0);
  ASSERT_EQ(rename(copy.c_str(), path.c_str()), 0);
}

// Passes on even seeds, fails its assertion on odd ones.
TEST(Broken, PassesOnEvenSeeds) {
  uint64_t seed = tinykv::grading::TestSeed(0);
  EXPECT_EQ(seed % 2, 0u) << "seed " << seed << " is odd";
}

// Starts a grandchild that keeps the output pipe open after the test process exits: the runner
// must kill the process group and still finish.
TEST(Broken, LeavesGrandchild) {
  pid_t pid = fork();
  if (pid == 0) {
    for (;;) pause();
  }
  ASSERT_GT(pid, 0);
}

// A grandchild that leaves the process group and the session, then spins for ever; the test
// passes. It prints its pid so the runner's test can check it is gone afterwards.
TEST(Broken, GrandchildEscapesWithSetsid) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    setsid();
    std::printf("escaped pid %d\n", getpid());
    std::fflush(stdout);
    char one = 1;
    ssize_t ignored = write(ready[1], &one, 1);
    (void)ignored;
    volatile unsigned long spins = 0;
    for (;;) spins = spins + 1;
  }
  char one;
  ASSERT_EQ(read(ready[0], &one, 1), 1);
}

// Blocks without using CPU.
TEST(Broken, Blocks) {
  for (;;) pause();
}

// Stops itself (as a debugger or a stray SIGSTOP would).
TEST(Broken, StopsItself) { raise(SIGSTOP); }

// Prints a handout stub's message and fails, like a skeleton function left unimplemented.
TEST(Broken, PrintsTodo) {
  std::printf("TODO(lab9a) not implemented: Square (fixture/square.cc:3)\n");
  EXPECT_EQ(0, 9) << "Square(3)";
}

// Reports run facts through the child-run protocol, as a simulator scenario will.
TEST(Broken, ReportsFacts) {
  uint64_t seed = tinykv::grading::TestSeed(0);
  ASSERT_TRUE(tinykv::grading::ReportRunFact("fingerprint", "fp-" + std::to_string(seed)));
  ASSERT_TRUE(tinykv::grading::ReportRunFact("verdict", "not linearizable:\nops 3, 4"));
  FAIL() << "checker failed";
}

}  // namespace
