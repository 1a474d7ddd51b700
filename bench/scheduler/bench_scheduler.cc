// Scheduler benchmarks (single thread, issue 14's budgets): timestamps handed out in batches of
// 100 by the core and through the node's request path (budget ≥ 1,000,000 timestamps / s), and
// region heartbeats processed with 100,000 regions of 3 peers on 10 stores in the tree (budget ≥
// 200,000 / s) — both a heartbeat that changes nothing (the common case, skipped after the checks)
// and one whose approximate size changed (put into the tree and every index).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "scheduler/cluster_info.h"
#include "scheduler/meta_store.h"
#include "scheduler/region_heartbeat.h"
#include "scheduler/rpc_dispatch.h"
#include "scheduler/service.h"
#include "scheduler/tso.h"
#include "sim/rpc_frame.h"

namespace tinykv::scheduler {
namespace {

constexpr int kRegions = 100'000;
constexpr int kStores = 10;

void BM_TsoBatchesOf100(benchmark::State& state) {
  MemMetaStore store;
  Tso tso(&store);
  if (!tso.Start(0).ok()) std::abort();
  int64_t now = 0;
  uint64_t n = 0;
  uint64_t last = 0;
  for (auto _ : state) {
    if (++n % 1000 == 0) ++now;  // the clock moves on one millisecond per 100,000 timestamps
    if (!tso.Next(100, now, &last).ok()) std::abort();
    benchmark::DoNotOptimize(last);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 100);
}
BENCHMARK(BM_TsoBatchesOf100);

// The same through the node's request path: a framed TsoRequest decoded, dispatched, answered
// and the answer serialized (everything but the network).
void BM_TsoRpcBatchesOf100(benchmark::State& state) {
  MemMetaStore store;
  SchedulerService service(&store);
  if (!service.Start(Time(0)).ok()) std::abort();
  schedulerpb::TsoRequest req;
  req.set_count(100);
  const std::string payload = sim::EncodeRpcFrame("Tso", req.SerializeAsString());
  int64_t n = 0;
  for (auto _ : state) {
    const std::string reply =
        HandleSchedulerRpc(service, payload, std::chrono::milliseconds(++n / 1000));
    benchmark::DoNotOptimize(reply.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 100);
}
BENCHMARK(BM_TsoRpcBatchesOf100);

// Region i: [key(i), key(i+1)), peers on stores i, i+1, i+2 (mod 10), led by the first.
std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "k%08d", i);
  return buf;
}

std::vector<RegionInfo> MakeRegions() {
  std::vector<RegionInfo> regions(kRegions);
  for (int i = 0; i < kRegions; ++i) {
    RegionInfo& r = regions[i];
    r.meta.set_id(static_cast<uint64_t>(i) + 1);
    r.meta.set_start_key(i == 0 ? "" : Key(i));
    r.meta.set_end_key(i + 1 == kRegions ? "" : Key(i + 1));
    r.meta.mutable_region_epoch()->set_version(5);
    r.meta.mutable_region_epoch()->set_conf_ver(5);
    for (int j = 0; j < 3; ++j) {
      metapb::Peer* p = r.meta.add_peers();
      p->set_id(static_cast<uint64_t>(i) * 3 + j + 1);
      p->set_store_id(static_cast<uint64_t>((i + j) % kStores) + 1);
    }
    r.leader = r.meta.peers(0);
    r.approximate_size = 96;
  }
  return regions;
}

ClusterInfo Loaded(const std::vector<RegionInfo>& regions) {
  ClusterInfo c;
  for (int s = 1; s <= kStores; ++s) {
    metapb::Store store;
    store.set_id(static_cast<uint64_t>(s));
    c.PutStore(store);
  }
  for (const RegionInfo& r : regions) {
    if (!ProcessRegionHeartbeat(c, r).ok()) std::abort();
  }
  return c;
}

// Arg 0: a report that changes nothing; arg 1: one whose approximate size grew.
void BM_RegionHeartbeat(benchmark::State& state) {
  const bool change_size = state.range(0) != 0;
  std::vector<RegionInfo> regions = MakeRegions();
  ClusterInfo c = Loaded(regions);
  size_t i = 0;
  for (auto _ : state) {
    // A fixed stride visits the tree in a scattered order.
    i = (i + 7919) % regions.size();
    if (change_size) ++regions[i].approximate_size;
    if (!ProcessRegionHeartbeat(c, regions[i]).ok()) std::abort();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetLabel(change_size ? "size changed" : "unchanged");
}
BENCHMARK(BM_RegionHeartbeat)->Arg(0)->Arg(1);

}  // namespace
}  // namespace tinykv::scheduler

BENCHMARK_MAIN();
