// Config: everything a Raft node needs to start, checked by Validate().
//
// The caller owns the Storage, the generator and the Logger and keeps them alive as long as the
// node. Raft never reads a clock: time is Tick() calls, counted in these units. Randomness (the
// election timeout) comes only from `rng`, so a seeded caller replays exactly.
#pragma once

#include <cstdint>
#include <vector>

#include "raft/logger.h"
#include "raft/random.h"
#include "raft/status.h"

namespace tinykv::raft {

class Storage;

struct Config {
  // This node's id. Must not be 0 (0 means "nobody").
  uint64_t id = 0;
  // Initial members, for a brand-new group only. Empty when restarting or when the storage's
  // snapshot carries the membership (it is then read from Storage::GetInitialState).
  std::vector<uint64_t> peers;
  // A follower or candidate that hears nothing for a random number of ticks in
  // [election_tick, 2 * election_tick) starts an election. Must exceed heartbeat_tick.
  int election_tick = 10;
  // A leader sends heartbeats every heartbeat_tick ticks.
  int heartbeat_tick = 1;
  // Persisted state; read only. Required.
  Storage* storage = nullptr;
  // The last index the application has already applied (when restarting). Committed entries up
  // to here are not handed out again.
  uint64_t applied = 0;
  // Source of randomness (seeded by the caller). Required.
  RandomFn rng;
  // Where raft reports events; null means NoopLogger.
  Logger* logger = nullptr;

  // OK when every rule holds; otherwise InvalidArgument naming the first broken rule.
  Status Validate() const;
};

}  // namespace tinykv::raft
