#include "grading/check/si/history_edn.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <optional>
#include <utility>
#include <vector>

#include "grading/check/si/edn_value.h"

namespace tinykv::check::si {

namespace {

Status ErrorAt(std::string_view source, const EdnValue& at, const std::string& msg) {
  return Status::DataError(std::string(source) + ":" + std::to_string(at.line) + ":" +
                           std::to_string(at.column) + ": " + msg);
}

bool IsScalar(const EdnValue& v) {
  return v.kind == EdnValue::Kind::kInteger || v.kind == EdnValue::Kind::kKeyword ||
         v.kind == EdnValue::Kind::kString;
}

bool IsSequence(const EdnValue& v) {
  return v.kind == EdnValue::Kind::kVector || v.kind == EdnValue::Kind::kList;
}

// A micro-op of an invocation, kept until its completion arrives (reads are dropped: their
// results are unknown until then).
struct PendingMop {
  Mop::Kind kind;
  uint32_t key;
  uint32_t value;
};

struct Pending {
  int64_t position = 0;
  int64_t index = 0;
  int line = 0;
  int64_t time = -1;
  std::vector<PendingMop> mops;
};

class HistoryReader {
 public:
  HistoryReader(std::string_view source, const ReadOptions& options)
      : source_(source),
        workload_(options.workload),
        meter_(options.budget),
        b_(options.workload) {}

  Result<TxnHistory> Run(EdnReader* reader) {
    EdnValue op;
    for (int64_t position = 0;; ++position) {
      if (meter_.Spend()) {
        b_.history().truncated = true;
        break;
      }
      bool done = false;
      if (Status s = reader->NextFlattened(&op, &done); !s.ok()) return s;
      if (done) {
        if (reader->stream_failed()) {
          return Status::NoInput(std::string(source_) + ": cannot read history file");
        }
        FinishPending();
        break;
      }
      b_.history().op_count = position + 1;
      if (Status s = Op(op, position); !s.ok()) return s;
    }
    return std::move(b_).Finish();
  }

 private:
  // The EDN text of a scalar, as EdnValue::ToString writes it, without allocating for integers
  // and keywords (nearly every key and value).
  std::string_view Text(const EdnValue& v) {
    if (v.kind == EdnValue::Kind::kInteger) {
      auto [end, ec] = std::to_chars(digits_, digits_ + sizeof(digits_), v.integer);
      return {digits_, static_cast<size_t>(end - digits_)};
    }
    if (v.kind == EdnValue::Kind::kKeyword) return v.text;
    scratch_ = v.ToString();
    return scratch_;
  }

  // REQUIRES: IsScalar(v).
  uint32_t KeyId(const EdnValue& v) {
    return v.kind == EdnValue::Kind::kInteger ? b_.KeyId(v.integer) : b_.KeyId(Text(v));
  }
  uint32_t ValueId(const EdnValue& v) {
    return v.kind == EdnValue::Kind::kInteger ? b_.ValueId(v.integer) : b_.ValueId(Text(v));
  }

  std::string MopShape() const {
    return workload_ == Workload::kListAppend ? "[:append k v] or [:r k [v ...]]"
                                              : "[:w k v] or [:r k v]";
  }

