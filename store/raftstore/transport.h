// Transport: how a peer's Raft messages leave the store.
//
// The peer hands every outgoing message, wrapped in a raft_serverpb.RaftMessage (region and
// both peers filled in), to a Transport; delivery is best effort (Raft tolerates loss). The
// store's raft worker flushes the transport after each batch: what the batch's Readys sent to
// one store travels together, as TinyKV's and TiKV's stores batch the messages of a flush into
// one write on the connection to that store. With many regions this is what keeps the network
// quiet: the heartbeats a store's leaders send at one tick go out as one packet per store, not
// one per peer.
//
// The simulator's implementation, SimTransport, sends each store's queued messages as one
// packet to that store's raft port: the messages' serialized bytes, each preceded by its length
// (a varint) — the framing of a stream of RaftMessages, TinyKV's Raft RPC. Big MsgSnapshot
// messages instead go out at once as a stream of SnapshotChunks on the snapshot port
// (store/raftstore/snapshot_transfer.h), after what was queued for that store. Test decorators
// may wrap a Transport to drop or rewrite. Used on the store's fibers only.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/raft_serverpb.pb.h"
#include "sim/network.h"

namespace tinykv::raftstore {

// Store-to-store ports on the simulated network.
inline constexpr sim::Port kRaftPort = 20161;
inline constexpr sim::Port kSnapshotPort = 20162;

class Transport {
 public:
  virtual ~Transport() = default;
  // Queues `msg` for the store of msg.to_peer(). Never blocks.
  virtual void Send(const raft_serverpb::RaftMessage& msg) = 0;
  // Sends what was queued. Never blocks.
  virtual void Flush() = 0;
};

class SimTransport final : public Transport {
 public:
  // `self` is this store's node id (= store id). `snapshot_chunk_bytes` sizes snapshot chunks.
  SimTransport(sim::Network& network, sim::NodeId self, size_t snapshot_chunk_bytes)
      : network_(network), self_(self), chunk_bytes_(snapshot_chunk_bytes) {}
  void Send(const raft_serverpb::RaftMessage& msg) override;
  void Flush() override;

 private:
  // Sends the packet queued for `to`, if any.
  void FlushTo(sim::NodeId to);

  sim::Network& network_;
  sim::NodeId self_;
  size_t chunk_bytes_;
  // Per destination store, in the order of its first queued message: the packet being built.
  std::vector<std::pair<sim::NodeId, std::string>> queued_;
};

// Reads the RaftMessages of one packet of the raft port, in order.
class RaftPacketReader {
 public:
  explicit RaftPacketReader(std::string_view payload) : rest_(payload) {}
  // The next message into *msg; false at the end of the packet or at a malformed message (then
  // malformed() is true and nothing more is read).
  bool Next(raft_serverpb::RaftMessage* msg);
  bool malformed() const { return malformed_; }

 private:
  std::string_view rest_;
  bool malformed_ = false;
};

}  // namespace tinykv::raftstore
