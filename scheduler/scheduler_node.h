// SchedulerNode: the scheduler as a node of the simulation — SchedulerService answering
// schedulerpb requests on kSchedulerPort (serialized bytes, like every other node), a
// coordinator fiber planning operators every `schedule_interval` of virtual time, and its
// metadata on a simulated disk (MemEngine + MemDisk, every save synced), so a crash and a
// restart keep the cluster, the ids and a monotonic TSO. Crash it and restart it like any node;
// stores retry their heartbeats meanwhile.
#pragma once

#include <cstdint>
#include <memory>

#include "scheduler/service.h"
#include "sim/executor.h"
#include "sim/network.h"
#include "store/engine/mem_engine.h"

namespace tinykv::scheduler {

// The scheduler's port (the stores' raftstore::kSchedulerPort is the same number).
inline constexpr sim::Port kSchedulerPort = 2379;

struct SchedulerNodeOptions {
  ServiceOptions service;
  sim::Duration schedule_interval = std::chrono::milliseconds(100);
  // When not 0: a first start on an empty disk bootstraps the cluster with this store (what a
  // deployment script does; the harness's clusters start bootstrapped).
  uint64_t bootstrap_store = 0;
};

class SchedulerNode {
 public:
  // `ex` and `net` outlive the node; `node` is its id on both.
  SchedulerNode(sim::Executor& ex, sim::Network& net, sim::NodeId node,
                SchedulerNodeOptions options = {});
  SchedulerNode(const SchedulerNode&) = delete;
  SchedulerNode& operator=(const SchedulerNode&) = delete;

  // One incarnation: opens the disk, starts the service, serves until the node goes down.
  // Runs on a fiber of `node` (the executor's node main).
  void Main();

  sim::NodeId node() const { return node_; }
  // Requests answered, all incarnations.
  uint64_t requests_served() const { return requests_served_; }
  // The running incarnation's service (null while down), for inspection.
  const SchedulerService* service() const;
  SchedulerService* mutable_service();

 private:
  struct Incarnation;

  sim::Executor& ex_;
  sim::Network& net_;
  sim::NodeId node_;
  SchedulerNodeOptions options_;
  std::shared_ptr<store::MemDisk> disk_ = std::make_shared<store::MemDisk>();
  std::weak_ptr<Incarnation> current_;
  bool crash_hook_added_ = false;
  uint64_t requests_served_ = 0;
};

}  // namespace tinykv::scheduler
