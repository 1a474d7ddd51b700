// Blocking synchronisation for simulated fibers: channels, select, one-shot futures, wait groups.
//
// All of them block through Executor::Park, so a blocked fiber shows up in deadlock reports and in
// gdb's sim-fibers with what it waits on, and all of them wake through seeded scheduling, so the
// order in which waiters run is part of the seed's interleaving. Single-threaded: use them only
// from fibers of one executor (a waiting primitive called outside a fiber aborts with a message).
#pragma once

#include <deque>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/executor.h"

namespace tinykv::sim {

// Fibers waiting for one condition. Stale tokens (fibers that woke for another reason) are skipped.
class WaitList {
 public:
  void Add(WaitToken token);
  // Wakes every waiting fiber (they re-check their condition).
  void WakeAll();
  // Wakes the first still-waiting fiber, if any.
  void WakeOne();
  bool empty() const { return tokens_.empty(); }

 private:
  std::vector<WaitToken> tokens_;
};

class Selector;

// Something Select or a Selector can wait on: ready when a receive would not block.
class Selectable {
 public:
  Selectable() = default;
  Selectable(const Selectable&) = delete;
  Selectable& operator=(const Selectable&) = delete;
  // Detaches from every Selector still watching it (they then treat it as never ready).
  virtual ~Selectable();
  virtual bool ReadyToReceive() const = 0;

 protected:
  // Call whenever the source may have become ready: wakes waiting receivers and Selectors.
  void NotifyReceivers();

  WaitList receivers_;

 private:
  friend class Selector;
  std::vector<Selector*> selectors_;
};

// Waits until one of `sources` is ready to receive or `timeout` passes. Returns the index (in
// argument order) of a ready source — a seeded pick when several are — or -1 on timeout. For a
// loop over the same sources, a standing Selector (below) avoids re-registering each time.
int Select(std::initializer_list<Selectable*> sources, Duration timeout = kForever);

// A standing Select over a fixed set of sources, for a fiber that waits on the same sources in a
// loop (a store's raft worker waits on three for every message it handles). The sources notify
// it directly when they become ready, so waiting again costs no registration with each source.
// Select is a one-off Selector, so switching a loop between the two does not change a run. One
// fiber waits on it at a time. Sources may die first.
class Selector {
 public:
  explicit Selector(std::initializer_list<Selectable*> sources);
  ~Selector();
  Selector(const Selector&) = delete;
  Selector& operator=(const Selector&) = delete;

  // Waits until a source is ready to receive or `timeout` passes; returns the ready source's
  // index (a seeded pick when several are) or -1 on timeout.
  int Wait(Duration timeout = kForever);

 private:
  friend class Selectable;
  void Notify();
  void Forget(Selectable* source);

  Executor& ex_;
  std::vector<Selectable*> sources_;  // null once a source is destroyed
  WaitToken token_;
  bool waiting_ = false;
};

// A FIFO channel of T. capacity 0 means unbounded; otherwise Send blocks while full.
// Close() wakes everyone: receivers drain what is buffered, then get std::nullopt; Send on a closed
// channel returns false and drops the value.
template <typename T>
class Channel : public Selectable {
 public:
  explicit Channel(std::string name = "chan", size_t capacity = 0)
      : name_(std::move(name)), capacity_(capacity) {}

  bool Send(T value) {
    while (!closed_ && capacity_ != 0 && buffer_.size() >= capacity_) {
      Executor& ex = Executor::Current();
      senders_.Add(ex.PrepareWait());
      ex.Park("chan send", &name_);
    }
    if (closed_) return false;
    buffer_.push_back(std::move(value));
    // All, not one: a woken Select may pick another source and leave this value to someone else.
    NotifyReceivers();
    return true;
  }

  // Non-blocking send: false when full or closed. Usable outside fibers (timer callbacks).
  bool TrySend(T value) {
    if (closed_ || (capacity_ != 0 && buffer_.size() >= capacity_)) return false;
    buffer_.push_back(std::move(value));
    // All, not one: a woken Select may pick another source and leave this value to someone else.
    NotifyReceivers();
    return true;
  }

  std::optional<T> Recv(Duration timeout = kForever) {
    Executor& ex = Executor::Current();
    const Time deadline = timeout == kForever ? Time::max() : ex.Now() + timeout;
    while (buffer_.empty() && !closed_) {
      receivers_.Add(ex.PrepareWait());
      if (ex.Park("chan recv", &name_, deadline) == WakeReason::kTimeout) {
        if (buffer_.empty()) return std::nullopt;
        break;
      }
    }
    return TakeFront();
  }

  std::optional<T> TryRecv() { return TakeFront(); }

  void Close() {
    closed_ = true;
    NotifyReceivers();
    senders_.WakeAll();
  }

  bool closed() const { return closed_; }
  size_t size() const { return buffer_.size(); }
  const std::string& name() const { return name_; }
  bool ReadyToReceive() const override { return !buffer_.empty() || closed_; }

 private:
  std::optional<T> TakeFront() {
    if (buffer_.empty()) return std::nullopt;
    T value = std::move(buffer_.front());
    buffer_.pop_front();
    senders_.WakeOne();
    return value;
  }

  std::string name_;
  size_t capacity_;
  bool closed_ = false;
  std::deque<T> buffer_;
  WaitList senders_;
};

// One-shot value handed from one fiber (or timer callback) to another.
template <typename T>
class Future;

template <typename T>
class Promise {
 public:
  Promise() : state_(std::make_shared<State>()) {}
  // Sets the value (first call wins; later calls are ignored and return false).
  bool Set(T value) {
    if (state_->value) return false;
    state_->value = std::move(value);
    state_->waiters.WakeAll();
    return true;
  }
  Future<T> GetFuture() const { return Future<T>(state_); }

 private:
  friend class Future<T>;
  struct State {
    std::optional<T> value;
    WaitList waiters;
    std::string name = "future";
  };
  std::shared_ptr<State> state_;
};

template <typename T>
class Future {
 public:
  // Waits for the value; std::nullopt on timeout.
  std::optional<T> Get(Duration timeout = kForever) {
    Executor& ex = Executor::Current();
    const Time deadline = timeout == kForever ? Time::max() : ex.Now() + timeout;
    while (!state_->value) {
      state_->waiters.Add(ex.PrepareWait());
      if (ex.Park("future", &state_->name, deadline) == WakeReason::kTimeout) break;
    }
    return state_->value;
  }
  bool ready() const { return state_->value.has_value(); }

 private:
  friend class Promise<T>;
  explicit Future(std::shared_ptr<typename Promise<T>::State> state) : state_(std::move(state)) {}
  std::shared_ptr<typename Promise<T>::State> state_;
};

// Waits for a number of tasks to finish (Add before starting them, Done when each ends).
class WaitGroup {
 public:
  explicit WaitGroup(std::string name = "waitgroup") : name_(std::move(name)) {}
  void Add(int n = 1) { count_ += n; }
  void Done();
  // Returns false on timeout.
  bool Wait(Duration timeout = kForever);
  int count() const { return count_; }

 private:
  std::string name_;
  int count_ = 0;
  WaitList waiters_;
};

}  // namespace tinykv::sim
