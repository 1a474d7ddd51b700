// tinykv-lincheck: checks a Jepsen EDN history for linearizability (DESIGN.md §6).
//
//   tinykv-lincheck --model kv|register HISTORY.edn [--html F] [--timeout SECONDS]
//
// Exit status: 0 linearizable, 1 not linearizable, 2 unknown (time budget hit); 64 usage error,
// 65 malformed history, 66 history file missing or unreadable, 73 HTML file cannot be written.
// The verdict goes to stdout with its explanation; errors are one line on stderr.
// The only translation unit that includes CLI11 (it is slow to compile).
#include "grading/check/cli_args.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>

#include "grading/check/checker.h"
#include "grading/check/edn.h"
#include "grading/check/timeline_html.h"

namespace {

using tinykv::check::Status;

int Fail(const Status& s) {
  std::cerr << "tinykv-lincheck: " << s.message() << "\n";
  return static_cast<int>(s.code());
}

int Run(int argc, char** argv) {
  CLI::App app{
      "Checks a Jepsen EDN history for linearizability.\n"
      "Exit status: 0 linearizable, 1 not linearizable, 2 unknown (budget hit), "
      "64+ usage or input error.",
      "tinykv-lincheck"};
  std::string model_name;
  std::string history_path;
  std::string html_path;
  double timeout_seconds = 60;
  bool no_partition = false;
  app.add_option("--model", model_name, "Sequential model: kv or register")
      ->required()
      ->check(CLI::IsMember({"kv", "register"}));
  app.add_option("history", history_path, "History file (EDN, one map per line)")->required();
  app.add_option("--html", html_path, "Also write a self-contained HTML timeline to this file");
  app.add_option("--timeout", timeout_seconds,
                 "Time budget in seconds; when it runs out the verdict is unknown (exit 2)")
      ->check(tinykv::check::Seconds());
  app.add_flag("--no-partition", no_partition,
               "Search the whole history at once instead of each key alone (slow; for comparison)");
  if (auto code = tinykv::check::ParseArgs(
          app, argc, argv, "tinykv-lincheck",
          "tinykv-lincheck --model kv|register HISTORY.edn [--html F] [--timeout SECONDS]",
          static_cast<int>(Status::Code::kUsage))) {
    return *code;
  }
  if (Status s = tinykv::check::CheckHistoryFile(history_path); !s.ok()) return Fail(s);

  const tinykv::check::Model* model = tinykv::check::FindModel(model_name);
  tinykv::check::EdnReadOptions read_options;
  read_options.require_key = model_name == "kv";
  auto history = tinykv::check::ReadEdnHistoryFile(history_path, read_options);
  if (!history.ok()) return Fail(history.status());

  tinykv::check::CheckOptions options;
  options.timeout = std::chrono::nanoseconds(static_cast<int64_t>(timeout_seconds * 1e9));
  options.partition = !no_partition;
  auto result = tinykv::check::Check(*history, *model, options);
  if (!result.ok()) return Fail(Status::DataError(history_path + ": " + result.status().message()));

  std::cout << history_path << ": " << result->report;
  if (!html_path.empty()) {
    tinykv::check::TimelineOptions html_options;
    html_options.title = "tinykv-lincheck: " + history_path;
    Status s = tinykv::check::WriteTimelineHtml(html_path, *history, *model, *result, html_options);
    if (!s.ok()) return Fail(s);
    std::cout << "timeline: " << html_path << "\n";
  }
  switch (result->verdict) {
    case tinykv::check::Verdict::kLinearizable:
      return 0;
    case tinykv::check::Verdict::kNotLinearizable:
      return 1;
    case tinykv::check::Verdict::kUnknown:
      return 2;
  }
  return 2;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
