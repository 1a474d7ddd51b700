// AddressSanitizer checks for the fiber executor (build with -DASAN=ON to make them bite).
//
// Switching stacks behind ASan's back gives false reports (its idea of "the" stack is wrong after
// a switch, and exceptions unwinding on a fiber stack make it clear poison on the wrong range). The
// executor annotates every switch (sim/asan_fiber.h); these tests exercise every kind of switch —
// first start, yield, park/wake through channels and sleeps, exceptions thrown and caught inside a
// fiber, a node crashing (fibers unwound by FiberKilled, from outside and from within), restart,
// and Shutdown unwinding suspended fibers — and expect no report. The death tests check the other
// direction: a real heap or stack overflow inside a fiber IS reported.
//
// Without ASan the scenario still runs (it checks the executor's results); only the death tests
// skip, because the detector they test does not exist in that build.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/executor.h"
#include "sim/sync.h"

#if defined(__SANITIZE_ADDRESS__)
#define TINYKV_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TINYKV_TEST_ASAN 1
#endif
#endif

#ifdef TINYKV_TEST_ASAN
// Also check the fake stacks of stack-use-after-return detection: the executor hands ASan a fake
// stack handle at every switch, and this makes ASan use it. Still overridable by ASAN_OPTIONS.
extern "C" const char* __asan_default_options() { return "detect_stack_use_after_return=1"; }
#endif

