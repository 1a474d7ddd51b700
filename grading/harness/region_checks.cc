#include "grading/harness/region_checks.h"

#include <algorithm>
#include <map>
#include <vector>

#include "raft/node_status.h"
#include "store/raftstore/region_ranges.h"
#include "store/raftstore/store_node.h"
#include "store/raftstore/store_peers.h"

namespace tinykv::harness {
namespace {

using raftstore::RangeText;

std::string S(uint64_t v) { return std::to_string(v); }

bool Newer(const metapb::RegionEpoch& a, const metapb::RegionEpoch& b) {
  return a.version() > b.version() || (a.version() == b.version() && a.conf_ver() > b.conf_ver());
}

std::string Epoch(const metapb::RegionEpoch& e) {
  return "conf_ver " + S(e.conf_ver()) + " version " + S(e.version());
}

bool Lists(const metapb::Region& region, uint64_t store) {
  for (const auto& p : region.peers()) {
    if (p.store_id() == store) return true;
  }
  return false;
}

// One pass: "" when everything holds now, else the first thing that does not.
std::string CheckOnce(Cluster& c, int replicas) {
  const std::vector<sim::NodeId> serving = c.serving_store_ids();
  std::map<uint64_t, metapb::Region> newest;  // region id → its newest state on any store
  for (sim::NodeId id : serving) {
    const raftstore::StorePeers* peers = c.store(id).peers();
    if (peers == nullptr) return "store " + S(id) + " is not up";
    for (const auto& [rid, peer] : peers->peers()) {
      if (!peer->initialized()) continue;
      auto [it, fresh] = newest.try_emplace(rid, peer->region());
      if (!fresh && Newer(peer->region().region_epoch(), it->second.region_epoch())) {
        it->second = peer->region();
      }
    }
  }
  for (const auto& [rid, region] : newest) {
    for (const auto& p : region.peers()) {
      if (c.retired(p.store_id())) {
        return "re-replication: region " + S(rid) + " " + RangeText(region) + " still has peer " +
               S(p.id()) + " on store " + S(p.store_id()) +
               ", which is down for good\nhint: the replica checker adds a peer on another store "
               "for a region with a peer on a store down longer than max-store-down-time, then "
               "removes the dead one";
      }
    }
    if (replicas > 0 && region.peers_size() != replicas) {
      return "replicas: region " + S(rid) + " " + RangeText(region) + " has " +
             S(region.peers_size()) + " peers, max-replicas is " + S(replicas) +
             "\nhint: the replica checker adds peers to a region with fewer than max-replicas and "
             "removes them from one with more";
    }
    for (sim::NodeId id : serving) {
      const raftstore::Peer* peer = c.store(id).peers()->Find(rid);
      if (Lists(region, id)) {
        if (peer == nullptr || !peer->initialized()) {
          return "agreement: region " + S(rid) + " " + RangeText(region) + " lists store " + S(id) +
                 ", which holds no initialized peer of it\nhint: a new peer gets the region by "
                 "snapshot, built from the leader's region state: is the new membership written "
                 "with the apply state when the change applies, and does the store create the "
                 "peer from the leader's first message?";
        }
        const metapb::Region& mine = peer->region();
        if (mine.region_epoch().SerializeAsString() != region.region_epoch().SerializeAsString() ||
            mine.start_key() != region.start_key() || mine.end_key() != region.end_key()) {
          return "agreement: store " + S(id) + " holds region " + S(rid) + " as " +
                 RangeText(mine) + " at " + Epoch(mine.region_epoch()) + ", its newest state is " +
                 RangeText(region) + " at " + Epoch(region.region_epoch()) +
                 "\nhint: every peer applies the same membership changes and splits; after a "
                 "restart "
                 "it reads the region back from its region state";
        }
      } else if (peer != nullptr && peer->initialized()) {
        const raftstore::PeerVitals v = peer->vitals();
        std::string members;
        for (const auto& p : peer->region().peers()) {
          members += (members.empty() ? "" : ", ") + S(p.id()) + " (store " + S(p.store_id()) + ")";
        }
        return "removal: store " + S(id) + " still holds peer " + S(peer->id()) + " of region " +
               S(rid) + ", which no longer lists it (" + Epoch(region.region_epoch()) +
               "); that peer is a " + raft::RoleName(v.role) + " of term " + S(v.term) + " at " +
               Epoch(peer->region().region_epoch()) + ", leader it knows: " +
               (peer->LeaderId() == 0 ? std::string("none") : "peer " + S(peer->LeaderId())) +
               ", members it knows: " + members +
               "\nhint: a removed peer must destroy itself once it learns of its removal";
      }
    }
  }
  std::map<std::string, const metapb::Region*> by_start;
  for (const auto& [rid, region] : newest) {
    if (!by_start.emplace(region.start_key(), &region).second) {
      return "coverage: two regions start at \"" + region.start_key() + "\"";
    }
  }
  std::string next;
  for (const auto& [start, region] : by_start) {
    if (start != next) {
      return "coverage: region " + S(region->id()) + " starts at \"" + start +
             "\", but the region before it ends at \"" + next + "\"";
    }
    next = region->end_key();
    if (next.empty()) break;
  }
  if (by_start.empty() || !next.empty()) {
    return "coverage: no region reaches the end of the key space (the last ends at \"" + next +
           "\")";
  }
  // Data a store holds in a region it is not in would be a removed peer's, left behind.
  for (sim::NodeId id : serving) {
    for (const auto& [rid, region] : newest) {
      if (Lists(region, id)) continue;
      if (const uint64_t n = c.store(id).CountLocalKeys(region.start_key(), region.end_key())) {
        return "removal: store " + S(id) + " holds " + S(n) + " keys of region " + S(rid) + " " +
               RangeText(region) +
               ", which does not list it\nhint: a destroyed peer's data range must be deleted "
               "(and a snapshot that shrinks a region clears what it no longer covers)";
      }
    }
  }
  return "";
}

}  // namespace

std::string CheckRegionsSettle(Cluster& c, sim::Duration budget, int replicas) {
  std::string failure;
  WaitFor(
      c, [&] { return (failure = CheckOnce(c, replicas)).empty(); }, budget);
  if (failure.empty()) return "";
  // "(after 10 s of calm)" ends the cause line, before any hint.
  const size_t eol = std::min(failure.find('\n'), failure.size());
  return failure.insert(eol, " (after " + sim::FormatTime(budget) + " of calm)");
}

}  // namespace tinykv::harness
