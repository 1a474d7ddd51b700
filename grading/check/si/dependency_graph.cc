#include "grading/check/si/dependency_graph.h"

#include <algorithm>
#include <tuple>
#include <utility>

namespace tinykv::check::si {

namespace {

bool Spend(Meter* meter) { return meter != nullptr && meter->Spend(); }

}  // namespace

const char* EdgeKindName(EdgeKind k) {
  switch (k) {
    case EdgeKind::kWW:
      return "ww";
    case EdgeKind::kWR:
      return "wr";
    case EdgeKind::kRW:
      return "rw";
    case EdgeKind::kRealtime:
      return "realtime";
  }
  return "?";
}

void DependencyGraph::Finish() {
  offsets_.assign(nodes_ + 1, 0);
  for (const Edge& e : edges_) {
    ++offsets_[e.from + 1];
    kinds_ |= Bit(e.kind);
  }
  for (size_t v = 0; v < nodes_; ++v) offsets_[v + 1] += offsets_[v];
  adj_.resize(edges_.size());
  {
    std::vector<uint32_t> fill(offsets_.begin(), offsets_.end() - 1);
    for (uint32_t id = 0; id < edges_.size(); ++id) adj_[fill[edges_[id].from]++] = id;
  }
  // Sort each node's edges by (target, kind, insertion order) and keep the first of each
  // (target, kind), compacting in place.
  uint32_t out = 0;
  for (size_t v = 0; v < nodes_; ++v) {
    const uint32_t begin = offsets_[v];
    const uint32_t end = offsets_[v + 1];
    auto key = [this](uint32_t id) { return std::tuple(edges_[id].to, edges_[id].kind, id); };
    std::sort(adj_.begin() + begin, adj_.begin() + end,
              [&](uint32_t x, uint32_t y) { return key(x) < key(y); });
    offsets_[v] = out;
    for (uint32_t i = begin; i < end; ++i) {
      const Edge& e = edges_[adj_[i]];
      if (out > offsets_[v]) {
        const Edge& last = edges_[adj_[out - 1]];
        if (last.to == e.to && last.kind == e.kind) continue;
      }
      adj_[out++] = adj_[i];
    }
  }
  offsets_[nodes_] = out;
  adj_.resize(out);
  adj_.shrink_to_fit();
}

void DependencyGraph::EnsureScratch(size_t states) {
  if (index_.size() >= states) return;
  index_.resize(states, kUnset);
  low_.resize(states, 0);
  on_stack_.resize(states, 0);
  parent_.resize(states, kUnset);
}

void DependencyGraph::ClearSearch() {
  for (uint32_t s : touched_) parent_[s] = kUnset;
  touched_.clear();
}

std::vector<std::vector<uint32_t>> DependencyGraph::Scc(std::span<const uint32_t> starts,
                                                        const Traversal& t, bool keep_singletons,
                                                        Meter* meter) {
  EnsureScratch(t.product ? 2 * nodes_ : nodes_);
  std::vector<std::vector<uint32_t>> comps;
  std::vector<uint32_t> visited;
  std::vector<uint32_t> stack;
  std::vector<std::pair<uint32_t, uint32_t>> calls;  // state, next position in its adjacency
  uint32_t counter = 0;
  auto visit = [&](uint32_t s) {
    index_[s] = low_[s] = counter++;
    on_stack_[s] = 1;
    stack.push_back(s);
    visited.push_back(s);
    calls.emplace_back(s, 0);
  };
  bool stopped = false;
  for (uint32_t start : starts) {
    if (stopped) break;
    if (index_[start] != kUnset) continue;
    visit(start);
    while (!calls.empty()) {
      const uint32_t v = calls.back().first;
      const uint32_t pos = calls.back().second;
      const std::span<const uint32_t> out = Out(NodeOf(t, v));
      if (pos < out.size()) {
        ++calls.back().second;
        if (Spend(meter)) {
          stopped = true;
          break;
        }
        const uint32_t w = Step(t, v, edges_[out[pos]]);
        if (w == kNoState) continue;
        if (index_[w] == kUnset) {
          visit(w);
        } else if (on_stack_[w] != 0) {
          low_[v] = std::min(low_[v], index_[w]);
        }
        continue;
      }
      calls.pop_back();
      if (!calls.empty()) low_[calls.back().first] = std::min(low_[calls.back().first], low_[v]);
      if (low_[v] != index_[v]) continue;
      std::vector<uint32_t> comp;
      for (;;) {
        const uint32_t w = stack.back();
        stack.pop_back();
        on_stack_[w] = 0;
        comp.push_back(w);
        if (w == v) break;
      }
      if (comp.size() > 1 || keep_singletons) {
        std::sort(comp.begin(), comp.end());
        comps.push_back(std::move(comp));
      }
    }
  }
  for (uint32_t s : visited) {
    index_[s] = kUnset;
    on_stack_[s] = 0;
  }
  return comps;
}

bool DependencyGraph::Explore(uint32_t from, const Traversal& t, Meter* meter) {
  EnsureScratch(t.product ? 2 * nodes_ : nodes_);
  ClearSearch();
  parent_[from] = kStart;
  touched_.push_back(from);
  for (size_t head = 0; head < touched_.size(); ++head) {
    const uint32_t v = touched_[head];
    for (uint32_t id : Out(NodeOf(t, v))) {
      if (Spend(meter)) return false;
      const uint32_t w = Step(t, v, edges_[id]);
      if (w == kNoState || parent_[w] != kUnset) continue;
      parent_[w] = v;
      touched_.push_back(w);
    }
  }
  return true;
}

std::vector<uint32_t> DependencyGraph::PathTo(uint32_t state, const Traversal& t) const {
  std::vector<uint32_t> path;
  for (uint32_t cur = state; parent_[cur] != kStart;) {
    const uint32_t prev = parent_[cur];
    for (uint32_t id : Out(NodeOf(t, prev))) {
      if (Step(t, prev, edges_[id]) == cur) {
        path.push_back(id);
        break;
      }
    }
    cur = prev;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

std::vector<uint32_t> DependencyGraph::Path(uint32_t from, uint32_t to, const Traversal& t,
                                            Meter* meter) {
  EnsureScratch(t.product ? 2 * nodes_ : nodes_);
  ClearSearch();
  parent_[from] = kStart;
  touched_.push_back(from);
  for (size_t head = 0; head < touched_.size(); ++head) {
    const uint32_t v = touched_[head];
    for (uint32_t id : Out(NodeOf(t, v))) {
      if (Spend(meter)) return {};
      const uint32_t w = Step(t, v, edges_[id]);
      if (w == kNoState) continue;
      if (w == to) {
        std::vector<uint32_t> path = v == from ? std::vector<uint32_t>{} : PathTo(v, t);
        path.push_back(id);
        return path;
      }
      if (parent_[w] != kUnset) continue;
      parent_[w] = v;
      touched_.push_back(w);
    }
  }
  return {};
}

}  // namespace tinykv::check::si
