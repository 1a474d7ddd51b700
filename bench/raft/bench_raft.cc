// bench_raft: Raft core throughput — entries committed per second in a 3-node in-process group
// (RawNode + MemoryStorage, full Ready cycles, no I/O), for proposal batch sizes 1 and 64, and
// heap allocations per committed entry (global operator new is counted).
//
// Time is the process's CPU time (CLOCK_PROCESS_CPUTIME_ID), not wall time: the machine is
// shared with other builds, and the benchmark is single-threaded, so CPU time is what the code
// costs. Each configuration runs `reps` times; the median is reported.
//
// Usage: bench_raft [entries_at_batch_1 (default 200000)] [reps (default 5)] [1|64 (one batch
//        size only, for profiling)]. Batch 64 runs 5x as many entries.
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "raft/memory_storage.h"
#include "raft/raw_node.h"
#include "raft/testing/network.h"

namespace {
uint64_t g_allocs = 0;
}  // namespace

void* operator new(std::size_t n) {
  ++g_allocs;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

using tinykv::raft::MemoryStorage;
using tinykv::raft::RawNode;

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Three nodes with ids 1..3, indexed by id (slot 0 unused), and the messages in flight.
class Group {
 public:
  static constexpr uint64_t kNodes = 3;

  Group() {
    for (uint64_t id = 1; id <= kNodes; ++id) {
      storage_[id] = std::make_unique<MemoryStorage>();
      auto c = tinykv::raft::testing::TestConfig(id, {1, 2, 3}, 10, 1, storage_[id].get(), 1);
      node_[id] = std::move(RawNode::Create(c)).value();
    }
  }

  RawNode& node(uint64_t id) { return *node_[id]; }
  uint64_t committed_entries() const { return committed_entries_; }

  // Runs Ready cycles on every node and delivers every message until the group is quiet.
  void Stabilize() {
    for (;;) {
      bool busy = false;
      for (uint64_t id = 1; id <= kNodes; ++id) busy |= HandleReady(id);
      if (wire_.empty() && !busy) return;
      // Deliver what was sent in this pass; replies go to the next pass.
      delivering_.swap(wire_);
      for (eraftpb::Message& m : delivering_) (void)node_[m.to()]->Step(std::move(m));
      delivering_.clear();
    }
  }

 private:
  // One full Ready cycle of node `id`: persist → send → apply → Advance. False if idle.
  bool HandleReady(uint64_t id) {
    RawNode& n = *node_[id];
    if (!n.HasReady()) return false;
    tinykv::raft::Ready rd = n.GetReady();
    MemoryStorage& s = *storage_[id];
    // 1. Persist: the entries move into the storage (Advance does not need them).
    if (rd.snapshot) (void)s.ApplySnapshot(*rd.snapshot);
    if (!rd.entries.empty()) (void)s.Append(std::move(rd.entries));
    if (rd.hard_state) s.SetHardState(*rd.hard_state);
    // 2. Send.
    for (eraftpb::Message& m : rd.messages) wire_.push_back(std::move(m));
    // 3. Apply (the state machine only records how far it got).
    if (!rd.committed_entries.empty()) {
      applied_[id] = rd.committed_entries.back().index();
      if (id == 1) committed_entries_ += rd.committed_entries.size();
    }
    n.Advance(rd);
    // The application compacts its log now and then.
    if (applied_[id] > *s.FirstIndex() + 4096) (void)s.Compact(applied_[id] - 1024);
    return true;
  }

  std::array<std::unique_ptr<MemoryStorage>, kNodes + 1> storage_;
  std::array<std::unique_ptr<RawNode>, kNodes + 1> node_;
  std::array<uint64_t, kNodes + 1> applied_{};
  std::vector<eraftpb::Message> wire_;        // sent, not yet delivered
  std::vector<eraftpb::Message> delivering_;  // being delivered (reused buffer)
  uint64_t committed_entries_ = 0;            // applied on node 1
};

struct Sample {
  double entries_per_sec;
  double allocs_per_entry;
};

Sample Run(int batch, uint64_t total) {
  Group g;
  (void)g.node(1).Campaign();
  g.Stabilize();
  const std::string payload(64, 'x');
  const uint64_t start_committed = g.committed_entries();
  const uint64_t allocs0 = g_allocs;
  const double t0 = CpuSeconds();
  uint64_t proposed = 0;
  while (proposed < total) {
    // One proposal message carrying `batch` entries (what a batching application does).
    eraftpb::Message prop;
    prop.set_msg_type(eraftpb::MsgPropose);
    prop.set_from(1);
    prop.set_to(1);
    prop.mutable_entries()->Reserve(batch);
    for (int i = 0; i < batch; ++i) prop.add_entries()->set_data(payload);
    (void)g.node(1).Step(std::move(prop));
    proposed += batch;
    g.Stabilize();
  }
  const double secs = CpuSeconds() - t0;
  const uint64_t done = g.committed_entries() - start_committed;
  if (done != proposed) {
    std::fprintf(stderr, "batch %d: %llu entries committed, %llu proposed\n", batch,
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(proposed));
    std::exit(1);
  }
  const Sample s{static_cast<double>(done) / secs,
                 static_cast<double>(g_allocs - allocs0) / static_cast<double>(done)};
  std::printf("batch %3d: %9llu entries in %.3f s CPU = %10.0f entries/s, %.1f allocs/entry\n",
              batch, static_cast<unsigned long long>(done), secs, s.entries_per_sec,
              s.allocs_per_entry);
  return s;
}

void RunMedian(int batch, uint64_t total, int reps) {
  std::vector<Sample> samples;
  for (int i = 0; i < reps; ++i) samples.push_back(Run(batch, total));
  std::sort(samples.begin(), samples.end(),
            [](const Sample& a, const Sample& b) { return a.entries_per_sec < b.entries_per_sec; });
  const Sample& m = samples[samples.size() / 2];
  std::printf("batch %3d median of %d: %10.0f entries/s, %.1f allocs/entry\n", batch, reps,
              m.entries_per_sec, m.allocs_per_entry);
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t total = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200000;
  const int reps = argc > 2 ? std::atoi(argv[2]) : 5;
  if (total == 0 || reps <= 0) {
    std::fprintf(stderr, "usage: bench_raft [entries_at_batch_1 > 0] [reps > 0]\n");
    return 2;
  }
  // A third argument runs one batch size only (for profiling).
  const int only = argc > 3 ? std::atoi(argv[3]) : 0;
  if (only == 0 || only == 1) RunMedian(1, total, reps);
  if (only == 0 || only == 64) RunMedian(64, total * 5, reps);
  return 0;
}
