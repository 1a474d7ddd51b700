// The simulated network: bytes between nodes, with latency, loss, duplication, reordering,
// partitions and clogging, every decision drawn from the network's own seeded stream.
//
// Nodes exchange serialized protobuf bytes only (DESIGN.md §2): a Packet carries a payload string,
// never a pointer. A node Binds a port to get an inbox channel and receives Packets from it; Send
// is one-way and fire-and-forget; Call is a request/response RPC with a timeout (a lost request, a
// lost response, a partition and a dead server all look the same to the caller: no answer in time).
//
// Link state is per directed link (from → to):
//  - blocked: packets are dropped, at send time and at delivery time (a cut drops what is in
//  flight).
//    Partition / BlockOneWay / Isolate set it, Heal clears it.
//  - clogged: packets are held (not dropped) and released, with fresh latency, on Unclog.
//  - config: latency uniformly in [min_latency, max_latency], loss and duplicate probabilities,
//    and whether packets may overtake each other (reorder) or keep FIFO order.
// Filters see every packet at send time and may drop or delay it (targeted tests: "drop the third
// append response to node 2").
//
// Crashes: a node's inboxes die with it; a packet arriving for a node that is down is dropped; a
// restarted node binds fresh inboxes. Packets already in flight from a crashed sender still arrive.
// Single-threaded; use from fibers and timer callbacks of the executor it was built with.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/executor.h"
#include "sim/node_index.h"
#include "sim/slab.h"
#include "sim/sync.h"

namespace tinykv::sim {

using Port = uint32_t;

struct Packet {
  NodeId from = 0;
  NodeId to = 0;
  Port port = 0;
  uint64_t id = 0;      // unique per send (duplicates share it)
  uint64_t rpc_id = 0;  // non-zero for RPC requests and responses
  bool is_response = false;
  std::string payload;
};

struct LinkConfig {
  Duration min_latency = std::chrono::milliseconds(1);
  Duration max_latency = std::chrono::milliseconds(5);
  double loss = 0.0;       // probability a packet is dropped
  double duplicate = 0.0;  // probability a packet is delivered twice
  bool reorder = true;     // false: deliveries on this link keep send order
};

struct LinkCounters {
  uint64_t sent = 0;
  uint64_t delivered = 0;
  uint64_t dropped = 0;
  uint64_t duplicated = 0;
  uint64_t bytes = 0;
};

struct FilterVerdict {
  bool drop = false;
  Duration extra_delay{0};
};
using PacketFilter = std::function<FilterVerdict(const Packet&)>;

class Network {
 public:
  // Draws from executor.Stream("network").
  explicit Network(Executor& executor);
  // Deregisters its crash hooks. REQUIRES: the executor is shut down or will never run again
  // (packets in flight are timers that point at this network).
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // ---- endpoints ----
  // The inbox of (node, port) for the node's current incarnation, created on first use. Call from
  // the node's own fibers after each (re)start.
  Channel<Packet>& Bind(NodeId node, Port port);
  // Sends `payload` one way. Never blocks.
  void Send(NodeId from, NodeId to, Port port, std::string payload);
  // Sends a request and waits for the response. std::nullopt on timeout. Blocks the calling fiber.
  std::optional<std::string> Call(NodeId from, NodeId to, Port port, std::string request,
                                  Duration timeout);
  // Answers an RPC request received from an inbox. No-op for packets that are not requests.
  void Reply(const Packet& request, std::string response);

  // ---- link configuration ----
  void SetDefaultLink(const LinkConfig& config);
  void SetLink(NodeId from, NodeId to, const LinkConfig& config);
  // Sets loss / duplicate on every link (default and overrides).
  void SetLossEverywhere(double loss, double duplicate);
  const LinkConfig& link_config(NodeId from, NodeId to) const;

  // ---- faults ----
  // Blocks every link between different groups (symmetric). Nodes in no group are cut off from
  // all, except `bystanders`: they take no side and reach (and are reached from) every node.
  void Partition(const std::vector<std::vector<NodeId>>& groups,
                 const std::vector<NodeId>& bystanders = {});
  void BlockOneWay(NodeId from, NodeId to);
  void Isolate(NodeId node);
  void Clog(NodeId from, NodeId to);
  void Unclog(NodeId from, NodeId to);
  // Unblocks and unclogs every link (held packets are released).
  void HealAll();
  bool blocked(NodeId from, NodeId to) const;
  bool clogged(NodeId from, NodeId to) const;

