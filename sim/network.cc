#include "sim/network.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace tinykv::sim {
namespace {

std::string NodeName(NodeId n) { return n == kWorld ? "world" : std::to_string(n); }

}  // namespace

Network::Network(Executor& executor) : ex_(executor), rng_(executor.Stream("network")) {}

Network::~Network() {
  for (const NodeEntry& n : nodes_) {
    if (n.member && n.id != kWorld) ex_.RemoveCrashHook(n.id, n.crash_hook);
  }
}

uint32_t Network::AddDense(NodeId node) {
  const uint32_t index = index_.FindOrAdd(node);
  nodes_.emplace_back().id = node;
  if (nodes_.size() > link_stride_) {
    // Grow the matrix (rare: once per few new nodes), keeping every link's state.
    const uint32_t stride = std::max<uint32_t>(8, link_stride_ * 2);
    std::vector<Link> grown(size_t{stride} * stride);
    for (uint32_t from = 0; from < link_stride_; ++from) {
      for (uint32_t to = 0; to < link_stride_; ++to) {
        grown[size_t{from} * stride + to] = std::move(links_[size_t{from} * link_stride_ + to]);
      }
    }
    links_ = std::move(grown);
    link_stride_ = stride;
  }
  return index;
}

void Network::AddNode(NodeId node) {
  NodeEntry& entry = nodes_[Dense(node)];
  if (entry.member || node == kWorld) return;
  entry.member = true;
  entry.crash_hook = ex_.AddCrashHook(node, [this, node] {
    // The node's inboxes die with it; fibers that still reference them are being unwound, so the
    // channels are parked, not freed.
    for (Inbox& inbox : nodes_[Dense(node)].inboxes) {
      dead_inboxes_.push_back(std::move(inbox.channel));
    }
    nodes_[Dense(node)].inboxes.clear();
  });
}

Channel<Packet>& Network::Bind(NodeId node, Port port) {
  AddNode(node);
  const uint64_t epoch = node == kWorld ? 0 : ex_.node_epoch(node);
  std::vector<Inbox>& inboxes = nodes_[Dense(node)].inboxes;
  auto it = std::find_if(inboxes.begin(), inboxes.end(),
                         [port](const Inbox& inbox) { return inbox.port == port; });
  if (it == inboxes.end()) {
    inboxes.emplace_back().port = port;
    it = inboxes.end() - 1;
  }
  Inbox& inbox = *it;
  if (!inbox.channel || inbox.epoch != epoch) {
    if (inbox.channel) dead_inboxes_.push_back(std::move(inbox.channel));
    inbox.epoch = epoch;
    inbox.channel =
        std::make_unique<Channel<Packet>>("inbox n" + NodeName(node) + ":" + std::to_string(port));
  }
  return *inbox.channel;
}

const Network::Link* Network::FindLink(NodeId from, NodeId to) const {
  const uint32_t f = index_.Find(from);
  const uint32_t t = index_.Find(to);
  if (f == NodeIndex::kAbsent || t == NodeIndex::kAbsent) return nullptr;
  return &links_[size_t{f} * link_stride_ + t];
}

const LinkConfig& Network::link_config(NodeId from, NodeId to) const {
  const Link* link = FindLink(from, to);
  return link == nullptr ? default_link_ : ConfigOf(*link);
}

PacketInfo Network::Describe(const Packet& p, const char* reason) {
  PacketInfo info;
  info.from = p.from;
  info.to = p.to;
  info.port = p.port;
  info.bytes = static_cast<uint32_t>(p.payload.size());
  info.id = p.id;
  info.rpc_id = p.rpc_id;
  info.response = p.is_response;
  info.reason = reason;
  return info;
}

void Network::RecordPacket(EventKind kind, NodeId node, const Packet& p, const char* reason) {
  ex_.trace().RecordPacket(ex_.Now(), kind, node, Describe(p, reason));
}

void Network::Send(NodeId from, NodeId to, Port port, std::string payload) {
  Packet p;
  p.from = from;
  p.to = to;
  p.port = port;
  p.payload = std::move(payload);
  Transmit(std::move(p), Duration::zero());
}

void Network::Transmit(Packet&& packet, Duration extra_delay) {
  packet.id = next_packet_id_++;
  Link& link = LinkFor(packet.from, packet.to);
  link.counters.sent++;
  link.counters.bytes += packet.payload.size();
  RecordPacket(EventKind::kSend, packet.from, packet);
  for (auto& [id, filter] : filters_) {
    FilterVerdict v = filter(packet);
    if (v.drop) {
      Drop(packet, "filter");
      return;
    }
    extra_delay += v.extra_delay;
  }
  if (link.blocked) {
    Drop(packet, "partition");
    return;
  }
  const LinkConfig& config = ConfigOf(link);
  // Always draw both numbers so the stream position does not depend on the probabilities.
  const bool lose = rng_.Bernoulli(config.loss);
  const bool duplicate = rng_.Bernoulli(config.duplicate);
  if (lose) {
    Drop(packet, "loss");
    return;
  }
  if (link.clogged) {
    link.held.push_back(std::move(packet));
    return;
  }
  if (duplicate) {
    link.counters.duplicated++;
    RecordPacket(EventKind::kDuplicate, packet.from, packet);
    ScheduleDelivery(Packet(packet), link, extra_delay);
  }
  ScheduleDelivery(std::move(packet), link, extra_delay);
}

