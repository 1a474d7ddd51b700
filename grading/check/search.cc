#include "grading/check/search.h"

#include <algorithm>
#include <cstring>
#include <tuple>

namespace tinykv::check::internal {

namespace {

uint64_t Mix(uint64_t x) {  // splitmix64 finaliser
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

constexpr uint64_t kBase = 0x100000001B3ULL;  // odd multiplier of the polynomial text hash

// Set of visited (linearized bitset, state) pairs: open addressing with linear probing over flat
// arrays; a slot is `words` bitset words followed by the state. Hash 0 marks an empty slot.
class VisitedSet {
 public:
  explicit VisitedSet(size_t words) : words_(words), stride_(words + 1) { Rehash(1u << 10); }

  // Returns true when the pair was not there yet (and inserts it).
  bool Insert(const uint64_t* bits, uint32_t state, uint64_t hash) {
    hash |= 1;
    if ((size_ + 1) * 2 > hashes_.size()) Rehash(hashes_.size() * 2);
    size_t mask = hashes_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      uint64_t h = hashes_[i];
      uint64_t* slot = &keys_[i * stride_];
      if (h == 0) {
        hashes_[i] = hash;
        std::memcpy(slot, bits, words_ * sizeof(uint64_t));
        slot[words_] = state;
        ++size_;
        return true;
      }
      if (h == hash && slot[words_] == state &&
          std::memcmp(slot, bits, words_ * sizeof(uint64_t)) == 0) {
        return false;
      }
    }
  }

  size_t bytes() const { return (keys_.size() + hashes_.size()) * sizeof(uint64_t); }

 private:
  void Rehash(size_t capacity) {
    std::vector<uint64_t> old_hashes(capacity, 0);
    std::vector<uint64_t> old_keys(capacity * stride_, 0);
    old_hashes.swap(hashes_);
    old_keys.swap(keys_);
    size_t mask = capacity - 1;
    for (size_t j = 0; j < old_hashes.size(); ++j) {
      if (old_hashes[j] == 0) continue;
      size_t i = old_hashes[j] & mask;
      while (hashes_[i] != 0) i = (i + 1) & mask;
      hashes_[i] = old_hashes[j];
      std::memcpy(&keys_[i * stride_], &old_keys[j * stride_], stride_ * sizeof(uint64_t));
    }
  }

  size_t words_;
  size_t stride_;
  size_t size_ = 0;
  std::vector<uint64_t> hashes_;
  std::vector<uint64_t> keys_;
};

// A memo beyond this is a search we cannot finish on a shared machine: report unknown instead.
constexpr size_t kMaxMemoBytes = size_t(512) << 20;

}  // namespace

// ---------------------------------------------------------------------------------------------
// ValueTable

ValueTable::ValueTable() {
  nodes_.push_back(Node{kNone, 0, 0, 0, 1});  // nil
  pieces_.emplace_back();
}

uint32_t ValueTable::Intern(const std::optional<std::string>& v) {
  if (!v) return 0;
  auto [it, inserted] = literals_.emplace(*v, uint32_t(nodes_.size()));
  if (inserted) {
    uint64_t hash = 0;
    uint64_t power = 1;
    for (unsigned char c : *v) {
      hash = hash * kBase + c + 1;
      power *= kBase;
    }
    nodes_.push_back(Node{kNone, uint32_t(pieces_.size()), v->size(), hash, power});
    pieces_.push_back(*v);
  }
  return it->second;
}

std::optional<std::string> ValueTable::Get(uint32_t id) const {
  if (id == 0) return std::nullopt;
  std::vector<uint32_t> chain;
  for (uint32_t n = id; n != kNone; n = nodes_[n].parent) chain.push_back(n);
  std::string s;
  s.reserve(nodes_[id].length);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) s += pieces_[nodes_[*it].piece];
  return s;
}

uint32_t ValueTable::Append(uint32_t value, uint32_t suffix) {
  if (nodes_[suffix].length == 0) return value == 0 ? suffix : value;
  if (nodes_[value].length == 0) return suffix;  // nil or ""
  uint64_t key = (uint64_t(value) << 32) | suffix;
  auto [it, inserted] = appends_.emplace(key, uint32_t(nodes_.size()));
  if (inserted) {
    const Node& v = nodes_[value];
    const Node& s = nodes_[suffix];
    nodes_.push_back(
        Node{value, s.piece, v.length + s.length, v.hash * s.power + s.hash, v.power * s.power});
  }
  return it->second;
}

