#include "store/raftstore/keys.h"

namespace tinykv::raftstore {

namespace {

// Writes v big-endian into p[0, 8).
void StoreBigEndian64(char* p, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<char>(v);
    v >>= 8;
  }
}

// kLocalPrefix <prefix> <region id> <suffix>, then `room` zero bytes for the caller to fill.
// Written in place: keys are built for every raft entry and every applied command, so
// byte-by-byte appends showed in profiles.
std::string RegionKey(char prefix, uint64_t region_id, char suffix, size_t room = 0) {
  std::string key(11 + room, '\0');
  key[0] = kLocalPrefix;
  key[1] = prefix;
  StoreBigEndian64(key.data() + 2, region_id);
  key[10] = suffix;
  return key;
}

}  // namespace

void AppendBigEndian64(std::string* out, uint64_t v) {
  const size_t at = out->size();
  out->resize(at + 8);
  StoreBigEndian64(out->data() + at, v);
}

uint64_t DecodeBigEndian64(std::string_view bytes) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  return v;
}

std::string RegionRaftPrefixKey(uint64_t region_id) {
  std::string key{kLocalPrefix, kRegionRaftPrefix};
  AppendBigEndian64(&key, region_id);
  return key;
}

std::string RaftLogKey(uint64_t region_id, uint64_t index) {
  std::string key = RegionKey(kRegionRaftPrefix, region_id, kRaftLogSuffix, 8);
  StoreBigEndian64(key.data() + 11, index);
  return key;
}

std::string RaftStateKey(uint64_t region_id) {
  return RegionKey(kRegionRaftPrefix, region_id, kRaftStateSuffix);
}

std::string ApplyStateKey(uint64_t region_id) {
  return RegionKey(kRegionRaftPrefix, region_id, kApplyStateSuffix);
}

std::string RegionMetaPrefixKey(uint64_t region_id) {
  std::string key{kLocalPrefix, kRegionMetaPrefix};
  AppendBigEndian64(&key, region_id);
  return key;
}

std::string RegionStateKey(uint64_t region_id) {
  return RegionKey(kRegionMetaPrefix, region_id, kRegionStateSuffix);
}

std::string PendingSnapshotKey(uint64_t region_id) {
  return RegionKey(kRegionMetaPrefix, region_id, kPendingSnapshotSuffix);
}

std::optional<uint64_t> RaftLogIndex(std::string_view key) {
  if (key.size() != 19 || key[0] != kLocalPrefix || key[1] != kRegionRaftPrefix ||
      key[10] != kRaftLogSuffix) {
    return std::nullopt;
  }
  return DecodeBigEndian64(key.substr(11));
}

std::string DataKey(std::string_view key) {
  std::string out;
  out.reserve(key.size() + 1);
  out.push_back(kDataPrefix);
  out.append(key);
  return out;
}

std::optional<std::string_view> OriginKey(std::string_view key) {
  if (key.empty() || key[0] != kDataPrefix) return std::nullopt;
  return key.substr(1);
}

std::string DataEndKey() { return std::string(1, static_cast<char>(kDataPrefix + 1)); }

}  // namespace tinykv::raftstore
