// SlowSyncEngine: an Engine decorator that makes every synced write take virtual time, so that a
// crash can land while a store waits for its disk — between persisting a Ready and sending its
// messages, in the middle of a snapshot apply, right after a log GC.
//
// A synced Write is split the way a real disk does it: the batch is written un-synced (readers
// see it at once, as with the OS page cache), then the store's fiber sleeps for the sync's
// latency, then an empty synced batch makes it durable (MemEngine: "an empty synced batch just
// syncs"). A crash during the sleep finds the batch un-synced, and the disk's crash model may drop
// it; the caller never returns from Write, so nothing it would have done next (send the messages,
// answer the client) happens. Un-synced writes cost no virtual time.
//
// Latencies are drawn from the store's own seeded stream (DESIGN.md §3). Call only on fibers of
// the simulation; the wrapped engine must outlive the decorator.
#pragma once

#include <memory>

#include "sim/random.h"
#include "sim/time.h"
#include "store/engine/engine.h"

namespace tinykv::raftstore {

struct SyncLatency {
  sim::Duration min{0};
  sim::Duration max{0};  // zero: syncs are instantaneous and the decorator is a pass-through
};

class SlowSyncEngine final : public store::Engine {
 public:
  // `rng` is not owned and must outlive the decorator.
  SlowSyncEngine(store::Engine* inner, SyncLatency latency, sim::Rng* rng)
      : inner_(inner), latency_(latency), rng_(rng) {}

  store::Status Get(store::Cf cf, std::string_view key, std::string* value) override {
    return inner_->Get(cf, key, value);
  }
  store::Status Write(const store::WriteOptions& options, const store::WriteBatch& batch) override;
  std::unique_ptr<store::Snapshot> GetSnapshot() override { return inner_->GetSnapshot(); }
  std::unique_ptr<store::Iterator> NewIterator(store::Cf cf) override {
    return inner_->NewIterator(cf);
  }

 private:
  store::Engine* inner_;
  SyncLatency latency_;
  sim::Rng* rng_;
};

}  // namespace tinykv::raftstore
