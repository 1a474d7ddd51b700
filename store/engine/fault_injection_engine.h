// FaultInjectionEngine: a test decorator that wraps any Engine and makes its writes slow or
// failing, so tests (and the simulator) can exercise a store on a bad disk without a single
// `if (testing)` branch in product code (DESIGN.md §2).
//
//  * Write latency: an injected callback runs before every write. It never sleeps on the wall
//    clock itself; the simulator passes a function that sleeps in virtual time (the calling fiber
//    blocks, other fibers run), tests pass a function that records or advances a fake clock.
//  * Sync latency: set_sync_delay splits every synced write the way a disk does it — the batch is
//    written without sync (readers see it at once, as with the OS page cache), then the callback
//    runs (the simulator sleeps for the sync's latency), then an empty synced batch makes it
//    durable (MemEngine: "an empty synced batch just syncs"). A crash during the callback finds
//    the batch un-synced, and the disk's crash model may drop it; the writer never returns, so
//    nothing it would have done next (send messages, answer a client) happens.
//  * Write errors: FailNextWrites(n, status) makes the next n writes fail with `status` without
//    touching the wrapped engine (a failed write applies nothing, as the Engine contract says).
//    A callback can decide per write instead (e.g. from the run's seeded generator).
//
// Reads go straight to the wrapped engine. The wrapped engine is not owned and must outlive the
// decorator. Same thread rules as the wrapped engine.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>

#include "store/engine/engine.h"

namespace tinykv::store {

class FaultInjectionEngine final : public Engine {
 public:
  // Runs before a write reaches the wrapped engine (and before error injection is decided).
  using DelayFn = std::function<void(const WriteBatch& batch, const WriteOptions& options)>;
  // Returns non-OK to fail this write with that status.
  using ErrorFn = std::function<Status(const WriteBatch& batch, const WriteOptions& options)>;

  // REQUIRES: base != nullptr and outlives this object.
  explicit FaultInjectionEngine(Engine* base) : base_(base) {}

  void set_write_delay(DelayFn delay) { delay_ = std::move(delay); }
  // Runs between applying a synced write and making it durable (see the file comment).
  void set_sync_delay(std::function<void()> delay) { sync_delay_ = std::move(delay); }
  void set_write_error(ErrorFn error) { error_ = std::move(error); }
  // The next `count` writes fail with `status` (checked before the ErrorFn).
  // REQUIRES: !status.ok().
  void FailNextWrites(size_t count, Status status);

  // Writes that reached the wrapped engine / that were failed by injection.
  size_t writes_passed() const { return writes_passed_; }
  size_t writes_failed() const { return writes_failed_; }

  Status Get(Cf cf, std::string_view key, std::string* value) override {
    return base_->Get(cf, key, value);
  }
  Status Write(const WriteOptions& options, const WriteBatch& batch) override;
  std::unique_ptr<Snapshot> GetSnapshot() override { return base_->GetSnapshot(); }
  std::unique_ptr<Iterator> NewIterator(Cf cf) override { return base_->NewIterator(cf); }

 private:
  Engine* base_;
  DelayFn delay_;
  std::function<void()> sync_delay_;
  ErrorFn error_;
  size_t fail_next_ = 0;
  Status fail_status_;
  size_t writes_passed_ = 0;
  size_t writes_failed_ = 0;
};

}  // namespace tinykv::store
