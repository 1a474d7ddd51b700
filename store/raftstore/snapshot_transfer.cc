#include "store/raftstore/snapshot_transfer.h"

#include <algorithm>

#include "store/raftstore/keys.h"
#include "store/raftstore/transport.h"

namespace tinykv::raftstore {

namespace {
constexpr size_t kFrameHeader = 16;
}  // namespace

void SendSnapshotChunks(sim::Network& network, sim::NodeId from, sim::NodeId to,
                        const raft_serverpb::RaftMessage& msg, size_t chunk_bytes) {
  const std::string& data = msg.message().snapshot().data();
  raft_serverpb::SnapshotChunk chunk;
  *chunk.mutable_message() = msg;
  chunk.mutable_message()->mutable_message()->mutable_snapshot()->clear_data();
  const uint64_t total = data.size();
  uint64_t offset = 0;
  do {
    const size_t n = std::min<uint64_t>(chunk_bytes, total - offset);
    chunk.set_data(data.substr(offset, n));
    std::string payload;
    AppendBigEndian64(&payload, offset);
    AppendBigEndian64(&payload, total);
    chunk.AppendToString(&payload);
    network.Send(from, to, kSnapshotPort, std::move(payload));
    offset += n;
  } while (offset < total);
}

std::optional<raft_serverpb::RaftMessage> SnapshotReceiver::OnChunk(sim::NodeId from,
                                                                    std::string_view payload) {
  if (payload.size() < kFrameHeader) return std::nullopt;
  const uint64_t offset = DecodeBigEndian64(payload);
  const uint64_t total = DecodeBigEndian64(payload.substr(8));
  raft_serverpb::SnapshotChunk chunk;
  if (!chunk.ParseFromArray(payload.data() + kFrameHeader,
                            static_cast<int>(payload.size() - kFrameHeader)) ||
      offset > total || chunk.data().size() > total - offset) {
    return std::nullopt;
  }
  const auto& meta = chunk.message().message().snapshot().metadata();
  Transfer& t = transfers_[{from, chunk.message().region_id()}];
  if (t.index != meta.index() || t.term != meta.term() || t.total != total) {
    t = Transfer{meta.index(), meta.term(), total, chunk.message(), {}};
  }
  t.pieces.emplace(offset, chunk.data());
  // Complete when the pieces tile [0, total).
  uint64_t covered = 0;
  for (const auto& [off, piece] : t.pieces) {
    if (off > covered) return std::nullopt;
    covered = std::max<uint64_t>(covered, off + piece.size());
  }
  if (covered < total) return std::nullopt;
  std::string data;
  data.reserve(total);
  for (const auto& [off, piece] : t.pieces) {
    if (off + piece.size() > data.size()) data.append(piece.substr(data.size() - off));
  }
  raft_serverpb::RaftMessage out = std::move(t.header);
  out.mutable_message()->mutable_snapshot()->set_data(std::move(data));
  transfers_.erase({from, chunk.message().region_id()});
  return out;
}

}  // namespace tinykv::raftstore
