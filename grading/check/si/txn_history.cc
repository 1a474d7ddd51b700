#include "grading/check/si/txn_history.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

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

// Parses an op's :value into micro-ops. `keep_reads`: fill read results (completions that :ok).
Status ParseMops(std::string_view source, const EdnValue& value, bool keep_reads,
                 std::vector<Mop>* out) {
  if (value.kind != EdnValue::Kind::kVector && value.kind != EdnValue::Kind::kList) {
    return ErrorAt(source, value,
                   ":value must be a vector of micro-ops like [:append k v] or [:r k [v ...]], "
                   "not " +
                       value.ToString());
  }
  for (const EdnValue& m : value.items) {
    if ((m.kind != EdnValue::Kind::kVector && m.kind != EdnValue::Kind::kList) ||
        m.items.size() != 3) {
      return ErrorAt(source, m,
                     "micro-op must be [:append k v] or [:r k [v ...]], not " + m.ToString());
    }
    const EdnValue& f = m.items[0];
    const EdnValue& key = m.items[1];
    const EdnValue& arg = m.items[2];
    if (!IsScalar(key)) {
      return ErrorAt(source, key,
                     "key must be an integer, keyword or string, not " + key.ToString());
    }
    Mop mop;
    mop.key = key.ToString();
    if (f.IsKeyword(":append")) {
      if (!IsScalar(arg)) {
        return ErrorAt(
            source, arg,
            "appended element must be an integer, keyword or string, not " + arg.ToString());
      }
      mop.kind = Mop::Kind::kAppend;
      mop.element = arg.ToString();
    } else if (f.IsKeyword(":r")) {
      mop.kind = Mop::Kind::kRead;
      if (!keep_reads) {
        // An invocation's placeholder, or the unknown result of a :fail / :info.
        if (arg.kind != EdnValue::Kind::kNil && arg.kind != EdnValue::Kind::kVector &&
            arg.kind != EdnValue::Kind::kList) {
          return ErrorAt(source, arg, "read result must be nil or a vector, not " + arg.ToString());
        }
        continue;
      }
      // In a completed read, nil is a key never written: the empty list (as Elle reads it).
      if (arg.kind != EdnValue::Kind::kNil && arg.kind != EdnValue::Kind::kVector &&
          arg.kind != EdnValue::Kind::kList) {
        return ErrorAt(source, arg, "read result must be nil or a vector, not " + arg.ToString());
      }
      for (const EdnValue& e : arg.items) {
        if (!IsScalar(e)) {
          return ErrorAt(source, e,
                         "read element must be an integer, keyword or string, not " + e.ToString());
        }
        mop.read.push_back(e.ToString());
      }
    } else {
      return ErrorAt(source, f, "micro-op must start with :append or :r, not " + f.ToString());
    }
    out->push_back(std::move(mop));
  }
  return Status::Ok();
}

struct Pending {
  const EdnValue* invoke;
  int64_t position;
};

}  // namespace

Result<TxnHistory> ParseListAppendHistory(std::string_view text, std::string_view source) {
  Result<std::vector<EdnValue>> forms = ParseEdnValues(text, source);
  if (!forms.ok()) return forms.status();
  std::vector<const EdnValue*> ops;
  for (const EdnValue& form : *forms) {
    if (form.kind == EdnValue::Kind::kVector) {
      for (const EdnValue& op : form.items) ops.push_back(&op);
    } else {
      ops.push_back(&form);
    }
  }

  TxnHistory history;
  std::map<std::string, Pending> pending;  // by process, as EDN text
  for (size_t position = 0; position < ops.size(); ++position) {
    const EdnValue& op = *ops[position];
    if (op.kind != EdnValue::Kind::kMap) {
      return ErrorAt(source, op,
                     "expected an op map {:type ..., :value ...}, not " + op.ToString());
    }
    const EdnValue* type = op.Find(":type");
    if (type == nullptr) return ErrorAt(source, op, "op without :type");
    const bool invoke = type->IsKeyword(":invoke");
    std::optional<TxnStatus> status;
    if (type->IsKeyword(":ok")) status = TxnStatus::kOk;
    if (type->IsKeyword(":fail")) status = TxnStatus::kFail;
    if (type->IsKeyword(":info")) status = TxnStatus::kInfo;
    if (!invoke && !status) {
      return ErrorAt(source, *type,
                     ":type must be :invoke, :ok, :fail or :info, not " + type->ToString());
    }
    const EdnValue* process = op.Find(":process");
    if (process != nullptr && process->IsKeyword(":nemesis")) continue;
    int64_t index = static_cast<int64_t>(position);
    if (const EdnValue* i = op.Find(":index"); i != nullptr) {
      if (i->kind != EdnValue::Kind::kInteger) {
        return ErrorAt(source, *i, ":index must be an integer, not " + i->ToString());
      }
      index = i->integer;
    }
    const EdnValue* value = op.Find(":value");
    if (value == nullptr) return ErrorAt(source, op, "op without :value");

    if (process == nullptr) {
      if (invoke) continue;
      Txn txn;
      txn.status = *status;
      txn.index = index;
      txn.line = op.line;
      if (Status s = ParseMops(source, *value, *status == TxnStatus::kOk, &txn.mops); !s.ok()) {
        return s;
      }
      history.txns.push_back(std::move(txn));
      continue;
    }

    const std::string p = process->ToString();
    if (invoke) {
      // Validate the invocation now, so its errors point at it.
      std::vector<Mop> ignored;
      if (Status s = ParseMops(source, *value, false, &ignored); !s.ok()) return s;
      auto [it, inserted] = pending.emplace(p, Pending{&op, index});
      if (!inserted) {
        return ErrorAt(source, op,
                       ":invoke for process " + p + " whose :invoke on line " +
                           std::to_string(it->second.invoke->line) + " has not completed");
      }
      continue;
    }
    auto it = pending.find(p);
    if (it == pending.end()) {
      return ErrorAt(source, *type,
                     type->ToString() + " for process " + p + " which has no pending :invoke");
    }
    Txn txn;
    txn.status = *status;
    txn.index = index;
    txn.line = op.line;
    const EdnValue& mops = *status == TxnStatus::kOk ? *value : *it->second.invoke->Find(":value");
    if (Status s = ParseMops(source, mops, *status == TxnStatus::kOk, &txn.mops); !s.ok()) {
      return s;
    }
    pending.erase(it);
    history.txns.push_back(std::move(txn));
  }

  // Invocations never completed: unknown outcome, in the order they were invoked.
  std::vector<Pending> left;
  for (const auto& [p, pend] : pending) left.push_back(pend);
  std::sort(left.begin(), left.end(),
            [](const Pending& a, const Pending& b) { return a.position < b.position; });
  for (const Pending& pend : left) {
    Txn txn;
    txn.status = TxnStatus::kInfo;
    txn.index = pend.position;
    if (const EdnValue* i = pend.invoke->Find(":index"); i != nullptr) txn.index = i->integer;
    txn.line = pend.invoke->line;
    if (Status s = ParseMops(source, *pend.invoke->Find(":value"), false, &txn.mops); !s.ok()) {
      return s;
    }
    history.txns.push_back(std::move(txn));
  }
  return history;
}

Result<TxnHistory> ReadListAppendHistoryFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NoInput(path + ": cannot open history file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::NoInput(path + ": cannot read history file");
  return ParseListAppendHistory(text.str(), path);
}

}  // namespace tinykv::check::si
