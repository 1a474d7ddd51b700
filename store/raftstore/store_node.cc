#include "store/raftstore/store_node.h"

#include <string>
#include <utility>
#include <variant>

#include "sim/sync.h"
#include "store/engine/fault_injection_engine.h"
#include "store/raftstore/bootstrap.h"
#include "store/raftstore/keys.h"
#include "store/raftstore/raft_storage.h"
#include "store/raftstore/raftlog_gc.h"
#include "store/raftstore/snapshot.h"
#include "store/raftstore/snapshot_apply.h"
#include "store/raftstore/snapshot_transfer.h"
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
using PeerMsg = std::variant<raft_serverpb::RaftMessage, ProposalMsg, TickMsg, GcTickMsg>;

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

 private:
  Transport* inner_;
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
  std::unique_ptr<SimTransport> transport;
  std::unique_ptr<Transport> wrapped_transport;           // StoreNodeOptions::wrap_transport's
  std::unique_ptr<ObservedTransport> observed_transport;  // when the store has an observer
  std::unique_ptr<Peer> peer;
  std::unique_ptr<RaftStorage> storage;
  sim::Channel<PeerMsg> inbox{"raftstore-inbox"};
  sim::Channel<RaftLogGcTask> gc_tasks{"raftlog-gc-tasks"};
  sim::Channel<SnapshotApplyTask> snap_apply_tasks{"snap-apply-tasks"};
  // The snapshot-apply worker's reports, for the raft worker. (Not in the inbox's variant: g++ 12
  // then warns -Wmaybe-uninitialized about every PeerMsg it moves, a false alarm.)
  sim::Channel<SnapshotApplyResult> snap_apply_done{"snap-apply-done"};
  SnapshotReceiver snapshot_receiver;
  // Snapshot generation for lagging followers.
  bool generating = false;
  std::optional<eraftpb::Snapshot> generated;

  Engines engines() const {
    return Engines{raft_wrapped ? raft_wrapped.get() : raft_disk.get(),
                   kv_wrapped ? kv_wrapped.get() : kv_disk.get()};
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

const Peer* StoreNode::peer() const {
  const auto node = static_cast<sim::NodeId>(options_.store_id);
  if (!runtime_ || ex_.node_state(node) == sim::NodeState::kDown) return nullptr;
  return runtime_->peer.get();
}

bool StoreNode::IsLeader() const { return peer() != nullptr && peer()->IsLeader(); }
uint64_t StoreNode::LeaderId() const { return peer() ? peer()->LeaderId() : 0; }
uint64_t StoreNode::AppliedIndex() const { return peer() ? peer()->applied_index() : 0; }

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
    auto sync_takes_time = [this] {
      const auto lo = static_cast<uint64_t>(options_.sync_latency.min.count());
      const auto hi = static_cast<uint64_t>(options_.sync_latency.max.count());
      sim::Sleep(sim::Duration(static_cast<sim::Duration::rep>(sync_rng_.UniformInt(lo, hi))));
    };
    rt->raft_disk->set_sync_delay(sync_takes_time);
    rt->kv_disk->set_sync_delay(sync_takes_time);
  }
  if (options_.wrap_engine) {
    rt->raft_wrapped =
        options_.wrap_engine(options_.store_id, DiskKind::kRaft, rt->raft_disk.get());
    rt->kv_wrapped = options_.wrap_engine(options_.store_id, DiskKind::kKv, rt->kv_disk.get());
  }
  if (Status s = BootstrapIfNeeded(
          rt->engines(), MakeInitialRegion(kFirstRegionId, options_.cluster_store_ids), nullptr);
      !s.ok()) {
    return fail(s);
  }
  const RaftstoreConfig& cfg = options_.config;
  rt->transport = std::make_unique<SimTransport>(net_, self, cfg.snapshot_chunk_bytes);

  PeerOptions po;
  po.store_id = options_.store_id;
  po.region_id = kFirstRegionId;
  po.config = cfg;
  po.rng = [this] { return raft_rng_.Next(); };
  po.transport = rt->transport.get();
  if (options_.observer != nullptr) {
    rt->observed_transport =
        std::make_unique<ObservedTransport>(po.transport, options_.observer, this);
    po.transport = rt->observed_transport.get();
  }
  if (options_.wrap_transport) {
    rt->wrapped_transport = options_.wrap_transport(options_.store_id, po.transport);
    if (rt->wrapped_transport) po.transport = rt->wrapped_transport.get();
  }
  Runtime* raw_rt = rt.get();
  po.hooks.gc_raft_log = [raw_rt](uint64_t region_id, uint64_t begin, uint64_t end) {
    raw_rt->gc_tasks.TrySend(RaftLogGcTask{region_id, begin, end});
  };
  po.hooks.on_soft_state = [this, self](const raft::SoftState& ss, uint64_t term) {
    ex_.Record(sim::EventKind::kRoleChange,
               "store " + std::to_string(self) + " " + raft::RoleName(ss.role) + " term " +
                   std::to_string(term) + " leader " + std::to_string(ss.lead));
  };
  po.hooks.schedule_snapshot_apply = [raw_rt, this, self](SnapshotApplyTask task) {
    ex_.Record(sim::EventKind::kNote, "store " + std::to_string(self) +
                                          " applying snapshot at index " +
                                          std::to_string(task.index()));
    raw_rt->snap_apply_tasks.TrySend(std::move(task));
  };
  if (Status s = Peer::Create(std::move(po), rt->engines(), &rt->peer); !s.ok()) return fail(s);
  start_error_ = Status::OK();

  // Raft asks for a snapshot when a follower lags behind the compacted log: hand out the last
  // one built if it is recent enough, else build a fresh one on a worker fiber meanwhile.
  rt->peer->SetSnapshotProvider([raw_rt, this](eraftpb::Snapshot* snap) {
    if (raw_rt->generated &&
        raw_rt->generated->metadata().index() >= raw_rt->peer->storage().truncated_index()) {
      *snap = *raw_rt->generated;
      return true;
    }
    if (!raw_rt->generating) {
      std::unique_ptr<SnapshotBuilder> builder;
      if (!SnapshotBuilder::Pin(raw_rt->engines(), kFirstRegionId, &builder).ok()) return false;
      raw_rt->generating = true;
      std::shared_ptr<SnapshotBuilder> b(std::move(builder));
      auto keep = runtime_;
      sim::Go("snap-gen", [keep, b] {
        keep->generated = b->Build(256, [] { sim::Yield(); });
        keep->generating = false;
      });
    }
    return false;
  });

  rt->storage = std::make_unique<RaftStorage>(
      [raw_rt](raft_cmdpb::RaftCmdRequest req, CmdCallback cb) {
        raw_rt->inbox.TrySend(ProposalMsg{std::move(req), std::move(cb)});
      },
      options_.store_id, cfg.proposal_timeout);

  sim::Go("ticker", [rt, cfg] {
    sim::Duration since_gc{0};
    while (true) {
      sim::Sleep(cfg.raft_tick);
      rt->inbox.TrySend(TickMsg{});
      since_gc += cfg.raft_tick;
      if (since_gc >= cfg.raft_log_gc_tick) {
        since_gc = sim::Duration{0};
        rt->inbox.TrySend(GcTickMsg{});
      }
    }
  });
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
        net_.Reply(p, store::HandleKvRpc(*rt->storage, p.payload));
      });
    }
  });
  sim::Go("raftlog-gc", [rt, this] {
    RunRaftLogGcWorker(rt->engines(), rt->gc_tasks, [this](const RaftLogGcTask& task) {
      if (options_.observer != nullptr) options_.observer->OnRaftLogGcDone(*this, task.end);
    });
  });
  sim::Go("snap-apply", [rt, cfg, this] {
    RunSnapshotApplyWorker(
        rt->engines(), rt->snap_apply_tasks, cfg.snapshot_apply_batch_keys,
        cfg.snapshot_apply_pause,
        [raw = rt.get()](SnapshotApplyResult r) { raw->snap_apply_done.TrySend(std::move(r)); },
        [this](const SnapshotApplyTask& task) {
          if (options_.observer != nullptr) {
            options_.observer->OnSnapshotApplyStart(*this, task.index());
          }
        });
  });

  RunRaftWorker(rt, net_.Bind(self, kRaftPort));
}

