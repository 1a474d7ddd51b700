// Transactions through the handlers of txn/commands.h, single thread, outside the simulator (no
// latch is ever contended, so no fiber is needed):
//   - a single-key transaction: KvPrewrite then KvCommit of a fresh key (budget ≥ 100,000 / s);
//   - KvScan over keys with several committed versions each, counting every version the scan
//     steps over (budget ≥ 1,000,000 versions examined / s);
// each on a MemEngine and on a RocksEngine in a temporary directory (writes not synced, as the
// standalone storage writes them).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "proto/kvrpcpb.pb.h"
#include "store/engine/mem_engine.h"
#include "store/engine/rocks_engine.h"
#include "store/engine/temp_dir.h"
#include "store/storage/standalone_storage.h"
#include "txn/commands.h"
#include "txn/latches.h"

namespace tinykv::txn {
namespace {

// A started standalone storage over the engine `state.range(0)` names: 0 MemEngine, 1 RocksEngine.
class Bed {
 public:
  explicit Bed(bool rocks) {
    if (rocks) {
      dir_ = std::make_unique<store::TempDir>("tinykv-bench-txn-");
      std::unique_ptr<store::RocksEngine> e;
      Check(store::RocksEngine::Open(dir_->path(), store::RocksEngineOptions{}, &e));
      engine_ = std::move(e);
    } else {
      std::unique_ptr<store::MemEngine> e;
      Check(store::MemEngine::Open(std::make_shared<store::MemDisk>(), &e));
      engine_ = std::move(e);
    }
    storage_ = std::make_unique<store::StandaloneStorage>(engine_.get());
    Check(storage_->Start());
    env_ = std::make_unique<CommandEnv>(CommandEnv{*storage_, latches_});
  }
  CommandEnv& env() { return *env_; }

  static void Check(const store::Status& s) {
    if (!s.ok()) {
      std::fprintf(stderr, "bench_txn: %s\n", s.ToString().c_str());
      std::exit(1);
    }
  }

 private:
  std::unique_ptr<store::TempDir> dir_;
  std::unique_ptr<store::Engine> engine_;
  std::unique_ptr<store::StandaloneStorage> storage_;
  Latches latches_;
  std::unique_ptr<CommandEnv> env_;  // made once the storage exists
};

std::string Key(uint64_t i) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "key%012llu", static_cast<unsigned long long>(i));
  return buf;
}

// Prewrites and commits key `key` with `value` as the transaction (start_ts, commit_ts).
void PutTxn(CommandEnv& env, const std::string& key, const std::string& value, uint64_t start_ts,
            uint64_t commit_ts) {
  kvrpcpb::PrewriteRequest pw;
  kvrpcpb::Mutation* m = pw.add_mutations();
  m->set_op(kvrpcpb::Put);
  m->set_key(key);
  m->set_value(value);
  pw.set_primary_lock(key);
  pw.set_start_version(start_ts);
  pw.set_lock_ttl(3000);
  if (const auto r = KvPrewrite(env, pw); r.errors_size() > 0 || r.has_region_error()) {
    std::fprintf(stderr, "bench_txn: prewrite failed: %s\n", r.ShortDebugString().c_str());
    std::exit(1);
  }
  kvrpcpb::CommitRequest c;
  c.add_keys(key);
  c.set_start_version(start_ts);
  c.set_commit_version(commit_ts);
  if (const auto r = KvCommit(env, c); r.has_error() || r.has_region_error()) {
    std::fprintf(stderr, "bench_txn: commit failed: %s\n", r.ShortDebugString().c_str());
    std::exit(1);
  }
}

void BM_SingleKeyPrewriteCommit(benchmark::State& state) {
  Bed bed(state.range(0) == 1);
  const std::string value(64, 'v');
  uint64_t ts = 1;
  uint64_t i = 0;
  for (auto _ : state) {
    PutTxn(bed.env(), Key(i++), value, ts, ts + 1);
    ts += 2;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetLabel(state.range(0) == 1 ? "RocksEngine" : "MemEngine");
}
BENCHMARK(BM_SingleKeyPrewriteCommit)->Arg(0)->Arg(1);

constexpr uint64_t kScanKeys = 1000;
constexpr uint64_t kVersions = 4;

void BM_ScanVersions(benchmark::State& state) {
  Bed bed(state.range(0) == 1);
  uint64_t ts = 1;
  for (uint64_t v = 0; v < kVersions; ++v) {
    for (uint64_t k = 0; k < kScanKeys; ++k)
      PutTxn(bed.env(), Key(k), "v" + std::to_string(v), ts, ts + 1);
    ts += 2;
  }
  kvrpcpb::ScanRequest req;
  req.set_start_key(Key(0));
  req.set_limit(static_cast<uint32_t>(kScanKeys));
  req.set_version(ts);
  for (auto _ : state) {
    const kvrpcpb::ScanResponse r = KvScan(bed.env(), req);
    if (r.pairs_size() != static_cast<int>(kScanKeys)) {
      state.SkipWithError("scan returned the wrong number of pairs");
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  // Every key's newest version is read and the older ones stepped over.
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kScanKeys * kVersions));
  state.SetLabel(state.range(0) == 1 ? "RocksEngine" : "MemEngine");
}
BENCHMARK(BM_ScanVersions)->Arg(0)->Arg(1);

}  // namespace
}  // namespace tinykv::txn

BENCHMARK_MAIN();