bool ValueTable::MaybePrefix(uint32_t prefix, uint32_t value) {
  if (prefix == 0) return true;  // nil: appends can build anything
  if (value == 0) return false;  // appends never give nil back
  const Node& p = nodes_[prefix];
  const Node& v = nodes_[value];
  if (p.length > v.length) return false;
  if (p.length == 0) return true;
  auto it = prefix_hashes_.find(value);
  if (it == prefix_hashes_.end()) {
    std::optional<std::string> text = Get(value);
    std::vector<uint64_t> hashes(text->size() + 1, 0);
    for (size_t i = 0; i < text->size(); ++i) {
      hashes[i + 1] = hashes[i] * kBase + static_cast<unsigned char>((*text)[i]) + 1;
    }
    it = prefix_hashes_.emplace(value, std::move(hashes)).first;
  }
  return it->second[p.length] == p.hash;
}

bool ValueTable::Equal(uint32_t x, uint32_t y) {
  if (x == y) return true;
  if (x == 0 || y == 0) return false;
  const Node& a = nodes_[x];
  const Node& b = nodes_[y];
  if (a.length != b.length || a.hash != b.hash) return false;
  // Equal hashes: almost surely equal texts, but a verdict is never a guess — compare once.
  uint64_t key = (uint64_t(std::min(x, y)) << 32) | std::max(x, y);
  auto it = equal_.find(key);
  if (it != equal_.end()) return it->second;
  bool eq = Get(x) == Get(y);
  equal_.emplace(key, eq);
  return eq;
}

// ---------------------------------------------------------------------------------------------
// StateTable

StateTable::StateTable(ValueTable* values, uint32_t registers, uint32_t initial_value)
    : values_(values), registers_(registers) {
  if (registers_ == 1) {
    initial_ = initial_value;
  } else {
    scratch_.assign(registers_, initial_value);
    initial_ = InternTuple(scratch_.data());
  }
}

uint64_t StateTable::HashTuple(const uint32_t* tuple) const {
  uint64_t h = 0;
  for (uint32_t r = 0; r < registers_; ++r) h = Mix(h ^ tuple[r]);
  return h;
}

uint32_t StateTable::InternTuple(const uint32_t* tuple) {
  // Open addressing over state ids (flat arrays: cheap to grow and to free, unlike a node map).
  const uint32_t kEmpty = 0xFFFFFFFFu;
  size_t states = tuples_.size() / registers_;
  if ((states + 1) * 2 > slots_.size()) {
    std::vector<uint32_t> grown(std::max<size_t>(64, slots_.size() * 2), kEmpty);
    for (uint32_t id = 0; id < states; ++id) {
      size_t k = HashTuple(&tuples_[size_t(id) * registers_]) & (grown.size() - 1);
      while (grown[k] != kEmpty) k = (k + 1) & (grown.size() - 1);
      grown[k] = id;
    }
    slots_.swap(grown);
  }
  size_t mask = slots_.size() - 1;
  for (size_t k = HashTuple(tuple) & mask;; k = (k + 1) & mask) {
    uint32_t id = slots_[k];
    if (id == kEmpty) {
      slots_[k] = uint32_t(states);
      tuples_.insert(tuples_.end(), tuple, tuple + registers_);
      return uint32_t(states);
    }
    if (std::memcmp(&tuples_[size_t(id) * registers_], tuple, registers_ * sizeof(uint32_t)) == 0) {
      return id;
    }
  }
}

uint32_t StateTable::With(uint32_t state, uint32_t reg, uint32_t value) {
  if (registers_ == 1) return value;
  if (tuples_[size_t(state) * registers_ + reg] == value) return state;
  scratch_.assign(tuples_.begin() + size_t(state) * registers_,
                  tuples_.begin() + size_t(state + 1) * registers_);
  scratch_[reg] = value;
  return InternTuple(scratch_.data());
}

