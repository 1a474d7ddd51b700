#include "grading/check/si/cycle_search.h"

#include <algorithm>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tinykv::check::si {

namespace {

enum class StepKind { kCycle, kNonadjacent };

struct Step {
  StepKind kind;
  // kCycle: the edge kinds a cycle may use. kNonadjacent: the kinds besides rw.
  EdgeMask mask;
  AnomalyType first;   // the kinds the step decides
  AnomalyType second;  // (== first when one)
};

constexpr EdgeMask kRt = Bit(EdgeKind::kRealtime);
constexpr Step kSteps[] = {
    {StepKind::kCycle, kWWMask, AnomalyType::kG0, AnomalyType::kG0},
    {StepKind::kCycle, kWWWRMask, AnomalyType::kG1c, AnomalyType::kG1c},
    {StepKind::kNonadjacent, kWWWRMask, AnomalyType::kGSingle, AnomalyType::kGNonadjacent},
    {StepKind::kCycle, kDataMask, AnomalyType::kG2Item, AnomalyType::kG2Item},
    {StepKind::kCycle, kWWMask | kRt, AnomalyType::kG0Realtime, AnomalyType::kG0Realtime},
    {StepKind::kCycle, kWWWRMask | kRt, AnomalyType::kG1cRealtime, AnomalyType::kG1cRealtime},
    {StepKind::kNonadjacent, kWWWRMask | kRt, AnomalyType::kGSingleRealtime,
     AnomalyType::kGNonadjacentRealtime},
    {StepKind::kCycle, kAllMask, AnomalyType::kG2ItemRealtime, AnomalyType::kG2ItemRealtime},
};
constexpr size_t kDataSteps = 4;  // the first four use no realtime edges

enum class Outcome { kFound, kAbsent, kStopped };

class Searcher {
 public:
  Searcher(DependencyGraph* g, const EdgeExplainer& explain, std::span<const Consistency> models,
           Meter* meter, CheckResult* out)
      : g_(*g), explain_(explain), models_(models), meter_(meter), out_(*out) {
    for (const Anomaly& a : out_.anomalies) MarkInvalid(a.type);
  }

  void Run() {
    const auto n = static_cast<uint32_t>(g_.size());
    std::vector<uint32_t> nodes(n);
    for (uint32_t v = 0; v < n; ++v) nodes[v] = v;
    std::vector<std::vector<uint32_t>> comps = g_.Scc(nodes, Traversal{}, false, meter_);
    if (meter_->stopped()) {
      out_.notes.push_back(
          "the budget ran out while finding the dependency graph's strongly connected "
          "components; no cycle was examined");
      UndecidedFrom(0, true);
      return;
    }
    std::sort(comps.begin(), comps.end());  // by smallest member, for a stable report order
    comp_.assign(n, 0);
    for (uint32_t c = 0; c < comps.size(); ++c) {
      for (uint32_t v : comps[c]) comp_[v] = c + 1;
    }
    for (uint32_t c = 0; c < comps.size(); ++c) {
      const size_t steps = g_.HasKind(EdgeKind::kRealtime) ? std::size(kSteps) : kDataSteps;
      std::vector<AnomalyType> found;
      bool any = false;
      for (size_t s = 0; s < steps; ++s) {
        const Step& step = kSteps[s];
        if (any && !Needed(step)) continue;
        const Outcome o = step.kind == StepKind::kCycle ? CycleStep(comps[c], c + 1, step)
                                                        : NonadjacentStep(comps[c], c + 1, step);
        if (o == Outcome::kStopped) {
          std::string note = "the budget ran out: the component of " +
                             std::to_string(comps[c].size()) +
                             " txns contains a cycle; its classification did not finish";
          if (!found.empty()) {
            note += " (found so far:";
            for (AnomalyType t : found) note += " " + std::string(AnomalyName(t));
            note += ")";
          }
          if (c + 1 < comps.size()) {
            note += "; " + std::to_string(comps.size() - c - 1) +
                    " more components with cycles were not examined";
          }
          out_.notes.push_back(note);
          UndecidedFrom(s, c + 1 < comps.size());
          return;
        }
        if (o == Outcome::kFound) {
          any = true;
          found.push_back(out_.anomalies.back().type);
        }
      }
    }
  }

 private:
  void MarkInvalid(AnomalyType type) {
    for (Consistency m : models_) {
      if (Forbids(m, type)) invalid_.push_back(m);
    }
  }
  bool Invalid(Consistency m) const {
    return std::find(invalid_.begin(), invalid_.end(), m) != invalid_.end();
  }
  // Some model of the check forbids what `step` looks for and has no forbidden anomaly yet.
  bool Needed(const Step& step) const {
    for (Consistency m : models_) {
      if (!Invalid(m) && (Forbids(m, step.first) || Forbids(m, step.second))) return true;
    }
    return false;
  }
  // The budget stopped the search before step `s` of a component finished: every model still
  // waiting on that step or a later one is undecided (all of them, when components are left).
  void UndecidedFrom(size_t s, bool components_left) {
    for (Consistency m : models_) {
      if (Invalid(m)) continue;
      bool waiting = components_left;
      for (size_t i = s; i < std::size(kSteps) && !waiting; ++i) {
        waiting = Forbids(m, kSteps[i].first) || Forbids(m, kSteps[i].second);
      }
      if (waiting) out_.undecided.push_back(m);
    }
  }

