// RegionInfo: what the scheduler knows of one region — its metadata (range, epoch, peers) and
// what its leader last reported in a region heartbeat (the leader peer, the peers still catching
// up, the approximate size). A plain value: the cluster keeps one per region id.
//
// Keys are user keys as bytes; an empty end key means "to the end of the key space".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/metapb.pb.h"

namespace tinykv::scheduler {

struct RegionInfo {
  metapb::Region meta;
  std::optional<metapb::Peer> leader;  // none until a leader reported
  std::vector<metapb::Peer> pending_peers;
  int64_t approximate_size = 0;  // in the unit the stores report (TinyKV: MiB, tests: bytes)

  uint64_t id() const { return meta.id(); }
  const metapb::RegionEpoch& epoch() const { return meta.region_epoch(); }
  // The region's peer on `store_id`, if it has one.
  const metapb::Peer* StorePeer(uint64_t store_id) const;
  bool IsLeaderPeer(const metapb::Peer& peer) const {
    return leader.has_value() && leader->id() == peer.id();
  }
  bool IsPendingPeer(const metapb::Peer& peer) const;
};

// True when `a` is older than `b`: a lower version, or the same version and a lower conf_ver
// (TinyKV's and PD's staleness rule for heartbeats).
bool IsOlderEpoch(const metapb::RegionEpoch& a, const metapb::RegionEpoch& b);
// True when [a.start, a.end) and [b.start, b.end) share a key.
bool RangesOverlap(const metapb::Region& a, const metapb::Region& b);
// True when `key` lies in the region's range.
bool RegionContains(const metapb::Region& region, std::string_view key);
// The same leader peer (id and store), or both without one.
bool SameLeader(const RegionInfo& a, const RegionInfo& b);
// Equal peer lists (same ids on the same stores, in order).
bool SamePeers(const google::protobuf::RepeatedPtrField<metapb::Peer>& a,
               const google::protobuf::RepeatedPtrField<metapb::Peer>& b);
bool SamePeers(const std::vector<metapb::Peer>& a, const std::vector<metapb::Peer>& b);

}  // namespace tinykv::scheduler
