#include "scheduler/region_info.h"

#include <algorithm>

namespace tinykv::scheduler {
namespace {

bool SamePeer(const metapb::Peer& a, const metapb::Peer& b) {
  return a.id() == b.id() && a.store_id() == b.store_id();
}

// True when `key` >= `end`, an empty `end` being +infinity.
bool AtOrPastEnd(std::string_view key, std::string_view end) { return !end.empty() && key >= end; }

}  // namespace

const metapb::Peer* RegionInfo::StorePeer(uint64_t store_id) const {
  for (const metapb::Peer& p : meta.peers()) {
    if (p.store_id() == store_id) return &p;
  }
  return nullptr;
}

bool RegionInfo::IsPendingPeer(const metapb::Peer& peer) const {
  for (const metapb::Peer& p : pending_peers) {
    if (p.id() == peer.id()) return true;
  }
  return false;
}

bool IsOlderEpoch(const metapb::RegionEpoch& a, const metapb::RegionEpoch& b) {
  return a.version() < b.version() || (a.version() == b.version() && a.conf_ver() < b.conf_ver());
}

bool RangesOverlap(const metapb::Region& a, const metapb::Region& b) {
  return !AtOrPastEnd(a.start_key(), b.end_key()) && !AtOrPastEnd(b.start_key(), a.end_key());
}

bool RegionContains(const metapb::Region& region, std::string_view key) {
  return key >= region.start_key() && !AtOrPastEnd(key, region.end_key());
}

namespace {

template <class Peers>
bool SamePeerList(const Peers& a, const Peers& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), SamePeer);
}

}  // namespace

bool SamePeers(const google::protobuf::RepeatedPtrField<metapb::Peer>& a,
               const google::protobuf::RepeatedPtrField<metapb::Peer>& b) {
  return SamePeerList(a, b);
}

bool SamePeers(const std::vector<metapb::Peer>& a, const std::vector<metapb::Peer>& b) {
  return SamePeerList(a, b);
}

bool SameLeader(const RegionInfo& a, const RegionInfo& b) {
  return a.leader.has_value() == b.leader.has_value() &&
         (!a.leader || SamePeer(*a.leader, *b.leader));
}

}  // namespace tinykv::scheduler
