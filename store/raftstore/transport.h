// Transport: how a peer's Raft messages leave the store.
//
// The peer hands every outgoing message, wrapped in a raft_serverpb.RaftMessage (region and
// both peers filled in), to a Transport; delivery is best effort (Raft tolerates loss). The
// simulator's implementation, SimTransport, serializes the message and sends it one way over
// sim::Network to the target store's raft port; big MsgSnapshot messages instead go out as a
// stream of SnapshotChunks on the snapshot port (store/raftstore/snapshot_transfer.h). Test
// decorators may wrap a Transport to drop or reorder. Used on the store's fibers only.
#pragma once

#include "proto/raft_serverpb.pb.h"
#include "sim/network.h"

namespace tinykv::raftstore {

// Store-to-store ports on the simulated network.
inline constexpr sim::Port kRaftPort = 20161;
inline constexpr sim::Port kSnapshotPort = 20162;

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends `msg` to the store of msg.to_peer(). Never blocks.
  virtual void Send(const raft_serverpb::RaftMessage& msg) = 0;
};

class SimTransport final : public Transport {
 public:
  // `self` is this store's node id (= store id). `snapshot_chunk_bytes` sizes snapshot chunks.
  SimTransport(sim::Network& network, sim::NodeId self, size_t snapshot_chunk_bytes)
      : network_(network), self_(self), chunk_bytes_(snapshot_chunk_bytes) {}
  void Send(const raft_serverpb::RaftMessage& msg) override;

 private:
  sim::Network& network_;
  sim::NodeId self_;
  size_t chunk_bytes_;
};

}  // namespace tinykv::raftstore
