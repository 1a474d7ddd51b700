// Printers of the public Raft value types (raft/node_status.h, raft/status.h).
#include <ostream>

#include "raft/node_status.h"
#include "raft/status.h"

namespace tinykv::raft {

std::ostream& operator<<(std::ostream& os, Role role) { return os << RoleName(role); }

std::ostream& operator<<(std::ostream& os, const SoftState& s) {
  return os << "{lead " << s.lead << ", " << RoleName(s.role) << "}";
}

std::ostream& operator<<(std::ostream& os, const Progress& p) {
  return os << "{match " << p.match << ", next " << p.next << (p.replicate ? ", replicate}" : "}");
}

std::ostream& operator<<(std::ostream& os, const NodeStatus& s) { return os << s.ToString(); }

std::ostream& operator<<(std::ostream& os, const Status& s) { return os << s.ToString(); }

}  // namespace tinykv::raft
