// The generic fault-tolerant-KV scenario behind the lab2b / lab2c graded tests: clients hammer a
// cluster with puts, deletes, gets and scans on a shared key space for several rounds while a
// nemesis partitions, crashes and degrades it; every operation is checked for linearizability, and
// after each round the cluster is healed and must make progress within a virtual-time budget
// (liveness).
//
// A failing run reports why in one readable message and, when the history is at fault, writes it
// as EDN plus an HTML timeline annotated with the faults (to TINYKV_ARTIFACT_DIR, else /tmp), and
// reports the run's facts (fingerprint, timeline path, verdict) to the grading runner.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "grading/check/checker.h"
#include "grading/check/history.h"
#include "sim/time.h"
#include "store/raftstore/engine_wrapper.h"
#include "store/raftstore/transport_wrapper.h"

namespace tinykv::harness {

class Cluster;

struct KvScenarioOptions {
  int stores = 5;
  int clients = 1;
  int rounds = 3;
  sim::Duration round = std::chrono::seconds(5);  // client load per round (virtual)
  int keys = 5;                                   // shared key space "k0".."k{keys-1}"
  // Each client pauses this long after each operation (zero: back to back, as TinyKV's do).
  sim::Duration client_think_time = sim::Duration::zero();
  bool unreliable = false;  // lossy, duplicating, reordering links
  // Crash single stores under load during rounds (random moments and crash points, a minority at
  // a time: crash_nemesis.h), and every store after a round; each restarts from its disks.
  bool crash = false;
  bool partitions = false;  // random two-way partitions during rounds
  // Each round, isolate one store until the others compacted past its log (nemeses.h), and fail
  // the run if no store applied a snapshot (lab2c).
  bool lagging_store = false;
  uint64_t raft_log_gc_limit = 0;  // lab2c: compact the log beyond this many entries
  // Lab3b (each runs the cluster with the mock scheduler; clients route by region): membership
  // churn during rounds (nemeses.h, RunConfChangeNemesis), and splits — regions larger than 300
  // bytes split at 200 (TinyKV's split tests), and a run in which no region split fails.
  bool conf_change = false;
  bool split = false;
  // Each put's value gets this many filler bytes (so that a few keys make a region split).
  size_t value_padding = 0;
  // Leader-transfer storms during rounds (nemeses.h, RunTransferLeaderNemesis; lab3b).
  bool leader_transfers = false;
  // The real scheduler node instead of the mock (ClusterOptions::real_scheduler), aiming for
  // `max_replicas` peers per region.
  bool real_scheduler = false;
  int max_replicas = 3;
  bool scheduler_balance_leader = true;
  // With `split`: a run that ends with fewer regions fails (and with joining_stores, the preload
  // must have made this many before the stores join).
  uint64_t min_regions = 2;
  // Lab3c (with real_scheduler). The last `joining_stores` stores start, empty, once the
  // preload's data has split into min_regions regions; within `balance_budget` of that, every
  // store's region and leader counts must come within `balance_tolerance` of the means (as the
  // stores hold them: store_balance.h), and be so again at the end of the run.
  int joining_stores = 0;
  sim::Duration balance_budget = sim::Duration::zero();  // zero: no balance check
  double balance_tolerance = 0.2;
  sim::Duration max_store_down_time = std::chrono::minutes(30);  // the scheduler's
  // In round `retire_round` (1-based; 0: never), at a random moment, a random store crashes for
  // good; at the end every region must have replaced its peer there.
  int retire_round = 0;
  // Each round, the scheduler node crashes at a random moment and restarts 0.2–2 s later. (With
  // a real scheduler a watcher always asks its TSO for a timestamp every 50 ms; one that is not
  // larger than every timestamp before fails the run.)
  bool crash_scheduler = false;
  // Puts every key once before the first round, without faults (so that a split scenario's
  // data, and so its regions, do not depend on which keys the workload happened to pick).
  bool preload = false;
  sim::Duration liveness_budget = std::chrono::seconds(10);
  // After each round's liveness probe: this long with no faults, during which the term may grow
  // by at most 2 (churn check). 2 s is 10–20 election timeouts of the default config.
  sim::Duration healthy_stretch = std::chrono::seconds(2);
  bool always_write_artifacts = false;  // write the EDN history and HTML timeline even on success
  bool reads_bypass_raft = false;  // harness self-test only: see KvClient::set_reads_bypass_raft
  // Harness self-tests only (planted bugs, grading/harness/planted_bugs_test.cc): decorates the
  // stores' engines and transports; before_run runs on the cluster before its stores start.
  raftstore::EngineWrapper wrap_engine;
  raftstore::TransportWrapper wrap_transport;
  std::function<void(Cluster&)> before_run;
};

struct KvScenarioResult {
  bool passed = false;
  std::string failure;  // why not, in words (with the artifact paths)
  uint64_t operations = 0;
  uint64_t fingerprint = 0;
  uint64_t events = 0;
  uint64_t packets_sent = 0;  // on the simulated network, all nodes
  uint64_t packets_delivered = 0;
  uint64_t messages_delivered = 0;  // what the packets delivered carried
  sim::Time virtual_time{0};
  uint64_t leader_changes = 0;      // sampled every 10 ms of virtual time
  uint64_t faults = 0;              // partitions and crashes injected
  uint64_t crashes_under_load = 0;  // by the crash nemesis, during rounds
  uint64_t snapshots_applied = 0;
  uint64_t regions = 1;           // regions the scheduler knows at the end (lab3b)
  uint64_t conf_changes = 0;      // membership changes applied (lab3b)
  uint64_t leader_transfers = 0;  // asked of the scheduler (lab3b)
  // Lab3c: how long after the stores joined the loads first came within the tolerance (negative:
  // never, or no balance check), and how many timestamps the TSO watcher got.
  sim::Duration balanced_after{-1};
  uint64_t timestamps = 0;
  std::string verdict;        // the checker's verdict name
  std::string timeline_path;  // when written
  std::string history_path;
};

KvScenarioResult RunKvScenario(const std::string& name, uint64_t seed,
                               const KvScenarioOptions& options);

// The linearizability check of a graded KV history (model kv), under a budget of search steps
// rather than wall-clock time, so that a seed's verdict never depends on the machine's speed
// (DESIGN.md §3); a search that would run away ends as kUnknown within seconds.
check::Result<check::CheckResult> CheckKvHistory(const check::History& history);

// A readable first signal, checked before the full linearizability check: every value a get
// returned must have been written to that key by a put called before the get returned (the
// scenario's put values are unique, so the writer is known). Returns the first violation in
// words, or "" when there is none.
std::string CheckReadsHaveWriters(const check::History& history);

}  // namespace tinykv::harness
