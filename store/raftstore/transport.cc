#include "store/raftstore/transport.h"

#include "store/raftstore/snapshot_transfer.h"

namespace tinykv::raftstore {
namespace {

void AppendVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Reads a varint of at most 10 bytes from the front of *in; false when it is cut short.
bool ReadVarint(std::string_view* in, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    const auto byte = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    *v |= uint64_t{byte & 0x7fu} << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

}  // namespace

void SimTransport::Send(const raft_serverpb::RaftMessage& msg) {
  const auto to = static_cast<sim::NodeId>(msg.to_peer().store_id());
  if (msg.message().msg_type() == eraftpb::MsgSnapshot) {
    FlushTo(to);  // what was sent before the snapshot goes before it
    SendSnapshotChunks(network_, self_, to, msg, chunk_bytes_);
    return;
  }
  std::string* packet = nullptr;
  for (auto& [dest, bytes] : queued_) {
    if (dest == to) packet = &bytes;
  }
  if (packet == nullptr) packet = &queued_.emplace_back(to, std::string()).second;
  // ByteSizeLong caches the sizes the serialization below then reuses (one size pass, not two).
  const size_t size = msg.ByteSizeLong();
  AppendVarint(size, packet);
  const size_t at = packet->size();
  packet->resize(at + size);
  msg.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(packet->data() + at));
}

void SimTransport::FlushTo(sim::NodeId to) {
  for (auto it = queued_.begin(); it != queued_.end(); ++it) {
    if (it->first != to) continue;
    network_.Send(self_, to, kRaftPort, std::move(it->second));
    queued_.erase(it);
    return;
  }
}

void SimTransport::Flush() {
  for (auto& [to, bytes] : queued_) network_.Send(self_, to, kRaftPort, std::move(bytes));
  queued_.clear();
}

bool RaftPacketReader::Next(raft_serverpb::RaftMessage* msg) {
  if (malformed_ || rest_.empty()) return false;
  uint64_t size = 0;
  if (!ReadVarint(&rest_, &size) || size > rest_.size() ||
      !msg->ParseFromArray(rest_.data(), static_cast<int>(size))) {
    malformed_ = true;
    return false;
  }
  rest_.remove_prefix(size);
  return true;
}

}  // namespace tinykv::raftstore
