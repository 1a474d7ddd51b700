#include "scheduler/scheduler_node.h"

#include <string>

#include "scheduler/engine_meta_store.h"
#include "scheduler/rpc_dispatch.h"

namespace tinykv::scheduler {

// Everything of one incarnation, shared by its fibers: the last one to unwind after a crash
// frees it.
struct SchedulerNode::Incarnation {
  std::unique_ptr<store::MemEngine> engine;
  std::unique_ptr<EngineMetaStore> meta;
  std::unique_ptr<SchedulerService> service;
};

SchedulerNode::SchedulerNode(sim::Executor& ex, sim::Network& net, sim::NodeId node,
                             SchedulerNodeOptions options)
    : ex_(ex), net_(net), node_(node), options_(options) {}

const SchedulerService* SchedulerNode::service() const {
  auto inc = current_.lock();
  return inc ? inc->service.get() : nullptr;
}

SchedulerService* SchedulerNode::mutable_service() {
  auto inc = current_.lock();
  return inc ? inc->service.get() : nullptr;
}

void SchedulerNode::Main() {
  // A crash closes the engine (every save was synced: nothing is lost), so the restart can open
  // the disk again. Registered by the first incarnation: the node exists by then.
  if (!crash_hook_added_) {
    ex_.AddCrashHook(node_, [disk = disk_] { disk->Crash(0); });
    crash_hook_added_ = true;
  }
  auto inc = std::make_shared<Incarnation>();
  const auto note = [this](const std::string& line) {
    ex_.Record(sim::EventKind::kNote, "scheduler " + std::to_string(node_) + " " + line);
  };
  if (store::Status s = store::MemEngine::Open(disk_, &inc->engine); !s.ok()) {
    return note("cannot open its disk: " + s.ToString());
  }
  inc->meta = std::make_unique<EngineMetaStore>(inc->engine.get());
  inc->service = std::make_unique<SchedulerService>(inc->meta.get(), options_.service);
  if (Status s = inc->service->Start(sim::Now()); !s.ok()) {
    return note("cannot start: " + s.message());
  }
  if (options_.bootstrap_store != 0 && !inc->service->bootstrapped()) {
    schedulerpb::BootstrapRequest boot;
    boot.mutable_store()->set_id(options_.bootstrap_store);
    if (auto resp = inc->service->Bootstrap(boot); resp.header().has_error()) {
      return note("cannot bootstrap: " + resp.header().error().message());
    }
  }
  current_ = inc;
  sim::Go("scheduler-coordinator", [inc, interval = options_.schedule_interval] {
    for (;;) {
      sim::Sleep(interval);
      inc->service->RunSchedulingRound(sim::Now());
    }
  });
  sim::Channel<sim::Packet>& in = net_.Bind(node_, kSchedulerPort);
  while (auto packet = in.Recv()) {
    if (packet->rpc_id == 0 || packet->is_response) continue;  // only requests get answers
    ++requests_served_;
    net_.Reply(*packet, HandleSchedulerRpc(*inc->service, packet->payload, sim::Now()));
  }
}

}  // namespace tinykv::scheduler
