// End-of-scenario checks of a multi-region cluster (lab3b), run once the cluster is healed and
// every store is up. Each waits (virtual time, up to `budget`) for the cluster to settle — a
// removed peer learns of its removal from its old group, a lagging peer applies the last change —
// and returns the failure in words, or "".
#pragma once

#include <string>

#include "grading/harness/cluster.h"
#include "sim/time.h"

namespace tinykv::harness {

// Only the stores in service count (Cluster::serving_store_ids: joined, not retired). For every
// region, the newest state any of them holds of it (highest epoch) is the region; then:
//  - agreement: every store the region lists holds a peer of it with that range and epoch;
//  - coverage: the regions tile the key space — from "" to the end, no gap, no overlap;
//  - removal: a store the region does not list holds no live peer of it any more (a removed
//    peer destroys itself), nor any of its data;
//  - re-replication: no region lists a retired store (Cluster::Retire);
//  - replicas: with `replicas` > 0, every region lists exactly that many peers (a real
//    scheduler's max-replicas).
std::string CheckRegionsSettle(Cluster& cluster, sim::Duration budget, int replicas = 0);

}  // namespace tinykv::harness
