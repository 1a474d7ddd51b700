// Key layout of a store's two engines, as in TinyKV (kv/raftstore/meta/keys.go), so that the
// on-disk format matches the course's and a region's keys sort together.
//
// Every raftstore-internal ("local") key starts with kLocalPrefix 0x01; user data keys start with
// kDataPrefix 'z', so local keys sort before all data and a scan of data never meets them.
//   raft engine:  0x01 0x02 <region id, 8 B BE> 0x01 <log index, 8 B BE>  → eraftpb.Entry
//                 0x01 0x02 <region id, 8 B BE> 0x02                       → RaftLocalState
//   kv engine:    0x01 0x02 <region id, 8 B BE> 0x03                       → RaftApplyState
//                 0x01 0x03 <region id, 8 B BE> 0x01                       → RegionLocalState
//                 0x01 0x03 <region id, 8 B BE> 0x02                       → eraftpb.Snapshot whose
//                                    data is still being applied (only while one is; see
//                                    store/raftstore/snapshot_apply.h)
//                 'z' <user key>                                           → user value (any CF)
// A fresh region's log starts after index kRaftInitLogIndex with term kRaftInitLogTerm (TinyKV's
// 5/5), so entries of a bootstrapped peer and of a peer created empty never look alike.
//
// Pure functions; callable from anywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tinykv::raftstore {

inline constexpr char kLocalPrefix = 0x01;
inline constexpr char kRegionRaftPrefix = 0x02;
inline constexpr char kRegionMetaPrefix = 0x03;
inline constexpr char kRaftLogSuffix = 0x01;
inline constexpr char kRaftStateSuffix = 0x02;
inline constexpr char kApplyStateSuffix = 0x03;
inline constexpr char kRegionStateSuffix = 0x01;
inline constexpr char kPendingSnapshotSuffix = 0x02;
inline constexpr char kDataPrefix = 'z';

inline constexpr uint64_t kRaftInitLogIndex = 5;
inline constexpr uint64_t kRaftInitLogTerm = 5;

// 8 bytes, most significant first (so numeric order is byte order).
void AppendBigEndian64(std::string* out, uint64_t v);
uint64_t DecodeBigEndian64(std::string_view bytes);  // REQUIRES: bytes.size() >= 8

// 0x01 0x02 <region id>: the prefix of all raft-engine keys of a region.
std::string RegionRaftPrefixKey(uint64_t region_id);
std::string RaftLogKey(uint64_t region_id, uint64_t index);
std::string RaftStateKey(uint64_t region_id);
std::string ApplyStateKey(uint64_t region_id);
// 0x01 0x03 <region id>.
std::string RegionMetaPrefixKey(uint64_t region_id);
std::string RegionStateKey(uint64_t region_id);
std::string PendingSnapshotKey(uint64_t region_id);
// The log index of a raft log key; nullopt when `key` is not one.
std::optional<uint64_t> RaftLogIndex(std::string_view key);

// 'z' + key.
std::string DataKey(std::string_view key);
// The user key of a data key; nullopt when `key` lacks the data prefix.
std::optional<std::string_view> OriginKey(std::string_view key);
// The first key after every data key ('z' + 1), the exclusive end of the data range.
std::string DataEndKey();

}  // namespace tinykv::raftstore
