#include "grading/harness/store_balance.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "store/raftstore/store_node.h"
#include "store/raftstore/store_peers.h"

namespace tinykv::harness {
namespace {

bool Lists(const metapb::Region& region, uint64_t store) {
  for (const auto& p : region.peers()) {
    if (p.store_id() == store) return true;
  }
  return false;
}

std::string OneDecimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// The first store whose `what` count lies outside mean ± tolerance × mean, in words, or "".
template <typename Count>
std::string Outlier(const std::vector<StoreLoad>& loads, double tolerance, const char* what,
                    Count count) {
  double total = 0;
  for (const StoreLoad& l : loads) total += static_cast<double>(count(l));
  const double mean = total / static_cast<double>(loads.size());
  const double low = mean * (1 - tolerance);
  const double high = mean * (1 + tolerance);
  for (const StoreLoad& l : loads) {
    const double n = static_cast<double>(count(l));
    if (n < low || n > high) {
      return "store " + std::to_string(l.store) + " holds " + std::to_string(count(l)) + " " +
             what + ", the mean over " + std::to_string(loads.size()) + " stores is " +
             OneDecimal(mean) + " (allowed " + OneDecimal(low) + "–" + OneDecimal(high) + ")";
    }
  }
  return "";
}

}  // namespace

std::vector<StoreLoad> MeasureStoreLoads(Cluster& cluster) {
  std::vector<StoreLoad> loads;
  for (sim::NodeId id : cluster.serving_store_ids()) {
    StoreLoad load;
    load.store = id;
    const raftstore::StorePeers* peers = cluster.store(id).peers();
    if (peers == nullptr) {  // down, or starting: holds nothing it could serve
      loads.push_back(load);
      continue;
    }
    load.bytes = cluster.store(id).LocalDataBytes();
    for (const auto& [region, peer] : peers->peers()) {
      if (!peer->initialized() || !Lists(peer->region(), id)) continue;
      ++load.regions;
      if (peer->IsLeader()) ++load.leaders;
    }
    loads.push_back(load);
  }
  return loads;
}

std::string Imbalance(const std::vector<StoreLoad>& loads, double tolerance) {
  if (loads.empty()) return "no store is up";
  std::string out =
      Outlier(loads, tolerance, "bytes of data", [](const StoreLoad& l) { return l.bytes; });
  if (out.empty()) {
    out = Outlier(loads, tolerance, "leaders", [](const StoreLoad& l) { return l.leaders; });
  }
  return out;
}

uint64_t MembershipChanges(Cluster& cluster) {
  std::map<uint64_t, uint64_t> conf_ver;  // region id → the highest seen
  for (sim::NodeId id : cluster.serving_store_ids()) {
    const raftstore::StorePeers* peers = cluster.store(id).peers();
    if (peers == nullptr) continue;
    for (const auto& [region, peer] : peers->peers()) {
      if (!peer->initialized()) continue;
      uint64_t& v = conf_ver[region];
      v = std::max<uint64_t>(v, peer->region().region_epoch().conf_ver());
    }
  }
  uint64_t total = 0;
  for (const auto& [region, v] : conf_ver) total += v;
  return total;
}

std::string LoadsText(const std::vector<StoreLoad>& loads) {
  std::string out;
  for (const StoreLoad& l : loads) {
    out += (out.empty() ? "" : "; ") + std::string("store ") + std::to_string(l.store) + ": " +
           std::to_string(l.bytes) + " bytes in " + std::to_string(l.regions) + " regions, " +
           std::to_string(l.leaders) + " leaders";
  }
  return out;
}

}  // namespace tinykv::harness
