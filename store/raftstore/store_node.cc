#include "store/raftstore/store_node.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <variant>

#include "sim/sync.h"
#include "store/engine/fault_injection_engine.h"
#include "store/raftstore/bootstrap.h"
#include "store/raftstore/keys.h"
#include "store/raftstore/peer_storage.h"
#include "store/raftstore/raft_storage.h"
#include "store/raftstore/raftlog_gc.h"
#include "store/raftstore/scheduler_client.h"
#include "store/raftstore/scheduler_worker.h"
#include "store/raftstore/snapshot.h"
#include "store/raftstore/snapshot_apply.h"
#include "store/raftstore/snapshot_transfer.h"
#include "store/raftstore/split_checker.h"
#include "store/raftstore/store_peers.h"
#include "store/raftstore/transport.h"
#include "store/server/sim_rpc.h"

namespace tinykv::raftstore {

using store::Status;

namespace {

struct ProposalMsg {
  raft_cmdpb::RaftCmdRequest req;
  CmdCallback cb;
};
struct TickMsg {};
struct GcTickMsg {};
// Time for the leaders' region heartbeats (and, when `store` is set, the store's own).
struct SchedulerTickMsg {
  bool store = false;
};
struct SplitCheckTickMsg {};
using PeerMsg = std::variant<raft_serverpb::RaftMessage, ProposalMsg, TickMsg, GcTickMsg,
                             SchedulerTickMsg, SplitCheckTickMsg>;

}  // namespace

// Shows every outgoing raft message to the store's observer, then sends it.
class ObservedTransport final : public Transport {
 public:
  ObservedTransport(Transport* inner, StoreObserver* observer, const StoreNode* store)
      : inner_(inner), observer_(observer), store_(store) {}
  void Send(const raft_serverpb::RaftMessage& msg) override {
    observer_->OnRaftMessageSent(*store_, msg);
    inner_->Send(msg);
  }
  void Flush() override { inner_->Flush(); }

 private:
  Transport* inner_;
  StoreObserver* observer_;
  const StoreNode* store_;
};

// Shows every batch the store writes to its kv engine to the store's observer, then writes it.
class ObservedKvEngine final : public store::Engine {
 public:
  ObservedKvEngine(store::Engine* inner, StoreObserver* observer, const StoreNode* store)
      : inner_(inner), observer_(observer), store_(store) {}
  Status Get(store::Cf cf, std::string_view key, std::string* value) override {
    return inner_->Get(cf, key, value);
  }
  Status Write(const store::WriteOptions& options, const store::WriteBatch& batch) override {
    observer_->BeforeKvWrite(*store_, batch);
    return inner_->Write(options, batch);
  }
  std::unique_ptr<store::Snapshot> GetSnapshot() override { return inner_->GetSnapshot(); }
  std::unique_ptr<store::Iterator> NewIterator(store::Cf cf) override {
    return inner_->NewIterator(cf);
  }

