// A history of client operations, as the linearizability checker reads it.
//
// Contract for producers (the cluster harness, scenario clients, the EDN reader):
// - Every operation is one client's call with its outcome. `call` and `ret` are virtual
//   times in nanoseconds (sim::Time::count()); histories read from EDN files without `:time`
//   use line numbers instead, and History::times_are_lines says so.
// - One client has at most one operation in flight: a client's operations must not overlap.
// - `status` is how the client saw the operation end:
//     kOk   — it took effect exactly once, somewhere between `call` and `ret`;
//     kFail — it took no effect at all (the checker ignores it);
//     kInfo — unknown (e.g. the client timed out at `ret`): it may take effect at any time after
//             `call`, even after `ret`, or never. `ret` is then only shown, never used to order.
// - Which `f` values are valid, and which fields they need, is up to the model (model.h): for kv,
//   get (reads `output`), put / append (write `value`), delete; for register, read (`output`),
//   write (`value`), cas (`value` expected, `new_value` written).
// - Annotations are faults or other events worth showing on the timeline (partitions, crashes),
//   with their virtual times; the checker ignores them.
//
// HistoryRecorder is the small API a harness uses to build a History while clients run; it is
// plain data with no locking (one owner: the scenario's fiber world runs on one thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tinykv::check {

// `ret` of an operation whose client never saw an answer (still pending when the history ended).
inline constexpr int64_t kNoReturn = std::numeric_limits<int64_t>::max();

enum class OpStatus { kOk, kFail, kInfo };

struct Operation {
  int64_t client = 0;  // client (Jepsen :process) id
  std::string f;       // operation name: "get", "put", "append", "delete", "read", "write", "cas"
  std::string key;     // kv: the key; register: unused
  std::optional<std::string> value;      // argument: value written / appended, cas expected value
  std::optional<std::string> new_value;  // cas only: the value written when it matches
  std::optional<std::string> output;     // reads that completed kOk: the value returned
  int64_t call = 0;                      // virtual time (ns) of the call
  int64_t ret = kNoReturn;               // virtual time (ns) of the return; see kInfo above
  OpStatus status = OpStatus::kOk;
  int line = 0;  // EDN source line of the invocation (0 when built in memory)
};

// A fault or event over [time, end] (end == time for an instant), shown on the timeline.
struct Annotation {
  int64_t time = 0;
  int64_t end = 0;
  std::string label;  // "partition {1 2} | {3 4 5}", "crash n3", ...
};

struct History {
  std::vector<Operation> ops;
  std::vector<Annotation> annotations;
  // Optional names for clients, shown on the timeline instead of "client N" (not in EDN).
  std::map<int64_t, std::string> client_labels;
  bool times_are_lines = false;  // true when times are EDN line numbers (no :time in the file)
};

// Builds a History while a scenario runs. Operation ids are indices into history().ops.
class HistoryRecorder {
 public:
  // Records a call by `client` at virtual time `now`; returns the operation's id.
  // Use `new_value` only for cas.
  size_t Invoke(int64_t client, int64_t now, std::string f, std::string key = "",
                std::optional<std::string> value = std::nullopt,
                std::optional<std::string> new_value = std::nullopt);
  // The operation returned successfully at `now`; `output` is what a read returned.
  // REQUIRES: `id` came from Invoke and has not completed yet (likewise below).
  void Ok(size_t id, int64_t now, std::optional<std::string> output = std::nullopt);
  // The operation certainly took no effect.
  void Fail(size_t id, int64_t now);
  // The outcome is unknown (timeout, connection lost): it may or may not take effect.
  void Info(size_t id, int64_t now);
  // Records a fault or event over [time, end]; returns its index in history().annotations.
  size_t Annotate(int64_t time, int64_t end, std::string label);
  // Ends annotation `index` (from Annotate) at `end`: for a fault whose end is not known when it
  // begins. REQUIRES: end >= its time.
  void EndAnnotation(size_t index, int64_t end) { history_.annotations.at(index).end = end; }
  // Names `client` on the timeline ("client 0 scan").
  void LabelClient(int64_t client, std::string label) {
    history_.client_labels[client] = std::move(label);
  }

  // The history so far. Operations never completed are kInfo with ret == kNoReturn.
  const History& history() const { return history_; }

 private:
  History history_;
  std::vector<bool> completed_;
};

// "1.250000s" for virtual nanoseconds, "line 17" for line-number times, "never" for kNoReturn.
std::string FormatTime(const History& history, int64_t t);

// How messages name `client`: its label (History::client_labels) or "client N".
std::string ClientName(const History& history, int64_t client);

// Quotes a value for messages: 'x 1 4 y', or nil.
std::string QuoteValue(const std::optional<std::string>& v);

}  // namespace tinykv::check
