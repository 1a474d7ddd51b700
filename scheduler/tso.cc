#include "scheduler/tso.h"

#include <algorithm>
#include <string>

#include "scheduler/meta_codec.h"

namespace tinykv::scheduler {
namespace {

constexpr std::string_view kTsoKey = "tso/window_end_ms";

}  // namespace

Tso::Tso(MetaStore* store, TsoOptions options) : store_(store), options_(options) {}

Status Tso::Start(int64_t now_ms) {
  uint64_t saved = 0;
  std::string raw;
  if (Status s = store_->Load(kTsoKey, &raw); s.ok()) {
    if (!DecodeU64(raw, &saved)) {
      return Status::IoError("the saved TSO window end is corrupted (" +
                             std::to_string(raw.size()) + " bytes, want 8)");
    }
  } else if (!s.IsNotFound()) {
    return s;
  }
  // Past everything an earlier incarnation may have handed out (all below `saved`).
  physical_ms_ = std::max(now_ms, static_cast<int64_t>(saved) + 1);
  logical_ = 0;
  window_end_ms_ = static_cast<int64_t>(saved);
  if (Status s = CoverWith(physical_ms_); !s.ok()) return s;
  started_ = true;
  return Status::OK();
}

Status Tso::CoverWith(int64_t physical) {
  if (physical < window_end_ms_) return Status::OK();
  const int64_t end = physical + options_.save_window_ms;
  if (Status s = store_->Save(kTsoKey, EncodeU64(static_cast<uint64_t>(end))); !s.ok()) return s;
  window_end_ms_ = end;
  return Status::OK();
}

Status Tso::Next(uint32_t count, int64_t now_ms, uint64_t* last) {
  if (!started_) return Status::InvalidArgument("the TSO has not started");
  if (count == 0 || count > options_.max_batch) {
    return Status::InvalidArgument("a TSO request must ask for 1 to " +
                                   std::to_string(options_.max_batch) + " timestamps, not " +
                                   std::to_string(count));
  }
  // The clock moves the physical part on, never back; a batch that does not fit in the rest of
  // this millisecond's logical space takes the next millisecond.
  int64_t physical = std::max(physical_ms_, now_ms);
  uint64_t logical = physical == physical_ms_ ? logical_ : 0;
  if (logical + count >= kMaxLogical) {
    ++physical;
    logical = 0;
  }
  if (Status s = CoverWith(physical); !s.ok()) return s;
  physical_ms_ = physical;
  logical_ = logical + count;
  *last = ComposeTs(physical_ms_, logical_);
  return Status::OK();
}

}  // namespace tinykv::scheduler
