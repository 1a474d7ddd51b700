// Cluster bootstrap for the single-region raftstore (lab2b), like TinyKV's test cluster: every
// store starts with the same region (id 1, all keys, one peer per store, peer id = store id) at
// log index / term kRaftInitLogIndex / kRaftInitLogTerm, so no snapshot is needed to start.
//
// Called by a StoreNode at each start, on its own fiber, before the peer is created.
#pragma once

#include <cstdint>
#include <vector>

#include "proto/metapb.pb.h"
#include "store/raftstore/engines.h"

namespace tinykv::raftstore {

inline constexpr uint64_t kFirstRegionId = 1;

// Region `region_id` covering every key, with one peer per store (peer id = store id).
metapb::Region MakeInitialRegion(uint64_t region_id, const std::vector<uint64_t>& store_ids);

// Writes the initial raft state (raft engine) and region + apply state (kv engine) of `region`,
// both synced, unless the kv engine already holds a region state for it. The raft state goes
// first: a crash in between leaves no region state, so the next start bootstraps again.
// *bootstrapped tells whether anything was written (may be null).
store::Status BootstrapIfNeeded(Engines engines, const metapb::Region& region, bool* bootstrapped);

}  // namespace tinykv::raftstore
