// bench_sicheck: throughput and memory of the Elle-style checker (grading/check/si/) on a large,
// valid list-append history.
//
//   bench_sicheck [--txns=N] [--processes=P] [--keep_history] [google-benchmark flags]
//
// The history (default 1,000,000 txns) is generated deterministically from a fixed seed with our
// own splitmix64 and reduction (no <random> distributions): P client processes (default 5) take
// turns at random; an idle one invokes a txn of 4 micro-ops, each an append or a read (half and
// half) of one of 1,000 active keys; a busy one completes its txn, which then takes effect
// atomically (so the history is strictly serializable: every model accepts it). A key is retired
// after 32 appends and replaced by a fresh one, as Elle's generators do, so reads stay short.
// It is written as Jepsen EDN (:invoke / :ok lines with :process and :time) to a temporary file,
// removed at the end unless --keep_history (e.g. to run tinykv-sicheck on it).
//
// Benchmarks:
//   BM_PeakMemory        reads the file and checks it under strong-snapshot-isolation once;
//                        reports the peak resident memory it added, per txn (VmHWM from
//                        /proc/self/status, after resetting it through /proc/self/clear_refs)
//   BM_ParseEdn          reading the file into a TxnHistory (txns/s, MB/s)
//   BM_CheckStrongSI     checking the parsed history, strong-snapshot-isolation (txns/s)
//   BM_CheckSerializable the same for serializable (no realtime edges)
// Single-threaded: one core.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "grading/check/si/check.h"
#include "grading/check/si/history_edn.h"

namespace si = tinykv::check::si;

namespace {

int64_t g_txns = 1000000;
int g_processes = 5;
bool g_keep = false;
std::string g_path;
uint64_t g_file_bytes = 0;

constexpr int kActiveKeys = 1000;
constexpr int kAppendsPerKey = 32;
constexpr int kMopsPerTxn = 4;

struct SplitMix64 {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // In [0, n): the high half of a 64x64-bit product (Lemire's reduction, without the rejection
  // step; the bias is below 2^-50 for these n).
  uint64_t Below(uint64_t n) { return static_cast<uint64_t>((__uint128_t{Next()} * n) >> 64); }
};

void Fail(const std::string& what) {
  std::fprintf(stderr, "bench_sicheck: %s\n", what.c_str());
  std::exit(1);
}

// Writes the history to `path`; returns its size in bytes.
uint64_t GenerateHistory(const std::string& path, int64_t txns, int processes) {
  std::ofstream out(path, std::ios::binary);
  if (!out) Fail("cannot write " + path);
  SplitMix64 rng{20240611};
  struct Op {
    bool append;
    int64_t key;
    int64_t element;  // append
  };
  std::vector<std::vector<Op>> running(processes);  // empty: idle
  std::vector<int64_t> slot_key(kActiveKeys);
  int64_t next_key = 0;
  for (int64_t& k : slot_key) k = next_key++;
  std::vector<std::vector<int64_t>> lists;  // by key
  lists.resize(next_key);
  std::vector<int64_t> appended;  // by key: elements handed out (at invocation)
  appended.resize(next_key);
  std::string line;
  int64_t time = 0;
  int64_t invoked = 0;
  int64_t completed = 0;
  while (completed < txns) {
    const int p = static_cast<int>(rng.Below(processes));
    std::vector<Op>& txn = running[p];
    time += 1 + static_cast<int64_t>(rng.Below(1000));
    line = "{:type ";
    if (txn.empty()) {
      if (invoked == txns) continue;
      ++invoked;
      for (int m = 0; m < kMopsPerTxn; ++m) {
        const int slot = static_cast<int>(rng.Below(kActiveKeys));
        Op op{rng.Below(2) == 0, slot_key[slot], 0};
        if (op.append) {
          op.element = ++appended[op.key];
          if (appended[op.key] == kAppendsPerKey) {  // retire the key
            slot_key[slot] = next_key++;
            lists.emplace_back();
            appended.push_back(0);
          }
        }
        txn.push_back(op);
      }
      line += ":invoke";
    } else {
      line += ":ok";
    }
    line += ", :f :txn, :process " + std::to_string(p) + ", :time " + std::to_string(time) +
            ", :value [";
    const bool complete = line.find(":ok") != std::string::npos;
    for (size_t i = 0; i < txn.size(); ++i) {
      const Op& op = txn[i];
      if (i > 0) line += ' ';
      if (op.append) {
        line += "[:append " + std::to_string(op.key) + " " + std::to_string(op.element) + "]";
        if (complete) lists[op.key].push_back(op.element);
        continue;
      }
      line += "[:r " + std::to_string(op.key);
      if (!complete) {
        line += " nil]";
        continue;
      }
      line += " [";
      for (size_t j = 0; j < lists[op.key].size(); ++j) {
        if (j > 0) line += ' ';
        line += std::to_string(lists[op.key][j]);
      }
      line += "]]";
    }
    line += "]}\n";
    out << line;
    if (complete) {
      ++completed;
      txn.clear();
    }
  }
  out.close();
  if (!out) Fail("cannot write " + path);
  return std::filesystem::file_size(path);
}

si::TxnHistory ReadHistory() {
  auto h = si::ReadTxnHistoryFile(g_path);
  if (!h.ok()) Fail(h.status().message());
  return std::move(*h);
}

si::CheckResult CheckOrDie(const si::TxnHistory& h, si::Consistency model) {
  si::CheckOptions options;
  options.models = {model};
  auto r = si::CheckHistory(h, options);
  if (!r.ok()) Fail(r.status().message());
  if (r->VerdictFor(model) != si::Verdict::kValid)
    Fail("generated history not valid:\n" + r->Summary(model).substr(0, 2000));
  return std::move(*r);
}

// A line "Name:   123 kB" of /proc/self/status, in bytes; nullopt when absent.
std::optional<int64_t> StatusBytes(const char* name) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(name);
  while (std::getline(in, line)) {
    if (line.compare(0, n, name) == 0 && line.size() > n && line[n] == ':') {
      return std::strtoll(line.c_str() + n + 1, nullptr, 10) * 1024;
    }
  }
  return std::nullopt;
}

