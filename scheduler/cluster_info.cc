#include "scheduler/cluster_info.h"

#include <utility>

namespace tinykv::scheduler {

void ClusterInfo::PutStore(const metapb::Store& meta) { stores_[meta.id()].meta = meta; }

Status ClusterInfo::StoreHeartbeat(const schedulerpb::StoreStats& stats, Time now) {
  auto it = stores_.find(stats.store_id());
  if (it == stores_.end()) {
    return Status::NotFound("store " + std::to_string(stats.store_id()) + " is not known");
  }
  it->second.stats = stats;
  it->second.last_heartbeat = now;
  return Status::OK();
}

const StoreInfo* ClusterInfo::GetStore(uint64_t id) const {
  auto it = stores_.find(id);
  return it == stores_.end() ? nullptr : &it->second;
}

std::vector<const StoreInfo*> ClusterInfo::GetStores() const {
  std::vector<const StoreInfo*> out;
  out.reserve(stores_.size());
  for (const auto& [id, store] : stores_) out.push_back(&store);
  return out;
}

void ClusterInfo::UpdateStoreStatus(uint64_t id) {
  auto it = stores_.find(id);
  if (it == stores_.end()) return;
  StoreInfo& s = it->second;
  s.leader_count = StoreLeaderCount(id);
  s.region_count = StoreRegionCount(id);
  s.pending_peer_count = StorePendingPeerCount(id);
  s.leader_size = StoreLeaderSize(id);
  s.region_size = StoreRegionSize(id);
}

const RegionInfo* ClusterInfo::GetRegion(uint64_t id) const {
  auto it = regions_.find(id);
  return it == regions_.end() ? nullptr : &it->second;
}

const RegionInfo* ClusterInfo::GetRegionByKey(std::string_view key) const {
  auto id = tree_.Find(key);
  return id ? GetRegion(*id) : nullptr;
}

const RegionInfo* ClusterInfo::GetPrevRegion(std::string_view key) const {
  auto id = tree_.FindPrev(key);
  return id ? GetRegion(*id) : nullptr;
}

std::vector<const RegionInfo*> ClusterInfo::ScanRegions(std::string_view start,
                                                        std::string_view end, int limit) const {
  std::vector<const RegionInfo*> out;
  for (uint64_t id : tree_.Scan(start, end, limit)) out.push_back(GetRegion(id));
  return out;
}

std::vector<const RegionInfo*> ClusterInfo::GetOverlaps(const metapb::Region& region) const {
  return ScanRegions(region.start_key(), region.end_key(), 0);
}

std::vector<const RegionInfo*> ClusterInfo::GetRegions() const {
  std::vector<const RegionInfo*> out;
  out.reserve(regions_.size());
  for (const auto& [id, region] : regions_) out.push_back(&region);
  return out;
}

namespace {

// True when `b` sits where `a` does in the tree and in every index (sizes and epoch aside).
bool SamePlace(const RegionInfo& a, const RegionInfo& b) {
  return a.meta.start_key() == b.meta.start_key() && a.meta.end_key() == b.meta.end_key() &&
         SameLeader(a, b) && SamePeers(a.meta.peers(), b.meta.peers()) &&
         SamePeers(a.pending_peers, b.pending_peers);
}

}  // namespace

std::vector<RegionInfo> ClusterInfo::PutRegion(RegionInfo region) {
  std::vector<RegionInfo> removed;
  if (auto it = regions_.find(region.id()); it != regions_.end() && SamePlace(it->second, region)) {
    // The common update (a new size or epoch): no tree or index membership changes, only sizes.
    const int64_t delta = region.approximate_size - it->second.approximate_size;
    for (const metapb::Peer& p : region.meta.peers()) {
      StoreIndex& s = index_[p.store_id()];
      s.region_size += delta;
      if (region.IsLeaderPeer(p)) s.leader_size += delta;
    }
    removed.push_back(std::exchange(it->second, std::move(region)));
    return removed;
  }
  auto drop = [&](uint64_t id) {
    auto it = regions_.find(id);
    if (it == regions_.end()) return;
    RemoveFromIndex(it->second);
    removed.push_back(std::move(it->second));
    regions_.erase(it);
  };
  if (const RegionInfo* old = GetRegion(region.id())) {
    tree_.Remove(old->id(), old->meta.start_key());
    drop(region.id());
  }
  for (uint64_t id : tree_.Put(region.meta)) drop(id);
  AddToIndex(region);
  regions_.emplace(region.id(), std::move(region));
  return removed;
}

void ClusterInfo::AddToIndex(const RegionInfo& region) {
  for (const metapb::Peer& p : region.meta.peers()) {
    StoreIndex& s = index_[p.store_id()];
    if (region.IsLeaderPeer(p)) {
      s.leaders.insert(region.id());
      s.leader_size += region.approximate_size;
    } else {
      s.followers.insert(region.id());
    }
    s.region_size += region.approximate_size;
  }
  for (const metapb::Peer& p : region.pending_peers)
    index_[p.store_id()].pending.insert(region.id());
}

void ClusterInfo::RemoveFromIndex(const RegionInfo& region) {
  for (const metapb::Peer& p : region.meta.peers()) {
    StoreIndex& s = index_[p.store_id()];
    if (s.leaders.erase(region.id()) != 0) s.leader_size -= region.approximate_size;
    s.followers.erase(region.id());
    s.region_size -= region.approximate_size;
  }
  for (const metapb::Peer& p : region.pending_peers)
    index_[p.store_id()].pending.erase(region.id());
}

const ClusterInfo::StoreIndex* ClusterInfo::Index(uint64_t store) const {
  auto it = index_.find(store);
  return it == index_.end() ? nullptr : &it->second;
}

int ClusterInfo::StoreRegionCount(uint64_t store) const {
  const StoreIndex* s = Index(store);
  return s == nullptr ? 0 : static_cast<int>(s->leaders.size() + s->followers.size());
}

int ClusterInfo::StoreLeaderCount(uint64_t store) const {
  const StoreIndex* s = Index(store);
  return s == nullptr ? 0 : static_cast<int>(s->leaders.size());
}

int ClusterInfo::StoreFollowerCount(uint64_t store) const {
  const StoreIndex* s = Index(store);
  return s == nullptr ? 0 : static_cast<int>(s->followers.size());
}

int ClusterInfo::StorePendingPeerCount(uint64_t store) const {
  const StoreIndex* s = Index(store);
  return s == nullptr ? 0 : static_cast<int>(s->pending.size());
}

int64_t ClusterInfo::StoreRegionSize(uint64_t store) const {
  const StoreIndex* s = Index(store);
  return s == nullptr ? 0 : s->region_size;
}

int64_t ClusterInfo::StoreLeaderSize(uint64_t store) const {
  const StoreIndex* s = Index(store);
  return s == nullptr ? 0 : s->leader_size;
}

std::vector<uint64_t> ClusterInfo::StoreLeaderRegions(uint64_t store) const {
  const StoreIndex* s = Index(store);
  return s == nullptr ? std::vector<uint64_t>{}
                      : std::vector<uint64_t>(s->leaders.begin(), s->leaders.end());
}

std::vector<uint64_t> ClusterInfo::StoreFollowerRegions(uint64_t store) const {
  const StoreIndex* s = Index(store);
  return s == nullptr ? std::vector<uint64_t>{}
                      : std::vector<uint64_t>(s->followers.begin(), s->followers.end());
}

std::vector<uint64_t> ClusterInfo::StorePendingRegions(uint64_t store) const {
  const StoreIndex* s = Index(store);
  return s == nullptr ? std::vector<uint64_t>{}
                      : std::vector<uint64_t>(s->pending.begin(), s->pending.end());
}

bool ClusterInfo::StoreLeads(uint64_t store, uint64_t region) const {
  const StoreIndex* s = Index(store);
  return s != nullptr && s->leaders.count(region) != 0;
}

bool ClusterInfo::StoreFollows(uint64_t store, uint64_t region) const {
  const StoreIndex* s = Index(store);
  return s != nullptr && s->followers.count(region) != 0;
}

std::vector<const StoreInfo*> ClusterInfo::RegionStores(const RegionInfo& region) const {
  std::vector<const StoreInfo*> out;
  for (const auto& [id, store] : stores_) {
    if (region.StorePeer(id) != nullptr) out.push_back(&store);
  }
  return out;
}

std::vector<const StoreInfo*> ClusterInfo::FollowerStores(const RegionInfo& region) const {
  std::vector<const StoreInfo*> out;
  for (const auto& [id, store] : stores_) {
    const metapb::Peer* p = region.StorePeer(id);
    if (p != nullptr && !region.IsLeaderPeer(*p)) out.push_back(&store);
  }
  return out;
}

}  // namespace tinykv::scheduler
