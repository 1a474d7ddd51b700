#include "grading/harness/cluster.h"

#include <algorithm>

#include "proto/kvrpcpb.pb.h"
#include "store/raftstore/store_node.h"
#include "store/server/sim_rpc.h"

namespace tinykv::harness {
namespace {

// How long one attempt waits for an answer. A write that times out ends as "outcome unknown", so it
// waits about as long as the store would take to give up on its proposal; a read can simply be
// retried, so it gives up sooner on a lost packet.
sim::Duration WriteAttemptTimeout(const raftstore::RaftstoreConfig& raft) {
  return raft.proposal_timeout / 2;
}
sim::Duration ReadAttemptTimeout(const raftstore::RaftstoreConfig& raft) {
  return raft.proposal_timeout / 4;
}

std::string GroupsText(const std::vector<std::vector<sim::NodeId>>& groups) {
  std::string text;
  for (size_t g = 0; g < groups.size(); ++g) {
    text += g ? " | " : "";
    for (size_t i = 0; i < groups[g].size(); ++i)
      text += (i ? "," : "") + std::to_string(groups[g][i]);
  }
  return text;
}

}  // namespace

Cluster::Cluster(ClusterOptions options) : options_(std::move(options)) {
  sim::ExecutorOptions eo;
  eo.seed = options_.seed;
  eo.keep_full_trace = options_.keep_full_trace;
  eo.time_limit = options_.time_limit;
  ex_ = std::make_unique<sim::Executor>(eo);
  net_ = std::make_unique<sim::Network>(*ex_);
  std::vector<uint64_t> ids;
  for (int i = 1; i <= options_.stores; ++i) ids.push_back(static_cast<uint64_t>(i));
  for (uint64_t id : ids) {
    raftstore::StoreNodeOptions so;
    so.store_id = id;
    so.cluster_store_ids = ids;
    so.config = options_.raft;
    auto node = std::make_unique<raftstore::StoreNode>(*ex_, *net_, so);
    const sim::NodeId nid = static_cast<sim::NodeId>(id);
    ex_->AddNode(nid, "store" + std::to_string(id), [n = node.get()] { n->Main(); });
    net_->AddNode(nid);
    stores_.push_back(std::move(node));
  }
  SetUnreliable(false);
}

Cluster::~Cluster() { ex_->Shutdown(); }

sim::RunResult Cluster::Run(std::function<void()> driver) {
  return ex_->Run([this, driver = std::move(driver)] {
    for (sim::NodeId id : store_ids()) ex_->Start(id);
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

void Cluster::Crash(sim::NodeId id) {
  ex_->Crash(id);
  Annotate(ex_->Now(), "crash " + std::to_string(id));
}

void Cluster::Restart(sim::NodeId id) {
  ex_->Restart(id);
  Annotate(ex_->Now(), "restart " + std::to_string(id));
}

void Cluster::Partition(const std::vector<std::vector<sim::NodeId>>& groups) {
  if (partitioned_) Heal();
  net_->Partition(groups);
  partitioned_ = true;
  partition_start_ = ex_->Now();
  history_.Annotate(ex_->Now().count(), ex_->Now().count(), "partition " + GroupsText(groups));
}

void Cluster::Heal() {
  net_->HealAll();
  if (partitioned_) Annotate(partition_start_, "partitioned");
  partitioned_ = false;
}

void Cluster::SetUnreliable(bool unreliable) {
  sim::LinkConfig link;
  if (unreliable) {
    link.loss = 0.1;
    link.duplicate = 0.05;
    link.min_latency = std::chrono::milliseconds(1);
    link.max_latency = std::chrono::milliseconds(25);
    link.reorder = true;
  } else {
    link.min_latency = std::chrono::milliseconds(1);
    link.max_latency = std::chrono::milliseconds(5);
    link.reorder = false;
  }
  net_->SetDefaultLink(link);
}

std::optional<sim::NodeId> Cluster::Leader() const {
  std::optional<sim::NodeId> leader;
  for (const auto& s : stores_) {
    if (ex_->node_state(static_cast<sim::NodeId>(s->store_id())) != sim::NodeState::kUp) continue;
    if (s->IsLeader()) leader = static_cast<sim::NodeId>(s->store_id());
  }
  return leader;
}

// ---------------------------------------------------------------- client

KvClient::KvClient(Cluster& cluster, int64_t id) : cluster_(cluster), id_(id) {
  next_store_ = static_cast<size_t>(id);
}

sim::NodeId KvClient::PickStore() {
  if (leader_hint_ != 0) return leader_hint_;
  const std::vector<sim::NodeId> ids = cluster_.store_ids();
  return ids[next_store_++ % ids.size()];
}

bool KvClient::Put(const std::string& key, const std::string& value, sim::Duration deadline) {
  sim::Executor& ex = cluster_.executor();
  const size_t op = cluster_.history().Invoke(id_, ex.Now().count(), "put", key, value);
  const sim::Time give_up = ex.Now() + deadline;
  kvrpcpb::RawPutRequest req;
  req.set_key(key);
  req.set_value(value);
  req.set_cf("default");
  while (ex.Now() < give_up) {
    const sim::NodeId store = PickStore();
    auto resp = store::CallKv<kvrpcpb::RawPutResponse>(
        cluster_.network(), sim::kWorld, store, "RawPut", req,
        std::min<sim::Duration>(WriteAttemptTimeout(cluster_.options_raft()), give_up - ex.Now()));
    if (!resp) break;  // no answer: the request may have been applied
    if (resp->has_region_error()) {
      const errorpb::Error& e = resp->region_error();
      if (e.has_not_leader()) {  // rejected before proposing: certainly no effect
        leader_hint_ = e.not_leader().has_leader()
                           ? static_cast<sim::NodeId>(e.not_leader().leader().store_id())
                           : 0;
        if (leader_hint_ == 0) sim::Sleep(std::chrono::milliseconds(50));
        continue;
      }
      if (e.has_stale_command()) {  // superseded by another leader's entry: not applied
        leader_hint_ = 0;
        continue;
      }
      leader_hint_ = 0;
      break;  // other region errors: outcome unknown
    }
    if (!resp->error().empty()) break;  // "outcome unknown"
    cluster_.history().Ok(op, ex.Now().count());
    return true;
  }
  leader_hint_ = 0;
  cluster_.history().Info(op, ex.Now().count());
  return false;
}

std::optional<std::string> KvClient::Get(const std::string& key, sim::Duration deadline) {
  sim::Executor& ex = cluster_.executor();
  const size_t op = cluster_.history().Invoke(id_, ex.Now().count(), "get", key);
  const sim::Time give_up = ex.Now() + deadline;
  if (reads_bypass_raft_) {
    const std::vector<sim::NodeId> ids = cluster_.store_ids();
    const sim::NodeId store = ids[next_store_++ % ids.size()];
    sim::Sleep(std::chrono::milliseconds(2));  // about a network round trip
    if (ex.node_state(store) == sim::NodeState::kUp) {
      std::string value = cluster_.store(store).LocalValue(key).value_or("");
      cluster_.history().Ok(op, ex.Now().count(), value);
      return value;
    }
  }
  kvrpcpb::RawGetRequest req;
  req.set_key(key);
  req.set_cf("default");
  while (ex.Now() < give_up) {
    const sim::NodeId store = PickStore();
    auto resp = store::CallKv<kvrpcpb::RawGetResponse>(
        cluster_.network(), sim::kWorld, store, "RawGet", req,
        std::min<sim::Duration>(ReadAttemptTimeout(cluster_.options_raft()), give_up - ex.Now()));
    if (!resp || !resp->error().empty()) {  // a read has no effect: just try again
      leader_hint_ = 0;
      continue;
    }
    if (resp->has_region_error()) {
      const errorpb::Error& e = resp->region_error();
      leader_hint_ = e.has_not_leader() && e.not_leader().has_leader()
                         ? static_cast<sim::NodeId>(e.not_leader().leader().store_id())
                         : 0;
      if (leader_hint_ == 0) sim::Sleep(std::chrono::milliseconds(50));
      continue;
    }
    std::string value = resp->not_found() ? "" : resp->value();
    cluster_.history().Ok(op, ex.Now().count(), value);
    return value;
  }
  cluster_.history().Info(op, ex.Now().count());
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
