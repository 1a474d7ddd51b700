// Balance-leader: moves one region's leadership from the suitable store with the most leaders to
// a suitable store of the same region with the fewest (TinyKV's balance-leader, counting leaders).
// A move is made only when the gap is at least 2 — a gap of 1 would just swap the two stores.
// Sources are tried from the most leaders down, their regions in id order; the first move that
// qualifies is returned ("balance-leader": one TransferLeader step), else nullopt.
#pragma once

#include <optional>

#include "scheduler/cluster_info.h"
#include "scheduler/operator.h"
#include "scheduler/schedule_options.h"

namespace tinykv::scheduler {

std::optional<Operator> BalanceLeader(const ClusterInfo& cluster, const ScheduleOptions& options,
                                      Time now);

}  // namespace tinykv::scheduler
