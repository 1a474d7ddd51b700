#include "store/raftstore/store_peers.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "store/raftstore/cmd_resp.h"
#include "store/raftstore/keys.h"
#include "store/raftstore/peer_storage.h"
#include "store/raftstore/region_epoch.h"

namespace tinykv::raftstore {

using store::Status;

namespace {

std::string PeerName(uint64_t peer_id, uint64_t region_id) {
  return "peer " + std::to_string(peer_id) + " of region " + std::to_string(region_id);
}

bool RegionHasStore(const metapb::Region& region, uint64_t store_id) {
  for (const auto& p : region.peers()) {
    if (p.store_id() == store_id) return true;
  }
  return false;
}

bool RegionHasPeer(const metapb::Region& region, uint64_t peer_id) {
  for (const auto& p : region.peers()) {
    if (p.id() == peer_id) return true;
  }
  return false;
}

// The first key a command reads or writes ("" for one that names none, e.g. a Snap).
std::string_view FirstKey(const raft_cmdpb::RaftCmdRequest& req) {
  for (const auto& r : req.requests()) {
    if (auto key = RequestKey(r)) return *key;
  }
  return {};
}

}  // namespace

StorePeers::StorePeers(uint64_t store_id, Engines engines, Transport* transport,
                       PeerOptionsFactory factory, NoteFn note)
    : store_id_(store_id),
      engines_(engines),
      transport_(transport),
      factory_(std::move(factory)),
      note_(std::move(note)) {}

Status StorePeers::LoadAll() {
  // Region states are the keys 0x01 0x03 <region id> 0x01 of the kv engine.
  const std::string begin = RegionMetaPrefixKey(0);
  const std::string end = RegionMetaPrefixKey(UINT64_MAX) + '\xff';
  std::vector<uint64_t> normal;
  auto it = engines_.kv->NewIterator(store::Cf::kDefault);
  for (it->Seek(begin); it->Valid() && it->key() < end; it->Next()) {
    const std::string_view key = it->key();
    if (key.size() != begin.size() + 1 || key.back() != kRegionStateSuffix) continue;
    raft_serverpb::RegionLocalState state;
    if (!state.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Status::Corruption("cannot parse the region state at key of region " +
                                std::to_string(DecodeBigEndian64(key.substr(2))));
    }
    if (state.state() != raft_serverpb::Normal) continue;
    if (!RegionHasStore(state.region(), store_id_)) {
      // The peer applied its own removal (the region state without this store went into the
      // apply batch) and the store went down before it was destroyed: finish the job.
      if (Status s = DestroyRegionState(engines_, state.region(), true); !s.ok()) return s;
      note_("finished destroying the peer of region " + std::to_string(state.region().id()) +
            ", removed before the store went down");
      continue;
    }
    normal.push_back(state.region().id());
  }
  for (uint64_t id : normal) {
    if (Status s = CreatePeer(id, nullptr); !s.ok()) return s;
  }
  return Status::OK();
}

Status StorePeers::CreatePeer(uint64_t region_id, const metapb::Peer* uninitialized_meta) {
  PeerOptions options = factory_(region_id);
  options.region_id = region_id;
  options.hooks.on_range_changed = [this](const metapb::Region& before, const metapb::Region& now) {
    OnRangeChanged(before, now);
  };
  options.hooks.on_split = [this](const metapb::Region& created, bool campaign) {
    OnSplit(created, campaign);
  };
  std::unique_ptr<Peer> peer;
  Status s = uninitialized_meta == nullptr ? Peer::Create(std::move(options), engines_, &peer)
                                           : Peer::CreateUninitialized(std::move(options), engines_,
                                                                       *uninitialized_meta, &peer);
  if (!s.ok()) return s;
  if (peer->initialized() && !ranges_.Insert(peer->region())) {
    return Status::Corruption("region " + std::to_string(region_id) +
                              " overlaps another region of store " + std::to_string(store_id_));
  }
  peers_[region_id] = std::move(peer);
  Touch(region_id);
  created_.push_back(region_id);
  return Status::OK();
}

Peer* StorePeers::Find(uint64_t region_id) {
  auto it = peers_.find(region_id);
  return it == peers_.end() ? nullptr : it->second.get();
}

const Peer* StorePeers::Find(uint64_t region_id) const {
  auto it = peers_.find(region_id);
  return it == peers_.end() ? nullptr : it->second.get();
}

Peer* StorePeers::FindByKey(std::string_view key) {
  auto id = ranges_.Find(key);
  return id ? Find(*id) : nullptr;
}

void StorePeers::ReplyTombstone(const raft_serverpb::RaftMessage& msg,
                                const metapb::RegionEpoch& epoch) {
  raft_serverpb::RaftMessage gc;
  gc.set_region_id(msg.region_id());
  *gc.mutable_from_peer() = msg.to_peer();
  *gc.mutable_to_peer() = msg.from_peer();
  *gc.mutable_region_epoch() = epoch;
  gc.set_is_tombstone(true);
  transport_->Send(gc);
}

void StorePeers::OnRaftMessage(raft_serverpb::RaftMessage&& msg) {
  Touch(msg.region_id());
  // BEGIN SOLUTION(lab3b)
  // STUB: if (Peer* p = Find(msg.region_id())) p->Step(std::move(msg));
  if (msg.to_peer().store_id() != store_id_) return;
  Peer* peer = Find(msg.region_id());
  if (peer == nullptr) return OnMessageForUnknownRegion(std::move(msg));
  bool handle_again = false;
  if (FilterForPeer(*peer, msg, &handle_again)) {
    if (handle_again) OnMessageForUnknownRegion(std::move(msg));
    return;
  }
  const bool snapshot = msg.message().msg_type() == eraftpb::MsgSnapshot;
  peer->Step(std::move(msg));
  // Persist an accepted snapshot now, claiming its range before another message is checked
  // against the ranges (two overlapping snapshots must not both pass).
  if (snapshot && peer->HasReady()) (void)peer->HandleReady();
  // END SOLUTION
}

void StorePeers::OnMessageForUnknownRegion([[maybe_unused]] raft_serverpb::RaftMessage&& msg) {
  // BEGIN SOLUTION(lab3b)
  const uint64_t region_id = msg.region_id();
  raft_serverpb::RegionLocalState local;
  Status s = GetMsg(engines_.kv, RegionStateKey(region_id), &local);
  if (s.ok() && local.state() == raft_serverpb::Tombstone) {
    const metapb::RegionEpoch& tomb = local.region().region_epoch();
    if (IsEpochStale(msg.region_epoch(), tomb)) {
      if (!msg.is_tombstone() && NeedsGcReply(msg.message()) &&
          !RegionHasStore(local.region(), msg.from_peer().store_id())) {
        ReplyTombstone(msg, tomb);
      }
      return;
    }
    if (msg.region_epoch().conf_ver() == tomb.conf_ver()) return;  // for the removed peer
    // A peer destroyed by a gc message kept its own (stale) view of the region, itself included:
    // a message for that peer, or an older one, comes from a leader that has not learnt of the
    // removal yet. Creating the peer again would bring back a peer the region has dropped.
    for (const auto& p : local.region().peers()) {
      if (p.store_id() == store_id_ && msg.to_peer().id() <= p.id()) return;
    }
  } else if (!s.ok() && !s.IsNotFound()) {
    return;  // unreadable state: never create a peer over it
  }
  if (msg.is_tombstone() || !IsInitialMessage(msg.message())) return;
  if (!ranges_.Overlapping(msg.start_key(), msg.end_key()).empty()) return;
  if (Status c = CreatePeer(region_id, &msg.to_peer()); !c.ok()) {
    note_("cannot create " + PeerName(msg.to_peer().id(), region_id) + ": " + c.ToString());
    return;
  }
  note_("created uninitialized " + PeerName(msg.to_peer().id(), region_id));
  Find(region_id)->Step(std::move(msg));
  // END SOLUTION
}

bool StorePeers::FilterForPeer([[maybe_unused]] Peer& peer,
                               [[maybe_unused]] const raft_serverpb::RaftMessage& msg,
                               [[maybe_unused]] bool* handle_again) {
  // BEGIN SOLUTION(lab3b)
  // STUB: return false;
  const metapb::Region& region = peer.region();
  if (msg.is_tombstone()) {
    if (IsEpochStale(region.region_epoch(), msg.region_epoch()) &&
        msg.to_peer().id() == peer.id()) {
      DestroyPeer(region.id(), "told so by " + PeerName(msg.from_peer().id(), region.id()));
    }
    return true;
  }
  if (IsEpochStale(msg.region_epoch(), region.region_epoch()) &&
      !RegionHasStore(region, msg.from_peer().store_id())) {
    if (NeedsGcReply(msg.message())) ReplyTombstone(msg, region.region_epoch());
    return true;
  }
  if (msg.to_peer().id() < peer.id()) return true;
  if (msg.to_peer().id() > peer.id()) {
    *handle_again = DestroyPeer(
        region.id(), "the region has a newer peer " + std::to_string(msg.to_peer().id()) + " here");
    return true;
  }
  if (msg.message().msg_type() == eraftpb::MsgSnapshot) {
    raft_serverpb::RaftSnapshotData data;
    if (!data.ParseFromString(msg.message().snapshot().data())) return true;
    if (!RegionHasPeer(data.region(), peer.id())) return true;
    for (uint64_t other : ranges_.Overlapping(data.region().start_key(), data.region().end_key())) {
      if (other != region.id()) return true;
    }
  }
  return false;
  // END SOLUTION
}

bool StorePeers::DestroyPeer(uint64_t region_id, const std::string& why) {
  Peer* peer = Find(region_id);
  if (peer == nullptr || peer->applying_snapshot()) return false;
  const uint64_t peer_id = peer->id();
  const std::string range = peer->initialized() ? " " + RangeText(peer->region()) : "";
  if (Status s = peer->Destroy(); !s.ok()) return false;
  ranges_.Remove(region_id);
  peers_.erase(region_id);
  Touch(region_id);
  note_("destroyed " + PeerName(peer_id, region_id) + range + ": " + why);
  return true;
}

void StorePeers::OnRangeChanged(const metapb::Region& before, const metapb::Region& now) {
  ranges_.Remove(before.id());
  if (!ranges_.Insert(now)) {
    note_("region " + std::to_string(now.id()) + " " + RangeText(now) +
          " overlaps another region of this store; not indexed");
  }
}

void StorePeers::OnSplit(const metapb::Region& created, bool campaign) {
  if (Peer* existing = Find(created.id())) {
    if (existing->initialized()) return;
    peers_.erase(created.id());  // nothing of it on disk but its raft state, which stays
  }
  if (Status s = CreatePeer(created.id(), nullptr); !s.ok()) {
    note_("cannot start region " + std::to_string(created.id()) +
          " after a split: " + s.ToString());
    return;
  }
  note_("split created region " + std::to_string(created.id()) + " " + RangeText(created));
  if (campaign) Find(created.id())->Campaign();
}

void StorePeers::Propose(raft_cmdpb::RaftCmdRequest req, CmdCallback cb) {
  auto* header = req.mutable_header();
  Peer* peer = nullptr;
  if (header->region_id() == 0) {
    peer = FindByKey(FirstKey(req));
    if (peer != nullptr) {
      header->set_region_id(peer->region_id());
      *header->mutable_region_epoch() = peer->region().region_epoch();
    }
  } else {
    peer = Find(header->region_id());
  }
  if (peer == nullptr) {
    cb(CmdResult{ErrorResponse(RegionNotFoundError(header->region_id())), nullptr});
    return;
  }
  Touch(peer->region_id());
  peer->Propose(req, std::move(cb));
}

void StorePeers::Touch(uint64_t region_id) {
  auto it = std::lower_bound(touched_.begin(), touched_.end(), region_id);
  if (it == touched_.end() || *it != region_id) touched_.insert(it, region_id);
}

void StorePeers::TouchAll() {
  touched_.clear();
  for (const auto& [id, peer] : peers_) touched_.push_back(id);
}

void StorePeers::Tick() {
  TouchAll();
  for (auto& [id, peer] : peers_) peer->Tick();
}

void StorePeers::RaftLogGcTick() {
  TouchAll();
  for (auto& [id, peer] : peers_) peer->OnRaftLogGcTick();
}

bool StorePeers::OnSnapshotApplyDone(const SnapshotApplyResult& result) {
  Touch(result.region_id);
  Peer* peer = Find(result.region_id);
  return peer != nullptr && peer->OnSnapshotApplyDone(result);
}

bool StorePeers::HandleReadys() {
  // One pass over the touched peers; then passes over those that had a Ready (handling it may
  // have produced another) and those a split created meanwhile, until none has one.
  created_.clear();
  std::vector<uint64_t> pass = touched_;
  while (!pass.empty()) {
    std::vector<uint64_t> next;
    for (uint64_t id : pass) {
      Peer* peer = Find(id);
      if (peer == nullptr || !peer->HasReady()) continue;
      if (!peer->HandleReady()) return false;
      next.push_back(id);
    }
    next.insert(next.end(), created_.begin(), created_.end());
    created_.clear();
    pass = std::move(next);
  }
  std::vector<uint64_t> removed;
  for (uint64_t id : touched_) {
    if (const Peer* peer = Find(id); peer != nullptr && peer->removed()) removed.push_back(id);
  }
  for (uint64_t id : removed) DestroyPeer(id, "a membership change removed it");
  return true;
}

}  // namespace tinykv::raftstore