void StoreNode::RunRaftWorker(const std::shared_ptr<Runtime>& rt,
                              sim::Channel<sim::Packet>& raft_in) {
  Peer& peer = *rt->peer;
  auto handle = [&](PeerMsg& m) {
    if (auto* rm = std::get_if<raft_serverpb::RaftMessage>(&m)) {
      peer.Step(std::move(*rm));
    } else if (auto* p = std::get_if<ProposalMsg>(&m)) {
      peer.Propose(p->req, std::move(p->cb));
    } else if (std::holds_alternative<TickMsg>(m)) {
      peer.Tick();
    } else {
      peer.OnRaftLogGcTick();
    }
  };
  auto snapshot_done = [&](const SnapshotApplyResult& r) {
    if (!peer.OnSnapshotApplyDone(r)) return;
    ++snapshots_applied_;
    ex_.Record(sim::EventKind::kNote, "store " + std::to_string(options_.store_id) +
                                          " applied snapshot at index " + std::to_string(r.index));
  };
  // Raft messages from other stores are read here rather than by a fiber of their own that
  // forwards them through the inbox: one channel hop and one fiber switch less per message.
  raft_serverpb::RaftMessage msg;
  // A standing selector: the worker waits on these three sources once per batch of messages.
  sim::Selector sources({&rt->inbox, &raft_in, &rt->snap_apply_done});
  while (sources.Wait() >= 0 && !rt->inbox.closed()) {
    if (auto r = rt->snap_apply_done.TryRecv()) snapshot_done(*r);
    // Batch whatever is queued into the same Ready.
    while (auto pkt = raft_in.TryRecv()) {
      if (msg.ParseFromString(pkt->payload)) peer.Step(std::move(msg));
    }
    while (auto m = rt->inbox.TryRecv()) handle(*m);
    while (peer.HasReady() && peer.HandleReady()) {
    }
    if (options_.observer != nullptr) options_.observer->AfterRaftBatch(*this);
  }
}

}  // namespace tinykv::raftstore
