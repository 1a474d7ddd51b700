// A fiber that overflows its stack is named on stderr before the process dies (sim/stack_guard.h);
// other faults are left as they are.
#include "sim/stack_guard.h"

#include <gtest/gtest.h>

#include <csignal>
#include <limits>

#include "sim/executor.h"

namespace tinykv::sim {
namespace {

using namespace std::chrono_literals;

// Recursion the compiler can neither drop nor turn into a loop: every frame holds a live array.
volatile int depth_limit = std::numeric_limits<int>::max();
int Recurse(int depth) {
  volatile char frame[512];
  frame[0] = static_cast<char>(depth);
  if (depth == depth_limit) return 0;
  return Recurse(depth + 1) + frame[0];
}

volatile int* null_pointer = nullptr;

// Node 3 ("store3") runs `body` in a fiber named "deep-recursion" after some scheduling first.
void RunOnNode(void (*body)()) {
  Executor ex(ExecutorOptions{.seed = 1});
  ex.AddNode(3, "store3", [] {
    for (;;) Sleep(1ms);
  });
  ex.Run([&] {
    Executor::Current().Start(3);
    Sleep(3ms);
    Executor::Current().SpawnOn(3, "deep-recursion", [body] {
      Sleep(2ms);
      body();
    });
    Sleep(1s);
  });
}

TEST(StackGuardDeathTest, OverflowNamesTheFiberAndItsNode) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(RunOnNode([] { Recurse(0); }),
               "stack overflow: guard page hit in fiber 'deep-recursion' on node 'store3' \\(its "
               "stack is 64 KiB");
}

TEST(StackGuardDeathTest, OtherFaultsAreNotCalledAnOverflow) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer reports the fault itself";
#else
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // Killed by the same signal, and nothing printed: the fault reaches the default action.
  EXPECT_EXIT(RunOnNode([] { *null_pointer = 1; }), testing::KilledBySignal(SIGSEGV), "^$");
#endif
}

TEST(StackGuardDeathTest, OverflowOutsideFibersIsNotNamed) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer reports the fault itself";
#else
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // The scheduler's own thread stack has no fiber to name.
  EXPECT_EXIT(
      {
        Executor ex;
        Recurse(0);
      },
      testing::KilledBySignal(SIGSEGV), "^$");
#endif
}

}  // namespace
}  // namespace tinykv::sim
