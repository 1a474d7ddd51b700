#include "grading/check/checker.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <tuple>
#include <utility>

#include "grading/check/search.h"

namespace tinykv::check {

namespace {

using internal::SearchOp;
using internal::SearchResult;
using internal::SearchVerdict;
using internal::StateTable;
using internal::ValueTable;

// A partition being checked: which history operations take part, and their compiled form.
struct Work {
  std::vector<size_t> relevant;             // history indices of ops the search sees
  std::vector<std::string> register_names;  // register index → model register
};

std::string OpWhen(const History& h, const Operation& op) {
  std::string s = ClientName(h, op.client) + ", called " + FormatTime(h, op.call);
  if (op.status == OpStatus::kInfo) {
    s += ", outcome unknown";
  } else {
    s += ", returned " + FormatTime(h, op.ret);
  }
  return s;
}

std::string StateWords(const Model& model, StateTable& states, uint32_t state,
                       const std::vector<std::string>& regs, const std::set<uint32_t>& only) {
  std::string s;
  for (uint32_t r : only) {
    if (!s.empty()) s += ", ";
    s += model.RegisterName(regs[r]) + " holds " +
         QuoteValue(states.values().Get(states.ValueOf(state, r)));
  }
  return s;
}

// The earliest-called unplaced read on `reg` that can no longer return its value from `state`
// (the search's reachability rule, internal::PartitionSearch): its value does not start with the
// register's value, and no unplaced write or cas called before its return writes a value it
// starts with.
std::optional<uint32_t> DoomedRead(const std::vector<SearchOp>& ops,
                                   const std::vector<bool>& placed, StateTable& states,
                                   uint32_t state, uint32_t reg) {
  ValueTable& values = states.values();
  uint32_t current = states.ValueOf(state, reg);
  std::optional<uint32_t> found;
  for (uint32_t r = 0; r < ops.size(); ++r) {
    const SearchOp& read = ops[r];
    if (placed[r] || read.reg != reg || read.kind != StepKind::kRead) continue;
    if (found && ops[*found].call <= read.call) continue;
    if (values.Equal(current, read.a) || values.MaybePrefix(current, read.a)) continue;
    bool rescued = false;
    for (uint32_t w = 0; w < ops.size() && !rescued; ++w) {
      const SearchOp& write = ops[w];
      if (placed[w] || write.reg != reg || write.call > read.ret) continue;
      if (write.kind == StepKind::kWrite) rescued = values.MaybePrefix(write.a, read.a);
      if (write.kind == StepKind::kCas) rescued = values.MaybePrefix(write.b, read.a);
    }
    if (!rescued) found = r;
  }
  return found;
}

// Fills the failure fields of `pr` and returns the explanation in words.
std::string Explain(const History& h, const Model& model, const Work& work,
                    const std::vector<SearchOp>& ops, StateTable& states, const SearchResult& sr,
                    PartitionResult& pr) {
  std::vector<bool> placed(ops.size(), false);
  uint32_t state = states.initial();
  for (uint32_t i : sr.order) {
    placed[i] = true;
    uint32_t next = state;
    internal::ApplyStep(states, state, ops[i], &next);  // legal: the search placed it
    state = next;
  }
  // The operation that had to be placed first: the earliest return among the unplaced.
  std::optional<uint32_t> first;
  for (uint32_t i = 0; i < ops.size(); ++i) {
    if (placed[i] || ops[i].ret == kNoReturn) continue;
    if (!first || std::tie(ops[i].ret, ops[i].call, i) <
                      std::tie(ops[*first].ret, ops[*first].call, *first)) {
      first = i;
    }
  }
  std::set<uint32_t> regs_involved;
  std::vector<uint32_t> candidates;
  if (first) {
    for (uint32_t i = 0; i < ops.size(); ++i) {
      if (!placed[i] && ops[i].call <= ops[*first].ret) {
        candidates.push_back(i);
        regs_involved.insert(ops[i].reg);
      }
    }
  }
  pr.state_after = StateWords(model, states, state, work.register_names, regs_involved);

  std::string out;
  out += "  The longest linearizable prefix has " + std::to_string(sr.order.size()) + " of " +
         std::to_string(ops.size()) + " operations";
  out += pr.state_after.empty() ? "." : "; after it " + pr.state_after + ".";
  if (!sr.order.empty()) {
    out += " It ends with:\n";
    size_t from = sr.order.size() > 5 ? sr.order.size() - 5 : 0;
    for (size_t k = from; k < sr.order.size(); ++k) {
      const Operation& op = h.ops[work.relevant[sr.order[k]]];
      out += "    " + std::to_string(k + 1) + ". " + model.Describe(op) + "  (" + OpWhen(h, op) +
             ")\n";
    }
  } else {
    out += "\n";
  }
  if (!first) return out;  // cannot happen for a violation; keep the report well-formed anyway

  const Operation& blocked = h.ops[work.relevant[*first]];
  pr.first_unplaceable = work.relevant[*first];
  out += "  Then no operation can be placed. The first to return, " + model.Describe(blocked) +
         " (" + OpWhen(h, blocked) + "), had to be placed before it returned, but each of the " +
         std::to_string(candidates.size()) + " operation" + (candidates.size() == 1 ? "" : "s") +
         " that may come next fails:\n";
  ValueTable& values = states.values();
  auto reg_name = [&](uint32_t reg) { return model.RegisterName(work.register_names[reg]); };
  for (uint32_t i : candidates) {
    const Operation& op = h.ops[work.relevant[i]];
    const SearchOp& so = ops[i];
    std::string current = QuoteValue(values.Get(states.ValueOf(state, so.reg)));
    uint32_t after;
    std::string reason;
    if (internal::ApplyStep(states, state, so, &after)) {
      placed[i] = true;
      std::optional<uint32_t> doomed = DoomedRead(ops, placed, states, after, so.reg);
      placed[i] = false;
      if (doomed) {
        const Operation& read = h.ops[work.relevant[*doomed]];
        reason = "after it " + reg_name(so.reg) + " holds " +
                 QuoteValue(values.Get(states.ValueOf(after, so.reg))) + ", so " +
                 model.Describe(read) + " (" + OpWhen(h, read) +
                 ") can never return its value: that value does not start with it, and no " +
                 "write placed before that read returns can reset " + reg_name(so.reg);
      } else {
        reason = "possible here, but every order of the operations after it fails";
      }
    } else if (so.kind == StepKind::kRead) {
      reason = "it returned " + QuoteValue(values.Get(so.a)) + " but " + reg_name(so.reg) +
               " holds " + current;
    } else {
      reason = "it expected " + QuoteValue(values.Get(so.a)) + " but " + reg_name(so.reg) +
               " holds " + current;
    }
    pr.stuck.push_back(work.relevant[i]);
    pr.stuck_reasons.push_back(reason);
    out += "    - " + model.Describe(op) + "  (" + OpWhen(h, op) + "): " + reason + "\n";
  }
  return out;
}

}  // namespace

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kLinearizable:
      return "linearizable";
    case Verdict::kNotLinearizable:
      return "NOT linearizable";
    case Verdict::kUnknown:
      return "unknown";
  }
  return "unknown";
}

