// Deliberately broken graded tests that damage memory, for the grading runner's own tests (not
// registered with CTest). Linked the way graded lab tests are: glibc's allocator, which checks
// frees (tinykv_use_checking_allocator), and the simulator, whose fibers have guarded stacks.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <limits>
#include <memory>

#include "sim/executor.h"

namespace {

// Hidden from the optimiser, so the frees below are not proven wrong (and dropped) at compile time.
template <typename T>
T* Launder(T* pointer) {
  asm volatile("" : "+r"(pointer));
  return pointer;
}

struct Entry {
  long index = 0;
  long term = 0;
};

// The classic: two owners of one raw pointer, both deleting it.
TEST(BrokenMemory, DoubleDelete) {
  Entry* entry = Launder(new Entry{7, 2});
  delete entry;
  delete Launder(entry);
}

// Writing past the end of a buffer damages the allocator's bookkeeping of the next chunk.
TEST(BrokenMemory, WritesPastItsBuffer) {
  char* buffer = Launder(new char[24]);
  char* next = Launder(new char[24]);
  // Runs over the end of `buffer` into the header of the chunk after it (its size word), the way
  // an off-by-some loop does: glibc notices when that chunk is freed.
  std::memset(Launder(buffer), 0x41, 48);
  delete[] next;
  delete[] buffer;
}

volatile int depth_limit = std::numeric_limits<int>::max();
int Recurse(int depth) {
  volatile char frame[512];
  frame[0] = static_cast<char>(depth);
  if (depth == depth_limit) return 0;
  return Recurse(depth + 1) + frame[0];
}

// Unbounded recursion inside a simulated node's fiber.
TEST(BrokenMemory, FiberStackOverflow) {
  using namespace std::chrono_literals;
  tinykv::sim::Executor ex(tinykv::sim::ExecutorOptions{.seed = 1});
  ex.AddNode(2, "store2", [] { Recurse(0); });
  ex.Run([] {
    tinykv::sim::Executor::Current().Start(2);
    tinykv::sim::Sleep(1s);
  });
}

}  // namespace