  void Report(const std::vector<uint32_t>& cycle) {
    Anomaly a;
    for (uint32_t id : cycle) {
      const Edge& e = g_.edge(id);
      a.txns.push_back(e.from);
      a.edges.push_back(e.kind);
      a.explanation.push_back(explain_(e));
    }
    a.type = ClassifyCycle(a.edges);
    MarkInvalid(a.type);
    out_.anomalies.push_back(std::move(a));
  }

  Outcome CycleStep(const std::vector<uint32_t>& members, uint32_t c, const Step& step) {
    const Traversal t{step.mask, false, &comp_, c};
    const std::vector<std::vector<uint32_t>> subs = g_.Scc(members, t, false, meter_);
    if (meter_->stopped()) return Outcome::kStopped;
    if (subs.empty()) return Outcome::kAbsent;
    const std::vector<uint32_t> cycle =
        g_.Path(subs.front().front(), subs.front().front(), t, meter_);
    if (meter_->stopped()) return Outcome::kStopped;
    Report(cycle);
    return Outcome::kFound;
  }

  Outcome NonadjacentStep(const std::vector<uint32_t>& members, uint32_t c, const Step& step) {
    const Traversal tp{step.mask, true, &comp_, c};
    std::vector<uint32_t> starts;
    starts.reserve(2 * members.size());
    for (uint32_t v : members) {
      starts.push_back(2 * v);
      starts.push_back(2 * v + 1);
    }
    const std::vector<std::vector<uint32_t>> psccs = g_.Scc(starts, tp, false, meter_);
    if (meter_->stopped()) return Outcome::kStopped;
    // pscc_[state]: which product component the state is in. A rw edge u -> v lies on a
    // nonadjacent closed walk exactly when (u, 0) and (v, 1) share a product component.
    if (pscc_.empty()) {  // scratch, sized once; each step resets what it set
      pscc_.assign(2 * g_.size(), kNoId);
      region_.assign(g_.size(), kNoId);
      sub_of_.assign(g_.size(), kNoId);
    }
    for (uint32_t i = 0; i < psccs.size(); ++i) {
      for (uint32_t s : psccs[i]) pscc_[s] = i;
    }
    struct Reset {
      std::vector<uint32_t>& pscc;
      const std::vector<std::vector<uint32_t>>& psccs;
      ~Reset() {
        for (const auto& comp : psccs) {
          for (uint32_t s : comp) pscc[s] = kNoId;
        }
      }
    } reset{pscc_, psccs};
    std::vector<uint32_t> candidates;
    for (uint32_t u : members) {
      for (uint32_t id : g_.Out(u)) {
        const Edge& e = g_.edge(id);
        if (e.kind != EdgeKind::kRW || comp_[e.to] != c) continue;
        if (pscc_[2 * u] != kNoId && pscc_[2 * u] == pscc_[2 * e.to + 1]) candidates.push_back(id);
      }
    }
    if (candidates.empty()) return Outcome::kAbsent;

    size_t tried = 0;
    std::vector<uint32_t> cycle = SingleRwCycle(members, c, step, candidates, &tried);
    const bool cut = meter_->stopped();
    if (cycle.empty()) {
      // No cycle with one rw edge: the walk through the first candidate is the witness. It is
      // linear to find, so it runs even when the budget has just run out.
      const Edge& e0 = g_.edge(candidates.front());
      cycle = g_.Path(2 * e0.to + 1, 2 * e0.from, tp, cut ? nullptr : meter_);
      if (!cut && meter_->stopped()) return Outcome::kStopped;
      cycle.insert(cycle.begin(), candidates.front());
      cycle = Simplify(std::move(cycle), step);
    }
    Report(cycle);
    if (cut) {
      out_.notes.push_back(
          "the budget ran out while looking for a cycle with a single rw edge in "
          "the component of " +
          std::to_string(members.size()) + " txns (" + std::to_string(tried) + " of " +
          std::to_string(candidates.size()) + " rw edges tried); its " +
          std::string(AnomalyName(out_.anomalies.back().type)) +
          " witness may not be the weakest cycle there");
    }
    return Outcome::kFound;
  }

