// Network nemeses of the KV scenarios: each runs on a fiber of the cluster's executor until
// `stop` is set, draws every choice from `rng` (a stream of the run's seed), and leaves the
// network as it found it when it returns.
#pragma once

#include <cstdint>
#include <vector>

#include "grading/harness/cluster.h"
#include "sim/random.h"

namespace tinykv::harness {

// Random two-way partitions of the stores, each lasting 0.2–1 s, with up to 0.5 s of calm between.
// Each of `clients` is placed, with probability 1/2, on a random side: a client cut off with a
// minority keeps talking to it (an old leader there must never answer); the others reach every
// store.
void RunPartitionNemesis(Cluster& cluster, sim::Rng& rng, const std::vector<int64_t>& clients,
                         const bool& stop);

// Makes one store need a snapshot: after up to 0.2 s, isolates a random live store and keeps it
// cut off until the leader has compacted its log past the isolated store's last entry, then lets
// it rejoin — it can catch up only by a snapshot. Once per call. If the round ends (`stop`) first,
// `writer` puts unique values under the key "laggard" until the log is compacted that far, or
// for at most 10 s of virtual time.
void RunLaggardNemesis(Cluster& cluster, sim::Rng& rng, KvClient& writer, const bool& stop);

// Membership churn (lab3b; TinyKV's confchanger): every 0–200 ms, picks a random region the
// scheduler knows and a random store; removes the region's peer there (unless it is the last
// one) or adds one there (a fresh peer id from the scheduler), and waits — up to 5 s of virtual
// time — until the scheduler shows the change done; *done counts the changes that were. REQUIRES
// a cluster with a scheduler.
void RunConfChangeNemesis(Cluster& cluster, sim::Rng& rng, const bool& stop, uint64_t* done);

// Leader-transfer storm (lab3b): every 0–100 ms, asks the scheduler to move the leadership of a
// random region to a random one of its peers, without waiting — unless the region has an
// operator under way (a membership change), which it leaves alone. REQUIRES a scheduler.
void RunTransferLeaderNemesis(Cluster& cluster, sim::Rng& rng, const bool& stop);

}  // namespace tinykv::harness
