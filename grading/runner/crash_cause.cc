#include "grading/runner/crash_cause.h"

#include <csignal>

#include "sim/stack_guard.h"

namespace tinykv::grading::runner {
namespace {

// The whole line of `output` that contains `needle`, or "".
std::string_view LineWith(std::string_view output, std::string_view needle) {
  const size_t at = output.find(needle);
  if (at == std::string_view::npos) return {};
  const size_t start = output.rfind('\n', at);
  const size_t begin = start == std::string_view::npos ? 0 : start + 1;
  const size_t end = output.find('\n', at);
  std::string_view line = output.substr(begin, end == std::string_view::npos ? end : end - begin);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// glibc's malloc_printerr() messages that mean the heap was damaged: each starts a line and
// contains one of these. Sure double frees first: they get a reason of their own. glibc's
// "double free or corruption (out|top|!prev)" is as often an overrun as a double free, so it is
// reported as damage with its own words.
constexpr std::string_view kDoubleFree[] = {
    "free(): double free detected",
    "double free or corruption (fasttop)",
};
constexpr std::string_view kHeapDamage[] = {
    "free(): invalid pointer",
    "free(): invalid size",
    "free(): invalid next size",
    "free(): unaligned chunk",
    "free(): too many chunks detected in tcache",
    "munmap_chunk(): invalid pointer",
    "realloc(): invalid",
    "malloc(): corrupted",
    "malloc(): unaligned",
    "malloc(): unsorted double linked list corrupted",
    "malloc(): invalid",
    "malloc(): mismatching next->prev_size",
    "malloc(): smallbin double linked list corrupted",
    "malloc_consolidate(): ",
    "corrupted size vs. prev_size",
    "corrupted double-linked list",
    "double free or corruption",
};

std::string HeapCorruption(std::string_view output) {
  for (std::string_view message : kDoubleFree) {
    if (!LineWith(output, message).empty()) {
      return "heap corruption: double free (the same memory freed or deleted twice; glibc "
             "stopped the test)";
    }
  }
  for (std::string_view message : kHeapDamage) {
    if (std::string_view line = LineWith(output, message); !line.empty()) {
      return "heap corruption: \"" + std::string(line) +
             "\" (glibc stopped the test: a write past an allocation, a use after free, or a free "
             "of memory not from new/malloc)";
    }
  }
  return "";
}

}  // namespace

std::string CrashCauseFromOutput(int signal, std::string_view output) {
  if (signal == SIGSEGV || signal == SIGBUS) {
    if (std::string_view line = LineWith(output, sim::kStackOverflowLine); !line.empty()) {
      return "crash: " + std::string(line.substr(line.find(sim::kStackOverflowLine)));
    }
  }
  if (signal == SIGABRT) return HeapCorruption(output);
  return "";
}

}  // namespace tinykv::grading::runner
