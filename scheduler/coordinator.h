// Coordinator: one scheduling round over the cluster (PD's coordinator, without its threads).
// In order: the replica checker for every region in id order that has no operator (first
// canceling an operator whose current step needs a store that went down); then balance-leader
// and balance-region, one operator each at most — balance-region only while fewer than
// region_schedule_limit of its operators (named "balance-region") are in flight (each part can
// be switched off in ScheduleOptions). Every operator goes to the
// controller, which refuses a second one for a region. The node runs a round periodically
// (TinyKV: every 100 ms of its clock).
#pragma once

#include "scheduler/cluster_info.h"
#include "scheduler/id_allocator.h"
#include "scheduler/operator_controller.h"
#include "scheduler/schedule_options.h"

namespace tinykv::scheduler {

class Coordinator {
 public:
  // All four outlive the coordinator.
  Coordinator(const ClusterInfo& cluster, OperatorController& operators, IdAllocator& ids,
              const ScheduleOptions& options);

  // Returns how many operators the round added.
  int RunRound(Time now);

 private:
  const ClusterInfo& cluster_;
  OperatorController& operators_;
  IdAllocator& ids_;
  const ScheduleOptions& options_;
};

}  // namespace tinykv::scheduler
