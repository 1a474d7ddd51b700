// SchedulerView: what the harness reads from, and asks of, the cluster's scheduler — the mock
// (mock_scheduler.h) or the real scheduler node (real_scheduler_view.h). Reads go to the
// scheduler's in-process state, as the invariant monitors read the stores'; the operators set
// here reach the region leaders through their heartbeat answers, as any operator does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/metapb.pb.h"

namespace tinykv::harness {

class SchedulerView {
 public:
  virtual ~SchedulerView() = default;

  // The known region holding `key` (end key "" = +inf), by id, and how many are known.
  virtual std::optional<metapb::Region> GetRegion(std::string_view key) const = 0;
  virtual std::optional<metapb::Region> GetRegionById(uint64_t region_id) const = 0;
  virtual size_t RegionCount() const = 0;
  // Every known region, in key order.
  virtual std::vector<metapb::Region> Regions() const = 0;
  // The leader and the pending peers of the region's last accepted heartbeat.
  virtual std::optional<metapb::Peer> Leader(uint64_t region_id) const = 0;
  virtual std::vector<metapb::Peer> PendingPeers(uint64_t region_id) const = 0;

  // Set (replace) the region's operator.
  virtual void AddPeer(uint64_t region_id, const metapb::Peer& peer) = 0;
  virtual void RemovePeer(uint64_t region_id, const metapb::Peer& peer) = 0;
  virtual void TransferLeader(uint64_t region_id, const metapb::Peer& peer) = 0;
  virtual bool HasOperator(uint64_t region_id) const = 0;
  // Leader changes the scheduler's own operators caused in the region — transfers, and removals
  // of the leader's own peer (each a new Raft term) — 0 for the mock, whose operators are the
  // harness's.
  virtual uint64_t LeaderChangesCaused(uint64_t region_id) const = 0;
  // A fresh id (for a new peer), 0 when the scheduler cannot give one now.
  virtual uint64_t AllocId() = 0;
  // The stores as the scheduler sees them, one "store N: …" line each (for failure messages);
  // "" when it keeps no such view (the mock).
  virtual std::string DescribeStores() const = 0;
  // The last `n` operators that ended, oldest first, one line each ("finished balance-region of
  // region 5: …"); empty for the mock.
  virtual std::vector<std::string> RecentOperators(size_t n) const = 0;
};

}  // namespace tinykv::harness
