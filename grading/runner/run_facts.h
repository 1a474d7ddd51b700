// The child-run protocol between `tinykv-grade` and one graded test process.
//
// The runner starts `BINARY --gtest_filter=Suite.Name --gtest_output=json:FILE` once per
// (test, seed), in its own process group and a fresh working directory, with these variables set
// in the environment:
//   TINYKV_SEED          the seed, decimal (read it with grading/test_seed.h).
//   TINYKV_RESULT_FILE   a file the test MAY append "run facts" to (below). Absent when the test
//                        was started by hand; ReportRunFact() is then a no-op.
//   TINYKV_ARTIFACT_DIR  a directory that outlives the run (for the trace and the HTML timeline).
//   TINYKV_TRACE_OUT, TINYKV_TIMELINE_OUT   set only by `tinykv-grade replay --trace/--html`:
//                        where the user asked the trace / timeline to be written.
//   TINYKV_SIM_BREAK     set only by `tinykv-grade debug --break` on a scenario: simulator
//                        breakpoint specs (as sim's --break: event:N, time:T, on:crash, ...) for
//                        the harness to install; gdb stops in tinykv_sim_break() (sim/debug.h).
// The pass / fail verdict and assertion messages come from GoogleTest's JSON report, not from here.
// Run facts add what GoogleTest cannot say; the runner prints them with the seed's result:
//   fingerprint HEX      hash of the run's event trace (check-determinism compares these)
//   trace PATH           the event trace written by this run
//   timeline PATH        the HTML timeline written by this run
//   verdict TEXT         a checker's one-line verdict (e.g. "not linearizable: ops 12, 17")
// The file is plain text, one "key value" pair per line; a key written twice keeps its last value.
//
// This header is dependency-free (target tinykv_grade_facts) so that the scenario harness can link
// it without pulling in the runner.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace tinykv::grading {

inline constexpr const char* kResultFileEnvVar = "TINYKV_RESULT_FILE";
inline constexpr const char* kArtifactDirEnvVar = "TINYKV_ARTIFACT_DIR";
inline constexpr const char* kTraceOutEnvVar = "TINYKV_TRACE_OUT";
inline constexpr const char* kTimelineOutEnvVar = "TINYKV_TIMELINE_OUT";
inline constexpr const char* kSimBreakEnvVar = "TINYKV_SIM_BREAK";
// A failure message line starting with this names the failure's cause in one line; the runner
// makes it the seed's reason (instead of "assertion failed at file:line").
inline constexpr std::string_view kCauseLinePrefix = "cause: ";

// Appends "key value" to the file named by TINYKV_RESULT_FILE; does nothing when it is unset.
// Newlines in `value` become spaces. `key` must be one word. Returns false when the file could not
// be written (the run's verdict does not depend on it, so callers usually ignore this).
bool ReportRunFact(std::string_view key, std::string_view value);

// Where a test writes a file of `name`'s run at `seed` (its history, timeline, report):
// $TINYKV_ARTIFACT_DIR/<name>-seed<S><ext> (the runner's build/grade-artifacts/<Test>/seed-<S>/),
// else, started by hand, tinykv-artifacts/<name>/seed-<S>/ under the working directory — never a
// fixed name in a shared directory such as /tmp. The directory is created.
std::string ArtifactPath(const std::string& name, uint64_t seed, const std::string& ext);

// Reads a run-facts file. A missing or unreadable file yields an empty map (a test that reports
// nothing is normal); malformed lines (no space) are skipped.
std::map<std::string, std::string> ReadRunFacts(const std::string& path);

}  // namespace tinykv::grading
