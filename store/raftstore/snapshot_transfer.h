// Streaming a MsgSnapshot between stores in chunks over the simulated network (lab2c).
//
// A RaftMessage carrying a snapshot can be megabytes; it travels as a series of packets on
// kSnapshotPort, each framed as: offset (8 bytes BE) | total payload size (8 bytes BE) |
// serialized raft_serverpb.SnapshotChunk{message = the RaftMessage with its snapshot data
// cleared, data = the payload bytes [offset, offset + chunk)}. Every chunk names its snapshot,
// so chunks may arrive reordered or duplicated; the receiver reassembles by offset and hands the
// whole RaftMessage on once every byte arrived. A lost chunk loses the transfer; Raft asks for a
// snapshot again later, and a newer transfer from the same sender replaces an unfinished one.
//
// Single-fiber objects of one store incarnation.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "proto/raft_serverpb.pb.h"
#include "sim/network.h"

namespace tinykv::raftstore {

// Sends `msg` (whose message is a MsgSnapshot) to `to` in chunks of `chunk_bytes`.
void SendSnapshotChunks(sim::Network& network, sim::NodeId from, sim::NodeId to,
                        const raft_serverpb::RaftMessage& msg, size_t chunk_bytes);

class SnapshotReceiver {
 public:
  // Feeds one packet payload from `from`. Returns the complete RaftMessage (snapshot data
  // restored) when this packet completed it; nullopt otherwise, and for malformed packets.
  std::optional<raft_serverpb::RaftMessage> OnChunk(sim::NodeId from, std::string_view payload);

 private:
  struct Transfer {
    uint64_t index = 0;
    uint64_t term = 0;
    uint64_t total = 0;
    raft_serverpb::RaftMessage header;
    std::map<uint64_t, std::string> pieces;  // by offset
  };
  // One unfinished transfer per (sender, region).
  std::map<std::pair<sim::NodeId, uint64_t>, Transfer> transfers_;
};

}  // namespace tinykv::raftstore