void BM_PeakMemory(benchmark::State& state) {
  for (auto _ : state) {
    // Reset the high-water mark to the current resident size (Linux >= 4.0), so VmHWM afterwards
    // is the peak of this read-and-check alone.
    {
      std::ofstream clear("/proc/self/clear_refs");
      clear << "5";
    }
    const int64_t before = StatusBytes("VmRSS").value_or(0);
    const int64_t hwm_before = StatusBytes("VmHWM").value_or(0);
    {
      si::TxnHistory h = ReadHistory();
      si::CheckResult r = CheckOrDie(h, si::Consistency::kStrongSnapshotIsolation);
      benchmark::DoNotOptimize(r);
    }
    const int64_t peak = StatusBytes("VmHWM").value_or(0);
    state.counters["hwm_reset"] = hwm_before <= before + (1 << 20) ? 1 : 0;
    state.counters["rss_before_MiB"] = static_cast<double>(before) / (1 << 20);
    state.counters["peak_added_MiB"] = static_cast<double>(peak - before) / (1 << 20);
    state.counters["peak_bytes_per_txn"] = static_cast<double>(peak - before) / g_txns;
  }
}

void BM_ParseEdn(benchmark::State& state) {
  for (auto _ : state) {
    si::TxnHistory h = ReadHistory();
    benchmark::DoNotOptimize(h);
  }
  state.SetItemsProcessed(state.iterations() * g_txns);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(g_file_bytes));
}

const si::TxnHistory& Parsed() {
  static const si::TxnHistory h = ReadHistory();
  return h;
}

void BM_Check(benchmark::State& state, si::Consistency model) {
  const si::TxnHistory& h = Parsed();
  for (auto _ : state) {
    si::CheckResult r = CheckOrDie(h, model);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * g_txns);
}

void BM_CheckStrongSI(benchmark::State& state) {
  BM_Check(state, si::Consistency::kStrongSnapshotIsolation);
}
void BM_CheckSerializable(benchmark::State& state) {
  BM_Check(state, si::Consistency::kSerializable);
}

BENCHMARK(BM_PeakMemory)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ParseEdn)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_CheckStrongSI)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_CheckSerializable)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--txns=", 7) == 0) {
      g_txns = std::max<int64_t>(1, std::atoll(argv[i] + 7));
    } else if (std::strncmp(argv[i], "--processes=", 12) == 0) {
      g_processes = std::max(1, std::atoi(argv[i] + 12));
    } else if (std::strcmp(argv[i], "--keep_history") == 0) {
      g_keep = true;
    } else {
      rest.push_back(argv[i]);
    }
  }
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(rest_argc, rest.data())) return 64;
  g_path = (std::filesystem::temp_directory_path() /
            ("bench_sicheck_" + std::to_string(g_txns) + ".edn"))
               .string();
  g_file_bytes = GenerateHistory(g_path, g_txns, g_processes);
  benchmark::AddCustomContext("history", g_path + ": " + std::to_string(g_txns) + " txns, " +
                                             std::to_string(g_processes) + " processes, " +
                                             std::to_string(g_file_bytes >> 20) + " MiB");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (!g_keep) std::filesystem::remove(g_path);
  return 0;
}
