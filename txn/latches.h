// Latches: per-key mutual exclusion for the transactional commands that write (TinyKV's latches).
//
// A command that writes (KvPrewrite, KvCommit, KvBatchRollback, KvResolveLock, KvCheckTxnStatus)
// latches every key it may write before it reads them, and keeps the latches until its writes are
// applied: two commands sharing a key run one after the other, so neither decides on a state the
// other is about to change. Reads (KvGet, KvScan) take none: they read a snapshot.
//
// All of a command's keys are latched at once or not at all (a command never holds some while it
// waits for others), so commands cannot deadlock. Waiting blocks the calling fiber (sim's fiber
// API: a blocked command shows in deadlock reports and gdb's sim-fibers as "latch"); when a
// command releases, every waiter re-checks its keys, in the seed's wake-up order.
//
// For tests, a validation hook sees each command's latched keys and the user keys it is about to
// write (CheckWrites), so a command that writes a key it did not latch fails at once.
//
// Single-threaded: one node's fibers.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "sim/sync.h"
#include "store/status.h"

namespace tinykv::txn {

class Latches {
 public:
  // Holds a command's latches; releases them when destroyed (or on Release). Movable.
  class Guard {
   public:
    Guard() = default;
    Guard(Guard&& other) noexcept;
    Guard& operator=(Guard&& other) noexcept;
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    ~Guard() { Release(); }

    void Release();
    // The keys latched, sorted, without duplicates.
    const std::vector<std::string>& keys() const { return keys_; }

   private:
    friend class Latches;
    Guard(Latches* owner, std::vector<std::string> keys) : owner_(owner), keys_(std::move(keys)) {}
    Latches* owner_ = nullptr;
    std::vector<std::string> keys_;
  };

  // Called by CheckWrites with the latched keys and the user keys about to be written.
  using Validation = std::function<void(const std::vector<std::string>& latched,
                                        const std::vector<std::string>& written)>;

  Latches() = default;
  Latches(const Latches&) = delete;
  Latches& operator=(const Latches&) = delete;

  // Latches `keys` (any order, duplicates allowed), waiting while any of them is latched by
  // another command. REQUIRES: called from a fiber; the guard does not outlive this object.
  Guard Acquire(std::vector<std::string> keys);

  // Checks that every key of `written` is latched by `guard`: InvalidArgument naming the first
  // that is not. Calls the validation hook first, when one is set.
  store::Status CheckWrites(const Guard& guard, const std::vector<std::string>& written) const;
  void set_validation(Validation validation) { validation_ = std::move(validation); }

  // Is `key` latched by some command now?
  bool IsLatched(const std::string& key) const { return latched_.count(key) != 0; }
  // Commands that had to wait for a latch, since construction (for tests and traces).
  uint64_t waits() const { return waits_; }

 private:
  void ReleaseKeys(const std::vector<std::string>& keys);

  std::set<std::string> latched_;
  sim::WaitList waiters_;
  Validation validation_;
  uint64_t waits_ = 0;
};

}  // namespace tinykv::txn