  // A cycle of one rw edge (a candidate) plus `step.mask` edges, or empty. *tried counts the
  // candidates examined.
  std::vector<uint32_t> SingleRwCycle(const std::vector<uint32_t>& members, uint32_t c,
                                      const Step& step, const std::vector<uint32_t>& candidates,
                                      size_t* tried) {
    // Components of the subgraph without rw, in Tarjan's reverse topological order: v can reach
    // u over it only if sub(v) == sub(u) or sub(v) comes later than sub(u).
    const std::vector<std::vector<uint32_t>> subs =
        g_.Scc(members, Traversal{step.mask, false, &comp_, c}, true, meter_);
    if (meter_->stopped()) return {};
    for (uint32_t i = 0; i < subs.size(); ++i) {
      for (uint32_t v : subs[i]) sub_of_[v] = i;
    }
    // The path back from v to u stays among the txns whose state (w, 0) is in the product
    // component of the rw edge (every state on a walk between two states of one strongly
    // connected component is in it too).
    for (uint32_t v : members) region_[v] = pscc_[2 * v];
    std::vector<uint32_t> cycle = SingleRwCycleIn(candidates, step, tried);
    for (uint32_t v : members) region_[v] = sub_of_[v] = kNoId;
    return cycle;
  }

  std::vector<uint32_t> SingleRwCycleIn(const std::vector<uint32_t>& candidates, const Step& step,
                                        size_t* tried) {
    Traversal td{step.mask, false, &region_, 0};
    // First the rw edges inside one sub: a path back is certain, one search finds it.
    for (uint32_t id : candidates) {
      const Edge& e = g_.edge(id);
      if (sub_of_[e.from] != sub_of_[e.to]) continue;
      ++*tried;
      td.region_id = pscc_[2 * e.from];
      std::vector<uint32_t> back = g_.Path(e.to, e.from, td, meter_);
      if (meter_->stopped()) return {};
      back.insert(back.begin(), id);
      return back;
    }
    // Then the others that could close, grouped by target: one search from each target answers
    // for every rw edge into it.
    std::vector<std::pair<uint32_t, uint32_t>> by_target;  // (target, edge id)
    for (uint32_t id : candidates) {
      const Edge& e = g_.edge(id);
      if (sub_of_[e.from] < sub_of_[e.to]) by_target.emplace_back(e.to, id);
    }
    std::sort(by_target.begin(), by_target.end());
    for (size_t i = 0; i < by_target.size();) {
      const uint32_t v = by_target[i].first;
      size_t j = i;
      while (j < by_target.size() && by_target[j].first == v) ++j;
      td.region_id = pscc_[2 * v + 1];
      if (!g_.Explore(v, td, meter_)) return {};
      for (size_t k = i; k < j; ++k) {
        ++*tried;
        const Edge& e = g_.edge(by_target[k].second);
        if (!g_.Reached(e.from)) continue;
        std::vector<uint32_t> back = g_.PathTo(e.from, td);
        back.insert(back.begin(), by_target[k].second);
        return back;
      }
      i = j;
    }
    return {};
  }

  // Cuts a closed walk that passes a txn twice into one of its two loops while that loop is still
  // of a kind the step looks for.
  std::vector<uint32_t> Simplify(std::vector<uint32_t> walk, const Step& step) const {
    for (;;) {
      std::unordered_map<uint32_t, size_t> first;  // txn -> position of the edge leaving it
      size_t i = 0;
      size_t j = 0;
      for (size_t k = 0; k < walk.size(); ++k) {
        auto [it, inserted] = first.emplace(g_.edge(walk[k]).from, k);
        if (!inserted) {
          i = it->second;
          j = k;
          break;
        }
      }
      if (j == 0) return walk;
      std::vector<uint32_t> inner(walk.begin() + i, walk.begin() + j);
      std::vector<uint32_t> outer(walk.begin() + j, walk.end());
      outer.insert(outer.end(), walk.begin(), walk.begin() + i);
      bool cut = false;
      for (std::vector<uint32_t>* part : {&inner, &outer}) {
        std::vector<EdgeKind> kinds;
        for (uint32_t id : *part) kinds.push_back(g_.edge(id).kind);
        const AnomalyType t = ClassifyCycle(kinds);
        if (t == step.first || t == step.second) {
          walk = std::move(*part);
          cut = true;
          break;
        }
      }
      if (!cut) return walk;
    }
  }

  DependencyGraph& g_;
  const EdgeExplainer& explain_;
  std::span<const Consistency> models_;
  Meter* meter_;
  CheckResult& out_;
  std::vector<Consistency> invalid_;  // models with a forbidden anomaly found
  std::vector<uint32_t> comp_;        // node -> component id (1-based), 0: in none
  std::vector<uint32_t> pscc_;        // product state -> product component, kNoId: none
  std::vector<uint32_t> region_;      // node -> product component of (node, 0), while searching
  std::vector<uint32_t> sub_of_;      // node -> index of its rw-free sub-component, likewise
};

}  // namespace

void SearchCycles(DependencyGraph* graph, const EdgeExplainer& explain,
                  std::span<const Consistency> models, Meter* meter, CheckResult* out) {
  Searcher(graph, explain, models, meter, out).Run();
}

}  // namespace tinykv::check::si
