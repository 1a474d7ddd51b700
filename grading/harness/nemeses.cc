#include "grading/harness/nemeses.h"

#include <map>
#include <vector>

#include "grading/harness/mock_scheduler.h"
#include "sim/executor.h"
#include "store/raftstore/store_node.h"

namespace tinykv::harness {

void RunPartitionNemesis(Cluster& c, sim::Rng& rng, const std::vector<int64_t>& clients,
                         const bool& stop) {
  std::vector<sim::NodeId> ids = c.store_ids();
  while (!stop) {
    sim::Sleep(std::chrono::milliseconds(rng.UniformInt(0, 500)));
    if (stop) break;
    std::vector<sim::NodeId> shuffled = ids;
    rng.Shuffle(shuffled);
    const size_t cut = 1 + static_cast<size_t>(rng.Below(shuffled.size() - 1));
    std::vector<sim::NodeId> a(shuffled.begin(), shuffled.begin() + static_cast<long>(cut));
    std::vector<sim::NodeId> b(shuffled.begin() + static_cast<long>(cut), shuffled.end());
    std::map<int64_t, size_t> sides;
    // Half the clients (on average) land on a random side; the others still reach every store.
    for (int64_t client : clients) {
      if (rng.Bernoulli(0.5)) sides[client] = static_cast<size_t>(rng.Below(2));
    }
    c.Partition({a, b}, sides);
    sim::Sleep(std::chrono::milliseconds(200 + rng.UniformInt(0, 800)));
    c.Heal();
  }
}

void RunLaggardNemesis(Cluster& c, sim::Rng& rng, KvClient& writer, const bool& stop) {
  sim::Executor& ex = c.executor();
  sim::Sleep(std::chrono::milliseconds(rng.UniformInt(0, 200)));
  if (stop) return;
  std::vector<sim::NodeId> up;
  for (sim::NodeId id : c.store_ids()) {
    if (ex.node_state(id) == sim::NodeState::kUp && c.store(id).peer() != nullptr) up.push_back(id);
  }
  if (up.empty()) return;
  const sim::NodeId laggard = up[rng.Below(up.size())];
  c.Isolate(laggard);
  auto compacted_past_it = [&] {
    const std::optional<sim::NodeId> leader = c.Leader();
    const raftstore::Peer* lagging = c.store(laggard).peer();
    if (!leader || *leader == laggard || lagging == nullptr) return false;
    const raftstore::Peer* lead = c.store(*leader).peer();
    return lead != nullptr && lead->vitals().truncated > lagging->vitals().last_index;
  };
  while (!stop && !compacted_past_it()) sim::Sleep(std::chrono::milliseconds(50));
  // The round's load ended first: write until the leader compacts past the laggard.
  const sim::Time give_up = ex.Now() + std::chrono::seconds(10);
  for (uint64_t n = 0; !compacted_past_it() && ex.Now() < give_up; ++n) {
    writer.Put("laggard", "w" + std::to_string(writer.id()) + "-" + std::to_string(n),
               std::chrono::seconds(1));
  }
  c.Rejoin(laggard);
}

void RunConfChangeNemesis(Cluster& c, sim::Rng& rng, const bool& stop, uint64_t* done) {
  SchedulerView& scheduler = c.scheduler();
  const std::vector<sim::NodeId> ids = c.store_ids();
  while (!stop) {
    sim::Sleep(std::chrono::milliseconds(rng.UniformInt(0, 200)));
    if (stop) break;
    const std::vector<metapb::Region> regions = scheduler.Regions();
    if (regions.empty()) continue;
    const metapb::Region& region = regions[rng.Below(regions.size())];
    const sim::NodeId store = ids[rng.Below(ids.size())];
    const metapb::Peer* there = nullptr;
    for (const auto& p : region.peers()) {
      if (p.store_id() == store) there = &p;
    }
    if (there != nullptr) {
      if (region.peers_size() > 1 &&
          c.MustRemovePeer(region.id(), *there, std::chrono::seconds(5))) {
        ++*done;
      }
      continue;
    }
    metapb::Peer peer;
    peer.set_id(scheduler.AllocId());
    peer.set_store_id(store);
    if (peer.id() == 0) continue;  // the scheduler is down: try again later
    if (c.MustAddPeer(region.id(), peer, std::chrono::seconds(5))) ++*done;
  }
}

void RunTransferLeaderNemesis(Cluster& c, sim::Rng& rng, const bool& stop) {
  SchedulerView& scheduler = c.scheduler();
  while (!stop) {
    sim::Sleep(std::chrono::milliseconds(rng.UniformInt(0, 100)));
    if (stop) break;
    const std::vector<metapb::Region> regions = scheduler.Regions();
    if (regions.empty()) continue;
    const metapb::Region& region = regions[rng.Below(regions.size())];
    // One operator per region: a membership change under way is not overridden.
    if (region.peers_size() == 0 || scheduler.HasOperator(region.id())) continue;
    c.TransferLeader(region.id(), region.peers(static_cast<int>(rng.Below(region.peers_size()))));
  }
}

}  // namespace tinykv::harness
