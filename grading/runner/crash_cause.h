// What a crashed test's own output says about why it died, beyond the signal.
//
// Two programs in a test process announce a fatal fault on stderr just before the signal that
// ends it, and each announcement is worth more to a student than "SIGABRT" or "SIGSEGV":
// - glibc's allocator (graded test binaries use it: cmake/TinykvHelpers.cmake) aborts on a double
//   free or a damaged heap with one line such as "free(): double free detected in tcache 2";
// - the simulator's fault handler (sim/stack_guard.h) prints kStackOverflowLine when a fiber runs
//   off the end of its stack into the guard page below it.
#pragma once

#include <string>
#include <string_view>

namespace tinykv::grading::runner {

// The seed's reason for a test that `signal` killed with `output` (stdout and stderr as
// captured), or "" when the output names no cause the runner knows. Reasons are the same for the
// same fault on every run, so that seeds failing the same way collapse into one line.
std::string CrashCauseFromOutput(int signal, std::string_view output);

}  // namespace tinykv::grading::runner
