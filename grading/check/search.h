// The search core of the linearizability checker (internal to tinykv_check; use checker.h).
//
// Wing & Gong's search with Lowe's just-in-time refinement, as Porcupine does it, made compact:
// - the history of one partition is a doubly linked list of call / return entries in time order
//   (at equal times calls first, so touching operations count as concurrent);
// - scanning from the front, a call entry is a candidate to linearize next; a return entry reached
//   before its operation was linearized means the current prefix is a dead end → backtrack;
// - the linearized set is a bitset with an incrementally maintained Zobrist hash, and states are
//   32-bit ids of interned register values, so the memo of visited (set, state) pairs is a flat
//   open-addressing table of words compared with memcmp;
// - operations with unknown outcome return "never": they may be linearized anywhere after their
//   call or not at all, so the search succeeds once every operation that did return is placed.
// In a failing search every reachable (set, state) is visited once, so the longest prefix seen is
// the longest linearizable prefix there is (used by the failure report).
//
// Not thread-safe: tables and a search belong to one caller.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "grading/check/model.h"

namespace tinykv::check::internal {

// Register values, hash-consed so that the search never builds a string. A value is nil (id 0),
// a literal from the history, or an append node (value, literal suffix); each node carries its
// length and a polynomial hash of its text, so an append is one table lookup. The same id always
// means the same text; two ids may spell the same text (e.g. put 'ab' vs. put 'a' + append 'b'),
// which only costs the memo some sharing — equality for reads is decided by Equal(), exactly.
class ValueTable {
 public:
  ValueTable();
  // Id of a literal (equal literals share an id).
  uint32_t Intern(const std::optional<std::string>& v);
  // The text of a value (built on demand; for reports, not for the search loop).
  std::optional<std::string> Get(uint32_t id) const;
  // Id of `value` followed by literal `suffix` (nil counts as ""); memoised per pair.
  uint32_t Append(uint32_t value, uint32_t suffix);
  // True iff the two values have the same text (nil equals only nil).
  bool Equal(uint32_t x, uint32_t y);
  // False only when `prefix` is certainly not a prefix of `value` (nil is a prefix of any text,
  // and no non-nil text is a prefix of nil). Prefix hashes of `value` are computed once.
  bool MaybePrefix(uint32_t prefix, uint32_t value);

 private:
  struct Node {
    uint32_t parent;  // kNone for literals
    uint32_t piece;   // index into pieces_
    uint64_t length;
    uint64_t hash;
    uint64_t power;  // kBase^length
  };
  static constexpr uint32_t kNone = 0xFFFFFFFFu;

  std::vector<Node> nodes_;
  std::vector<std::string> pieces_;
  std::unordered_map<std::string, uint32_t> literals_;
  std::unordered_map<uint64_t, uint32_t> appends_;
  std::unordered_map<uint64_t, bool> equal_;
  std::unordered_map<uint32_t, std::vector<uint64_t>>
      prefix_hashes_;  // verified (x, y) comparisons with equal hashes
};

// States of `registers` independent registers. With one register a state id is its value id (no
// indirection at all); with more, states are interned tuples of value ids.
class StateTable {
 public:
  StateTable(ValueTable* values, uint32_t registers, uint32_t initial_value);
  uint32_t initial() const { return initial_; }
  uint32_t ValueOf(uint32_t state, uint32_t reg) const {
    return registers_ == 1 ? state : tuples_[size_t(state) * registers_ + reg];
  }
  uint32_t With(uint32_t state, uint32_t reg, uint32_t value);
  ValueTable& values() { return *values_; }

 private:
  uint32_t InternTuple(const uint32_t* tuple);
  uint64_t HashTuple(const uint32_t* tuple) const;

  ValueTable* values_;
  uint32_t registers_;
  uint32_t initial_ = 0;
  std::vector<uint32_t> tuples_;   // registers_ ids per state
  std::vector<uint32_t> slots_;    // open-addressing index of tuples_ by hash
  std::vector<uint32_t> scratch_;  // the tuple being built
};

struct SearchOp {
  int64_t call = 0;
  int64_t ret = 0;  // kNoReturn: unknown outcome
  StepKind kind = StepKind::kRead;
  uint32_t reg = 0;  // register index in the StateTable
  uint32_t a = 0;    // value ids (see StepKind)
  uint32_t b = 0;
};

// Applies `op` in `state`: false when the model forbids it, else the new state in *next.
bool ApplyStep(StateTable& states, uint32_t state, const SearchOp& op, uint32_t* next);

struct SearchBudget {
  std::optional<std::chrono::steady_clock::time_point> deadline;
  uint64_t max_steps = 0;  // 0: unlimited
};

enum class SearchVerdict { kOk, kViolation, kOutOfBudget, kRunning };

struct SearchResult {
  SearchVerdict verdict = SearchVerdict::kRunning;
  // kOk: a linearization (indices into the ops; unknown-outcome ops that never took effect are
  // absent). kViolation and kOutOfBudget: the longest linearizable prefix seen.
  std::vector<uint32_t> order;
  uint64_t steps = 0;
};

// The search of one partition, resumable: Run() it in slices so that many partitions can share
// one thread fairly and the first violation anywhere is found early (Porcupine uses a goroutine
// per partition for the same effect; slices keep us single-threaded and deterministic).
class PartitionSearch {
 public:
  // `ops` and `states` must outlive the search.
  PartitionSearch(const std::vector<SearchOp>& ops, StateTable* states);
  ~PartitionSearch();
  PartitionSearch(const PartitionSearch&) = delete;
  PartitionSearch& operator=(const PartitionSearch&) = delete;

  // Searches for at most `steps` more steps (and not past `deadline`). Returns the verdict so far:
  // kRunning while unfinished; kOutOfBudget when the deadline passed or the memo grew too large.
  SearchVerdict Run(uint64_t steps, std::optional<std::chrono::steady_clock::time_point> deadline);
  // REQUIRES: Run() returned something other than kRunning, or the caller gives up (then the
  // verdict is kOutOfBudget).
  SearchResult TakeResult();
  uint64_t steps() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs one search to the end of `budget`.
SearchResult Search(const std::vector<SearchOp>& ops, StateTable& states,
                    const SearchBudget& budget);

}  // namespace tinykv::check::internal