void Network::ScheduleDelivery(Packet&& packet, Link& link, Duration extra_delay) {
  const LinkConfig& config = ConfigOf(link);
  const int64_t lo = config.min_latency.count();
  const int64_t hi = std::max(lo, config.max_latency.count());
  Time at = ex_.Now() + Duration(rng_.UniformSigned(lo, hi)) + extra_delay;
  // FIFO links deliver strictly after the previous packet: equal instants would be ordered by the
  // timer tie-break, which is random.
  if (!config.reorder && at <= link.last_delivery) at = link.last_delivery + Duration(1);
  link.last_delivery = std::max(link.last_delivery, at);
  // World-owned (the timer's default owner): a packet in flight survives its sender's crash.
  const uint32_t slot = in_flight_.Acquire();
  in_flight_[slot] = std::move(packet);
  ex_.AfterCall(at - ex_.Now(), &Network::DeliverInFlight, this, slot);
}

void Network::DeliverInFlight(void* network, uint64_t slot) {
  auto* self = static_cast<Network*>(network);
  Packet& packet = self->in_flight_[static_cast<uint32_t>(slot)];
  self->Deliver(std::move(packet));
  // A dropped packet keeps its payload: free it rather than hold it until the slot is reused.
  if (packet.payload.capacity() > sizeof(std::string)) std::string().swap(packet.payload);
  self->in_flight_.Release(static_cast<uint32_t>(slot));
}

void Network::Drop(const Packet& packet, const char* why) {
  LinkFor(packet.from, packet.to).counters.dropped++;
  RecordPacket(EventKind::kDrop, packet.to, packet, why);
}

void Network::Deliver(Packet&& packet) {
  Link& link = LinkFor(packet.from, packet.to);
  if (link.blocked) {
    Drop(packet, "partition");
    return;
  }
  if (packet.to != kWorld && ex_.node_state(packet.to) == NodeState::kDown) {
    Drop(packet, "node down");
    return;
  }
  if (packet.is_response) {
    auto it = pending_calls_.find(packet.rpc_id);
    if (it == pending_calls_.end() || it->second.caller != packet.to) {
      Drop(packet, "no caller");
      return;
    }
    link.counters.delivered++;
    RecordPacket(EventKind::kDeliver, packet.to, packet);
    it->second.promise.Set(std::move(packet.payload));
    return;
  }
  Channel<Packet>* inbox = nullptr;
  for (Inbox& candidate : nodes_[Dense(packet.to)].inboxes) {
    if (candidate.port == packet.port) inbox = candidate.channel.get();
  }
  if (inbox == nullptr) {
    Drop(packet, "no listener");
    return;
  }
  link.counters.delivered++;
  RecordPacket(EventKind::kDeliver, packet.to, packet);
  inbox->TrySend(std::move(packet));
}

std::optional<std::string> Network::Call(NodeId from, NodeId to, Port port, std::string request,
                                         Duration timeout) {
  const uint64_t rpc_id = next_rpc_id_++;
  Future<std::string> future = pending_calls_[rpc_id].promise.GetFuture();
  pending_calls_[rpc_id].caller = from;
  // Erase the pending entry however this returns (including when the caller's node crashes).
  struct Cleanup {
    Network* net;
    uint64_t id;
    ~Cleanup() { net->pending_calls_.erase(id); }
  } cleanup{this, rpc_id};
  Packet p;
  p.from = from;
  p.to = to;
  p.port = port;
  p.rpc_id = rpc_id;
  p.payload = std::move(request);
  Transmit(std::move(p), Duration::zero());
  return future.Get(timeout);
}

void Network::Reply(const Packet& request, std::string response) {
  if (request.rpc_id == 0 || request.is_response) return;
  Packet p;
  p.from = request.to;
  p.to = request.from;
  p.port = request.port;
  p.rpc_id = request.rpc_id;
  p.is_response = true;
  p.payload = std::move(response);
  Transmit(std::move(p), Duration::zero());
}

void Network::SetDefaultLink(const LinkConfig& config) { default_link_ = config; }

void Network::SetLink(NodeId from, NodeId to, const LinkConfig& config) {
  Link& link = LinkFor(from, to);
  link.has_config = true;
  link.config = config;
}

void Network::SetLossEverywhere(double loss, double duplicate) {
  default_link_.loss = loss;
  default_link_.duplicate = duplicate;
  for (Link& link : links_) {
    if (!link.has_config) continue;  // the others follow default_link_
    link.config.loss = loss;
    link.config.duplicate = duplicate;
  }
  char buf[96];
  std::snprintf(buf, sizeof buf, "loss %.3f duplicate %.3f everywhere", loss, duplicate);
  NoteLinkChange(buf);
}