  // Checks an op's :value and hands each micro-op to `add`. `completed_ok`: the reads carry
  // results (an :ok completion); otherwise reads are placeholders and are skipped.
  template <typename AddWrite, typename AddRead>
  Status ParseMops(const EdnValue& value, bool completed_ok, AddWrite add_write, AddRead add_read) {
    if (!IsSequence(value)) {
      return ErrorAt(
          source_, value,
          ":value must be a vector of micro-ops like " + MopShape() + ", not " + value.ToString());
    }
    const bool append = workload_ == Workload::kListAppend;
    for (const EdnValue& m : value.items) {
      if (!IsSequence(m) || m.items.size() != 3) {
        return ErrorAt(source_, m, "micro-op must be " + MopShape() + ", not " + m.ToString());
      }
      const EdnValue& f = m.items[0];
      const EdnValue& key = m.items[1];
      const EdnValue& arg = m.items[2];
      if (!IsScalar(key)) {
        return ErrorAt(source_, key,
                       "key must be an integer, keyword or string, not " + key.ToString());
      }
      if (f.IsKeyword(append ? ":append" : ":w")) {
        if (!IsScalar(arg)) {
          return ErrorAt(source_, arg,
                         std::string(append ? "appended element" : "written value") +
                             " must be an integer, keyword or string, not " + arg.ToString());
        }
        const uint32_t k = KeyId(key);
        add_write(append ? Mop::Kind::kAppend : Mop::Kind::kWrite, k, ValueId(arg));
        continue;
      }
      if (!f.IsKeyword(":r")) {
        return ErrorAt(source_, f,
                       std::string("micro-op must start with ") + (append ? ":append" : ":w") +
                           " or :r, not " + f.ToString());
      }
      if (append) {
        if (arg.kind != EdnValue::Kind::kNil && !IsSequence(arg)) {
          return ErrorAt(source_, arg,
                         "read result must be nil or a vector, not " + arg.ToString());
        }
      } else if (arg.kind != EdnValue::Kind::kNil && !IsScalar(arg)) {
        return ErrorAt(
            source_, arg,
            "read result must be nil, an integer, keyword or string, not " + arg.ToString());
      }
      // An invocation's placeholder, or the unknown result of a :fail / :info.
      if (!completed_ok) continue;
      read_.clear();
      if (append) {
        // In a completed read, nil is a key never written: the empty list (as Elle reads it).
        for (const EdnValue& e : arg.items) {
          if (!IsScalar(e)) {
            return ErrorAt(
                source_, e,
                "read element must be an integer, keyword or string, not " + e.ToString());
          }
          read_.push_back(ValueId(e));
        }
      } else if (arg.kind != EdnValue::Kind::kNil) {
        read_.push_back(ValueId(arg));
      }
      add_read(KeyId(key), read_);
    }
    return Status::Ok();
  }

