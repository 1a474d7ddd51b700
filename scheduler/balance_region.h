// Balance-region (lab3c): moves one region's peer from the store with the most region data to
// the one with the least, TinyKV's balance-region scheduler.
//
// Rules:
//  * Suitable stores only (schedule_options.h: up, and heard from recently). Sources are tried
//    from the largest region size down.
//  * From a source, a region is taken in this order of preference: one with a pending peer on
//    it (moving a peer that is behind anyway costs least), then one it follows, then one it
//    leads — and only a region with exactly max_replicas peers (a region being re-replicated
//    or shrunk is the replica checker's) that holds data: an empty region (approximate size
//    0) is never moved — moving it changes no store's size, so the same move would qualify
//    again next round, for ever.
//  * The target is the suitable store with the smallest region size that holds no peer of the
//    region (SmallestStoreWithout, schedule_options.h).
//  * The move must be worth it: source size − target size > 2 × the region's approximate size
//    (or the region would just move back).
//  * The operator ("balance-region"): add a new peer (id from the allocator) on the target;
//    if the source holds the leader, transfer leadership to the target; remove the source's
//    peer.
// Returns nullopt when no move qualifies, and IoError-free: an id that cannot be allocated
// means no move this round.
#pragma once

#include <optional>

#include "scheduler/cluster_info.h"
#include "scheduler/id_allocator.h"
#include "scheduler/operator.h"
#include "scheduler/schedule_options.h"

namespace tinykv::scheduler {

std::optional<Operator> BalanceRegion(const ClusterInfo& cluster, const ScheduleOptions& options,
                                      IdAllocator& ids, Time now);

}  // namespace tinykv::scheduler
