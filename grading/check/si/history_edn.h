// Reading Jepsen EDN transactional histories into a TxnHistory (txn_history.h).
//
// The input is a sequence of op maps, one per line, or one vector of them:
//   {:type :invoke, :process 0, :time 10, :value [[:append 1 2] [:r 1 nil]]}
//   {:type :ok,     :process 0, :time 25, :value [[:append 1 2] [:r 1 [1 2]]]}
// Micro-ops: list-append [:append k v] and [:r k [v ...]]; rw-register [:w k v] and [:r k v].
// - With :process, an :invoke is paired with the next :ok / :fail / :info of the same process;
//   an :invoke never completed is :info. :ok takes its micro-ops from the completion (reads filled
//   in), :fail and :info from the invocation (their reads are unknown and dropped). Ops of
//   process :nemesis are ignored. Such a txn knows its invocation's position (real-time order).
// - Without :process, each :ok / :fail / :info op is one completed transaction by itself and
//   :invoke ops are skipped; its invocation is unknown.
// - :f and other keys are ignored; :time (an integer) is kept for the report. :index, when
//   present, names the transaction (Txn::index); otherwise the 0-based position of its completing
//   op in the file does.
// - In an :ok read, nil is the empty list (list-append) or the register's initial state
//   (rw-register). A read of nil in an invocation is its placeholder.
// Errors are one line, kDataError: "h.edn:3:12: ...". The file is read in chunks and each op is
// turned into compact form at once, so memory is that of the TxnHistory, not of the text.
//
// Pure functions over strings and files; callable from any thread.
#pragma once

#include <string>
#include <string_view>

#include "grading/check/si/budget.h"
#include "grading/check/si/txn_history.h"
#include "grading/check/status.h"

namespace tinykv::check::si {

struct ReadOptions {
  Workload workload = Workload::kListAppend;
  // When it runs out, reading stops: the history returned holds the transactions completed so far
  // and has `truncated` set. nullptr: no limit.
  Budget* budget = nullptr;
};

// Parses Jepsen EDN text; `source` names it in error messages (a file name).
Result<TxnHistory> ParseTxnHistory(std::string_view text, std::string_view source,
                                   const ReadOptions& options = {});

// Reads and parses a file. A missing or unreadable file is kNoInput.
Result<TxnHistory> ReadTxnHistoryFile(const std::string& path, const ReadOptions& options = {});

}  // namespace tinykv::check::si
