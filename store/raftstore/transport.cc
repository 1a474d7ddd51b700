#include "store/raftstore/transport.h"

#include "store/raftstore/snapshot_transfer.h"

namespace tinykv::raftstore {

void SimTransport::Send(const raft_serverpb::RaftMessage& msg) {
  const auto to = static_cast<sim::NodeId>(msg.to_peer().store_id());
  if (msg.message().msg_type() == eraftpb::MsgSnapshot) {
    SendSnapshotChunks(network_, self_, to, msg, chunk_bytes_);
    return;
  }
  network_.Send(self_, to, kRaftPort, msg.SerializeAsString());
}

}  // namespace tinykv::raftstore