void Network::NoteLinkChange(std::string what) {
  ex_.RecordFor(kWorld, EventKind::kPartition, std::move(what));
}

void Network::Partition(const std::vector<std::vector<NodeId>>& groups,
                        const std::vector<NodeId>& bystanders) {
  std::map<NodeId, size_t> group_of;
  std::string text;
  for (size_t g = 0; g < groups.size(); ++g) {
    if (g) text += " | ";
    for (size_t i = 0; i < groups[g].size(); ++i) {
      AddNode(groups[g][i]);
      group_of[groups[g][i]] = g;
      text += (i ? "," : "") + std::to_string(groups[g][i]);
    }
  }
  const std::set<NodeId> neutral(bystanders.begin(), bystanders.end());
  if (!neutral.empty()) {
    text += " (reaching all:";
    for (NodeId n : neutral) text += " " + std::to_string(n);
    text += ")";
  }
  for (auto& [a, da] : index_.by_id()) {
    if (!nodes_[da].member) continue;
    for (auto& [b, db] : index_.by_id()) {
      if (a == b || !nodes_[db].member) continue;
      auto ga = group_of.find(a);
      auto gb = group_of.find(b);
      const bool same = ga != group_of.end() && gb != group_of.end() && ga->second == gb->second;
      LinkAt(da, db).blocked = !same && neutral.count(a) == 0 && neutral.count(b) == 0;
    }
  }
  NoteLinkChange(text);  // the event kind already says "partition"
}

void Network::BlockOneWay(NodeId from, NodeId to) {
  AddNode(from);
  AddNode(to);
  LinkFor(from, to).blocked = true;
  NoteLinkChange("block " + NodeName(from) + "->" + NodeName(to));
}

void Network::Isolate(NodeId node) {
  AddNode(node);
  for (auto& [other, dense] : index_.by_id()) {
    if (other == node || !nodes_[dense].member) continue;
    LinkFor(node, other).blocked = true;
    LinkFor(other, node).blocked = true;
  }
  NoteLinkChange("isolate " + NodeName(node));
}

void Network::Clog(NodeId from, NodeId to) {
  LinkFor(from, to).clogged = true;
  NoteLinkChange("clog " + NodeName(from) + "->" + NodeName(to));
}

void Network::Unclog(NodeId from, NodeId to) {
  Link& link = LinkFor(from, to);
  if (!link.clogged) return;
  link.clogged = false;
  NoteLinkChange("unclog " + NodeName(from) + "->" + NodeName(to));
  std::vector<Packet> held = std::move(link.held);
  link.held.clear();
  for (Packet& p : held) ScheduleDelivery(std::move(p), link, Duration::zero());
}

void Network::HealAll() {
  std::vector<std::pair<NodeId, NodeId>> clogged_links;  // in (from, to) id order
  for (auto& [from, df] : index_.by_id()) {
    for (auto& [to, dt] : index_.by_id()) {
      Link& link = LinkAt(df, dt);
      link.blocked = false;
      if (link.clogged) clogged_links.emplace_back(from, to);
    }
  }
  NoteLinkChange("heal");
  for (const auto& [from, to] : clogged_links) Unclog(from, to);
}

bool Network::blocked(NodeId from, NodeId to) const {
  const Link* link = FindLink(from, to);
  return link != nullptr && link->blocked;
}

bool Network::clogged(NodeId from, NodeId to) const {
  const Link* link = FindLink(from, to);
  return link != nullptr && link->clogged;
}

uint64_t Network::AddFilter(PacketFilter filter) {
  const uint64_t id = next_filter_id_++;
  filters_.emplace(id, std::move(filter));
  return id;
}

void Network::RemoveFilter(uint64_t id) { filters_.erase(id); }

LinkCounters Network::counters(NodeId from, NodeId to) const {
  const Link* link = FindLink(from, to);
  return link == nullptr ? LinkCounters{} : link->counters;
}

LinkCounters Network::totals() const {
  LinkCounters t;
  for (const Link& link : links_) {
    t.sent += link.counters.sent;
    t.delivered += link.counters.delivered;
    t.dropped += link.counters.dropped;
    t.duplicated += link.counters.duplicated;
    t.bytes += link.counters.bytes;
  }
  return t;
}

std::string Network::DescribeFaults() const {
  std::string blocked_text, clogged_text;
  for (const auto& [from, df] : index_.by_id()) {
    for (const auto& [to, dt] : index_.by_id()) {
      const Link& link = links_[size_t{df} * link_stride_ + dt];
      const std::string name = NodeName(from) + "->" + NodeName(to);
      if (link.blocked) blocked_text += (blocked_text.empty() ? "" : " ") + name;
      if (link.clogged) clogged_text += (clogged_text.empty() ? "" : " ") + name;
    }
  }
  std::string out;
  if (!blocked_text.empty()) out += "blocked: " + blocked_text;
  if (!clogged_text.empty())
    out += std::string(out.empty() ? "" : "; ") + "clogged: " + clogged_text;
  return out.empty() ? "none" : out;
}

}  // namespace tinykv::sim
