#include "raft/config.h"

#include <algorithm>
#include <string>

namespace tinykv::raft {

NoopLogger* NoopLogger::Instance() {
  static NoopLogger logger;
  return &logger;
}

Status Config::Validate() const {
  if (id == 0) return Status::InvalidArgument("config: id must not be 0 (0 means no node)");
  if (heartbeat_tick <= 0) {
    return Status::InvalidArgument("config: heartbeat_tick must be greater than 0");
  }
  if (election_tick <= heartbeat_tick) {
    return Status::InvalidArgument("config: election_tick (" + std::to_string(election_tick) +
                                   ") must be greater than heartbeat_tick (" +
                                   std::to_string(heartbeat_tick) + ")");
  }
  if (storage == nullptr) return Status::InvalidArgument("config: storage must not be null");
  if (!rng) return Status::InvalidArgument("config: rng (the random generator) must be set");
  for (uint64_t p : peers) {
    if (p == 0) return Status::InvalidArgument("config: peers must not contain id 0");
  }
  std::vector<uint64_t> sorted = peers;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return Status::InvalidArgument("config: peers must not contain duplicates");
  }
  return Status::OK();
}

}  // namespace tinykv::raft
