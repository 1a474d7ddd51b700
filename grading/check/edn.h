// Jepsen EDN histories: reading them into a History and writing a History back out.
//
// Input format (what Jepsen and our scenarios write): a sequence of EDN maps, normally one per
// line, each an event of one process:
//   {:process 3, :type :invoke, :f :put, :key "k7", :value "x 3 1 y"}
//   {:process 3, :type :ok, :f :put, :key "k7", :value "x 3 1 y", :time 1250000000}
// - :process is an integer client id, or :nemesis for fault events (which become annotations:
//   a nemesis :invoke and the nemesis event that follows it make one interval).
// - :type is :invoke, then one of :ok / :fail / :info from the same process; an :invoke left
//   without completion at the end is :info (unknown outcome).
// - :f names the operation; :key its key (required when EdnReadOptions::require_key is set, as it
//   is for the kv model); :value the argument on :invoke and the result on :ok (a cas takes
//   [expected new]). Strings, numbers, keywords and nil are accepted as values; numbers are kept
//   as their text.
// - :time (integer nanoseconds) is optional but all-or-nothing; without it line numbers are the
//   times (History::times_are_lines). Other keys (:index, :error, ...) are ignored.
// Errors name the source and line: "h.edn:17: :ok for process 3 which has no pending :invoke".
//
// Pure functions over strings and files; callable from any thread.
#pragma once

#include <string>
#include <string_view>

#include "grading/check/history.h"
#include "grading/check/status.h"

namespace tinykv::check {

struct EdnReadOptions {
  bool require_key = false;  // every client operation must carry :key (kv histories)
};

// Parses `text`; `source` names it in error messages (a file name). Data errors are kDataError.
Result<History> ParseEdnHistory(std::string_view text, std::string_view source,
                                const EdnReadOptions& options = {});

// Reads and parses a file. A missing or unreadable file is kNoInput.
Result<History> ReadEdnHistoryFile(const std::string& path, const EdnReadOptions& options = {});

struct EdnWriteOptions {
  bool times = true;  // write :time on every event (otherwise line order carries the order)
};

// One map per line, events sorted by time (at equal times invocations first, so reading the file
// back without :time keeps such operations concurrent). ParseEdnHistory reads it back to an
// equivalent history.
std::string FormatEdnHistory(const History& history, const EdnWriteOptions& options = {});

// Writes FormatEdnHistory to `path`; kCantCreate when the file cannot be written.
Status WriteEdnHistoryFile(const std::string& path, const History& history,
                           const EdnWriteOptions& options = {});

}  // namespace tinykv::check
