#include "store/raftstore/slow_sync_engine.h"

#include "sim/executor.h"

namespace tinykv::raftstore {

store::Status SlowSyncEngine::Write(const store::WriteOptions& options,
                                    const store::WriteBatch& batch) {
  if (!options.sync || latency_.max <= sim::Duration::zero()) return inner_->Write(options, batch);
  store::Status s = inner_->Write(store::WriteOptions{}, batch);
  if (!s.ok()) return s;
  const auto lo = static_cast<uint64_t>(latency_.min.count());
  const auto hi = static_cast<uint64_t>(latency_.max.count());
  sim::Sleep(sim::Duration(static_cast<sim::Duration::rep>(rng_->UniformInt(lo, hi))));
  return inner_->Write(store::WriteOptions{.sync = true}, store::WriteBatch{});
}

}  // namespace tinykv::raftstore
