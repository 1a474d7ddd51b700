// RealSchedulerView: the SchedulerView of the real scheduler node (scheduler/scheduler_node.h).
// While the node is down every read answers "unknown" and operators are dropped (the harness's
// Must* calls then wait out their deadlines, as they would with an unreachable scheduler).
#pragma once

#include "grading/harness/scheduler_view.h"
#include "scheduler/scheduler_node.h"

namespace tinykv::harness {

class RealSchedulerView final : public SchedulerView {
 public:
  // `node` outlives the view.
  explicit RealSchedulerView(scheduler::SchedulerNode& node) : node_(node) {}

  std::optional<metapb::Region> GetRegion(std::string_view key) const override;
  std::optional<metapb::Region> GetRegionById(uint64_t region_id) const override;
  size_t RegionCount() const override;
  std::vector<metapb::Region> Regions() const override;
  std::optional<metapb::Peer> Leader(uint64_t region_id) const override;
  std::vector<metapb::Peer> PendingPeers(uint64_t region_id) const override;
  void AddPeer(uint64_t region_id, const metapb::Peer& peer) override;
  void RemovePeer(uint64_t region_id, const metapb::Peer& peer) override;
  void TransferLeader(uint64_t region_id, const metapb::Peer& peer) override;
  bool HasOperator(uint64_t region_id) const override;
  uint64_t LeaderChangesCaused(uint64_t region_id) const override;
  uint64_t AllocId() override;
  std::string DescribeStores() const override;
  std::vector<std::string> RecentOperators(size_t n) const override;

 private:
  const scheduler::RegionInfo* Region(uint64_t region_id) const;
  void Set(const char* desc, uint64_t region_id, std::vector<scheduler::OpStep> steps);

  scheduler::SchedulerNode& node_;
};

}  // namespace tinykv::harness
