#include "grading/check/si/list_append.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <tuple>
#include <utility>

namespace tinykv::check::si {

namespace {

enum EdgeType : uint8_t { kWW = 0, kWR = 1, kRW = 2 };
constexpr unsigned kMaskWW = 1u << kWW;
constexpr unsigned kMaskWWWR = kMaskWW | (1u << kWR);
constexpr unsigned kMaskAll = kMaskWWWR | (1u << kRW);
constexpr size_t kNone = static_cast<size_t>(-1);

struct Edge {
  size_t from = 0;
  size_t to = 0;
  EdgeType type = kWW;
  const std::string* key = nullptr;
  // ww: `from` appended a, `to` appended b right after. wr: `to` read up to a, appended by
  // `from`. rw: `from` read up to a (empty when the read was empty), `to` appended b next.
  std::string a;
  std::string b;
};

struct AppendInfo {
  size_t txn = 0;
  std::string next;  // the element the same txn appended to the key after this one, if any
};

struct ReadRef {
  size_t txn;
  const Mop* mop;
};

std::string Name(const TxnHistory& h, size_t t) { return "T" + std::to_string(h.txns[t].index); }

std::string List(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += " ";
    out += v[i];
  }
  return out + "]";
}

std::string ReadText(const TxnHistory& h, const ReadRef& r) {
  return Name(h, r.txn) + " read key " + r.mop->key + " = " + List(r.mop->read);
}

bool IsPrefix(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// The dependency graph with scratch space for searches, reused so that each search costs only
// the nodes it visits.
class Graph {
 public:
  explicit Graph(size_t n) : adj_(n), index_(n, -1), low_(n), on_stack_(n), parent_(n, kNone) {}

  void Add(Edge e) {
    auto [it, inserted] = seen_.insert({e.from, e.to, e.type});
    if (!inserted) return;  // keep the first explanation of each (from, to, type)
    adj_[e.from].push_back(edges_.size());
    edges_.push_back(std::move(e));
  }

  void Finish() {
    for (auto& out : adj_) {
      std::sort(out.begin(), out.end(), [&](size_t x, size_t y) {
        return std::tie(edges_[x].to, edges_[x].type) < std::tie(edges_[y].to, edges_[y].type);
      });
    }
    seen_.clear();
  }

  const Edge& edge(size_t e) const { return edges_[e]; }
  const std::vector<size_t>& out(size_t v) const { return adj_[v]; }
  size_t size() const { return adj_.size(); }

  // Strongly connected components (iterative Tarjan) of the subgraph of `nodes` and the edges
  // in `mask` whose target is in `region` (region[v] == region_id). Components come out in
  // reverse topological order; members of each sorted.
  std::vector<std::vector<size_t>> Scc(const std::vector<size_t>& nodes, unsigned mask,
                                       const std::vector<size_t>& region, size_t region_id) {
    std::vector<std::vector<size_t>> comps;
    std::vector<size_t> touched;
    std::vector<size_t> stack;
    std::vector<std::pair<size_t, size_t>> calls;  // node, next position in its adjacency
    int counter = 0;
    auto visit = [&](size_t v) {
      index_[v] = low_[v] = counter++;
      on_stack_[v] = true;
      stack.push_back(v);
      touched.push_back(v);
      calls.emplace_back(v, 0);
    };
    for (size_t s : nodes) {
      if (index_[s] != -1) continue;
      visit(s);
      while (!calls.empty()) {
        const size_t v = calls.back().first;
        const size_t pos = calls.back().second;
        if (pos < adj_[v].size()) {
          ++calls.back().second;
          const Edge& e = edges_[adj_[v][pos]];
          if (((mask >> e.type) & 1u) == 0 || region[e.to] != region_id) continue;
          if (index_[e.to] == -1) {
            visit(e.to);
          } else if (on_stack_[e.to]) {
            low_[v] = std::min(low_[v], index_[e.to]);
          }
          continue;
        }
        calls.pop_back();
        if (!calls.empty()) low_[calls.back().first] = std::min(low_[calls.back().first], low_[v]);
        if (low_[v] != index_[v]) continue;
        std::vector<size_t> comp;
        for (;;) {
          const size_t w = stack.back();
          stack.pop_back();
          on_stack_[w] = false;
          comp.push_back(w);
          if (w == v) break;
        }
        std::sort(comp.begin(), comp.end());
        comps.push_back(std::move(comp));
      }
    }
    for (size_t v : touched) index_[v] = -1;
    return comps;
  }

  // Shortest path (edge ids) from `from` to `to` over `mask` edges whose ends are in `region`;
  // from == to asks for a shortest cycle through `from`. Empty when there is none.
  std::vector<size_t> Path(size_t from, size_t to, unsigned mask, const std::vector<size_t>& region,
                           size_t region_id) {
    std::vector<size_t> queue{from};
    std::vector<size_t> touched;
    size_t found = kNone;  // the edge that reached `to`
    for (size_t head = 0; head < queue.size() && found == kNone; ++head) {
      const size_t v = queue[head];
      for (size_t id : adj_[v]) {
        const Edge& e = edges_[id];
        if (((mask >> e.type) & 1u) == 0 || region[e.to] != region_id) continue;
        if (e.to == to) {
          found = id;
          break;
        }
        if (parent_[e.to] != kNone || e.to == from) continue;
        parent_[e.to] = id;
        touched.push_back(e.to);
        queue.push_back(e.to);
      }
    }
    std::vector<size_t> path;
    if (found != kNone) {
      for (size_t id = found;; id = parent_[edges_[id].from]) {
        path.push_back(id);
        if (edges_[id].from == from) break;
      }
      std::reverse(path.begin(), path.end());
    }
    for (size_t v : touched) parent_[v] = kNone;
    return path;
  }

 private:
  std::vector<Edge> edges_;
  std::vector<std::vector<size_t>> adj_;
  std::set<std::tuple<size_t, size_t, EdgeType>> seen_;
  std::vector<int> index_;
  std::vector<int> low_;
  std::vector<char> on_stack_;
  std::vector<size_t> parent_;
};

std::string ExplainEdge(const TxnHistory& h, const Edge& e) {
  switch (e.type) {
    case kWW:
      return Name(h, e.to) + " appended " + e.b + " to key " + *e.key + " after " +
             Name(h, e.from) + " appended " + e.a + " (ww)";
    case kWR:
      return Name(h, e.to) + " read key " + *e.key + " up to " + e.a + ", which " +
             Name(h, e.from) + " appended (wr)";
    case kRW:
      return Name(h, e.from) + " read key " + *e.key +
             (e.a.empty() ? " as empty" : " up to " + e.a) + " and missed " + e.b + ", which " +
             Name(h, e.to) + " appended next (rw)";
  }
  return "";
}

class Checker {
 public:
  Checker(const TxnHistory& h, Consistency model) : h_(h), model_(model), graph_(h.txns.size()) {}

  Result<CheckResult> Run() {
    if (Status s = IndexAppends(); !s.ok()) return s;
    CheckInternal();
    CollectReads();
    CheckReads();
    BuildVersionOrders();
    BuildGraph();
    FindCycles();
    std::stable_sort(result_.anomalies.begin(), result_.anomalies.end(),
                     [](const Anomaly& a, const Anomaly& b) { return a.type < b.type; });
    for (Anomaly& a : result_.anomalies) {
      a.forbidden = Forbids(model_, a.type);
      if (a.forbidden) result_.valid = false;
    }
    return std::move(result_);
  }

 private:
  void Report(AnomalyType type, std::vector<size_t> txns, std::vector<std::string> lines) {
    Anomaly a;
    a.type = type;
    a.txns = std::move(txns);
    a.explanation = std::move(lines);
    result_.anomalies.push_back(std::move(a));
  }

  Status IndexAppends() {
    for (size_t t = 0; t < h_.txns.size(); ++t) {
      std::map<std::string, AppendInfo*> last;  // key -> this txn's latest append so far
      for (const Mop& m : h_.txns[t].mops) {
        if (m.kind != Mop::Kind::kAppend) continue;
        auto [it, inserted] = appends_.try_emplace({m.key, m.element}, AppendInfo{t, ""});
        if (!inserted) {
          return Status::DataError(Name(h_, it->second.txn) + " and " + Name(h_, t) +
                                   " both append " + m.element + " to key " + m.key +
                                   "; list-append needs each element appended once per key");
        }
        AppendInfo*& prev = last[m.key];
        if (prev != nullptr) prev->next = m.element;
        prev = &it->second;
      }
    }
    return Status::Ok();
  }

  const AppendInfo* Appender(const std::string& key, const std::string& element) const {
    auto it = appends_.find({key, element});
    return it == appends_.end() ? nullptr : &it->second;
  }

  // A txn's reads must agree with its own earlier read of the key plus its appends since; with
  // no earlier read, they must end with its appends so far.
  void CheckInternal() {
    for (size_t t = 0; t < h_.txns.size(); ++t) {
      if (h_.txns[t].status != TxnStatus::kOk) continue;
      struct State {
        bool known = false;
        std::vector<std::string> expected;  // known: the whole list; else the suffix required
      };
      std::map<std::string, State> keys;
      for (const Mop& m : h_.txns[t].mops) {
        State& st = keys[m.key];
        if (m.kind == Mop::Kind::kAppend) {
          st.expected.push_back(m.element);
          continue;
        }
        const bool ok = st.known ? m.read == st.expected
                                 : m.read.size() >= st.expected.size() &&
                                       std::equal(st.expected.begin(), st.expected.end(),
                                                  m.read.end() - st.expected.size());
        if (!ok) {
          Report(AnomalyType::kInternal, {t},
                 {Name(h_, t) + " read key " + m.key + " = " + List(m.read) + " but expected " +
                  (st.known ? List(st.expected)
                            : "a list ending in " + List(st.expected) + " (its own appends)")});
        }
        st.known = true;
        st.expected = m.read;
      }
    }
  }

  void CollectReads() {
    for (size_t t = 0; t < h_.txns.size(); ++t) {
      if (h_.txns[t].status != TxnStatus::kOk) continue;
      for (const Mop& m : h_.txns[t].mops) {
        if (m.kind == Mop::Kind::kRead) reads_[m.key].push_back({t, &m});
      }
    }
  }

  // Duplicates, unknown elements, G1a and G1b: facts about single reads.
  void CheckReads() {
    for (const auto& [key, reads] : reads_) {
      for (const ReadRef& r : reads) {
        std::set<std::string> seen;
        bool duplicate = false;
        bool unknown = false;
        bool aborted = false;
        for (const std::string& e : r.mop->read) {
          if (!seen.insert(e).second && !duplicate) {
            duplicate = true;
            Report(AnomalyType::kDuplicateElements, {r.txn},
                   {ReadText(h_, r) + ", which holds " + e + " more than once"});
          }
          const AppendInfo* w = Appender(key, e);
          if (w == nullptr) {
            if (!unknown) {
              unknown = true;
              Report(AnomalyType::kUnknownElement, {r.txn},
                     {ReadText(h_, r) + ", but no transaction appended " + e});
            }
          } else if (h_.txns[w->txn].status == TxnStatus::kFail && !aborted) {
            aborted = true;
            Report(AnomalyType::kG1a, {r.txn, w->txn},
                   {ReadText(h_, r) + ", which holds " + e + " appended by " + Name(h_, w->txn) +
                    ", a transaction that failed"});
          }
        }
        if (r.mop->read.empty()) continue;
        const std::string& last = r.mop->read.back();
        const AppendInfo* w = Appender(key, last);
        if (w != nullptr && w->txn != r.txn && !w->next.empty() &&
            h_.txns[w->txn].status != TxnStatus::kFail) {
          Report(AnomalyType::kG1b, {r.txn, w->txn},
                 {ReadText(h_, r) + ", ending at " + last + ", an intermediate append of " +
                  Name(h_, w->txn) + ", which appended " + w->next + " to the key after it"});
        }
      }
    }
  }

  // Each key's version order is its longest read (the first such in history order), plus the one
  // committed append no read saw, when there is exactly one; every other read must be a prefix of
  // the longest.
  void BuildVersionOrders() {
    for (const auto& [key, reads] : reads_) {
      const ReadRef* longest = &reads.front();
      for (const ReadRef& r : reads) {
        if (r.mop->read.size() > longest->mop->read.size()) longest = &r;
      }
      for (const ReadRef& r : reads) {
        if (IsPrefix(r.mop->read, longest->mop->read)) continue;
        Report(AnomalyType::kIncompatibleOrder, {r.txn, longest->txn},
               {ReadText(h_, r) + " but " + ReadText(h_, *longest) +
                "; neither is a prefix of the other"});
        break;  // one per key
      }
      std::vector<std::string> order = longest->mop->read;
      // An append no read saw comes after every element the longest read saw (lists only grow
      // at the end). If exactly one committed append of the key is unseen, its place is known:
      // last (Elle's inference too: a key's final, unread write).
      const std::set<std::string> seen(order.begin(), order.end());
      std::vector<std::string> unseen;
      for (auto it = appends_.lower_bound({key, ""});
           it != appends_.end() && it->first.first == key; ++it) {
        // Possibly committed appends count too: with two candidates the order is not known.
        if (seen.count(it->first.second) == 0 &&
            h_.txns[it->second.txn].status != TxnStatus::kFail) {
          unseen.push_back(it->first.second);
        }
      }
      if (unseen.size() == 1 &&
          h_.txns[appends_.at({key, unseen.front()}).txn].status == TxnStatus::kOk) {
        order.push_back(unseen.front());
      }
      order_[key] = std::move(order);
    }
  }

  // The committed-or-possibly-committed appender of `e` in `key`, or kNone.
  size_t Writer(const std::string& key, const std::string& e) const {
    const AppendInfo* w = Appender(key, e);
    if (w == nullptr || h_.txns[w->txn].status == TxnStatus::kFail) return kNone;
    return w->txn;
  }

  void AddEdge(size_t from, size_t to, EdgeType type, const std::string& key, std::string a,
               std::string b) {
    if (from == kNone || to == kNone || from == to) return;
    graph_.Add(Edge{from, to, type, &key, std::move(a), std::move(b)});
  }

  void BuildGraph() {
    for (const auto& [key, order] : order_) {
      const std::vector<std::string>& v = order;
      for (size_t i = 0; i + 1 < v.size(); ++i) {
        AddEdge(Writer(key, v[i]), Writer(key, v[i + 1]), kWW, key, v[i], v[i + 1]);
      }
      for (const ReadRef& r : reads_.at(key)) {
        const std::vector<std::string>& read = r.mop->read;
        if (!IsPrefix(read, v)) continue;  // incompatible: already reported, no safe inference
        if (!read.empty()) AddEdge(Writer(key, read.back()), r.txn, kWR, key, read.back(), "");
        // The next element's writer, unless it also wrote the last element seen: the read saw
        // that txn's intermediate state (G1b, reported), not a version before it.
        if (read.size() < v.size() &&
            (read.empty() || Writer(key, v[read.size()]) != Writer(key, read.back()))) {
          AddEdge(r.txn, Writer(key, v[read.size()]), kRW, key, read.empty() ? "" : read.back(),
                  v[read.size()]);
        }
      }
    }
    graph_.Finish();
  }

  void ReportCycle(const std::vector<size_t>& cycle) {
    size_t rw = 0;
    bool only_ww = true;
    Anomaly a;
    for (size_t id : cycle) {
      const Edge& e = graph_.edge(id);
      if (e.type == kRW) ++rw;
      if (e.type != kWW) only_ww = false;
      a.txns.push_back(e.from);
      a.explanation.push_back(ExplainEdge(h_, e));
    }
    a.type = rw == 0   ? (only_ww ? AnomalyType::kG0 : AnomalyType::kG1c)
             : rw == 1 ? AnomalyType::kGSingle
                       : AnomalyType::kG2Item;
    result_.anomalies.push_back(std::move(a));
  }

  // A cycle of `mask` edges inside component `c`, or empty.
  std::vector<size_t> CycleWithin(const std::vector<size_t>& members, unsigned mask, size_t c) {
    for (const auto& sub : graph_.Scc(members, mask, comp_, c)) {
      if (sub.size() > 1) return graph_.Path(sub.front(), sub.front(), mask, comp_, c);
    }
    return {};
  }

  // A cycle with exactly one rw edge inside component `c`, or empty.
  std::vector<size_t> SingleRwCycle(const std::vector<size_t>& members, size_t c) {
    // Components of the ww+wr subgraph: v reaches u over ww/wr only if sub(v) == sub(u) or sub(v)
    // comes later in Tarjan's (reverse topological) output.
    std::vector<std::vector<size_t>> subs = graph_.Scc(members, kMaskWWWR, comp_, c);
    std::map<size_t, size_t> sub_of;
    for (size_t i = 0; i < subs.size(); ++i) {
      for (size_t v : subs[i]) sub_of[v] = i;
    }
    std::vector<size_t> rw_edges;
    for (size_t u : members) {
      for (size_t id : graph_.out(u)) {
        const Edge& e = graph_.edge(id);
        if (e.type == kRW && comp_[e.to] == c) rw_edges.push_back(id);
      }
    }
    for (int pass = 0; pass < 2; ++pass) {
      for (size_t id : rw_edges) {
        const Edge& e = graph_.edge(id);
        const size_t su = sub_of.at(e.from);
        const size_t sv = sub_of.at(e.to);
        if (pass == 0 ? su != sv : sv <= su) continue;
        std::vector<size_t> back = graph_.Path(e.to, e.from, kMaskWWWR, comp_, c);
        if (back.empty()) continue;
        back.insert(back.begin(), id);
        return back;
      }
    }
    return {};
  }

  void FindCycles() {
    std::vector<size_t> nodes(h_.txns.size());
    for (size_t t = 0; t < nodes.size(); ++t) nodes[t] = t;
    comp_.assign(h_.txns.size(), 0);
    std::vector<std::vector<size_t>> comps = graph_.Scc(nodes, kMaskAll, comp_, 0);
    std::sort(comps.begin(), comps.end());  // by smallest member, for a stable report order
    for (size_t c = 0; c < comps.size(); ++c) {
      for (size_t v : comps[c]) comp_[v] = c + 1;
    }
    for (size_t c = 0; c < comps.size(); ++c) {
      const std::vector<size_t>& members = comps[c];
      if (members.size() < 2) continue;
      const size_t id = c + 1;
      std::vector<size_t> cycle = CycleWithin(members, kMaskWW, id);
      if (cycle.empty()) cycle = CycleWithin(members, kMaskWWWR, id);
      if (cycle.empty()) cycle = SingleRwCycle(members, id);
      if (cycle.empty()) cycle = graph_.Path(members.front(), members.front(), kMaskAll, comp_, id);
      if (!cycle.empty()) ReportCycle(cycle);
    }
  }

  const TxnHistory& h_;
  Consistency model_;
  Graph graph_;
  std::map<std::pair<std::string, std::string>, AppendInfo> appends_;  // (key, element)
  std::map<std::string, std::vector<ReadRef>> reads_;                  // by key, history order
  std::map<std::string, std::vector<std::string>> order_;              // version order by key
  std::vector<size_t> comp_;  // component id (1-based) of each txn, 0 before FindCycles
  CheckResult result_;
};

}  // namespace

std::string_view AnomalyName(AnomalyType type) {
  switch (type) {
    case AnomalyType::kInternal:
      return "internal";
    case AnomalyType::kDuplicateElements:
      return "duplicate-elements";
    case AnomalyType::kIncompatibleOrder:
      return "incompatible-order";
    case AnomalyType::kUnknownElement:
      return "unknown-element";
    case AnomalyType::kG1a:
      return "G1a";
    case AnomalyType::kG1b:
      return "G1b";
    case AnomalyType::kG0:
      return "G0";
    case AnomalyType::kG1c:
      return "G1c";
    case AnomalyType::kGSingle:
      return "G-single";
    case AnomalyType::kG2Item:
      return "G2-item";
  }
  return "?";
}

std::string_view ConsistencyName(Consistency model) {
  switch (model) {
    case Consistency::kReadCommitted:
      return "read-committed";
    case Consistency::kSnapshotIsolation:
      return "snapshot-isolation";
    case Consistency::kSerializable:
      return "serializable";
  }
  return "?";
}

std::optional<Consistency> ParseConsistency(std::string_view name) {
  for (Consistency m :
       {Consistency::kReadCommitted, Consistency::kSnapshotIsolation, Consistency::kSerializable}) {
    if (ConsistencyName(m) == name) return m;
  }
  return std::nullopt;
}

bool Forbids(Consistency model, AnomalyType type) {
  switch (type) {
    case AnomalyType::kGSingle:
      return model != Consistency::kReadCommitted;
    case AnomalyType::kG2Item:
      return model == Consistency::kSerializable;
    default:
      return true;  // G0, G1a-c and the non-cycle anomalies break every model checked here
  }
}

std::string CheckResult::Summary(Consistency model) const {
  std::string out =
      std::string(valid ? "valid" : "invalid") + " under " + std::string(ConsistencyName(model));
  std::set<std::string_view> forbidden;
  for (const Anomaly& a : anomalies) {
    if (a.forbidden) forbidden.insert(AnomalyName(a.type));
  }
  if (!forbidden.empty()) {
    out += ":";
    for (std::string_view name : forbidden) out += " " + std::string(name);
  }
  out += "\n";
  for (const Anomaly& a : anomalies) {
    out += std::string(AnomalyName(a.type)) + (a.forbidden ? " (forbidden)" : " (allowed)") + "\n";
    for (const std::string& line : a.explanation) out += "  " + line + "\n";
  }
  return out;
}

Result<CheckResult> CheckListAppend(const TxnHistory& history, Consistency model) {
  return Checker(history, model).Run();
}

}  // namespace tinykv::check::si
