// Transactional histories for the list-append consistency checker (grading/check/si/).
//
// A TxnHistory is a list of completed transactions, each a sequence of micro-operations on
// list-valued keys: [:append k v] appends element v to the list at key k, [:r k [v ...]] reads
// the whole list. Keys and elements are EDN integers, keywords or strings; they are kept as their
// EDN text (12, :x, "s"), so 1 and "1" stay different. The checker assumes each element is
// appended to a key at most once (Elle's list-append contract; it rejects histories that don't).
//
// Reading Jepsen EDN (ParseListAppendHistory): a sequence of op maps, one per line, or one vector
// of them:
//   {:type :invoke, :process 0, :value [[:append 1 2] [:r 1 nil]]}
//   {:type :ok,     :process 0, :value [[:append 1 2] [:r 1 [1 2]]]}
// - With :process, an :invoke is paired with the next :ok / :fail / :info of the same process;
//   an :invoke never completed is :info. :ok takes its micro-ops from the completion (reads
//   filled in), :fail and :info from the invocation (their reads are unknown and dropped).
//   Ops of process :nemesis are ignored.
// - Without :process, each :ok / :fail / :info op is one completed transaction by itself and
//   :invoke ops are skipped.
// - :f, :time and other keys are ignored. :index, when present, names the transaction
//   (Txn::index); otherwise the 0-based position of its completing op in the file does.
// - A read of nil (an invocation's placeholder) is dropped.
// Errors are one line, kDataError: "h.edn:3:12: ...".
//
// Pure functions over strings and files; callable from any thread. Values are plain data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "grading/check/status.h"

namespace tinykv::check::si {

enum class TxnStatus { kOk, kFail, kInfo };

struct Mop {
  enum class Kind { kAppend, kRead };
  Kind kind = Kind::kAppend;
  std::string key;                // EDN text of the key
  std::string element;            // kAppend: EDN text of the appended element
  std::vector<std::string> read;  // kRead: EDN text of each element, in list order
};

struct Txn {
  TxnStatus status = TxnStatus::kOk;
  std::vector<Mop> mops;
  int64_t index = 0;  // name in witnesses ("T12"): :index, or the op's position in the file
  int line = 0;       // source line of the completing op (0 when built in memory)
};

struct TxnHistory {
  std::vector<Txn> txns;
};

// Parses Jepsen EDN text; `source` names it in error messages (a file name).
Result<TxnHistory> ParseListAppendHistory(std::string_view text, std::string_view source);

// Reads and parses a file. A missing or unreadable file is kNoInput.
Result<TxnHistory> ReadListAppendHistoryFile(const std::string& path);

}  // namespace tinykv::check::si
