#include "grading/harness/real_scheduler_view.h"

#include <algorithm>
#include <string>

#include "sim/executor.h"

namespace tinykv::harness {

const scheduler::RegionInfo* RealSchedulerView::Region(uint64_t region_id) const {
  const scheduler::SchedulerService* s = node_.service();
  return s == nullptr ? nullptr : s->cluster().GetRegion(region_id);
}

std::optional<metapb::Region> RealSchedulerView::GetRegion(std::string_view key) const {
  const scheduler::SchedulerService* s = node_.service();
  const scheduler::RegionInfo* r = s == nullptr ? nullptr : s->cluster().GetRegionByKey(key);
  if (r == nullptr) return std::nullopt;
  return r->meta;
}

std::optional<metapb::Region> RealSchedulerView::GetRegionById(uint64_t region_id) const {
  const scheduler::RegionInfo* r = Region(region_id);
  if (r == nullptr) return std::nullopt;
  return r->meta;
}

size_t RealSchedulerView::RegionCount() const {
  const scheduler::SchedulerService* s = node_.service();
  return s == nullptr ? 0 : s->cluster().region_count();
}

std::vector<metapb::Region> RealSchedulerView::Regions() const {
  std::vector<metapb::Region> out;
  if (const scheduler::SchedulerService* s = node_.service()) {
    for (const scheduler::RegionInfo* r : s->cluster().ScanRegions("", "", 0)) {
      out.push_back(r->meta);
    }
  }
  return out;
}

uint64_t RealSchedulerView::LeaderChangesCaused(uint64_t region_id) const {
  const scheduler::SchedulerService* s = node_.service();
  return s == nullptr ? 0 : s->operators().leader_changes_caused(region_id);
}

uint64_t RealSchedulerView::AllocId() {
  scheduler::SchedulerService* s = node_.mutable_service();
  return s == nullptr ? 0 : s->AllocID(schedulerpb::AllocIDRequest()).id();
}

std::string RealSchedulerView::DescribeStores() const {
  const scheduler::SchedulerService* s = node_.service();
  if (s == nullptr) return "  (the scheduler is down)";
  std::string out;
  for (const scheduler::StoreInfo* store : s->cluster().GetStores()) {
    out += "\n  store " + std::to_string(store->id()) + ": " + std::to_string(store->region_count) +
           " regions of " + std::to_string(store->region_size) + " bytes, " +
           std::to_string(store->leader_count) + " leaders, last heartbeat at " +
           sim::FormatTime(sim::Time(store->last_heartbeat));
  }
  return out;
}

std::vector<std::string> RealSchedulerView::RecentOperators(size_t n) const {
  const scheduler::SchedulerService* s = node_.service();
  if (s == nullptr) return {};
  const std::vector<std::string>& log = s->operators().log();
  return {log.end() - static_cast<std::ptrdiff_t>(std::min(n, log.size())), log.end()};
}

std::optional<metapb::Peer> RealSchedulerView::Leader(uint64_t region_id) const {
  const scheduler::RegionInfo* r = Region(region_id);
  if (r == nullptr) return std::nullopt;
  return r->leader;
}

std::vector<metapb::Peer> RealSchedulerView::PendingPeers(uint64_t region_id) const {
  const scheduler::RegionInfo* r = Region(region_id);
  return r == nullptr ? std::vector<metapb::Peer>{} : r->pending_peers;
}

void RealSchedulerView::Set(const char* desc, uint64_t region_id,
                            std::vector<scheduler::OpStep> steps) {
  scheduler::SchedulerService* s = node_.mutable_service();
  std::string why;
  if (s != nullptr) (void)s->SetOperator(desc, region_id, std::move(steps), sim::Now(), &why);
}

void RealSchedulerView::AddPeer(uint64_t region_id, const metapb::Peer& peer) {
  Set("harness add-peer", region_id, {scheduler::OpStep::AddPeer(peer.store_id(), peer.id())});
}

void RealSchedulerView::RemovePeer(uint64_t region_id, const metapb::Peer& peer) {
  Set("harness remove-peer", region_id, {scheduler::OpStep::RemovePeer(peer.store_id())});
}

void RealSchedulerView::TransferLeader(uint64_t region_id, const metapb::Peer& peer) {
  const auto leader = Leader(region_id);
  Set("harness transfer-leader", region_id,
      {scheduler::OpStep::TransferLeader(leader ? leader->store_id() : 0, peer.store_id())});
}

bool RealSchedulerView::HasOperator(uint64_t region_id) const {
  const scheduler::SchedulerService* s = node_.service();
  return s != nullptr && s->operators().Get(region_id) != nullptr;
}

}  // namespace tinykv::harness
