// CrashNemesis: crashes single stores of a cluster under load — at random moments and at the
// crash points where classic raftstore bugs bite — and restarts them after a seeded while.
//
// Crash points come from the invariant monitor's store events (invariant_monitor.h): right after
// a store grants a vote, acknowledges an append, sends appends as leader, starts applying a
// snapshot, or finishes a raft-log GC. Each such event triggers a crash with its own (small)
// probability. The crash is carried out by the nemesis fiber, so it lands at the store's next
// blocking point — typically while the store waits for its next input or for a disk sync — never
// inside the code that reported the event. A crash "between the data and the state of one
// apply" needs no event of its own: the kv engine's writes are not synced, and a crash keeps a
// seeded in-order prefix of the un-synced batches (CrashLoss::kRandomPrefix), so a store that
// writes an entry's data and its apply state in two batches is cut between them by any crash
// that lands after both (the reference writes both in one batch). Random crashes pick a live store
// (the leader a third of the time) at exponential-looking intervals drawn from the nemesis stream.
//
// A store is crashed only if a majority of the stores stays up and connected without it (across
// crashes, isolation and the current partition: the cluster must stay able to make progress),
// and crashes are spaced by `min_gap`. Every crash and restart is annotated on the timeline with
// its cause ("crash 3 (after granting a vote)").
//
// Use: construct it before Cluster::Run, call Run(stop) from a fiber of the cluster's executor; it
// returns once `stop` is set, after restarting every store it crashed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "grading/harness/cluster.h"
#include "grading/harness/invariant_monitor.h"
#include "sim/random.h"
#include "sim/sync.h"

namespace tinykv::harness {

struct CrashNemesisOptions {
  // Mean time between random crashes; zero: no random crashes (crash points only).
  sim::Duration mean_random_gap = std::chrono::milliseconds(1500);
  // Probability that a store event triggers a crash of that store.
  double after_vote_granted = 0.25;
  double after_append_acked = 0.004;
  double after_leader_appended = 0.002;
  double after_snapshot_apply_started = 0.5;
  double after_raft_log_gc = 0.3;
  sim::Duration min_down = std::chrono::milliseconds(20);
  sim::Duration max_down = std::chrono::milliseconds(1000);
  sim::Duration min_gap = std::chrono::milliseconds(200);  // between two crashes
};

class CrashNemesis {
 public:
  // Subscribes to the cluster's store events (one nemesis per cluster at a time).
  CrashNemesis(Cluster& cluster, sim::Rng rng, CrashNemesisOptions options = {});
  ~CrashNemesis();
  CrashNemesis(const CrashNemesis&) = delete;
  CrashNemesis& operator=(const CrashNemesis&) = delete;

  // Crashes and restarts stores until `stop` is set; then restarts what it crashed.
  void Run(const bool& stop);

  uint64_t crashes() const { return crashes_; }

 private:
  struct Request {
    uint64_t store;
    StoreEvent event;
  };
  void OnEvent(uint64_t store, StoreEvent event);
  double Probability(StoreEvent event) const;
  // Crashes `store` (why: for the timeline) if a minority stays down; false when not allowed.
  bool TryCrash(uint64_t store, const std::string& why);
  void RestartDue();

  Cluster& cluster_;
  sim::Rng rng_;
  CrashNemesisOptions options_;
  sim::Channel<Request> requests_{"crash-points"};
  std::map<uint64_t, sim::Time> down_;  // stores this nemesis crashed → when they restart
  sim::Time last_crash_{-std::chrono::hours(1)};
  bool running_ = false;
  uint64_t crashes_ = 0;
};

}  // namespace tinykv::harness
