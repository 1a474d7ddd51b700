// Transactional histories for the Elle-style checker (grading/check/si/): the data model.
//
// A TxnHistory is a list of transactions, each a sequence of micro-operations (mops) on keys.
// Two workloads:
// - list-append: [:append k v] appends element v to the list at key k; [:r k [v ...]] reads the
//   whole list. Each element is appended to a key at most once (Elle's contract).
// - rw-register: [:w k v] sets register k to v; [:r k v] reads it (nil: the initial state, never
//   written). Each value is written to a key at most once (Elle's contract).
// Keys and values are EDN integers, keywords or strings, interned: a Mop holds ids, TxnHistory
// keeps each distinct EDN text once (12, :x, "s" — so 1 and "1" stay different). Ids are handed
// out in order of first appearance, so they depend on the history only. The layout is flat (all
// txns' mops in one array, all read values in another) because a checked history may hold
// millions of transactions: a mop costs 16 bytes, a read element 4.
//
// Where each transaction sits in the history (for real-time order and the HTML report): the
// position of its :invoke and of its completion among the history's ops (0-based; -1 / kNever
// when there is none), and the :time of each when the ops carry one.
//
// Reading EDN is history_edn.h. Values are plain data; callable from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tinykv::check::si {

enum class Workload { kListAppend, kRwRegister };
enum class TxnStatus : uint8_t { kOk, kFail, kInfo };

// "list-append", "rw-register".
std::string_view WorkloadName(Workload w);

inline constexpr uint32_t kNoId = UINT32_MAX;

struct Mop {
  enum class Kind : uint8_t { kAppend, kWrite, kRead };
  uint32_t key = 0;
  // kAppend / kWrite: the value id. kRead: index of the first read value in
  // TxnHistory::read_values.
  uint32_t value = 0;
  // kRead: how many values were read (list-append: the list's length; rw-register: 0 for nil,
  // else 1). 0 otherwise.
  uint32_t read_count = 0;
  Kind kind = Kind::kAppend;
};

struct Txn {
  static constexpr int64_t kNever = INT64_MAX;  // complete_pos of an invocation never completed

  TxnStatus status = TxnStatus::kOk;
  int32_t line = 0;        // source line of the completing op (0 when built in memory)
  uint32_t first_mop = 0;  // into TxnHistory::mops
  uint32_t mop_count = 0;
  int64_t index = 0;        // name in witnesses ("T12"): :index, or the op's position in the file
  int64_t invoke_pos = -1;  // position of its :invoke among the history's ops; -1: unknown
  int64_t complete_pos = kNever;  // position of its completion
  int64_t invoke_time = -1;       // :time of the :invoke / completion; -1 when absent
  int64_t complete_time = -1;
  uint32_t process = kNoId;  // into TxnHistory::processes; kNoId: the op had no :process
};

struct TxnHistory {
  Workload workload = Workload::kListAppend;
  std::vector<Txn> txns;                 // in order of completion (never-completed ones last)
  std::vector<Mop> mops;                 // every txn's mops, txn after txn
  std::vector<uint32_t> read_values;     // every read's values, read after read
  std::vector<std::string> key_texts;    // key id -> EDN text
  std::vector<std::string> value_texts;  // value id -> EDN text
  std::vector<std::string> processes;    // process id -> EDN text
  int64_t op_count = 0;                  // ops in the source (every position above is below this)
  // The Budget ran out while the history was read: txns holds only what was read by then.
  bool truncated = false;

  std::span<const Mop> MopsOf(const Txn& t) const {
    return {mops.data() + t.first_mop, t.mop_count};
  }
  std::span<const uint32_t> ReadOf(const Mop& m) const {
    return {read_values.data() + m.value, m.read_count};
  }
  const std::string& KeyText(uint32_t key) const { return key_texts[key]; }
  const std::string& ValueText(uint32_t value) const { return value_texts[value]; }
  // "T12", from Txn::index.
  std::string TxnName(size_t t) const { return "T" + std::to_string(txns[t].index); }
};

// Builds a TxnHistory one transaction at a time, interning texts. The reader (history_edn.cc)
// uses it, and tests build histories in memory with it:
//   TxnHistoryBuilder b(Workload::kListAppend);
//   b.BeginTxn(TxnStatus::kOk, 0);  b.Append("1", "5");  b.Read("1", {"5"});
//   TxnHistory h = std::move(b).Finish();
class TxnHistoryBuilder {
 public:
  explicit TxnHistoryBuilder(Workload workload);

  // Starts a transaction; mops added next belong to it. Returns it, to set positions and times.
  Txn& BeginTxn(TxnStatus status, int64_t index);
  // REQUIRES: a txn begun. Texts are EDN (keys and values as the parser writes them back).
  void Append(std::string_view key, std::string_view value);
  void Write(std::string_view key, std::string_view value);
  // A list-append read of the whole list, or (rw-register) of a register: {} for nil, {v}.
  void Read(std::string_view key, const std::vector<std::string>& values);
  // The same with interned ids (the reader's fast path).
  void AddMop(Mop::Kind kind, uint32_t key, uint32_t value);
  void AddRead(uint32_t key, std::span<const uint32_t> values);

  uint32_t KeyId(std::string_view text) { return Intern(text, &key_ids_, &h_.key_texts); }
  uint32_t ValueId(std::string_view text) { return Intern(text, &value_ids_, &h_.value_texts); }
  // The same for an EDN integer (its text is its decimal form). Small non-negative ones, nearly
  // every key and element in practice, are looked up by value instead of hashing their text.
  uint32_t KeyId(int64_t v) { return InternInteger(v, &key_ids_, &h_.key_texts, &small_keys_); }
  uint32_t ValueId(int64_t v) {
    return InternInteger(v, &value_ids_, &h_.value_texts, &small_values_);
  }
  uint32_t ProcessId(std::string_view text) { return Intern(text, &process_ids_, &h_.processes); }

  TxnHistory& history() { return h_; }
  TxnHistory Finish() &&;

 private:
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Ids = std::unordered_map<std::string, uint32_t, TextHash, std::equal_to<>>;
  static uint32_t Intern(std::string_view text, Ids* ids, std::vector<std::string>* texts);
  static uint32_t InternInteger(int64_t v, Ids* ids, std::vector<std::string>* texts,
                                std::vector<uint32_t>* small);

  TxnHistory h_;
  // Lookups only; never iterated, so their order cannot leak into results.
  Ids key_ids_;
  Ids value_ids_;
  Ids process_ids_;
  // Integer v in [0, kSmallIntegers) -> its id, kNoId when not seen yet; grown on demand.
  static constexpr int64_t kSmallIntegers = 1 << 22;
  std::vector<uint32_t> small_keys_;
  std::vector<uint32_t> small_values_;
};

}  // namespace tinykv::check::si