// "3 keys", "1 register": what the checker checks one at a time, in the user's words (it calls
// them partitions; a demo about network partitions should not).
static std::string Units(const Model& model, size_t n) {
  const std::string unit = model.name() == "kv" ? "key" : "register";
  return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
}

Result<CheckResult> Check(const History& history, const Model& model, const CheckOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  internal::SearchBudget budget;
  if (options.timeout.count() > 0) budget.deadline = start + options.timeout;

  // Partition by register (sorted, so the report and the timeline are deterministic).
  std::map<std::string, std::vector<size_t>> by_register;
  for (size_t i = 0; i < history.ops.size(); ++i) {
    const Operation& op = history.ops[i];
    Status s = model.Validate(op);
    if (!s.ok()) return s;
    if (op.ret < op.call) {
      return Status::DataError("operation " + std::to_string(i) + " (" + model.Describe(op) +
                               ", client " + std::to_string(op.client) +
                               ") returns before its call");
    }
    by_register[options.partition ? model.RegisterOf(op) : std::string()].push_back(i);
  }

  CheckResult result;
  for (auto& [reg, ops] : by_register) {
    PartitionResult pr;
    pr.name = options.partition ? model.RegisterName(reg) : std::string("all operations");
    std::stable_sort(ops.begin(), ops.end(),
                     [&](size_t a, size_t b) { return history.ops[a].call < history.ops[b].call; });
    pr.ops = ops;
    result.partitions.push_back(std::move(pr));
  }

  // Set up every partition's search, then run them round-robin in slices of steps, so a violation
  // in any partition is found about as early as if each had its own core.
  struct Part {
    Work work;
    ValueTable values;
    std::unique_ptr<StateTable> states;
    std::vector<SearchOp> ops;
    std::unique_ptr<internal::PartitionSearch> search;
    SearchVerdict verdict = SearchVerdict::kRunning;
  };
  std::vector<std::unique_ptr<Part>> parts;
  for (PartitionResult& pr : result.partitions) {
    auto part = std::make_unique<Part>();
    Work& work = part->work;
    std::map<std::string, uint32_t> reg_index;
    for (size_t i : pr.ops) {
      const Operation& op = history.ops[i];
      if (op.status == OpStatus::kFail) continue;                          // took no effect
      if (op.status == OpStatus::kInfo && model.IsReadOnly(op)) continue;  // changes nothing
      work.relevant.push_back(i);
      std::string reg = model.RegisterOf(op);
      if (reg_index.emplace(reg, 0).second) work.register_names.push_back(reg);
    }
    std::sort(work.register_names.begin(), work.register_names.end());
    for (uint32_t r = 0; r < work.register_names.size(); ++r) reg_index[work.register_names[r]] = r;

    uint32_t initial = part->values.Intern(model.InitialValue());
    part->states = std::make_unique<StateTable>(
        &part->values, std::max<uint32_t>(1, uint32_t(work.register_names.size())), initial);
    part->ops.reserve(work.relevant.size());
    for (size_t i : work.relevant) {
      const Operation& op = history.ops[i];
      StepSpec spec = model.Spec(op);
      SearchOp so;
      so.call = op.call;
      so.ret = op.status == OpStatus::kInfo ? kNoReturn : op.ret;
      so.kind = spec.kind;
      so.reg = reg_index[model.RegisterOf(op)];
      so.a = part->values.Intern(spec.a);
      so.b = part->values.Intern(spec.b);
      part->ops.push_back(so);
    }
    part->search = std::make_unique<internal::PartitionSearch>(part->ops, part->states.get());
    parts.push_back(std::move(part));
  }

  constexpr uint64_t kSlice = 4096;
  uint64_t steps_used = 0;
  std::optional<size_t> first_failure;
  bool out_of_budget = false;
  for (bool running = true; running && !out_of_budget;) {
    running = false;
    for (size_t p = 0; p < parts.size(); ++p) {
      Part& part = *parts[p];
      if (part.verdict != SearchVerdict::kRunning) continue;
      if (first_failure && !options.check_all_partitions) break;
      uint64_t slice = kSlice;
      if (options.max_steps != 0) {
        if (steps_used >= options.max_steps) {
          out_of_budget = true;
          break;
        }
        slice = std::min(slice, options.max_steps - steps_used);
      }
      uint64_t before = part.search->steps();
      part.verdict = part.search->Run(slice, budget.deadline);
      steps_used += part.search->steps() - before;
      if (part.verdict == SearchVerdict::kRunning) running = true;
      if (part.verdict == SearchVerdict::kViolation && !first_failure) first_failure = p;
      if (part.verdict == SearchVerdict::kOutOfBudget) {
        out_of_budget = true;
        break;
      }
    }
    if (first_failure && !options.check_all_partitions) break;
  }

  bool failed = first_failure.has_value();
  bool unknown = false;
  std::string report;
  std::optional<size_t> unknown_partition;
  size_t linearizable_partitions = 0;
  for (size_t p = 0; p < parts.size(); ++p) {
    Part& part = *parts[p];
    PartitionResult& pr = result.partitions[p];
    SearchResult sr = part.search->TakeResult();
    pr.steps = sr.steps;
    switch (part.verdict) {
      case SearchVerdict::kOk:
        pr.checked = true;
        pr.verdict = Verdict::kLinearizable;
        for (uint32_t i : sr.order) pr.order.push_back(part.work.relevant[i]);
        ++linearizable_partitions;
        break;
      case SearchVerdict::kViolation: {
        pr.checked = true;
        pr.verdict = Verdict::kNotLinearizable;
        for (uint32_t i : sr.order) pr.order.push_back(part.work.relevant[i]);
        std::string words = Explain(history, model, part.work, part.ops, *part.states, sr, pr);
        if (p == *first_failure) {
          result.failed_partition = p;
          std::set<int64_t> clients;
          for (size_t i : pr.ops) clients.insert(history.ops[i].client);
          report = "NOT linearizable: " + pr.name + " (" + std::to_string(pr.ops.size()) +
                   " operations of " + std::to_string(clients.size()) + " client" +
                   (clients.size() == 1 ? "" : "s") + ")\n" + words;
        }
        break;
      }
      case SearchVerdict::kRunning:
      case SearchVerdict::kOutOfBudget:
        if (!failed) {  // skipped partitions after a failure are simply unchecked
          unknown = true;
          if (!unknown_partition) unknown_partition = p;
        }
        break;
    }
  }
  if (!failed && unknown) {
    const PartitionResult& pr = result.partitions[*unknown_partition];
    report = "unknown: the budget ran out (" + std::to_string(steps_used) + " search steps) with " +
             std::to_string(linearizable_partitions) + " of " +
             Units(model, result.partitions.size()) +
             " proven linearizable and the rest unfinished, first " + pr.name + " (" +
             std::to_string(pr.ops.size()) + " operations). Raise the budget to get a verdict.\n";
  }

  if (failed) {
    result.verdict = Verdict::kNotLinearizable;  // a proof, whatever the budget did elsewhere
  } else if (unknown) {
    result.verdict = Verdict::kUnknown;
  } else {
    result.verdict = Verdict::kLinearizable;
    report = "linearizable: " + std::to_string(history.ops.size()) + " operations on " +
             Units(model, result.partitions.size()) + "\n";
  }
  result.report = std::move(report);
  return result;
}

}  // namespace tinykv::check
