#include "grading/harness/cluster.h"

#include <algorithm>
#include <limits>
#include <map>

#include "grading/harness/invariant_monitor.h"
#include "grading/harness/mock_scheduler.h"
#include "grading/harness/real_scheduler_view.h"
#include "proto/kvrpcpb.pb.h"
#include "raft/node_status.h"
#include "scheduler/scheduler_node.h"
#include "store/raftstore/bootstrap.h"
#include "store/raftstore/store_node.h"
#include "store/server/region_cache.h"
#include "store/server/sim_rpc.h"
#include "txn/region_keys.h"
#include "txn/txn_rpc.h"

namespace tinykv::harness {
namespace {

// How long one attempt waits for an answer. A write that times out ends as "outcome unknown" (it
// is not retried), so it waits long enough for a healthy cluster to commit it even over lossy
// links (a few heartbeat rounds); a read has no effect and is simply retried at another store,
// so it gives up soon on a lost packet or a store that cannot answer.
sim::Duration WriteAttemptTimeout(const raftstore::RaftstoreConfig& raft) {
  return std::min<sim::Duration>(raft.proposal_timeout / 2,
                                 15 * raft.heartbeat_ticks * raft.raft_tick);
}
sim::Duration ReadAttemptTimeout(const raftstore::RaftstoreConfig& raft) {
  return std::min<sim::Duration>(raft.proposal_timeout / 4,
                                 5 * raft.heartbeat_ticks * raft.raft_tick);
}

}  // namespace

Cluster::Cluster(ClusterOptions options) : options_(std::move(options)) {
  sim::ExecutorOptions eo;
  eo.seed = options_.seed;
  eo.keep_full_trace = options_.keep_full_trace;
  eo.time_limit = options_.time_limit;
  ex_ = std::make_unique<sim::Executor>(eo);
  net_ = std::make_unique<sim::Network>(*ex_);
  monitor_ = std::make_unique<InvariantMonitor>(*ex_);
  monitor_->set_on_violation([this](const std::string& line) {
    Annotate(ex_->Now(), "violation: " + line.substr(0, line.find(':')));
  });
  std::vector<uint64_t> ids;
  for (int i = 1; i <= options_.stores; ++i) ids.push_back(static_cast<uint64_t>(i));
  std::vector<uint64_t> first_region_stores = ids;
  if (options_.initial_region_stores > 0 && options_.initial_region_stores < options_.stores) {
    first_region_stores.resize(static_cast<size_t>(options_.initial_region_stores));
  }
  if (options_.with_scheduler && options_.real_scheduler) {
    scheduler::SchedulerNodeOptions so;
    so.bootstrap_store = first_region_stores.front();
    so.service.schedule.max_replicas = options_.max_replicas;
    so.service.schedule.balance_leader = options_.scheduler_balance_leader;
    so.service.schedule.max_store_down_time = options_.max_store_down_time;
    real_scheduler_node_ =
        std::make_unique<scheduler::SchedulerNode>(*ex_, *net_, kSchedulerNode, so);
    real_view_ = std::make_unique<RealSchedulerView>(*real_scheduler_node_);
    view_ = real_view_.get();
    ex_->AddNode(kSchedulerNode, "scheduler", [n = real_scheduler_node_.get()] { n->Main(); });
  } else if (options_.with_scheduler) {
    scheduler_ = std::make_unique<MockScheduler>();
    schedulerpb::BootstrapRequest boot;
    boot.mutable_store()->set_id(first_region_stores.front());
    (void)scheduler_->HandleBootstrap(boot);
    scheduler_node_ = std::make_unique<MockSchedulerNode>(*net_, kSchedulerNode, *scheduler_);
    view_ = scheduler_.get();
    ex_->AddNode(kSchedulerNode, "scheduler", [n = scheduler_node_.get()] { n->Main(); });
  }
  for (uint64_t id : ids) {
    raftstore::StoreNodeOptions so;
    so.store_id = id;
    so.cluster_store_ids = first_region_stores;
    if (options_.with_scheduler) so.scheduler = kSchedulerNode;
    so.config = options_.raft;
    so.observer = monitor_.get();
    so.sync_latency = options_.sync_latency;
    so.wrap_engine = options_.wrap_engine;
    so.wrap_transport = options_.wrap_transport;
    so.kv_methods = txn::TxnKvMethods();  // the transactional Kv* methods (lab 4)
    so.split_key_of = txn::SplitKeyOf;    // regions cut between user keys, not versions
    auto node = std::make_unique<raftstore::StoreNode>(*ex_, *net_, so);
    const sim::NodeId nid = static_cast<sim::NodeId>(id);
    ex_->AddNode(nid, "store" + std::to_string(id), [n = node.get()] { n->Main(); });
    net_->AddNode(nid);
    monitor_->Watch(node.get());
    stores_.push_back(std::move(node));
    inspectors_.push_back(
        sim::RegisterInspector(nid, "raft", [this, nid] { return DescribeRaft(nid); }));
    if (static_cast<int>(id) > options_.stores - options_.joining_stores) not_joined_.insert(nid);
  }
  SetUnreliable(false);
  net_->AddFilter([this](const sim::Packet& p) {
    sim::FilterVerdict v;
    v.drop = !isolated_.empty() && (isolated_.count(p.from) != 0 || isolated_.count(p.to) != 0);
    v.drop = v.drop || (!side_of_.empty() && CrossesClientSide(p));
    return v;
  });
}

Cluster::~Cluster() { ex_->Shutdown(); }

sim::RunResult Cluster::Run(std::function<void()> driver) {
  return ex_->Run([this, driver = std::move(driver)] {
    if (view_ != nullptr) ex_->Start(kSchedulerNode);
    for (sim::NodeId id : store_ids()) {
      if (joined(id)) ex_->Start(id);
    }
    driver();
  });
}

std::vector<sim::NodeId> Cluster::store_ids() const {
  std::vector<sim::NodeId> ids;
  for (const auto& s : stores_) ids.push_back(static_cast<sim::NodeId>(s->store_id()));
  return ids;
}

raftstore::StoreNode& Cluster::store(sim::NodeId id) { return *stores_.at(id - 1); }

void Cluster::Annotate(sim::Time start, std::string label) {
  history_.Annotate(start.count(), ex_->Now().count(), std::move(label));
}

namespace {

std::string PeerText(uint64_t region_id, const metapb::Peer& peer) {
  return "peer " + std::to_string(peer.id()) + " (store " + std::to_string(peer.store_id()) +
         ") of region " + std::to_string(region_id);
}

bool HasPeer(const metapb::Region& region, uint64_t peer_id) {
  for (const auto& p : region.peers()) {
    if (p.id() == peer_id) return true;
  }
  return false;
}

}  // namespace

void Cluster::AddPeer(uint64_t region_id, const metapb::Peer& peer) {
  view_->AddPeer(region_id, peer);
  Annotate(ex_->Now(), "add " + PeerText(region_id, peer));
}

void Cluster::RemovePeer(uint64_t region_id, const metapb::Peer& peer) {
  view_->RemovePeer(region_id, peer);
  Annotate(ex_->Now(), "remove " + PeerText(region_id, peer));
}

void Cluster::TransferLeader(uint64_t region_id, const metapb::Peer& peer) {
  view_->TransferLeader(region_id, peer);
  Annotate(ex_->Now(), "transfer leader of region " + std::to_string(region_id) + " to peer " +
                           std::to_string(peer.id()));
}

bool Cluster::MustAddPeer(uint64_t region_id, const metapb::Peer& peer, sim::Duration deadline) {
  AddPeer(region_id, peer);
  return WaitFor(
      *this,
      [&] {
        auto region = view_->GetRegionById(region_id);
        if (!region || !HasPeer(*region, peer.id())) return false;
        for (const auto& p : view_->PendingPeers(region_id)) {
          if (p.id() == peer.id()) return false;
        }
        return true;
      },
      deadline);
}

bool Cluster::MustRemovePeer(uint64_t region_id, const metapb::Peer& peer, sim::Duration deadline) {
  RemovePeer(region_id, peer);
  return WaitFor(
      *this,
      [&] {
        auto region = view_->GetRegionById(region_id);
        return region && !HasPeer(*region, peer.id());
      },
      deadline);
}

bool Cluster::MustTransferLeader(uint64_t region_id, const metapb::Peer& peer,
                                 sim::Duration deadline) {
  TransferLeader(region_id, peer);
  return WaitFor(
      *this,
      [&] {
        auto leader = view_->Leader(region_id);
        return leader && leader->id() == peer.id();
      },
      deadline);
}

void Cluster::Crash(sim::NodeId id, const std::string& why) {
  if (ex_->node_state(id) == sim::NodeState::kDown) return;
  ex_->Crash(id);
  monitor_->OnCrash(id);
  Annotate(ex_->Now(), "crash " + std::to_string(id) + (why.empty() ? "" : " (" + why + ")"));
}

void Cluster::set_store_event_listener(std::function<void(uint64_t, StoreEvent)> listener) {
  monitor_->set_event_listener(std::move(listener));
}

void Cluster::Restart(sim::NodeId id) {
  if (ex_->node_state(id) != sim::NodeState::kDown || !joined(id) || retired(id)) return;
  ex_->Restart(id);
  Annotate(ex_->Now(), "restart " + std::to_string(id));
}

void Cluster::Join(sim::NodeId id) {
  if (not_joined_.erase(id) == 0) return;
  ex_->Start(id);
  Annotate(ex_->Now(), "join store " + std::to_string(id));
}

bool Cluster::joined(sim::NodeId id) const { return not_joined_.count(id) == 0; }

void Cluster::Retire(sim::NodeId id, const std::string& why) {
  Crash(id, why.empty() ? "for good" : why + ", for good");
  retired_.insert(id);
}

std::vector<sim::NodeId> Cluster::serving_store_ids() const {
  std::vector<sim::NodeId> ids;
  for (sim::NodeId id : store_ids()) {
    if (joined(id) && !retired(id)) ids.push_back(id);
  }
  return ids;
}

void Cluster::CrashScheduler(const std::string& why) {
  if (view_ == nullptr || ex_->node_state(kSchedulerNode) == sim::NodeState::kDown) return;
  ex_->Crash(kSchedulerNode);
  Annotate(ex_->Now(), "crash scheduler" + (why.empty() ? "" : " (" + why + ")"));
}

void Cluster::RestartScheduler() {
  if (view_ == nullptr || ex_->node_state(kSchedulerNode) != sim::NodeState::kDown) return;
  ex_->Restart(kSchedulerNode);
  Annotate(ex_->Now(), "restart scheduler");
}

void Cluster::Partition(const std::vector<std::vector<sim::NodeId>>& groups,
                        const std::map<int64_t, size_t>& client_sides) {
  if (partitioned_) Heal();
  // The scheduler takes no side: every store still reaches it (as TinyKV's in-process one).
  net_->Partition(groups, view_ != nullptr ? std::vector<sim::NodeId>{kSchedulerNode}
                                           : std::vector<sim::NodeId>{});
  groups_ = groups;
  partitioned_ = true;
  std::vector<std::string> clients_of(groups.size());
  for (const auto& [client, side] : client_sides) {
    if (side >= groups.size()) continue;
    side_of_[ClientNode(client)] = side;
    clients_of[side] += (clients_of[side].empty() ? "" : ",") + std::to_string(client);
  }
  std::string text;
  for (size_t g = 0; g < groups.size(); ++g) {
    text += g ? " | " : "";
    for (size_t i = 0; i < groups[g].size(); ++i) {
      text += (i ? "," : "") + std::to_string(groups[g][i]);
      if (!client_sides.empty()) side_of_[groups[g][i]] = g;
    }
    if (!clients_of[g].empty()) text += " (clients " + clients_of[g] + ")";
  }
  // One annotation from here to the heal, which ends it.
  partition_annotation_ =
      history_.Annotate(ex_->Now().count(), ex_->Now().count(), "partition " + text);
}

bool Cluster::CrossesClientSide(const sim::Packet& p) const {
  auto a = side_of_.find(p.from);
  auto b = side_of_.find(p.to);
  return a != side_of_.end() && b != side_of_.end() && a->second != b->second;
}

void Cluster::Heal() {
  net_->HealAll();
  side_of_.clear();
  groups_.clear();
  if (partitioned_) history_.EndAnnotation(partition_annotation_, ex_->Now().count());
  partitioned_ = false;
}

void Cluster::Isolate(sim::NodeId id) {
  if (isolated_.emplace(id, ex_->Now()).second) {
    ex_->Record(sim::EventKind::kPartition, "isolate store " + std::to_string(id));
  }
}

bool Cluster::MajorityConnectedWithout(sim::NodeId id) const {
  const std::vector<std::vector<sim::NodeId>> groups =
      groups_.empty() ? std::vector<std::vector<sim::NodeId>>{store_ids()} : groups_;
  for (const auto& group : groups) {
    size_t usable = 0;
    for (sim::NodeId s : group) {
      usable += s != id && ex_->node_state(s) == sim::NodeState::kUp && !isolated(s);
    }
    if (2 * usable > serving_store_ids().size()) return true;
  }
  return false;
}

void Cluster::Rejoin(sim::NodeId id) {
  auto it = isolated_.find(id);
  if (it == isolated_.end()) return;
  Annotate(it->second, "isolated " + std::to_string(id));
  ex_->Record(sim::EventKind::kPartition, "rejoin store " + std::to_string(id));
  isolated_.erase(it);
}

namespace {

sim::LinkConfig StoreLink(bool unreliable) {
  sim::LinkConfig link;
  link.min_latency = std::chrono::milliseconds(1);
  link.max_latency = std::chrono::milliseconds(unreliable ? 20 : 5);
  link.reorder = unreliable;
  link.loss = unreliable ? 0.1 : 0;
  link.duplicate = unreliable ? 0.05 : 0;
  return link;
}

// Client links lose nothing even when unreliable: what the unreliable scenarios test is raft over
// lossy links, and a lost client packet would only turn an operation into a wait for an unknown
// outcome (docs/decisions.md). Crashes and partitions still leave outcomes unknown.
sim::LinkConfig ClientLink(bool unreliable) {
  sim::LinkConfig link = StoreLink(false);
  if (unreliable) {
    link.max_latency = std::chrono::milliseconds(10);
    link.reorder = true;
  }
  return link;
}

}  // namespace

void Cluster::SetUnreliable(bool unreliable) {
  unreliable_ = unreliable;
  net_->SetDefaultLink(StoreLink(unreliable));
  for (const auto& [node, client] : client_nodes_) SetClientLinks(node);
}

void Cluster::SetClientLinks(sim::NodeId client_node) {
  const sim::LinkConfig link = ClientLink(unreliable_);
  for (sim::NodeId store : store_ids()) {
    net_->SetLink(client_node, store, link);
    net_->SetLink(store, client_node, link);
  }
}

sim::NodeId Cluster::ClientNode(int64_t client_id) {
  constexpr sim::NodeId kClientNodeBase = 10000;
  const auto node = kClientNodeBase + static_cast<sim::NodeId>(client_id);
  if (client_nodes_.emplace(node, client_id).second) {
    // A node with no fibers of its own: the client's fibers send from it (and get its replies).
    ex_->AddNode(node, "client" + std::to_string(client_id), [] {});
    ex_->Start(node);
    SetClientLinks(node);
  }
  return node;
}

std::string Cluster::StartFailure() const {
  for (const auto& s : stores_) {
    if (!s->start_error().ok()) {
      return "store " + std::to_string(s->store_id()) +
             " cannot start: " + s->start_error().ToString();
    }
  }
  return "";
}

std::optional<sim::NodeId> Cluster::Leader() const {
  std::optional<sim::NodeId> leader;
  for (const auto& s : stores_) {
    if (ex_->node_state(static_cast<sim::NodeId>(s->store_id())) != sim::NodeState::kUp) continue;
    if (s->IsLeader()) leader = static_cast<sim::NodeId>(s->store_id());
  }
  return leader;
}

// ---------------------------------------------------------------- debugging

std::string Cluster::DescribeRaft(sim::NodeId id) const {
  const raftstore::StoreNode& node = *stores_.at(id - 1);
  const sim::NodeState state = ex_->node_state(id);
  std::string out = "store " + std::to_string(id) + ": " + sim::NodeStateName(state);
  const raftstore::Peer* peer = node.peer();
  if (peer == nullptr) {
    if (state == sim::NodeState::kDown) return out + " (crashed: no Raft state until it restarts)";
    if (!node.start_error().ok()) return out + ", cannot start: " + node.start_error().ToString();
    return out + ", no peer yet (starting)";
  }
  const raft::NodeStatus st = peer->status();
  auto name = [](uint64_t peer_id) {
    return peer_id == raft::kNone ? "-" : std::to_string(peer_id);
  };
  out += ", region " + std::to_string(peer->region_id()) + " peer " + std::to_string(st.id) + "\n";
  out += "  " + std::string(raft::RoleName(st.role)) + "  term " + std::to_string(st.term) +
         "  vote " + name(st.vote) + "  leader " + name(st.lead) + "\n";
  out += "  commit " + std::to_string(st.commit) + "  applied " + std::to_string(st.applied) +
         "  last " + std::to_string(st.last_index) + " (term " + std::to_string(st.last_term) +
         ")  truncated " + std::to_string(peer->storage().truncated_index()) +
         "  pending proposals " + std::to_string(peer->pending_proposals());
  // What each waits for: most store bugs show here (a proposal answered never, or twice).
  constexpr size_t kShown = 8;
  const std::vector<raftstore::Peer::PendingProposal> pending = peer->PendingProposals();
  for (size_t i = 0; i < pending.size() && i < kShown; ++i) {
    const auto& p = pending[i];
    std::string waits;
    if (p.index > st.last_index) {
      waits =
          "its entry is not in the log any more (overwritten): answered stale at the next apply";
    } else if (p.index > st.commit) {
      waits = "waiting to be committed (commit " + std::to_string(st.commit) + ")";
    } else if (p.index > st.applied) {
      waits = "committed, waiting to be applied (applied " + std::to_string(st.applied) + ")";
    } else {
      waits = "applied but never answered";
    }
    if (p.term != st.term)
      waits += "; proposed in term " + std::to_string(p.term) + ", now " + std::to_string(st.term);
    out += "\n    proposal at index " + std::to_string(p.index) + " term " +
           std::to_string(p.term) + ": " + waits;
  }
  if (pending.size() > kShown) {
    out += "\n    (" + std::to_string(pending.size() - kShown) + " more)";
  }
  if (st.lead_transferee != raft::kNone) out += "  transferring to " + name(st.lead_transferee);
  if (!st.progress.empty()) {
    out += "\n  progress (this leader's view):";
    for (const auto& [member, pr] : st.progress) {
      out += "\n    peer " + std::to_string(member) + "  match " + std::to_string(pr.match) +
             "  next " + std::to_string(pr.next) + (pr.replicate ? "  replicate" : "  probe");
    }
  }
  return out;
}

void Cluster::CheckRead(size_t op) {
  const check::History& h = history_.history();
  for (; indexed_ops_ < h.ops.size(); ++indexed_ops_) {
    const check::Operation& o = h.ops[indexed_ops_];
    KeyOps& k = ops_by_key_[o.key];
    k.ops.push_back(indexed_ops_);
    if (o.f == "put") k.writes_by_value[o.value.value_or("")].push_back(indexed_ops_);
    if (o.f == "delete") k.writes_by_value[""].push_back(indexed_ops_);
  }
  const check::Operation& get = h.ops.at(op);
  if (get.f != "get" || get.status != check::OpStatus::kOk || !get.output) return;
  const std::string& value = *get.output;
  const KeyOps& same_key = ops_by_key_[get.key];
  // The latest acknowledgement among the writes of `value` ("" is also the initial state, written
  // before everything). A writer whose outcome is unknown or pending could take effect any time
  // later, so nothing is certain then.
  int64_t written_by = value.empty() ? std::numeric_limits<int64_t>::min() : check::kNoReturn;
  bool certain = true;
  if (auto writers = same_key.writes_by_value.find(value);
      writers != same_key.writes_by_value.end()) {
    for (size_t i : writers->second) {
      const check::Operation& w = h.ops[i];
      if (w.status == check::OpStatus::kFail) continue;
      if (w.status != check::OpStatus::kOk) certain = false;
      written_by = written_by == check::kNoReturn ? w.ret : std::max(written_by, w.ret);
    }
  }
  std::string what;
  // Built only for a violation: CheckRead runs on every read of a scenario.
  auto read = [&] {
    return check::ClientName(h, get.client) + "'s get " + get.key + " → '" + value +
           "' (called at " + check::FormatTime(h, get.call) + ")";
  };
  if (written_by == check::kNoReturn && certain) {
    what = "impossible read: " + read() + ": no put wrote that value to that key";
  } else if (certain) {
    // Newest first; calls only grow along the history, so stop at the first put called before
    // the writer's acknowledgement.
    for (auto it = same_key.ops.rbegin(); it != same_key.ops.rend(); ++it) {
      const check::Operation& p = h.ops[*it];
      if (p.call <= written_by) break;
      const std::string written = p.f == "put" ? p.value.value_or("") : "";
      if ((p.f != "put" && p.f != "delete") || p.status != check::OpStatus::kOk ||
          written == value) {
        continue;
      }
      if (p.ret < get.call) {
        const std::string older =
            written_by == std::numeric_limits<int64_t>::min()
                ? "that is the key's initial (absent) value"
                : "that value was acknowledged at " + check::FormatTime(h, written_by);
        const std::string write =
            p.f == "put" ? "put " + p.key + " = '" + written + "'" : "delete " + p.key;
        what = "stale read: " + read() + ": " + older + ", but " + check::ClientName(h, p.client) +
               "'s " + write + ", called after that at " + check::FormatTime(h, p.call) +
               ", was acknowledged at " + check::FormatTime(h, p.ret) +
               ", before the get was called";
        break;
      }
    }
  }
  if (what.empty()) return;
  const uint64_t seq = ex_->Record(sim::EventKind::kViolation, what);
  violations_.push_back("#" + std::to_string(seq) + " " + sim::FormatTime(ex_->Now()) + ": " +
                        what);
}

// ---------------------------------------------------------------- client

struct KvClient::Routes {
  store::RegionCache cache;
  size_t next_peer = 0;
};

KvClient::KvClient(Cluster& cluster, int64_t id)
    : cluster_(cluster), id_(id), routes_(std::make_unique<Routes>()) {
  next_store_ = static_cast<size_t>(id);
}

KvClient::~KvClient() = default;

void KvClient::OnNotLeader(const errorpb::NotLeader& e) {
  if (e.has_leader()) {
    leader_hint_ = static_cast<sim::NodeId>(e.leader().store_id());
    if (e.region_id() != 0) routes_->cache.SetLeader(e.region_id(), leader_hint_);
    hintless_answers_ = 0;
    return;
  }
  // No leader known there (an election is on, or that store is cut off): ask the next store at
  // once, and wait only when a whole round of stores knew none — waiting after every answer
  // would spend most of an election asleep.
  leader_hint_ = 0;
  routes_->cache.SetLeader(e.region_id(), 0);
  if (++hintless_answers_ % cluster_.store_ids().size() == 0) {
    sim::Sleep(std::chrono::milliseconds(20));
  }
}

void KvClient::OnRegionError(const errorpb::Error& e, const std::string& key) {
  if (e.has_not_leader()) {
    OnNotLeader(e.not_leader());
    // A leader the cached region does not list: the membership changed since it was cached.
    const metapb::Region* r = cluster_.has_scheduler() ? routes_->cache.Find(key) : nullptr;
    if (r != nullptr && e.not_leader().has_leader()) {
      bool listed = false;
      for (const auto& p : r->peers()) listed = listed || p.id() == e.not_leader().leader().id();
      if (!listed) {
        const uint64_t leader = routes_->cache.Leader(r->id());
        routes_->cache.Forget(r->id());
        routes_->cache.SetLeader(e.not_leader().region_id(), leader);
      }
    }
    return;
  }
  leader_hint_ = 0;
  if (!cluster_.has_scheduler()) return;
  if (e.has_epoch_not_match()) {
    for (const auto& r : e.epoch_not_match().current_regions()) routes_->cache.Learn(r);
  }
  if (const metapb::Region* r = routes_->cache.Find(key)) routes_->cache.Forget(r->id());
  // The scheduler may not know yet either (a split not reported): give it a heartbeat's time.
  sim::Sleep(std::chrono::milliseconds(10));
}

const metapb::Region* KvClient::RegionFor(const std::string& key) {
  if (const metapb::Region* r = routes_->cache.Find(key)) return r;
  auto region = cluster_.scheduler().GetRegion(key);
  if (!region) return nullptr;
  routes_->cache.Learn(*region);
  if (auto leader = cluster_.scheduler().Leader(region->id()); leader && leader->id() != 0) {
    routes_->cache.SetLeader(region->id(), leader->store_id());
  }
  return routes_->cache.Find(key);
}

sim::NodeId KvClient::PickStore(const std::string& key, kvrpcpb::Context* ctx) {
  if (!cluster_.has_scheduler()) {
    if (leader_hint_ != 0) return leader_hint_;
    const std::vector<sim::NodeId> ids = cluster_.store_ids();
    return ids[next_store_++ % ids.size()];
  }
  const metapb::Region* region = RegionFor(key);
  if (region == nullptr || region->peers_size() == 0) return 0;
  ctx->set_region_id(region->id());
  *ctx->mutable_region_epoch() = region->region_epoch();
  const metapb::Peer* peer =
      &region->peers(static_cast<int>(routes_->next_peer++ % region->peers_size()));
  if (const uint64_t leader = routes_->cache.Leader(region->id()); leader != 0) {
    for (const auto& p : region->peers()) {
      if (p.store_id() == leader) peer = &p;
    }
  }
  *ctx->mutable_peer() = *peer;
  return static_cast<sim::NodeId>(peer->store_id());
}

bool KvClient::Put(const std::string& key, const std::string& value, sim::Duration deadline) {
  const size_t op =
      cluster_.history().Invoke(id_, cluster_.executor().Now().count(), "put", key, value);
  kvrpcpb::RawPutRequest req;
  req.set_key(key);
  req.set_value(value);
  req.set_cf("default");
  return Write<kvrpcpb::RawPutResponse>(op, "RawPut", std::move(req), key, deadline);
}

bool KvClient::Delete(const std::string& key, sim::Duration deadline) {
  const size_t op =
      cluster_.history().Invoke(id_, cluster_.executor().Now().count(), "delete", key);
  kvrpcpb::RawDeleteRequest req;
  req.set_key(key);
  req.set_cf("default");
  return Write<kvrpcpb::RawDeleteResponse>(op, "RawDelete", std::move(req), key, deadline);
}

// A region error that certainly means the command was not executed: refused before it was
// proposed, or at apply because the region had changed under it (the epoch or range check).
bool CertainlyNotExecuted(const errorpb::Error& e) {
  return e.has_not_leader() || e.has_stale_command() || e.has_epoch_not_match() ||
         e.has_key_not_in_region() || e.has_region_not_found();
}

template <typename Response, typename Request>
bool KvClient::Write(size_t op, const char* method, Request req, const std::string& key,
                     sim::Duration deadline) {
  sim::Executor& ex = cluster_.executor();
  const sim::Time give_up = ex.Now() + deadline;
  while (ex.Now() < give_up) {
    const sim::NodeId store = PickStore(key, req.mutable_context());
    if (store == 0) {
      sim::Sleep(std::chrono::milliseconds(10));  // no region known for the key yet
      continue;
    }
    auto resp = store::CallKv<Response>(
        cluster_.network(), cluster_.ClientNode(id_), store, method, req,
        std::min<sim::Duration>(WriteAttemptTimeout(cluster_.options_raft()), give_up - ex.Now()));
    if (!resp) break;  // no answer: the request may have been applied
    if (resp->has_region_error()) {
      const errorpb::Error& e = resp->region_error();
      if (!CertainlyNotExecuted(e)) break;  // other region errors: outcome unknown
      OnRegionError(e, key);
      continue;
    }
    if (!resp->error().empty()) break;  // "outcome unknown"
    cluster_.history().Ok(op, ex.Now().count());
    return true;
  }
  // That store may be cut off with a minority: try another one next time.
  leader_hint_ = 0;
  routes_->cache.SetLeader(req.context().region_id(), 0);
  cluster_.history().Info(op, ex.Now().count());
  return false;
}

std::optional<std::string> KvClient::Get(const std::string& key, sim::Duration deadline) {
  sim::Executor& ex = cluster_.executor();
  const size_t op = cluster_.history().Invoke(id_, ex.Now().count(), "get", key);
  if (reads_bypass_raft_) {
    const std::vector<sim::NodeId> ids = cluster_.store_ids();
    const sim::NodeId store = ids[next_store_++ % ids.size()];
    sim::Sleep(std::chrono::milliseconds(2));  // about a network round trip
    if (ex.node_state(store) == sim::NodeState::kUp) {
      std::string value = cluster_.store(store).LocalValue(key).value_or("");
      cluster_.history().Ok(op, ex.Now().count(), value);
      cluster_.CheckRead(op);
      return value;
    }
  }
  kvrpcpb::RawGetRequest req;
  req.set_key(key);
  req.set_cf("default");
  std::optional<kvrpcpb::RawGetResponse> resp =
      Read<kvrpcpb::RawGetResponse>("RawGet", std::move(req), key, deadline);
  if (!resp) {
    cluster_.history().Info(op, ex.Now().count());
    return std::nullopt;
  }
  std::string value = resp->not_found() ? "" : resp->value();
  cluster_.history().Ok(op, ex.Now().count(), value);
  cluster_.CheckRead(op);
  return value;
}

bool KvClient::Scan(const std::string& start, uint32_t limit,
                    const std::vector<std::string>& key_space, sim::Duration deadline) {
  sim::Executor& ex = cluster_.executor();
  std::vector<std::pair<std::string, size_t>> keys;  // the keys it covers, sorted, and their op
  for (size_t i = 0; i < key_space.size(); ++i) {
    if (key_space[i] >= start) keys.emplace_back(key_space[i], i);
  }
  std::sort(keys.begin(), keys.end());
  for (auto& [key, index] : keys) {
    cluster_.history().LabelClient(ScanProcess(index), "client " + std::to_string(id_) + " scan");
    index = cluster_.history().Invoke(ScanProcess(index), ex.Now().count(), "get", key);
  }
  // Region by region (one region when the stores route by key): each answers from `from` up to
  // its end, and the next one goes on from there with what is left of the limit.
  std::optional<kvrpcpb::RawScanResponse> resp;
  std::string from = start;
  const sim::Time give_up = ex.Now() + deadline;
  while (true) {
    std::string region_end;
    const uint32_t left = limit - static_cast<uint32_t>(resp ? resp->kvs_size() : 0);
    auto part = ScanRegion(from, left, &region_end, give_up - ex.Now());
    if (!part) {
      resp.reset();
      break;
    }
    if (!resp) {
      resp = std::move(part);
    } else {
      for (auto& kv : *part->mutable_kvs()) *resp->add_kvs() = std::move(kv);
    }
    if (region_end.empty() || static_cast<uint32_t>(resp->kvs_size()) >= limit) break;
    from = region_end;
  }
  const int64_t now = ex.Now().count();
  if (!resp) {
    for (const auto& [key, op] : keys) cluster_.history().Info(op, now);
    return false;
  }
  std::map<std::string, std::string> seen;
  for (const kvrpcpb::KvPair& kv : resp->kvs()) seen[kv.key()] = kv.value();
  // Pairs come sorted from `start`: a key before the last one returned, or any key when fewer
  // than `limit` came back, is absent if the scan skipped it.
  const bool complete = static_cast<uint32_t>(resp->kvs_size()) < limit;
  const std::string last = resp->kvs_size() > 0 ? resp->kvs(resp->kvs_size() - 1).key() : "";
  for (const auto& [key, op] : keys) {
    if (auto it = seen.find(key); it != seen.end()) {
      cluster_.history().Ok(op, now, it->second);
    } else if (complete || key < last) {
      cluster_.history().Ok(op, now, "");
    } else {
      // Beyond the limit the scan did not read the key at all: a read that did not happen.
      cluster_.history().Fail(op, now);
      continue;
    }
    cluster_.CheckRead(op);
  }
  return true;
}

std::optional<kvrpcpb::RawScanResponse> KvClient::ScanRegion(const std::string& start,
                                                             uint32_t limit,
                                                             std::string* region_end,
                                                             sim::Duration deadline) {
  kvrpcpb::RawScanRequest req;
  req.set_start_key(start);
  req.set_limit(limit);
  req.set_cf("default");
  auto resp = Read<kvrpcpb::RawScanResponse>("RawScan", std::move(req), start, deadline);
  region_end->clear();
  if (resp && cluster_.has_scheduler()) {
    // The region the request went to (Read routed it through the cache).
    if (const metapb::Region* r = RegionFor(start)) *region_end = r->end_key();
  }
  return resp;
}

template <typename Response, typename Request>
std::optional<Response> KvClient::Read(const char* method, Request req, const std::string& key,
                                       sim::Duration deadline) {
  sim::Executor& ex = cluster_.executor();
  const sim::Time give_up = ex.Now() + deadline;
  while (ex.Now() < give_up) {
    const sim::NodeId store = PickStore(key, req.mutable_context());
    if (store == 0) {
      sim::Sleep(std::chrono::milliseconds(10));  // no region known for the key yet
      continue;
    }
    auto resp = store::CallKv<Response>(
        cluster_.network(), cluster_.ClientNode(id_), store, method, req,
        std::min<sim::Duration>(ReadAttemptTimeout(cluster_.options_raft()), give_up - ex.Now()));
    if (!resp || !resp->error().empty()) {  // a read has no effect: just try another store
      leader_hint_ = 0;
      routes_->cache.SetLeader(req.context().region_id(), 0);
      continue;
    }
    if (resp->has_region_error()) {
      OnRegionError(resp->region_error(), key);
      continue;
    }
    return resp;
  }
  return std::nullopt;
}

bool PutUntilAcknowledged(Cluster& cluster, KvClient& client, const std::string& key,
                          const std::string& value, sim::Duration budget) {
  sim::Executor& ex = cluster.executor();
  const sim::Time start = ex.Now();
  while (ex.Now() - start < budget) {
    if (client.Put(key, value, budget - (ex.Now() - start))) return true;
  }
  return false;
}

bool WaitFor(Cluster& cluster, const std::function<bool()>& done, sim::Duration budget) {
  sim::Executor& ex = cluster.executor();
  const sim::Time start = ex.Now();
  while (!done() && ex.Now() - start < budget) sim::Sleep(std::chrono::milliseconds(10));
  return done();
}

}  // namespace tinykv::harness
