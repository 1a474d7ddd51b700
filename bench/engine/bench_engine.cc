// Engine throughput benchmarks (single thread): put, batched put, get, scan, synced put, for
// MemEngine and RocksEngine. Keys are 16 bytes, values 100 bytes; reads run on 100k preloaded
// keys. Keys are visited in a scrambled (but fixed) order so neither engine sees a sorted load.
//
// MemEngine writes use sync=true: a sync costs MemEngine nothing and keeps the un-synced batch
// list (kept for the crash model) from growing without bound during millions of iterations.
// RocksEngine writes are un-synced except in BM_SyncedPut (one WAL fsync per write).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>

#include "store/engine/mem_engine.h"
#include "store/engine/rocks_engine.h"
#include "store/engine/temp_dir.h"

namespace tinykv::store {
namespace {

constexpr int kPreloaded = 100000;
constexpr size_t kValueSize = 100;

enum Kind { kMem = 0, kRocks = 1 };

// An engine plus whatever it lives in; the engine dies before its directory.
struct Bed {
  std::unique_ptr<TempDir> dir;
  std::unique_ptr<Engine> engine;
  bool mem = false;
};

Bed MakeBed(Kind kind) {
  Bed bed;
  if (kind == kMem) {
    bed.engine = MemEngine::OpenFresh();
    bed.mem = true;
    return bed;
  }
  bed.dir = std::make_unique<TempDir>("tinykv-bench-");
  std::unique_ptr<RocksEngine> rocks;
  Status s = RocksEngine::Open(bed.dir->Sub("db"), RocksEngineOptions(), &rocks);
  if (!s.ok()) {
    std::fprintf(stderr, "bench_engine: %s\n", s.ToString().c_str());
    std::abort();
  }
  bed.engine = std::move(rocks);
  return bed;
}

// Key number i, scrambled by a fixed odd multiplier so consecutive i are far apart.
std::string Key(uint64_t i) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx",
                static_cast<unsigned long long>(i * 0x9e3779b97f4a7c15ULL));
  return std::string(buf, 16);
}

void Preload(Bed& bed) {
  std::string value(kValueSize, 'v');
  for (int base = 0; base < kPreloaded; base += 1000) {
    WriteBatch b;
    for (int i = base; i < base + 1000; ++i) b.Put(Cf::kDefault, Key(i), value);
    if (!bed.engine->Write(WriteOptions{.sync = bed.mem}, b).ok()) std::abort();
  }
}

void BM_Put(benchmark::State& state) {
  Bed bed = MakeBed(static_cast<Kind>(state.range(0)));
  std::string value(kValueSize, 'v');
  uint64_t i = 0;
  for (auto _ : state) {
    WriteBatch b;
    b.Put(Cf::kDefault, Key(i++), value);
    if (!bed.engine->Write(WriteOptions{.sync = bed.mem}, b).ok()) state.SkipWithError("write");
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_BatchedPut(benchmark::State& state) {
  Bed bed = MakeBed(static_cast<Kind>(state.range(0)));
  const int batch_size = static_cast<int>(state.range(1));
  std::string value(kValueSize, 'v');
  uint64_t i = 0;
  for (auto _ : state) {
    WriteBatch b;
    for (int j = 0; j < batch_size; ++j) b.Put(Cf::kDefault, Key(i++), value);
    if (!bed.engine->Write(WriteOptions{.sync = bed.mem}, b).ok()) state.SkipWithError("write");
  }
  state.SetItemsProcessed(state.iterations() * batch_size);
}

void BM_SyncedPut(benchmark::State& state) {
  Bed bed = MakeBed(static_cast<Kind>(state.range(0)));
  std::string value(kValueSize, 'v');
  uint64_t i = 0;
  for (auto _ : state) {
    if (!bed.engine->Put(Cf::kDefault, Key(i++), value, /*sync=*/true).ok()) {
      state.SkipWithError("write");
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Get(benchmark::State& state) {
  Bed bed = MakeBed(static_cast<Kind>(state.range(0)));
  Preload(bed);
  std::string value;
  uint64_t i = 0;
  for (auto _ : state) {
    // 7919 is prime and coprime to kPreloaded: a fixed walk over every key.
    if (!bed.engine->Get(Cf::kDefault, Key((i += 7919) % kPreloaded), &value).ok()) {
      state.SkipWithError("get");
    }
    benchmark::DoNotOptimize(value);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Scan(benchmark::State& state) {
  Bed bed = MakeBed(static_cast<Kind>(state.range(0)));
  Preload(bed);
  const int64_t length = state.range(1);
  uint64_t i = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    auto it = bed.engine->NewIterator(Cf::kDefault);
    int64_t n = 0;
    for (it->Seek(Key((i += 7919) % kPreloaded)); it->Valid() && n < length; it->Next(), ++n) {
      bytes += it->key().size() + it->value().size();
    }
  }
  benchmark::DoNotOptimize(bytes);
  state.SetItemsProcessed(state.iterations() * length);
}

void EngineArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"rocks"})->Arg(kMem)->Arg(kRocks);
}

BENCHMARK(BM_Put)->Apply(EngineArgs);
BENCHMARK(BM_BatchedPut)->ArgNames({"rocks", "batch"})->Args({kMem, 100})->Args({kRocks, 100});
BENCHMARK(BM_SyncedPut)->Apply(EngineArgs);
BENCHMARK(BM_Get)->Apply(EngineArgs);
BENCHMARK(BM_Scan)->ArgNames({"rocks", "len"})->Args({kMem, 100})->Args({kRocks, 100});

}  // namespace
}  // namespace tinykv::store

BENCHMARK_MAIN();