  Status Op(const EdnValue& op, int64_t position) {
    if (op.kind != EdnValue::Kind::kMap) {
      return ErrorAt(source_, op,
                     "expected an op map {:type ..., :value ...}, not " + op.ToString());
    }
    const EdnValue* type = op.Find(":type");
    if (type == nullptr) return ErrorAt(source_, op, "op without :type");
    const bool invoke = type->IsKeyword(":invoke");
    std::optional<TxnStatus> status;
    if (type->IsKeyword(":ok")) status = TxnStatus::kOk;
    if (type->IsKeyword(":fail")) status = TxnStatus::kFail;
    if (type->IsKeyword(":info")) status = TxnStatus::kInfo;
    if (!invoke && !status) {
      return ErrorAt(source_, *type,
                     ":type must be :invoke, :ok, :fail or :info, not " + type->ToString());
    }
    const EdnValue* process = op.Find(":process");
    if (process != nullptr && process->IsKeyword(":nemesis")) return Status::Ok();
    int64_t index = position;
    if (const EdnValue* i = op.Find(":index"); i != nullptr) {
      if (i->kind != EdnValue::Kind::kInteger) {
        return ErrorAt(source_, *i, ":index must be an integer, not " + i->ToString());
      }
      index = i->integer;
    }
    int64_t time = -1;
    if (const EdnValue* t = op.Find(":time"); t != nullptr) {
      if (t->kind != EdnValue::Kind::kInteger) {
        return ErrorAt(source_, *t, ":time must be an integer, not " + t->ToString());
      }
      time = t->integer;
    }
    const EdnValue* value = op.Find(":value");
    if (value == nullptr) return ErrorAt(source_, op, "op without :value");

    auto add_write = [this](Mop::Kind kind, uint32_t key, uint32_t v) { b_.AddMop(kind, key, v); };
    auto add_read = [this](uint32_t key, std::span<const uint32_t> values) {
      b_.AddRead(key, values);
    };
    if (process == nullptr) {
      if (invoke) return Status::Ok();
      Txn& txn = b_.BeginTxn(*status, index);
      txn.line = op.line;
      txn.complete_pos = position;
      txn.complete_time = time;
      return ParseMops(*value, *status == TxnStatus::kOk, add_write, add_read);
    }

    const uint32_t p = b_.ProcessId(Text(*process));
    if (p >= pending_.size()) pending_.resize(p + 1);
    std::optional<Pending>& slot = pending_[p];
    if (invoke) {
      if (slot) {
        return ErrorAt(source_, op,
                       ":invoke for process " + process->ToString() + " whose :invoke on line " +
                           std::to_string(slot->line) + " has not completed");
      }
      Pending pend;
      pend.position = position;
      pend.index = index;
      pend.line = op.line;
      pend.time = time;
      // Validated now, so that its errors point at it; its writes are kept for a :fail / :info.
      Status s = ParseMops(
          *value, false,
          [&pend](Mop::Kind kind, uint32_t key, uint32_t v) {
            pend.mops.push_back(PendingMop{kind, key, v});
          },
          [](uint32_t, std::span<const uint32_t>) {});
      if (!s.ok()) return s;
      slot = std::move(pend);
      ++open_;
      return Status::Ok();
    }
    if (!slot) {
      return ErrorAt(source_, *type,
                     type->ToString() + " for process " + process->ToString() +
                         " which has no pending :invoke");
    }
    Txn& txn = b_.BeginTxn(*status, index);
    txn.line = op.line;
    txn.process = p;
    txn.invoke_pos = slot->position;
    txn.invoke_time = slot->time;
    txn.complete_pos = position;
    txn.complete_time = time;
    if (*status == TxnStatus::kOk) {
      if (Status s = ParseMops(*value, true, add_write, add_read); !s.ok()) return s;
    } else {
      for (const PendingMop& m : slot->mops) b_.AddMop(m.kind, m.key, m.value);
    }
    slot.reset();
    --open_;
    return Status::Ok();
  }

  // Invocations never completed: unknown outcome, in the order they were invoked.
  void FinishPending() {
    if (open_ == 0) return;
    std::vector<std::pair<Pending*, uint32_t>> left;
    for (uint32_t p = 0; p < pending_.size(); ++p) {
      if (pending_[p]) left.emplace_back(&*pending_[p], p);
    }
    std::sort(left.begin(), left.end(),
              [](const auto& a, const auto& b) { return a.first->position < b.first->position; });
    for (const auto& [pend, p] : left) {
      Txn& txn = b_.BeginTxn(TxnStatus::kInfo, pend->index);
      txn.line = pend->line;
      txn.process = p;
      txn.invoke_pos = pend->position;
      txn.invoke_time = pend->time;
      for (const PendingMop& m : pend->mops) b_.AddMop(m.kind, m.key, m.value);
    }
  }

  std::string_view source_;
  Workload workload_;
  Meter meter_;
  TxnHistoryBuilder b_;
  std::vector<std::optional<Pending>> pending_;  // by process id
  size_t open_ = 0;                              // pending invocations
  std::vector<uint32_t> read_;                   // scratch: one read's value ids
  char digits_[24];
  std::string scratch_;
};

}  // namespace

Result<TxnHistory> ParseTxnHistory(std::string_view text, std::string_view source,
                                   const ReadOptions& options) {
  EdnReader reader(text, source);
  return HistoryReader(source, options).Run(&reader);
}

Result<TxnHistory> ReadTxnHistoryFile(const std::string& path, const ReadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NoInput(path + ": cannot open history file");
  EdnReader reader(&in, path);
  return HistoryReader(path, options).Run(&reader);
}

}  // namespace tinykv::check::si
