// Tso: the cluster's timestamp oracle (PD's TSO). A timestamp is physical milliseconds << 18 |
// logical (18 bits); every timestamp handed out is greater than every one before it — also
// after a restart, and also when the clock goes back.
//
// How (as PD does it): the physical part follows the clock, never backwards; the logical part
// counts within one millisecond and, when it would overflow, the physical part moves on by one.
// Before any timestamp with physical part p is handed out, a window end beyond p is saved to the
// MetaStore (p + save_window, so saves are rare); a restarted oracle starts past the saved end,
// hence past everything the previous incarnation can have handed out.
//
// Pure: the caller passes the clock reading. Not thread-safe (the node serializes requests).
#pragma once

#include <cstdint>

#include "scheduler/meta_store.h"
#include "scheduler/status.h"

namespace tinykv::scheduler {

inline constexpr int kLogicalBits = 18;
inline constexpr uint64_t kMaxLogical = uint64_t{1} << kLogicalBits;

inline uint64_t ComposeTs(int64_t physical_ms, uint64_t logical) {
  return (static_cast<uint64_t>(physical_ms) << kLogicalBits) | logical;
}
inline int64_t PhysicalOf(uint64_t ts) { return static_cast<int64_t>(ts >> kLogicalBits); }
inline uint64_t LogicalOf(uint64_t ts) { return ts & (kMaxLogical - 1); }

struct TsoOptions {
  int64_t save_window_ms = 3000;  // how far ahead of the clock the saved window end runs
  uint32_t max_batch = 1 << 16;   // the most timestamps one request may take
};

class Tso {
 public:
  // `store` outlives the oracle.
  explicit Tso(MetaStore* store, TsoOptions options = {});

  // Loads the saved window end and starts past it (or at the clock, if that is later); saves the
  // first window. IoError when the store fails.
  Status Start(int64_t now_ms);

  // Hands out `count` consecutive timestamps and returns the last of them (the first is
  // last - count + 1, all with the same physical part). InvalidArgument for count 0, more than
  // max_batch, or before Start; IoError (and nothing handed out) when the window cannot be
  // saved.
  Status Next(uint32_t count, int64_t now_ms, uint64_t* last);

  // The window end saved last (for tests and status pages).
  int64_t saved_window_end_ms() const { return window_end_ms_; }

 private:
  // Makes sure the saved window covers physical part `physical`.
  Status CoverWith(int64_t physical);

  MetaStore* store_;
  TsoOptions options_;
  bool started_ = false;
  int64_t physical_ms_ = 0;
  uint64_t logical_ = 0;  // the last logical handed out at physical_ms_
  int64_t window_end_ms_ = 0;
};

}  // namespace tinykv::scheduler