bool ApplyStep(StateTable& states, uint32_t state, const SearchOp& op, uint32_t* next) {
  uint32_t current = states.ValueOf(state, op.reg);
  switch (op.kind) {
    case StepKind::kRead:
      *next = state;
      return states.values().Equal(current, op.a);
    case StepKind::kWrite:
      *next = states.With(state, op.reg, op.a);
      return true;
    case StepKind::kAppend:
      *next = states.With(state, op.reg, states.values().Append(current, op.a));
      return true;
    case StepKind::kCas:
      if (!states.values().Equal(current, op.a)) return false;
      *next = states.With(state, op.reg, op.b);
      return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// PartitionSearch

struct PartitionSearch::Impl {
  Impl(const std::vector<SearchOp>& ops_in, StateTable* states_in)
      : ops(ops_in), states(states_in), n(uint32_t(ops_in.size())), visited((n + 63) / 64) {
    // Entries 1..2n in time order (calls first at equal times); 0 is the head sentinel and 2n+1
    // the tail sentinel.
    struct Event {
      int64_t time;
      int is_return;
      uint32_t op;
    };
    std::vector<Event> events;
    events.reserve(2 * n);
    for (uint32_t i = 0; i < n; ++i) {
      events.push_back({ops[i].call, 0, i});
      events.push_back({ops[i].ret, 1, i});
    }
    std::sort(events.begin(), events.end(), [](const Event& x, const Event& y) {
      return std::tie(x.time, x.is_return, x.op) < std::tie(y.time, y.is_return, y.op);
    });
    tail = 2 * n + 1;
    next.resize(2 * n + 2);
    prev.resize(2 * n + 2);
    op_of.resize(2 * n + 2);
    match.resize(2 * n + 2);
    is_call.assign(2 * n + 2, 0);
    std::vector<uint32_t> call_entry(n);
    for (uint32_t e = 1; e <= 2 * n; ++e) {
      const Event& ev = events[e - 1];
      op_of[e] = ev.op;
      is_call[e] = ev.is_return == 0;
      if (is_call[e]) call_entry[ev.op] = e;
    }
    for (uint32_t e = 1; e <= 2 * n; ++e) {
      if (!is_call[e]) match[call_entry[op_of[e]]] = e;
    }
    for (uint32_t e = 0; e <= tail; ++e) {
      next[e] = e + 1;
      prev[e] = e == 0 ? 0 : e - 1;
    }
    bits.assign((n + 63) / 64, 0);
    zobrist.resize(n);
    for (uint32_t i = 0; i < n; ++i) zobrist[i] = Mix(0x6C696E6368656B00ULL + i);
    stack.reserve(n);
    state = states->initial();

    uint32_t registers = 0;
    for (const SearchOp& op : ops) registers = std::max(registers, op.reg + 1);
    writes.resize(registers);
    write_pos.assign(n, kNone);
    std::vector<uint32_t> resets;
    for (uint32_t i = 0; i < n; ++i) {
      if (ops[i].kind == StepKind::kWrite || ops[i].kind == StepKind::kCas) resets.push_back(i);
    }
    std::stable_sort(resets.begin(), resets.end(),
                     [&](uint32_t x, uint32_t y) { return ops[x].call < ops[y].call; });
    for (uint32_t i : resets) {
      RegisterWrites& w = writes[ops[i].reg];
      write_pos[i] = uint32_t(w.ops.size());
      w.ops.push_back(i);
      w.calls.push_back(ops[i].call);
    }
    entry = next[kHead];
  }

  void Lift(uint32_t e) {
    next[prev[e]] = next[e];
    prev[next[e]] = prev[e];
    uint32_t m = match[e];
    next[prev[m]] = next[m];
    prev[next[m]] = prev[m];
  }

  void Unlift(uint32_t e) {
    uint32_t m = match[e];
    next[prev[m]] = m;
    prev[next[m]] = m;
    next[prev[e]] = e;
    prev[next[e]] = e;
  }

  void Flip(uint32_t op) {
    bits[op >> 6] ^= uint64_t(1) << (op & 63);
    set_hash ^= zobrist[op];
  }

  SearchVerdict Finish(SearchVerdict v) {
    verdict = v;
    result.verdict = v;
    result.steps = steps;
    result.order.clear();
    if (v == SearchVerdict::kOk) {
      for (const Frame& f : stack) result.order.push_back(op_of[f.entry]);
    } else {
      result.order = best;
    }
    return v;
  }

  SearchVerdict Run(uint64_t slice, std::optional<std::chrono::steady_clock::time_point> deadline) {
    if (verdict != SearchVerdict::kRunning) return verdict;
    const uint64_t stop = steps + slice;
    for (;;) {
      if (entry == tail) return Finish(SearchVerdict::kOk);
      if ((++steps & 1023) == 0) {
        if (deadline && std::chrono::steady_clock::now() >= *deadline) {
          return Finish(SearchVerdict::kOutOfBudget);
        }
        if (visited.bytes() > kMaxMemoBytes) return Finish(SearchVerdict::kOutOfBudget);
      }
      if (steps >= stop) return SearchVerdict::kRunning;
      if (node_start) {
        node_start = false;
        switch (ExamineReads()) {
          case NodeCheck::kDead:
            Backtrack();
            continue;
          case NodeCheck::kForcedRead:
            continue;
          case NodeCheck::kBranch:
            break;
        }
      }
      uint32_t op = op_of[entry];
      if (is_call[entry]) {
        uint32_t new_state;
        if (ApplyStep(*states, state, ops[op], &new_state) && Place(entry, new_state, false)) {
          continue;
        }
        entry = next[entry];
        continue;
      }
      // A return entry: its operation was not linearized in time.
      if (ops[op].ret == kNoReturn) {
        // Unknown outcomes sort last: every operation that returned is placed.
        return Finish(SearchVerdict::kOk);
      }
      if (stack.empty()) return Finish(SearchVerdict::kViolation);
      Backtrack();
    }
  }

  enum class NodeCheck { kDead, kForcedRead, kBranch };

  // Looks at the reads among the candidates of a fresh node:
  // - Dead end: a read that can no longer return its value. Before its return only operations
  //   called before that return can be placed; if none of those still unplaced can reset its
  //   register (write, cas), the register only grows by appends, so its value now must be a
  //   prefix of what the read returned. (Exact: a differing prefix hash proves "not a prefix".)
  //   This cuts the wrong orders of concurrent appends as soon as they are made, instead of when
  //   the read's return is reached.
  // - Partial-order reduction: a read that is legal now is placed now (forced). It does not change
  //   the state and every unplaced operation returns after its call, so any linearization that
  //   places it later can place it here instead: no need to branch on it.
  NodeCheck ExamineReads() {
    uint32_t legal = 0;
    ValueTable& values = states->values();
    bool in_window = true;  // entries before the first return are the candidates
    int lookahead = kLookahead;
    for (uint32_t e = next[kHead]; e != tail && lookahead > 0; e = next[e]) {
      if (!is_call[e]) {
        in_window = false;
        continue;
      }
      if (!in_window) --lookahead;
      const SearchOp& r = ops[op_of[e]];
      if (r.kind != StepKind::kRead) continue;
      uint32_t current = states->ValueOf(state, r.reg);
      if (values.Equal(current, r.a)) {
        if (in_window && legal == 0) legal = e;
        continue;
      }
      if (!Reachable(current, r)) return NodeCheck::kDead;
    }
    if (legal == 0) return NodeCheck::kBranch;
    if (!Place(legal, state, /*forced=*/true)) return NodeCheck::kDead;  // explored before
    return NodeCheck::kForcedRead;
  }

  // False only when read `r` certainly cannot return its value any more: neither the current value
  // nor the value of an unplaced reset it may follow (called before its return) is a prefix of it.
  bool Reachable(uint32_t current, const SearchOp& r) {
    ValueTable& values = states->values();
    if (values.MaybePrefix(current, r.a)) return true;
    const RegisterWrites& w = writes[r.reg];
    for (size_t k = w.first_unplaced; k < w.ops.size() && w.calls[k] <= r.ret; ++k) {
      uint32_t op = w.ops[k];
      if (Placed(op)) continue;
      uint32_t written = ops[op].kind == StepKind::kCas ? ops[op].b : ops[op].a;
      if (values.MaybePrefix(written, r.a)) return true;
    }
    return false;
  }

  // Per register: the operations that can reset it (write, cas), by call time, and the first of
  // them not placed.
  struct RegisterWrites {
    std::vector<int64_t> calls;
    std::vector<uint32_t> ops;
    size_t first_unplaced = 0;
  };

  bool Placed(uint32_t op) const { return (bits[op >> 6] >> (op & 63)) & 1; }

  void OnPlaced(uint32_t op) {
    if (write_pos[op] == kNone) return;
    RegisterWrites& w = writes[ops[op].reg];
    while (w.first_unplaced < w.ops.size() && Placed(w.ops[w.first_unplaced])) ++w.first_unplaced;
  }

  void OnUnplaced(uint32_t op) {
    if (write_pos[op] == kNone) return;
    RegisterWrites& w = writes[ops[op].reg];
    w.first_unplaced = std::min<size_t>(w.first_unplaced, write_pos[op]);
  }

  // Linearizes the operation of call entry `e`, reaching `new_state`, unless that (set, state)
  // pair was explored before. Returns true when placed (the scan restarts at the front).
  bool Place(uint32_t e, uint32_t new_state, bool forced) {
    uint32_t op = op_of[e];
    Flip(op);
    if (!visited.Insert(bits.data(), new_state, set_hash ^ Mix(new_state))) {
      Flip(op);
      return false;
    }
    stack.push_back({e, state, forced});
    state = new_state;
    Lift(e);
    OnPlaced(op);
    if (stack.size() > best.size()) RecordBest();  // at most n times per search
    entry = next[kHead];
    node_start = true;
    return true;
  }

  // Undoes the top placement and resumes the scan after it. A forced placement was the only
  // choice at its node, so that node fails too: keep undoing. With an empty stack the next scan
  // reaches a return entry and reports the violation.
  void Backtrack() {
    while (!stack.empty()) {
      Frame top = stack.back();
      stack.pop_back();
      state = top.state;
      Flip(op_of[top.entry]);
      OnUnplaced(op_of[top.entry]);
      Unlift(top.entry);
      entry = next[top.entry];
      if (!top.forced) return;
    }
    entry = FirstReturn();
  }

  uint32_t FirstReturn() const {
    uint32_t e = next[kHead];
    while (e != tail && is_call[e]) e = next[e];
    return e;
  }

  void RecordBest() {
    best.clear();
    for (const Frame& f : stack) best.push_back(op_of[f.entry]);
  }

  struct Frame {
    uint32_t entry;
    uint32_t state;  // before the placement
    bool forced;     // the only choice at its node (a legal read)
  };
  static constexpr uint32_t kHead = 0;
  static constexpr uint32_t kNone = 0xFFFFFFFFu;
  // Call entries past the candidates whose reads are checked for reachability at each node.
  static constexpr int kLookahead = 16;

  const std::vector<SearchOp>& ops;
  StateTable* states;
  uint32_t n;
  uint32_t tail = 0;
  std::vector<uint32_t> next, prev, op_of, match;
  std::vector<uint8_t> is_call;
  std::vector<uint64_t> bits;
  std::vector<uint64_t> zobrist;
  uint64_t set_hash = 0;
  VisitedSet visited;
  std::vector<Frame> stack;
  std::vector<uint32_t> best;
  std::vector<RegisterWrites> writes;  // by register
  std::vector<uint32_t> write_pos;     // op → index in its register's writes, or kNone
  uint32_t state = 0;
  uint32_t entry = 0;
  bool node_start = true;
  uint64_t steps = 0;
  SearchVerdict verdict = SearchVerdict::kRunning;
  SearchResult result;
};

PartitionSearch::PartitionSearch(const std::vector<SearchOp>& ops, StateTable* states)
    : impl_(std::make_unique<Impl>(ops, states)) {}

PartitionSearch::~PartitionSearch() = default;

SearchVerdict PartitionSearch::Run(uint64_t steps,
                                   std::optional<std::chrono::steady_clock::time_point> deadline) {
  return impl_->Run(steps, deadline);
}

SearchResult PartitionSearch::TakeResult() {
  if (impl_->verdict == SearchVerdict::kRunning) impl_->Finish(SearchVerdict::kOutOfBudget);
  return std::move(impl_->result);
}

uint64_t PartitionSearch::steps() const { return impl_->steps; }

SearchResult Search(const std::vector<SearchOp>& ops, StateTable& states,
                    const SearchBudget& budget) {
  PartitionSearch search(ops, &states);
  uint64_t slice = budget.max_steps != 0 ? budget.max_steps : ~uint64_t(0) / 2;
  search.Run(slice, budget.deadline);
  return search.TakeResult();
}

}  // namespace tinykv::check::internal