 private:
  store::Engine* inner_;
  StoreObserver* observer_;
  const StoreNode* store_;
};

// Everything of one incarnation of the store. Shared by its fibers: the last one to unwind
// after a crash frees it.
struct StoreNode::Runtime {
  std::unique_ptr<store::MemEngine> raft_engine;
  std::unique_ptr<store::MemEngine> kv_engine;
  // What the store's code writes through: the engines above, with syncs that take virtual time.
  std::unique_ptr<store::FaultInjectionEngine> raft_disk;
  std::unique_ptr<store::FaultInjectionEngine> kv_disk;
  // StoreNodeOptions::wrap_engine's decorators over the two, if any.
  std::unique_ptr<store::Engine> raft_wrapped;
  std::unique_ptr<store::Engine> kv_wrapped;
  // Between kv_disk and kv_wrapped, when the store has an observer.
  std::unique_ptr<ObservedKvEngine> kv_observed;
  std::unique_ptr<SimTransport> transport;
  std::unique_ptr<Transport> wrapped_transport;           // StoreNodeOptions::wrap_transport's
  std::unique_ptr<ObservedTransport> observed_transport;  // when the store has an observer
  Transport* peer_transport = nullptr;                    // what peers send through (the top one)
  std::unique_ptr<StorePeers> peers;
  std::unique_ptr<RaftStorage> storage;
  sim::Channel<PeerMsg> inbox{"raftstore-inbox"};
  sim::Channel<RaftLogGcTask> gc_tasks{"raftlog-gc-tasks"};
  sim::Channel<SnapshotApplyTask> snap_apply_tasks{"snap-apply-tasks"};
  // The snapshot-apply worker's reports, for the raft worker. (Not in the inbox's variant: g++ 12
  // then warns -Wmaybe-uninitialized about every PeerMsg it moves, a false alarm.)
  sim::Channel<SnapshotApplyResult> snap_apply_done{"snap-apply-done"};
  // When the store has a scheduler (StoreNodeOptions::scheduler).
  std::unique_ptr<SimSchedulerClient> scheduler_client;
  sim::Channel<SchedulerTask> scheduler_tasks{"scheduler-tasks"};
  // Split checks (with a scheduler and RaftstoreConfig::region_max_size): the regions being
  // measured, the checker's tasks and its reports.
  std::set<uint64_t> split_checking;
  sim::Channel<SplitCheckTask> split_check_tasks{"split-check-tasks"};
  sim::Channel<SplitCheckResult> split_check_done{"split-check-done"};
  SnapshotReceiver snapshot_receiver;
  // Snapshot generation for lagging followers, per region.
  struct SnapshotGeneration {
    bool generating = false;
    metapb::RegionEpoch building_epoch;  // of the region the snapshot being built describes
    std::optional<eraftpb::Snapshot> generated;
    metapb::RegionEpoch epoch;  // of the region `generated` describes
  };
  std::map<uint64_t, SnapshotGeneration> snapshot_generation;

