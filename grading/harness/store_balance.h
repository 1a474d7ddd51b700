// How evenly a multi-region cluster spreads its data and leaders over its stores (lab3c), as the
// stores themselves hold them — not as the scheduler believes — so a scheduler that balances a
// wrong picture of the cluster fails too.
//
// What is compared is what the schedulers even out: balance-region (TinyKV's rule) moves region
// *data* — it compares the stores' region sizes — and balance-leader moves leader *counts*.
// Region counts are reported but not held to the tolerance: regions differ in size (a split
// leaves parts of 100–300 bytes, deletes shrink them), so a store of many small regions holds no
// more data than one of a few large ones, and a correct scheduler leaves the counts uneven.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "grading/harness/cluster.h"

namespace tinykv::harness {

// One store in service: how many regions it holds a member peer of (an initialized peer whose
// region lists the store), how many of those it leads, and the bytes of user keys and values
// its kv engine holds.
struct StoreLoad {
  sim::NodeId store = 0;
  size_t regions = 0;
  size_t leaders = 0;
  uint64_t bytes = 0;
};

// Every store in service (Cluster::serving_store_ids), in id order; one that is down or still
// starting counts as holding nothing.
std::vector<StoreLoad> MeasureStoreLoads(Cluster& cluster);

// "" when every store's data bytes and leader count lie within `tolerance` (0.2: ±20 %) of the
// means over `loads`; else the first store outside, in words, with the bounds.
std::string Imbalance(const std::vector<StoreLoad>& loads, double tolerance);

// The membership changes the cluster's regions have applied, summed over regions: each region's
// conf_ver at the newest epoch any store in service holds of it. Two readings apart show how
// many peers were added or removed in between (a region move is two).
uint64_t MembershipChanges(Cluster& cluster);

// "store 1: 2310 bytes in 12 regions, 4 leaders; store 2: …" — the whole picture.
std::string LoadsText(const std::vector<StoreLoad>& loads);

}  // namespace tinykv::harness
