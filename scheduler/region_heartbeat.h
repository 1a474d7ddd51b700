// Region heartbeats (lab3c): how a region leader's report changes what the scheduler knows.
//
// Rules (TinyKV's processRegionHeartbeat, after PD):
//  * Stale — rejected with Status::StaleRegion, and nothing changes — when the heartbeat's epoch
//    is older (IsOlderEpoch: lower version, or the same version and a lower conf_ver) than the
//    epoch known for its region id, or than the epoch of any known region its range overlaps (a
//    split's or merge's newer regions must not be pushed out by a report from before it).
//  * Otherwise the heartbeat replaces what is known when anything in it is new: a region not
//    known yet, a newer epoch, another range, another leader, other peers, pending peers (in the
//    heartbeat or in the known region), another approximate size. ClusterInfo::PutRegion puts it
//    and pushes out the regions it overlaps; then every store that held a peer of the new region
//    or of a removed one gets its counters refreshed (ClusterInfo::UpdateStoreStatus).
//  * Split children may arrive in any order: a child overlapping its not-yet-updated parent has a
//    newer version and pushes it out; the parent's own later heartbeat (its shrunk range, newer
//    still) then only adds itself back.
#pragma once

#include "scheduler/cluster_info.h"
#include "scheduler/region_info.h"
#include "scheduler/status.h"

namespace tinykv::scheduler {

Status ProcessRegionHeartbeat(ClusterInfo& cluster, const RegionInfo& region);

}  // namespace tinykv::scheduler
