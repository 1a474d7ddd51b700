// NodeStatus, SoftState, Role, Progress: read-only snapshots of a Raft node's state.
//
// These are plain values copied out of a node (Raft::GetStatus, RawNode::GetStatus); tests and
// drivers read them instead of private fields. Holding one never affects the node.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

namespace tinykv::raft {

// "No node": no vote cast, no known leader, no transfer target.
inline constexpr uint64_t kNone = 0;

enum class Role { kFollower, kCandidate, kLeader };
const char* RoleName(Role role);

// What the leader knows about one member's log.
struct Progress {
  // Highest index known to be replicated on the member.
  uint64_t match = 0;
  // Index of the next entry to send to it.
  uint64_t next = 0;
  // True once an append was accepted: the leader then streams (advances `next` as it sends)
  // instead of probing with one outstanding append. A rejection sets it back to false.
  bool replicate = false;
  bool operator==(const Progress&) const = default;
};

// Volatile state a driver may want to react to (it is not persisted).
struct SoftState {
  uint64_t lead = kNone;
  Role role = Role::kFollower;
  bool operator==(const SoftState&) const = default;
};

struct NodeStatus {
  uint64_t id = kNone;
  uint64_t term = 0;
  uint64_t vote = kNone;
  Role role = Role::kFollower;
  uint64_t lead = kNone;
  uint64_t commit = 0;
  uint64_t applied = 0;
  uint64_t last_index = 0;
  uint64_t last_term = 0;
  // Leader transfer in progress (leader only), else kNone.
  uint64_t lead_transferee = kNone;
  // Index of the latest conf-change entry proposed by this leader.
  uint64_t pending_conf_index = 0;
  // Current members, ascending.
  std::vector<uint64_t> nodes;
  // Replication progress of every member; filled on the leader only.
  std::map<uint64_t, Progress> progress;

  // One line, for failure messages.
  std::string ToString() const;
};

// Printers (GoogleTest uses them in failure messages): "Leader", "{lead 2, Follower}",
// "{match 5, next 6, replicate}", NodeStatus::ToString().
std::ostream& operator<<(std::ostream& os, Role role);
std::ostream& operator<<(std::ostream& os, const SoftState& s);
std::ostream& operator<<(std::ostream& os, const Progress& p);
std::ostream& operator<<(std::ostream& os, const NodeStatus& s);

}  // namespace tinykv::raft
