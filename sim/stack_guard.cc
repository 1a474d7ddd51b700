#include "sim/stack_guard.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <mutex>

namespace tinykv::sim {
namespace {

thread_local const RunningFiberStack* running_fiber = nullptr;

struct sigaction previous_segv;
struct sigaction previous_bus;

// Appends `text` to buf (of `capacity`) at *length, truncating; async-signal-safe.
void Append(char* buf, size_t capacity, size_t* length, const char* text) {
  for (; *text != '\0' && *length + 1 < capacity; ++text) buf[(*length)++] = *text;
}

void AppendNumber(char* buf, size_t capacity, size_t* length, size_t value) {
  char digits[24];
  size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0);
  while (n > 0 && *length + 1 < capacity) buf[(*length)++] = digits[--n];
}

void ReportOverflow(const RunningFiberStack& fiber) {
  char line[512];
  size_t length = 0;
  const std::string_view start = kStackOverflowLine;
  for (char c : start) {
    if (length + 1 < sizeof line) line[length++] = c;
  }
  Append(line, sizeof line, &length, fiber.fiber_name);
  Append(line, sizeof line, &length, "' on node '");
  Append(line, sizeof line, &length, fiber.node_name);
  Append(line, sizeof line, &length, "' (its stack is ");
  AppendNumber(line, sizeof line, &length, fiber.stack_size / 1024);
  Append(line, sizeof line, &length,
         " KiB: unbounded recursion, or a large array on the stack?)\n");
  ssize_t ignored = write(STDERR_FILENO, line, length);
  (void)ignored;
}

void OnFault(int signal, siginfo_t* info, void* context) {
  const RunningFiberStack* fiber = running_fiber;
  if (fiber != nullptr && fiber->stack_bottom != nullptr) {
    const auto address = reinterpret_cast<uintptr_t>(info->si_addr);
    const auto bottom = reinterpret_cast<uintptr_t>(fiber->stack_bottom);
    if (address < bottom && address >= bottom - fiber->guard_size) ReportOverflow(*fiber);
  }
  // Hand the fault on: restore what was there before and return, so the faulting instruction
  // runs again under it (the default action kills the process with this very signal).
  const struct sigaction& previous = signal == SIGSEGV ? previous_segv : previous_bus;
  if ((previous.sa_flags & SA_SIGINFO) != 0 && previous.sa_sigaction != nullptr) {
    sigaction(signal, &previous, nullptr);
    previous.sa_sigaction(signal, info, context);
    return;
  }
  sigaction(signal, &previous, nullptr);
}

// One alternate signal stack per thread that runs fibers, released with the thread.
struct AltStack {
  void* memory = nullptr;
  size_t size = 0;
  ~AltStack() {
    if (memory == nullptr) return;
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    sigaltstack(&off, nullptr);
    munmap(memory, size);
  }
};
thread_local AltStack alt_stack;

}  // namespace

void PrepareStackOverflowReport() {
  static std::once_flag installed;
  std::call_once(installed, [] {
    struct sigaction action {};
    action.sa_sigaction = OnFault;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &previous_segv);
    sigaction(SIGBUS, &action, &previous_bus);
  });
  stack_t current{};
  if (sigaltstack(nullptr, &current) == 0 && (current.ss_flags & SS_DISABLE) == 0) return;
  if (alt_stack.memory != nullptr) return;
  // Large enough for the handler and for a handler it passes the fault on to (ASan's).
  const size_t size = 64 * 1024;
  void* memory = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) return;  // no report then, the fault itself still kills the process
  stack_t stack{};
  stack.ss_sp = memory;
  stack.ss_size = size;
  if (sigaltstack(&stack, nullptr) != 0) {
    munmap(memory, size);
    return;
  }
  alt_stack.memory = memory;
  alt_stack.size = size;
}

void SetRunningFiberStack(const RunningFiberStack* fiber) noexcept { running_fiber = fiber; }

}  // namespace tinykv::sim
