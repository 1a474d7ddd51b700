// The store's scheduler worker (TinyKV's scheduler task runner): a fiber that carries the
// store's heartbeats to the scheduler and turns the scheduler's answers into admin commands.
//
// The raft worker never talks to the scheduler itself (a call blocks for up to its timeout):
// every `scheduler_heartbeat_tick` it hands this worker one RegionHeartbeatTask per region this
// store leads, and every `scheduler_store_heartbeat_tick` a StoreHeartbeatTask. The worker sends
// them one by one; of the heartbeats of one region queued meanwhile only the newest is sent (an
// unreachable scheduler must not make the queue grow). The answer to a region heartbeat may carry
// one operator step — add / remove a peer, transfer the leader — which the worker proposes to the
// region as an admin command with the epoch the scheduler saw (raft_cmdpb ChangePeer /
// TransferLeader), through `propose`; its outcome is not awaited: the scheduler repeats the step
// in later answers until a heartbeat shows it done, and a step that no longer fits the region
// fails its epoch check.
//
// Runs on one fiber of the store; single-threaded like the rest of the store.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "proto/metapb.pb.h"
#include "proto/raft_cmdpb.pb.h"
#include "proto/schedulerpb.pb.h"
#include "sim/sync.h"
#include "store/raftstore/scheduler_client.h"

namespace tinykv::raftstore {

struct RegionHeartbeatTask {
  metapb::Region region;
  metapb::Peer leader;
  std::vector<metapb::Peer> pending_peers;
  uint64_t approximate_size = 0;
};

struct StoreHeartbeatTask {
  schedulerpb::StoreStats stats;
};

// The split checker found that `region` (led by `leader`) should split at `split_key`: ask the
// scheduler for the new region's ids and propose the Split.
struct AskSplitTask {
  metapb::Region region;
  metapb::Peer leader;
  std::string split_key;
};

using SchedulerTask = std::variant<RegionHeartbeatTask, StoreHeartbeatTask, AskSplitTask>;

// Hands an admin command to the store's raft worker (the answer is ignored).
using ProposeAdminFn = std::function<void(raft_cmdpb::RaftCmdRequest)>;

// The admin command for the operator step in `resp` (a region heartbeat's answer), or nothing
// when it carries none.
std::optional<raft_cmdpb::RaftCmdRequest> AdminForOperator(
    const schedulerpb::RegionHeartbeatResponse& resp);

// The Split admin command for `task` with the ids of `resp` (an AskSplit answer).
raft_cmdpb::RaftCmdRequest SplitCommand(const AskSplitTask& task,
                                        const schedulerpb::AskSplitResponse& resp);

// Registers `store` with the scheduler (PutStore, retried every second until it succeeds), then
// runs the tasks of `tasks` until it closes (or the store crashes).
void RunSchedulerWorker(SchedulerClient& client, const metapb::Store& store,
                        sim::Channel<SchedulerTask>& tasks, const ProposeAdminFn& propose);

}  // namespace tinykv::raftstore
