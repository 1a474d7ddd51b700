// Region snapshots (lab2c): building one from the kv engine and its payload format.
//
// Payload (eraftpb.Snapshot.data) is a raft_serverpb.RaftSnapshotData: `region` is the region
// the snapshot describes; `data` holds every key/value of the region's data range, CF by CF in
// the order of `meta.cf_files` (default, lock, write), keys in data form ('z' + user key);
// `meta.cf_files[i].size` is the number of pairs of that CF. The metadata's index / term are the
// applied index of the sender when the snapshot was taken and that entry's term; its conf state
// lists the region's peers.
//
// Generation reads one consistent kv-engine snapshot (data and apply state together), so the
// payload is exactly the state machine at that index. Applying is PeerStorage::ApplySnapshot
// plus the snapshot-apply worker (snapshot_apply.h).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "proto/eraftpb.pb.h"
#include "proto/raft_serverpb.pb.h"
#include "store/raftstore/engines.h"

namespace tinykv::raftstore {

// A snapshot source pinned at one moment: create it on the raft worker, then Build() it anywhere
// (it reads only its own engine snapshot, so later writes do not leak in).
class SnapshotBuilder {
 public:
  // Pins the kv engine and reads the applied index / term and region. Error when the states are
  // missing or the applied entry's term cannot be read.
  static store::Status Pin(Engines engines, uint64_t region_id,
                           std::unique_ptr<SnapshotBuilder>* out);
  // Serializes the pinned state. `yield_every` pairs, calls `yield` (lets other fibers run while
  // a big snapshot is built); may be null.
  eraftpb::Snapshot Build(size_t yield_every, const std::function<void()>& yield) const;
  uint64_t index() const { return index_; }
  // The region the snapshot describes (as of the pinned moment).
  const metapb::Region& region() const { return region_state_.region(); }

 private:
  SnapshotBuilder() = default;
  std::unique_ptr<store::Snapshot> snap_;
  raft_serverpb::RegionLocalState region_state_;
  uint64_t index_ = 0;
  uint64_t term_ = 0;
};

// The [begin, end) data-key range of `region` ('z'+start, 'z'+end or the end of all data).
std::pair<std::string, std::string> RegionDataRange(const metapb::Region& region);

}  // namespace tinykv::raftstore
