#include "store/raftstore/scheduler_worker.h"

#include <map>
#include <optional>
#include <utility>

#include "sim/time.h"

namespace tinykv::raftstore {

std::optional<raft_cmdpb::RaftCmdRequest> AdminForOperator(
    const schedulerpb::RegionHeartbeatResponse& resp) {
  raft_cmdpb::RaftCmdRequest req;
  auto* admin = req.mutable_admin_request();
  if (resp.has_change_peer()) {
    admin->set_cmd_type(raft_cmdpb::ChangePeer);
    admin->mutable_change_peer()->set_change_type(resp.change_peer().change_type());
    *admin->mutable_change_peer()->mutable_peer() = resp.change_peer().peer();
  } else if (resp.has_transfer_leader()) {
    admin->set_cmd_type(raft_cmdpb::TransferLeader);
    *admin->mutable_transfer_leader()->mutable_peer() = resp.transfer_leader().peer();
  } else {
    return std::nullopt;
  }
  auto* header = req.mutable_header();
  header->set_region_id(resp.region_id());
  *header->mutable_region_epoch() = resp.region_epoch();
  *header->mutable_peer() = resp.target_peer();
  return req;
}

raft_cmdpb::RaftCmdRequest SplitCommand(const AskSplitTask& task,
                                        const schedulerpb::AskSplitResponse& resp) {
  raft_cmdpb::RaftCmdRequest req;
  auto* header = req.mutable_header();
  header->set_region_id(task.region.id());
  *header->mutable_region_epoch() = task.region.region_epoch();
  *header->mutable_peer() = task.leader;
  auto* admin = req.mutable_admin_request();
  admin->set_cmd_type(raft_cmdpb::Split);
  admin->mutable_split()->set_split_key(task.split_key);
  admin->mutable_split()->set_new_region_id(resp.new_region_id());
  for (uint64_t id : resp.new_peer_ids()) admin->mutable_split()->add_new_peer_ids(id);
  return req;
}

namespace {

void SendRegionHeartbeat(SchedulerClient& client, const RegionHeartbeatTask& task,
                         const ProposeAdminFn& propose) {
  schedulerpb::RegionHeartbeatRequest req;
  *req.mutable_region() = task.region;
  *req.mutable_leader() = task.leader;
  for (const auto& p : task.pending_peers) *req.add_pending_peers() = p;
  req.set_approximate_size(task.approximate_size);
  schedulerpb::RegionHeartbeatResponse resp;
  if (!client.RegionHeartbeat(req, &resp).ok()) return;  // sent again at the next tick
  if (auto admin = AdminForOperator(resp)) propose(std::move(*admin));
}

}  // namespace

void RunSchedulerWorker(SchedulerClient& client, const metapb::Store& store,
                        sim::Channel<SchedulerTask>& tasks, const ProposeAdminFn& propose) {
  while (!client.PutStore(store).ok()) sim::Sleep(std::chrono::seconds(1));
  while (auto first = tasks.Recv()) {
    // Everything queued while the last call was under way; the newest heartbeat per region.
    std::map<uint64_t, RegionHeartbeatTask> regions;
    std::map<uint64_t, AskSplitTask> splits;
    std::optional<StoreHeartbeatTask> store_heartbeat;
    std::optional<SchedulerTask> task = std::move(first);
    while (task) {
      if (auto* r = std::get_if<RegionHeartbeatTask>(&*task)) {
        regions[r->region.id()] = std::move(*r);
      } else if (auto* split = std::get_if<AskSplitTask>(&*task)) {
        splits[split->region.id()] = std::move(*split);
      } else {
        store_heartbeat = std::get<StoreHeartbeatTask>(std::move(*task));
      }
      task = tasks.TryRecv();
    }
    for (const auto& [id, split] : splits) {
      schedulerpb::AskSplitResponse resp;
      if (client.AskSplit(split.region, &resp).ok()) propose(SplitCommand(split, resp));
    }
    for (const auto& [id, r] : regions) SendRegionHeartbeat(client, r, propose);
    if (store_heartbeat) (void)client.StoreHeartbeat(store_heartbeat->stats);
  }
}

}  // namespace tinykv::raftstore
