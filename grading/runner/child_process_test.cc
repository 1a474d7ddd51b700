// RunChild(): capture, limits and spawn errors, with /bin/sh as the child.
#include "grading/runner/child_process.h"

#include <gtest/gtest.h>
#include <signal.h>

namespace tinykv::grading::runner {
namespace {

ChildSpec Shell(const std::string& script) {
  ChildSpec spec;
  spec.argv = {"/bin/sh", "-c", script};
  spec.timeout_seconds = 20;
  return spec;
}

TEST(ChildProcess, ExitCodeAndMergedOutput) {
  ChildOutcome out = RunChild(Shell("echo out; echo err >&2; exit 3"));
  ASSERT_EQ(out.end, ChildOutcome::End::kExited);
  EXPECT_EQ(out.exit_code, 3);
  EXPECT_EQ(out.Output(), "out\nerr\n");
}

TEST(ChildProcess, KeepsHeadAndTailOfLongOutput) {
  ChildSpec spec = Shell("i=0; while [ $i -lt 2000 ]; do echo line$i; i=$((i+1)); done");
  spec.keep_head_bytes = 12;
  spec.keep_tail_bytes = 10;
  ChildOutcome out = RunChild(spec);
  EXPECT_EQ(out.head, "line0\nline1\n");
  EXPECT_EQ(out.tail, "\nline1999\n");
  EXPECT_GT(out.output_bytes, 10000u);
  EXPECT_NE(out.Output().find("bytes of output omitted"), std::string::npos);
}

TEST(ChildProcess, EnvironmentAndWorkingDirectory) {
  ChildSpec spec = Shell("echo \"$TINYKV_X\"; pwd");
  spec.env = {{"TINYKV_X", "forty two"}};
  spec.working_dir = "/";
  EXPECT_EQ(RunChild(spec).Output(), "forty two\n/\n");
}

TEST(ChildProcess, SignalIsReported) {
  ChildOutcome out = RunChild(Shell("kill -SEGV $$"));
  ASSERT_EQ(out.end, ChildOutcome::End::kSignaled);
  EXPECT_EQ(out.term_signal, SIGSEGV);
}

TEST(ChildProcess, WatchdogFiresEvenAfterTheChildClosesItsOutput) {
  ChildSpec spec = Shell("exec >&- 2>&-; exec sleep 30");
  spec.timeout_seconds = 0.3;
  ChildOutcome out = RunChild(spec);
  EXPECT_EQ(out.end, ChildOutcome::End::kTimedOut);
  EXPECT_LT(out.wall_seconds, 5);
}

TEST(ChildProcess, MissingProgramIsASpawnFailure) {
  ChildSpec spec;
  spec.argv = {"/nonexistent/program"};
  ChildOutcome out = RunChild(spec);
  EXPECT_EQ(out.end, ChildOutcome::End::kSpawnFailed);
  EXPECT_NE(out.spawn_error.find("/nonexistent/program"), std::string::npos) << out.spawn_error;
}

TEST(ChildProcess, BadWorkingDirectoryIsASpawnFailure) {
  ChildSpec spec = Shell("true");
  spec.working_dir = "/nonexistent/dir";
  EXPECT_EQ(RunChild(spec).end, ChildOutcome::End::kSpawnFailed);
}

TEST(ChildProcess, DescribeSignalNamesIt) {
  EXPECT_EQ(DescribeSignal(SIGABRT).rfind("SIGABRT (", 0), 0u) << DescribeSignal(SIGABRT);
}

}  // namespace
}  // namespace tinykv::grading::runner
