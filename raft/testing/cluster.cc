#include "raft/testing/cluster.h"

#include <cstdio>
#include <cstdlib>

#include "raft/testing/network.h"

namespace tinykv::raft::testing {

Cluster::Cluster(std::vector<uint64_t> ids, uint64_t seed, int election_tick, int heartbeat_tick)
    : seed_(seed), election_tick_(election_tick), heartbeat_tick_(heartbeat_tick) {
  for (uint64_t id : ids) {
    storages_[id] = std::make_unique<MemoryStorage>();
    nodes_[id] = NewNode(id, ids, 0);
    applied_[id];
    snapshot_index_[id] = 0;
    applied_index_[id] = 0;
  }
}

std::unique_ptr<RawNode> Cluster::NewNode(uint64_t id, std::vector<uint64_t> peers,
                                          uint64_t applied) {
  Config c = TestConfig(id, std::move(peers), election_tick_, heartbeat_tick_,
                        storages_.at(id).get(), seed_);
  c.applied = applied;
  auto n = RawNode::Create(c);
  if (!n.ok()) {
    std::fprintf(stderr, "Cluster: node %llu: %s\n", static_cast<unsigned long long>(id),
                 n.status().ToString().c_str());
    std::abort();
  }
  return std::move(n).value();
}

void Cluster::AddEmptyNode(uint64_t id) {
  storages_[id] = std::make_unique<MemoryStorage>();
  nodes_[id] = NewNode(id, {}, 0);
  applied_[id];
  snapshot_index_[id] = 0;
  applied_index_[id] = 0;
}

void Cluster::Restart(uint64_t id) {
  nodes_[id] = NewNode(id, {}, applied_index_.at(id));
  std::deque<eraftpb::Message> keep;
  for (auto& m : in_flight_) {
    if (m.to() != id && m.from() != id) keep.push_back(std::move(m));
  }
  in_flight_.swap(keep);
}

void Cluster::HandleReady(uint64_t id) {
  RawNode& n = *nodes_.at(id);
  MemoryStorage& s = *storages_.at(id);
  Ready rd = n.GetReady();
  // 1. persist
  if (rd.snapshot) (void)s.ApplySnapshot(*rd.snapshot);
  if (!rd.entries.empty()) (void)s.Append(rd.entries);
  if (rd.hard_state) s.SetHardState(*rd.hard_state);
  // 2. send
  for (auto& m : rd.messages) {
    if (cut_.count({m.from(), m.to()}) == 0) in_flight_.push_back(m);
  }
  // 3. apply
  if (rd.snapshot) {
    applied_[id].clear();
    snapshot_index_[id] = rd.snapshot->metadata().index();
    applied_index_[id] = rd.snapshot->metadata().index();
  }
  for (const auto& e : rd.committed_entries) {
    if (e.entry_type() == eraftpb::EntryConfChange) {
      eraftpb::ConfChange cc;
      cc.ParseFromString(e.data());
      n.ApplyConfChange(cc);
    }
    applied_[id].push_back(e);
    applied_index_[id] = e.index();
  }
  n.Advance(rd);
}

void Cluster::Stabilize(int max_rounds) {
  for (int round = 0; round < max_rounds; ++round) {
    bool busy = false;
    for (auto& [id, n] : nodes_) {
      if (n->HasReady()) {
        HandleReady(id);
        busy = true;
      }
    }
    while (!in_flight_.empty()) {
      eraftpb::Message m = std::move(in_flight_.front());
      in_flight_.pop_front();
      auto it = nodes_.find(m.to());
      if (it != nodes_.end()) (void)it->second->Step(m);
      busy = true;
    }
    if (!busy) return;
  }
  std::fprintf(stderr, "Cluster::Stabilize: not quiet after %d rounds\n", max_rounds);
  std::abort();
}

void Cluster::TickAll(int n) {
  for (int i = 0; i < n; ++i) {
    for (auto& [id, node] : nodes_) node->Tick();
    Stabilize();
  }
}

uint64_t Cluster::Leader() const {
  uint64_t best = kNone, best_term = 0;
  for (const auto& [id, n] : nodes_) {
    NodeStatus st = n->GetStatus();
    if (st.role == Role::kLeader && st.term >= best_term) {
      best = id;
      best_term = st.term;
    }
  }
  return best;
}

void Cluster::Cut(uint64_t a, uint64_t b) {
  cut_.insert({a, b});
  cut_.insert({b, a});
}

void Cluster::Isolate(uint64_t id) {
  for (const auto& [other, n] : nodes_) {
    if (other != id) Cut(id, other);
  }
}

void Cluster::Compact(uint64_t id) {
  MemoryStorage& s = *storages_.at(id);
  const uint64_t applied = applied_index_.at(id);
  eraftpb::ConfState cs;
  for (uint64_t n : nodes_.at(id)->raft().Nodes()) cs.add_nodes(n);
  if (s.CreateSnapshot(applied, cs, "snap@" + std::to_string(applied)).ok()) {
    (void)s.Compact(applied);
  }
}

}  // namespace tinykv::raft::testing
