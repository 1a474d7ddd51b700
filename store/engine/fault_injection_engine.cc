#include "store/engine/fault_injection_engine.h"

#include <utility>

namespace tinykv::store {

void FaultInjectionEngine::FailNextWrites(size_t count, Status status) {
  fail_next_ = count;
  fail_status_ = std::move(status);
}

Status FaultInjectionEngine::Write(const WriteOptions& options, const WriteBatch& batch) {
  if (delay_) delay_(batch, options);
  Status injected;
  if (fail_next_ > 0) {
    --fail_next_;
    injected = fail_status_;
  } else if (error_) {
    injected = error_(batch, options);
  }
  if (!injected.ok()) {
    ++writes_failed_;
    return injected;
  }
  ++writes_passed_;
  if (!options.sync || !sync_delay_) return base_->Write(options, batch);
  if (Status s = base_->Write(WriteOptions{}, batch); !s.ok()) return s;
  sync_delay_();
  return base_->Write(WriteOptions{.sync = true}, WriteBatch{});
}

}  // namespace tinykv::store
