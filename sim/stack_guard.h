// Names the fiber whose stack overflowed.
//
// Every fiber stack has a PROT_NONE guard page below it (sim/stack_pool.h), so recursing past the
// end of a stack faults at once. Without help that is a bare SIGSEGV, which a student cannot tell
// from a null pointer. The executor tells this module which fiber is running; a SIGSEGV / SIGBUS
// handler, on an alternate signal stack (the faulting stack has no room left), checks whether the
// fault address is in that fiber's guard page and, if so, writes one line to stderr:
//
//   stack overflow: guard page hit in fiber 'raft-worker' on node 'store2' (its stack is 64 KiB:
//   unbounded recursion, or a large array on the stack?)
//
// then hands the fault on unchanged (to the handler installed before, e.g. AddressSanitizer's, or
// the default action: the process still dies of SIGSEGV, and a debugger still stops there). The
// grading runner turns that line into the seed's reason (grading/runner/crash_cause.h).
#pragma once

#include <cstddef>
#include <string_view>

namespace tinykv::sim {

// The start of the line printed for an overflow; the fiber's name follows.
inline constexpr std::string_view kStackOverflowLine = "stack overflow: guard page hit in fiber '";

// What the handler needs to know about the running fiber. The strings must outlive the fiber.
struct RunningFiberStack {
  const char* stack_bottom = nullptr;  // lowest usable byte; the guard page is just below
  size_t stack_size = 0;
  size_t guard_size = 0;
  const char* fiber_name = "";
  const char* node_name = "";
};

// Installs the handler (once per process) and an alternate signal stack for the calling thread
// (unless it has one). Call on the thread that will run fibers, before it runs them.
void PrepareStackOverflowReport();

// The fiber now running on this thread, or nullptr while the scheduler runs. Cheap: a pointer
// store.
void SetRunningFiberStack(const RunningFiberStack* fiber) noexcept;

}  // namespace tinykv::sim
