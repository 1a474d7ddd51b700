// For the CLI contract tests of the checkers (lincheck_cli_test, si/sicheck_cli_test): runs a
// built binary with arguments through the shell and keeps its exit code and output.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace tinykv::check {

struct CliRun {
  int code = -1;       // the exit code; -1 when it did not exit normally
  std::string output;  // stdout and stderr
};

inline CliRun RunCli(const std::string& binary, const std::string& args) {
  const std::string cmd = binary + " " + args + " 2>&1";
  CliRun run;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) run.output.append(buf, n);
  const int status = pclose(pipe);
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace tinykv::check