  Engines engines() const {
    store::Engine* kv = kv_disk.get();
    if (kv_observed) kv = kv_observed.get();
    return Engines{raft_wrapped ? raft_wrapped.get() : raft_disk.get(),
                   kv_wrapped ? kv_wrapped.get() : kv};
  }
};

StoreNode::StoreNode(sim::Executor& ex, sim::Network& net, StoreNodeOptions options,
                     StoreDisks disks)
    : ex_(ex),
      net_(net),
      options_(std::move(options)),
      disks_(std::move(disks)),
      crash_rng_(ex.Stream("raftstore-disk-" + std::to_string(options_.store_id))),
      raft_rng_(ex.Stream("raftstore-raft-" + std::to_string(options_.store_id))),
      sync_rng_(ex.Stream("raftstore-sync-" + std::to_string(options_.store_id))) {}

StoreNode::~StoreNode() {
  if (crash_hook_ != 0) {
    ex_.RemoveCrashHook(static_cast<sim::NodeId>(options_.store_id), crash_hook_);
  }
}

void StoreNode::OnCrash() {
  for (const auto& disk : {disks_.raft, disks_.kv}) {
    size_t keep = 0;
    switch (options_.crash_loss) {
      case CrashLoss::kRandomPrefix:
        keep = static_cast<size_t>(crash_rng_.UniformInt(0, disk->UnsyncedBatchCount()));
        break;
      case CrashLoss::kLoseAll:
        keep = 0;
        break;
      case CrashLoss::kKeepAll:
        keep = disk->UnsyncedBatchCount();
        break;
    }
    disk->Crash(keep);
  }
}

std::optional<std::string> StoreNode::LocalValue(std::string_view key) const {
  const auto node = static_cast<sim::NodeId>(options_.store_id);
  if (!runtime_ || !runtime_->kv_engine || ex_.node_state(node) == sim::NodeState::kDown) {
    return std::nullopt;
  }
  std::string value;
  if (!runtime_->kv_engine->Get(store::Cf::kDefault, DataKey(key), &value).ok())
    return std::nullopt;
  return value;
}

std::optional<raft_serverpb::RegionLocalState> StoreNode::RegionState(uint64_t region_id) const {
  const auto node = static_cast<sim::NodeId>(options_.store_id);
  if (!runtime_ || !runtime_->kv_engine || ex_.node_state(node) == sim::NodeState::kDown) {
    return std::nullopt;
  }
  raft_serverpb::RegionLocalState state;
  if (!GetMsg(runtime_->kv_engine.get(), RegionStateKey(region_id), &state).ok()) {
    return std::nullopt;
  }
  return state;
}

uint64_t StoreNode::CountLocalKeys(std::string_view start, std::string_view end) const {
  const auto node = static_cast<sim::NodeId>(options_.store_id);
  if (!runtime_ || !runtime_->kv_engine || ex_.node_state(node) == sim::NodeState::kDown) {
    return 0;
  }
  const std::string last = end.empty() ? DataEndKey() : DataKey(end);
  uint64_t count = 0;
  auto it = runtime_->kv_engine->NewIterator(store::Cf::kDefault);
  for (it->Seek(DataKey(start)); it->Valid() && it->key() < last; it->Next()) ++count;
  return count;
}

uint64_t StoreNode::LocalDataBytes() const {
  const auto node = static_cast<sim::NodeId>(options_.store_id);
  if (!runtime_ || !runtime_->kv_engine || ex_.node_state(node) == sim::NodeState::kDown) {
    return 0;
  }
  const std::string first = DataKey("");
  const std::string last = DataEndKey();
  uint64_t bytes = 0;
  auto it = runtime_->kv_engine->NewIterator(store::Cf::kDefault);
  for (it->Seek(first); it->Valid() && it->key() < last; it->Next()) {
    bytes += it->key().size() - first.size() + it->value().size();
  }
  return bytes;
}

uint64_t StoreNode::RaftKeyCount(uint64_t region_id) const {
  const auto node = static_cast<sim::NodeId>(options_.store_id);
  if (!runtime_ || !runtime_->raft_engine || ex_.node_state(node) == sim::NodeState::kDown) {
    return 0;
  }
  const std::string begin = RegionRaftPrefixKey(region_id);
  const std::string end = RegionRaftPrefixKey(region_id + 1);
  uint64_t count = 0;
  auto it = runtime_->raft_engine->NewIterator(store::Cf::kDefault);
  for (it->Seek(begin); it->Valid() && it->key() < end; it->Next()) ++count;
  return count;
}

const StorePeers* StoreNode::peers() const {
  const auto node = static_cast<sim::NodeId>(options_.store_id);
  if (!runtime_ || ex_.node_state(node) == sim::NodeState::kDown) return nullptr;
  return runtime_->peers.get();
}

const Peer* StoreNode::peer() const {
  const StorePeers* all = peers();
  return all == nullptr ? nullptr : all->Find(kFirstRegionId);
}

bool StoreNode::IsLeader() const { return peer() != nullptr && peer()->IsLeader(); }
uint64_t StoreNode::LeaderId() const { return peer() ? peer()->LeaderId() : 0; }
uint64_t StoreNode::AppliedIndex() const { return peer() ? peer()->applied_index() : 0; }

// " region R" for regions other than the first, so the trace lines of a single-region store
// (labs 2B / 2C) read as they always did.
std::string RegionSuffix(uint64_t region_id) {
  return region_id == kFirstRegionId ? "" : " region " + std::to_string(region_id);
}

PeerOptions StoreNode::NewPeerOptions(Runtime* rt, uint64_t region_id) {
  const auto self = static_cast<sim::NodeId>(options_.store_id);
  PeerOptions po;
  po.store_id = options_.store_id;
  po.region_id = region_id;
  po.config = options_.config;
  po.rng = [this] { return raft_rng_.Next(); };
  po.transport = rt->peer_transport;
  po.hooks.gc_raft_log = [rt](uint64_t region, uint64_t begin, uint64_t end) {
    rt->gc_tasks.TrySend(RaftLogGcTask{region, begin, end});
  };
  po.hooks.on_soft_state = [this, self, region_id](const raft::SoftState& ss, uint64_t term) {
    ex_.Record(sim::EventKind::kRoleChange, "store " + std::to_string(self) + " " +
                                                raft::RoleName(ss.role) + " term " +
                                                std::to_string(term) + " leader " +
                                                std::to_string(ss.lead) + RegionSuffix(region_id));
  };
  po.hooks.schedule_snapshot_apply = [rt, this, self](SnapshotApplyTask task) {
    ex_.Record(sim::EventKind::kNote,
               "store " + std::to_string(self) + " applying snapshot at index " +
                   std::to_string(task.index()) + RegionSuffix(task.region_id));
    rt->snap_apply_tasks.TrySend(std::move(task));
  };
  // Raft asks for a snapshot when a follower lags behind the compacted log: hand out the last
  // one built if it is recent enough, else build a fresh one on a worker fiber meanwhile.
  po.hooks.provide_snapshot = [rt, this](uint64_t region, eraftpb::Snapshot* snap) {
    const Peer* peer = rt->peers->Find(region);
    if (peer == nullptr) return false;
    Runtime::SnapshotGeneration& gen = rt->snapshot_generation[region];
    // The last one built serves while it is recent enough and of the region's current epoch:
    // one from before a membership change may not list a new peer (which must refuse it), or
    // may list a peer that the log after it removes — a peer added back under its old id would
    // install it and then apply its own earlier removal.
    if (gen.generated && gen.generated->metadata().index() >= peer->storage().truncated_index() &&
        gen.epoch.SerializeAsString() == peer->region().region_epoch().SerializeAsString()) {
      *snap = *gen.generated;
      return true;
    }
    if (!gen.generating) {
      std::unique_ptr<SnapshotBuilder> builder;
      if (!SnapshotBuilder::Pin(rt->engines(), region, &builder).ok()) return false;
      gen.generating = true;
      gen.building_epoch = builder->region().region_epoch();
      std::shared_ptr<SnapshotBuilder> b(std::move(builder));
      auto keep = runtime_;
      sim::Go("snap-gen", [keep, b, region] {
        Runtime::SnapshotGeneration& g = keep->snapshot_generation[region];
        g.generated = b->Build(256, [] { sim::Yield(); });
        g.epoch = g.building_epoch;
        g.generating = false;
      });
    }
    return false;
  };
  return po;
}

void StoreNode::Main() {
  const auto self = static_cast<sim::NodeId>(options_.store_id);
  // Registered at the first start: the node exists in the executor by then.
  if (crash_hook_ == 0) crash_hook_ = ex_.AddCrashHook(self, [this] { OnCrash(); });
  auto rt = std::make_shared<Runtime>();
  runtime_ = rt;
  auto fail = [&](const Status& s) {
    start_error_ = s;
    ex_.Record(sim::EventKind::kNote,
               "store " + std::to_string(self) + " cannot start: " + s.ToString());
  };
  if (Status s = options_.config.Validate(); !s.ok()) return fail(s);
  if (Status s = store::MemEngine::Open(disks_.raft, &rt->raft_engine); !s.ok()) return fail(s);
  if (Status s = store::MemEngine::Open(disks_.kv, &rt->kv_engine); !s.ok()) return fail(s);
  rt->raft_disk = std::make_unique<store::FaultInjectionEngine>(rt->raft_engine.get());
  rt->kv_disk = std::make_unique<store::FaultInjectionEngine>(rt->kv_engine.get());
  if (options_.sync_latency.max > sim::Duration::zero()) {
    auto sync_takes_time = [this, raw_rt = rt.get()] {
      // About to wait for the disk: first send what earlier Readys queued. Their state is
      // durable already, and holding their messages through another peer's sync would add that
      // sync to their latency (TiKV syncs all of a batch's Readys in one write, then sends).
      if (raw_rt->peer_transport != nullptr) raw_rt->peer_transport->Flush();
      const auto lo = static_cast<uint64_t>(options_.sync_latency.min.count());
      const auto hi = static_cast<uint64_t>(options_.sync_latency.max.count());
      sim::Sleep(sim::Duration(static_cast<sim::Duration::rep>(sync_rng_.UniformInt(lo, hi))));
    };
    rt->raft_disk->set_sync_delay(sync_takes_time);
    rt->kv_disk->set_sync_delay(sync_takes_time);
  }
  // The observer sees what reaches the disk: under the wrappers, as for the transport.
  store::Engine* kv_below_wrapper = rt->kv_disk.get();
  if (options_.observer != nullptr) {
    rt->kv_observed =
        std::make_unique<ObservedKvEngine>(rt->kv_disk.get(), options_.observer, this);
    kv_below_wrapper = rt->kv_observed.get();
  }
  if (options_.wrap_engine) {
    rt->raft_wrapped =
        options_.wrap_engine(options_.store_id, DiskKind::kRaft, rt->raft_disk.get());
    rt->kv_wrapped = options_.wrap_engine(options_.store_id, DiskKind::kKv, kv_below_wrapper);
  }
  const bool first_region_here =
      std::find(options_.cluster_store_ids.begin(), options_.cluster_store_ids.end(),
                options_.store_id) != options_.cluster_store_ids.end();
  if (first_region_here) {
    if (Status s = BootstrapIfNeeded(
            rt->engines(), MakeInitialRegion(kFirstRegionId, options_.cluster_store_ids), nullptr);
        !s.ok()) {
      return fail(s);
    }
  }
  const RaftstoreConfig& cfg = options_.config;
  rt->transport = std::make_unique<SimTransport>(net_, self, cfg.snapshot_chunk_bytes);
  rt->peer_transport = rt->transport.get();
  if (options_.observer != nullptr) {
    rt->observed_transport =
        std::make_unique<ObservedTransport>(rt->peer_transport, options_.observer, this);
    rt->peer_transport = rt->observed_transport.get();
  }
  if (options_.wrap_transport) {
    rt->wrapped_transport = options_.wrap_transport(options_.store_id, rt->peer_transport);
    if (rt->wrapped_transport) rt->peer_transport = rt->wrapped_transport.get();
  }
  Runtime* raw_rt = rt.get();
  rt->peers = std::make_unique<StorePeers>(
      options_.store_id, rt->engines(), rt->peer_transport,
      [this, raw_rt](uint64_t region_id) { return NewPeerOptions(raw_rt, region_id); },
      [this, self](const std::string& line) {
        ex_.Record(sim::EventKind::kNote, "store " + std::to_string(self) + " " + line);
      });
  if (Status s = rt->peers->LoadAll(); !s.ok()) return fail(s);
  start_error_ = Status::OK();

  rt->storage = std::make_unique<RaftStorage>(
      [raw_rt](raft_cmdpb::RaftCmdRequest req, CmdCallback cb) {
        raw_rt->inbox.TrySend(ProposalMsg{std::move(req), std::move(cb)});
      },
      options_.store_id, cfg.proposal_timeout);

  const bool with_scheduler = options_.scheduler != 0;
  const bool with_splits = with_scheduler && cfg.region_max_size != 0;
  sim::Go("ticker", [rt, cfg, with_scheduler, with_splits] {
    sim::Duration since_gc{0};
    sim::Duration since_heartbeat{0};
    sim::Duration since_store_heartbeat{0};
    sim::Duration since_split_check{0};
    while (true) {
      sim::Sleep(cfg.raft_tick);
      rt->inbox.TrySend(TickMsg{});
      since_gc += cfg.raft_tick;
      if (since_gc >= cfg.raft_log_gc_tick) {
        since_gc = sim::Duration{0};
        rt->inbox.TrySend(GcTickMsg{});
      }
      if (!with_scheduler) continue;
      since_split_check += cfg.raft_tick;
      if (with_splits && since_split_check >= cfg.split_region_check_tick) {
        since_split_check = sim::Duration{0};
        rt->inbox.TrySend(SplitCheckTickMsg{});
      }
      since_heartbeat += cfg.raft_tick;
      since_store_heartbeat += cfg.raft_tick;
      if (since_heartbeat >= cfg.scheduler_heartbeat_tick) {
        since_heartbeat = sim::Duration{0};
        const bool store = since_store_heartbeat >= cfg.scheduler_store_heartbeat_tick;
        if (store) since_store_heartbeat = sim::Duration{0};
        rt->inbox.TrySend(SchedulerTickMsg{store});
      }
    }
  });
  if (with_splits) {
    sim::Go("split-check", [rt, cfg, split_key_of = options_.split_key_of] {
      RunSplitChecker(
          rt->split_check_tasks, cfg.region_max_size, cfg.region_split_size, split_key_of,
          [raw = rt.get()](SplitCheckResult r) { raw->split_check_done.TrySend(std::move(r)); });
    });
  }
  if (with_scheduler) {
    rt->scheduler_client = std::make_unique<SimSchedulerClient>(
        net_, SimSchedulerClientOptions{.self = self, .scheduler = options_.scheduler});
    sim::Go("scheduler", [rt, this, self] {
      metapb::Store store;
      store.set_id(options_.store_id);
      store.set_address("store" + std::to_string(self));
      RunSchedulerWorker(*rt->scheduler_client, store, rt->scheduler_tasks,
                         [raw = rt.get()](raft_cmdpb::RaftCmdRequest req) {
                           raw->inbox.TrySend(ProposalMsg{std::move(req), [](CmdResult) {}});
                         });
    });
  }
  sim::Go("snap-recv", [rt, this, self] {
    sim::Channel<sim::Packet>& in = net_.Bind(self, kSnapshotPort);
    while (auto pkt = in.Recv()) {
      if (auto msg = rt->snapshot_receiver.OnChunk(pkt->from, pkt->payload)) {
        rt->inbox.TrySend(std::move(*msg));
      }
    }
  });
  sim::Go("kv-server", [rt, this, self] {
    sim::Channel<sim::Packet>& in = net_.Bind(self, store::kKvPort);
    while (auto pkt = in.Recv()) {
      sim::Go("kv-rpc", [rt, this, p = std::move(*pkt)] {
        net_.Reply(p, store::HandleKvRpc(*rt->storage, p.payload, options_.kv_methods));
      });
    }
  });
  sim::Go("raftlog-gc", [rt, this] {
    RunRaftLogGcWorker(rt->engines(), rt->gc_tasks, [this](const RaftLogGcTask& task) {
      if (options_.observer != nullptr)
        options_.observer->OnRaftLogGcDone(*this, task.region_id, task.end);
    });
  });
  sim::Go("snap-apply", [rt, cfg, this] {
    RunSnapshotApplyWorker(
        rt->engines(), rt->snap_apply_tasks, cfg.snapshot_apply_batch_keys,
        cfg.snapshot_apply_pause,
        [raw = rt.get()](SnapshotApplyResult r) { raw->snap_apply_done.TrySend(std::move(r)); },
        [this](const SnapshotApplyTask& task) {
          if (options_.observer != nullptr) {
            options_.observer->OnSnapshotApplyStart(*this, task.region_id, task.index());
          }
        });
  });

  RunRaftWorker(rt, net_.Bind(self, kRaftPort));
}

void StoreNode::QueueHeartbeats(Runtime& rt, bool store_heartbeat) {
  for (const auto& [id, peer] : rt.peers->peers()) {
    if (!peer->IsLeader()) continue;
    RegionHeartbeatTask task;
    task.region = peer->region();
    task.leader = peer->meta();
    task.pending_peers = peer->PendingPeers();
    task.approximate_size = peer->approximate_size();
    rt.scheduler_tasks.TrySend(std::move(task));
  }
  if (!store_heartbeat) return;
  StoreHeartbeatTask task;
  task.stats.set_store_id(options_.store_id);
  task.stats.set_region_count(static_cast<uint32_t>(rt.peers->peers().size()));
  rt.scheduler_tasks.TrySend(std::move(task));
}

void StoreNode::QueueSplitChecks(Runtime& rt) {
  for (const auto& [id, peer] : rt.peers->peers()) {
    if (!peer->IsLeader() || !peer->initialized() || rt.split_checking.count(id) != 0) continue;
    rt.split_checking.insert(id);
    rt.split_check_tasks.TrySend(SplitCheckTask{
        peer->region(),
        std::shared_ptr<store::Snapshot>(peer->storage().engines().kv->GetSnapshot())});
  }
}

void StoreNode::OnSplitChecked(Runtime& rt, const SplitCheckResult& result) {
  const uint64_t id = result.region.id();
  rt.split_checking.erase(id);
  Peer* peer = rt.peers->Find(id);
  if (peer == nullptr) return;
  peer->set_approximate_size(result.size);
  // Only for the region as it was measured: a split or a membership change since makes the key
  // or the epoch of the AskSplit stale.
  if (result.split_key.empty() || !peer->IsLeader() ||
      peer->region().region_epoch().SerializeAsString() !=
          result.region.region_epoch().SerializeAsString()) {
    return;
  }
  rt.scheduler_tasks.TrySend(AskSplitTask{peer->region(), peer->meta(), result.split_key});
}

void StoreNode::RunRaftWorker(const std::shared_ptr<Runtime>& rt,
                              sim::Channel<sim::Packet>& raft_in) {
  StorePeers& peers = *rt->peers;
  auto handle = [&](PeerMsg& m) {
    if (auto* rm = std::get_if<raft_serverpb::RaftMessage>(&m)) {
      peers.OnRaftMessage(std::move(*rm));
    } else if (auto* p = std::get_if<ProposalMsg>(&m)) {
      peers.Propose(std::move(p->req), std::move(p->cb));
    } else if (std::holds_alternative<TickMsg>(m)) {
      peers.Tick();
    } else if (auto* t = std::get_if<SchedulerTickMsg>(&m)) {
      QueueHeartbeats(*rt, t->store);
    } else if (std::holds_alternative<SplitCheckTickMsg>(m)) {
      QueueSplitChecks(*rt);
    } else {
      peers.RaftLogGcTick();
    }
  };
  auto snapshot_done = [&](const SnapshotApplyResult& r) {
    if (!peers.OnSnapshotApplyDone(r)) return;
    ++snapshots_applied_;
    ex_.Record(sim::EventKind::kNote, "store " + std::to_string(options_.store_id) +
                                          " applied snapshot at index " + std::to_string(r.index) +
                                          RegionSuffix(r.region_id));
  };
  // Raft messages from other stores are read here rather than by a fiber of their own that
  // forwards them through the inbox: one channel hop and one fiber switch less per message.
  raft_serverpb::RaftMessage msg;
  // A standing selector: the worker waits on these three sources once per batch of messages.
  sim::Selector sources({&rt->inbox, &raft_in, &rt->snap_apply_done, &rt->split_check_done});
  while (sources.Wait() >= 0 && !rt->inbox.closed()) {
    if (auto r = rt->snap_apply_done.TryRecv()) snapshot_done(*r);
    while (auto r = rt->split_check_done.TryRecv()) OnSplitChecked(*rt, *r);
    // Batch whatever is queued into the same Ready.
    while (auto pkt = raft_in.TryRecv()) {
      ++raft_packets_received_;
      RaftPacketReader reader(pkt->payload);
      while (reader.Next(&msg)) {
        ++raft_messages_received_;
        peers.OnRaftMessage(std::move(msg));
      }
    }
    while (auto m = rt->inbox.TryRecv()) handle(*m);
    (void)peers.HandleReadys();
    if (options_.observer != nullptr) options_.observer->AfterRaftBatch(*this);
    peers.EndBatch();
    rt->peer_transport->Flush();  // the batch's messages, one packet per store
  }
}

}  // namespace tinykv::raftstore
