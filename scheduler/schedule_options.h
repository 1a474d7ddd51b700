// ScheduleOptions: the knobs the schedulers share (TinyKV's ScheduleConfig, the few it uses).
#pragma once

#include <chrono>

#include "scheduler/cluster_info.h"

namespace tinykv::scheduler {

struct ScheduleOptions {
  int max_replicas = 3;
  // A store silent for longer than this is down: schedulers neither move regions to it nor take
  // its regions as a source (TinyKV's default is 30 minutes; scenarios shorten it).
  std::chrono::nanoseconds max_store_down_time = std::chrono::minutes(30);
  // Which parts the coordinator runs (PD lets an operator remove schedulers the same way).
  bool replica_checker = true;
  bool balance_leader = true;
  bool balance_region = true;
  // Balance-region moves in flight at a time (TinyKV's and PD's region-schedule-limit). One: the
  // next move is planned on sizes that show the last one done. With several, a store counts a
  // moving region twice (on source and target) until the move ends, the sizes seen swing, and
  // moves undo each other (seen: three regions bouncing between two stores for good).
  int region_schedule_limit = 1;
};

// Up (not offline or tombstone) and heard from within max_store_down_time of `now`.
inline bool IsSuitableStore(const StoreInfo& store, const ScheduleOptions& options, Time now) {
  return store.IsUp() && now - store.last_heartbeat <= options.max_store_down_time;
}

// The suitable store with the least region data that holds no peer of `region` (ties: the
// lowest store id), or null: where a new peer of the region should go.
const StoreInfo* SmallestStoreWithout(const ClusterInfo& cluster, const RegionInfo& region,
                                      const ScheduleOptions& options, Time now);

}  // namespace tinykv::scheduler