namespace tinykv::sim {
namespace {

// Counts live instances: crash unwinding must run every destructor.
struct LiveCounter {
  explicit LiveCounter(int* live) : live_(live) { ++*live_; }
  ~LiveCounter() { --*live_; }
  LiveCounter(const LiveCounter&) = delete;
  LiveCounter& operator=(const LiveCounter&) = delete;
  int* live_;
};

// Recurses with a stack array live across a switch at the bottom: a wrong idea of the stack bounds
// or stale poison shows up as a report on these reads and writes.
__attribute__((noinline)) uint64_t DeepSum(int depth, uint64_t salt) {
  std::array<uint64_t, 32> local;
  std::iota(local.begin(), local.end(), salt);
  uint64_t below = 0;
  if (depth > 0) {
    below = DeepSum(depth - 1, salt + 1);
  } else {
    Yield();
  }
  return below + std::accumulate(local.begin(), local.end(), uint64_t{0});
}

__attribute__((noinline)) void ThrowFromDepth(int depth) {
  std::array<char, 64> pad{};
  pad[static_cast<size_t>(depth) % pad.size()] = 1;
  if (depth == 0) throw std::runtime_error("expected");
  ThrowFromDepth(depth - 1);
  asm volatile("" : : "r"(pad.data()) : "memory");
}

struct ScenarioResult {
  RunResult run;
  uint64_t received = 0;
  uint64_t deep_sums = 0;
  int exceptions_caught = 0;
  int live_after = -1;
  int self_crashes = 0;
};

// Three nodes; each runs a producer and a consumer over a capacity-1 channel (so both sides block),
// a worker that recurses, yields and throws, and a main loop that sleeps. The world crashes and
// restarts nodes while all of that is suspended mid-stack; node 3 also crashes itself.
ScenarioResult RunSwitchHeavyScenario(uint64_t seed) {
  ScenarioResult result;
  int live = 0;
  {
    Executor ex(ExecutorOptions{.seed = seed});
    for (NodeId id = 1; id <= 3; ++id) {
      ex.AddNode(id, "node" + std::to_string(id), [&, id] {
        LiveCounter main_guard(&live);
        auto chan = std::make_shared<Channel<std::string>>("pipe", 1);
        Go("producer", [&, chan] {
          LiveCounter guard(&live);
          for (uint64_t i = 0;; ++i) {
            std::string payload(64 + i % 200, 'x');  // heap data crossing switches
            if (!chan->Send(std::move(payload))) return;
            if (i % 3 == 0) Sleep(3ms);
          }
        });
        Go("consumer", [&, chan] {
          LiveCounter guard(&live);
          for (;;) {
            std::optional<std::string> got = chan->Recv(20ms);
            if (got && got->size() >= 64) ++result.received;
          }
        });
        Go("worker", [&, id] {
          LiveCounter guard(&live);
          for (int round = 0;; ++round) {
            result.deep_sums += DeepSum(8, round) > 0 ? 1 : 0;
            try {
              ThrowFromDepth(6);
            } catch (const std::runtime_error&) {
              ++result.exceptions_caught;
            }
            Sleep(7ms);
            if (id == 3 && round == 40 && result.self_crashes == 0) {
              ++result.self_crashes;
              Executor::Current().Crash(3);  // unwinds this very fiber
            }
          }
        });
        for (;;) Sleep(5ms);
      });
    }
    result.run = ex.Run([&] {
      for (NodeId id = 1; id <= 3; ++id) ex.Start(id);
      for (int round = 0; round < 6; ++round) {
        Sleep(50ms);
        const NodeId victim = static_cast<NodeId>(1 + round % 2);
        ex.Crash(victim);
        Sleep(10ms);
        ex.Restart(victim);
        if (ex.node_state(3) == NodeState::kDown) ex.Restart(3);
      }
      Sleep(100ms);
    });
    ex.Shutdown();  // unwinds the fibers still suspended mid-stack
    result.live_after = live;
  }
  return result;
}

TEST(AsanFibers, SwitchHeavyScenarioRunsCleanly) {
#ifdef TINYKV_TEST_ASAN
  std::printf("AddressSanitizer is on: any false report on a stack switch aborts this test\n");
#endif
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    ScenarioResult r = RunSwitchHeavyScenario(seed);
    EXPECT_EQ(r.run.outcome, RunOutcome::kCompleted) << r.run.report;
    EXPECT_GT(r.received, 100u);
    EXPECT_GT(r.deep_sums, 50u);
    EXPECT_GT(r.exceptions_caught, 50);
    EXPECT_EQ(r.self_crashes, 1);
    EXPECT_EQ(r.live_after, 0) << "some fiber was not unwound";
  }
}

#ifdef TINYKV_TEST_ASAN

__attribute__((noinline)) void OverflowHeapInFiber() {
  char* buffer = new char[16];
  // The asm makes the buffer escape: without it -O2 may elide the allocation and the store.
  asm volatile("" : : "r"(buffer) : "memory");
  volatile size_t index = 16;  // one past the end, hidden from the optimiser
  buffer[index] = 'x';
  asm volatile("" : : "r"(buffer) : "memory");
  delete[] buffer;
}

__attribute__((noinline)) void OverflowStackInFiber() {
  char buffer[16];
  volatile size_t index = 24;
  buffer[index] = 'x';
  asm volatile("" : : "r"(buffer) : "memory");
}

void RunWithBugInFiber(void (*bug)()) {
  Executor ex;
  ex.Run([&] {
    Go("bystander", [] {
      for (;;) Sleep(1ms);
    });
    Go("buggy", [bug] {
      Sleep(5ms);
      DeepSum(4, 1);  // a few switches first, so the report comes from a well-used fiber
      bug();
    });
    Sleep(1s);
  });
}

#endif  // TINYKV_TEST_ASAN

TEST(AsanFibersDeathTest, HeapOverflowInFiberIsReported) {
#ifdef TINYKV_TEST_ASAN
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(RunWithBugInFiber(&OverflowHeapInFiber), "heap-buffer-overflow");
#else
  GTEST_SKIP() << "built without AddressSanitizer (configure with -DASAN=ON to run this check)";
#endif
}

TEST(AsanFibersDeathTest, StackOverflowInFiberIsReported) {
#ifdef TINYKV_TEST_ASAN
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(RunWithBugInFiber(&OverflowStackInFiber), "stack-buffer-overflow");
#else
  GTEST_SKIP() << "built without AddressSanitizer (configure with -DASAN=ON to run this check)";
#endif
}

}  // namespace
}  // namespace tinykv::sim