  uint64_t AddFilter(PacketFilter filter);
  void RemoveFilter(uint64_t id);

  // ---- observation ----
  LinkCounters counters(NodeId from, NodeId to) const;
  LinkCounters totals() const;
  // "1->2 3->1" for blocked links, for reports.
  std::string DescribeFaults() const;

  // Node set used by Partition / Isolate / HealAll. Nodes are registered on Bind; a node that has
  // not bound yet can be registered explicitly so partitions include it from the start.
  void AddNode(NodeId node);

 private:
  struct Link {
    bool blocked = false;
    bool clogged = false;
    bool has_config = false;  // SetLink was called: `config` overrides the default
    LinkConfig config;
    Time last_delivery{0};
    std::vector<Packet> held;
    LinkCounters counters;
  };
  struct Inbox {
    Port port = 0;
    uint64_t epoch = 0;
    std::unique_ptr<Channel<Packet>> channel;
  };
  struct PendingCall {
    NodeId caller;
    Promise<std::string> promise;
  };
  // What the network keeps per known node. Nodes get dense indexes in the order they become
  // known, so links sit in a matrix and a send or delivery finds its link and inbox without a
  // search (a std::map lookup on every packet was a visible part of a scenario's profile).
  struct NodeEntry {
    NodeId id = 0;
    bool member = false;  // AddNode'd: takes part in Partition / Isolate (the world never does)
    uint64_t crash_hook = 0;
    std::vector<Inbox> inboxes;  // a handful of ports: a linear scan beats a map
  };

  // Dense index of `node`, giving it one (and a link matrix row) on first use.
  uint32_t Dense(NodeId node) {
    if (const uint32_t known = index_.Find(node); known != NodeIndex::kAbsent) return known;
    return AddDense(node);
  }
  uint32_t AddDense(NodeId node);  // REQUIRES: `node` has no index yet
  Link& LinkAt(uint32_t from, uint32_t to) { return links_[from * link_stride_ + to]; }
  const Link* FindLink(NodeId from, NodeId to) const;
  Link& LinkFor(NodeId from, NodeId to) { return LinkAt(Dense(from), Dense(to)); }
  const LinkConfig& ConfigOf(const Link& link) const {
    return link.has_config ? link.config : default_link_;
  }
  void Transmit(Packet&& packet, Duration extra_delay);
  void ScheduleDelivery(Packet&& packet, Link& link, Duration extra_delay);
  void Deliver(Packet&& packet);
  // The delivery timer of the packet in in_flight_[slot] (an Executor::TimerFn).
  static void DeliverInFlight(void* network, uint64_t slot);
  void Drop(const Packet& packet, const char* why);
  static PacketInfo Describe(const Packet& packet, const char* reason);
  void RecordPacket(EventKind kind, NodeId node, const Packet& packet,
                    const char* reason = nullptr);
  void NoteLinkChange(std::string what);

  Executor& ex_;
  Rng rng_;
  LinkConfig default_link_;
  std::vector<NodeEntry> nodes_;  // by dense index
  NodeIndex index_;           // node id -> dense index; by_id() for Partition / Isolate / reports
  std::vector<Link> links_;   // matrix [from dense][to dense]
  uint32_t link_stride_ = 0;  // row length of links_ (capacity in nodes)
  // Packets between send and delivery, by slot: the delivery timer carries only (this, slot).
  Slab<Packet> in_flight_;
  std::vector<std::unique_ptr<Channel<Packet>>> dead_inboxes_;  // outlive fibers still unwinding
  std::map<uint64_t, PendingCall> pending_calls_;
  std::map<uint64_t, PacketFilter> filters_;
  uint64_t next_packet_id_ = 1;
  uint64_t next_rpc_id_ = 1;
  uint64_t next_filter_id_ = 1;
};

}  // namespace tinykv::sim
