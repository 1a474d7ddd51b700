#include "sim/executor.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <sstream>
#include <utility>

#include "sim/asan_fiber.h"
#include "sim/debug.h"
#include "sim/stack_guard.h"

namespace tinykv::sim {

// The executor whose Run() is active. A plain global (not thread_local) so gdb can read it.
extern "C" {
Executor* tinykv_sim_executor = nullptr;
}

namespace {

[[noreturn]] void Fatal(const std::string& message) {
  std::fprintf(stderr, "sim: fatal: %s\n", message.c_str());
  std::fflush(stderr);
  std::abort();
}

const char* FiberStateName(FiberState s) {
  switch (s) {
    case FiberState::kReady:
      return "ready";
    case FiberState::kRunning:
      return "running";
    case FiberState::kBlocked:
      return "blocked";
    case FiberState::kDone:
      return "done";
  }
  return "?";
}

}  // namespace

std::ostream& operator<<(std::ostream& os, NodeState s) { return os << NodeStateName(s); }
std::ostream& operator<<(std::ostream& os, RunOutcome o) { return os << RunOutcomeName(o); }

const char* NodeStateName(NodeState s) {
  switch (s) {
    case NodeState::kUp:
      return "up";
    case NodeState::kDown:
      return "down";
    case NodeState::kPaused:
      return "paused";
  }
  return "?";
}

const char* RunOutcomeName(RunOutcome o) {
  switch (o) {
    case RunOutcome::kCompleted:
      return "completed";
    case RunOutcome::kStopped:
      return "stopped";
    case RunOutcome::kDeadlock:
      return "deadlock";
    case RunOutcome::kTimeLimit:
      return "time-limit";
    case RunOutcome::kStepLimit:
      return "step-limit";
  }
  return "?";
}

struct Executor::Fiber {
  FiberId id = 0;
  uint32_t slot = 0;  // index in fiber_slots_
  std::string name;
  NodeId node = kWorld;
  std::function<void()> fn;
  boost::context::fiber ctx;  // this fiber's continuation while it is suspended
  bool started = false;
  bool killed = false;
  FiberState state = FiberState::kReady;
  // The current (or last) wait.
  uint64_t wait_generation = 0;
  bool waiting = false;
  const char* wait_what = nullptr;
  const std::string* wait_object = nullptr;
  Time wait_deadline = Time::max();
  TimerId wait_timer = 0;
  WakeReason wake_reason = WakeReason::kNotified;
  // AddressSanitizer: this fiber's stack and its fake-stack handle while suspended.
  const void* stack_bottom = nullptr;
  size_t stack_size = 0;
  void* fake_stack = nullptr;
  // What the stack-overflow report names while this fiber runs (sim/stack_guard.h).
  RunningFiberStack overflow_report;
};

struct Executor::Node {
  std::string name;
  NodeState state = NodeState::kDown;
  uint64_t epoch = 0;
  double drift = 1.0;
  std::function<void()> main;
  std::map<uint64_t, std::function<void()>> crash_hooks;
  std::vector<Fiber*> held;                // ready while paused
  std::vector<TimerSlot> deferred_timers;  // fired while paused
};

namespace {

// Boost StackAllocator that records the stack bounds into the fiber for ASan.
class RecordingStackAllocator {
 public:
  RecordingStackAllocator(StackPool* pool, const void** bottom, size_t* size)
      : pool_(pool), bottom_(bottom), size_(size) {}
  boost::context::stack_context allocate() {
    boost::context::stack_context sctx = pool_->Allocate();
    *bottom_ = static_cast<char*>(sctx.sp) - sctx.size;
    *size_ = sctx.size;
    return sctx;
  }
  void deallocate(boost::context::stack_context& sctx) noexcept { pool_->Release(sctx); }

 private:
  StackPool* pool_;
  const void** bottom_;
  size_t* size_;
};

}  // namespace

Executor::Executor(ExecutorOptions options)
    : options_(options),
      seed_rng_(options.seed),
      sched_rng_(seed_rng_.Stream("scheduler")),
      trace_(options.keep_full_trace, options.trace_tail),
      stacks_(options.stack_size) {
  PrepareStackOverflowReport();
}

Executor::~Executor() { Shutdown(); }

void Executor::Shutdown() {
  if (running_) Fatal("Executor::Shutdown called inside Run");
  Executor* saved = tinykv_sim_executor;
  tinykv_sim_executor = this;
  for (auto& [id, f] : fibers_) {
    if (f->state == FiberState::kDone) continue;
    f->killed = true;
    if (f->started) to_unwind_.push_back(f.get());
  }
  ready_.clear();
  for (auto& node : nodes_) node->held.clear();
  UnwindKilled();
  fibers_.clear();
  fiber_slots_.clear();
  timers_.clear();
  dead_timers_ = 0;
  timer_slots_.clear();
  tinykv_sim_executor = saved;
}

Executor& Executor::Current() {
  if (tinykv_sim_executor == nullptr) Fatal("no simulation is running on this thread");
  return *tinykv_sim_executor;
}

bool Executor::HasCurrent() { return tinykv_sim_executor != nullptr; }

// ---------------------------------------------------------------- running

RunResult Executor::Run(std::function<void()> driver) {
  if (running_) Fatal("Executor::Run called while already running");
  running_ = true;
  stop_requested_ = false;
  Executor* saved = tinykv_sim_executor;
  tinykv_sim_executor = this;
  driver_done_ = false;
  driver_ = SpawnOn(kWorld, "driver", std::move(driver));

  RunResult result;
  for (;;) {
    if (!to_unwind_.empty()) UnwindKilled();
    if (stop_requested_) {
      result.outcome = RunOutcome::kStopped;
      break;
    }
    if (driver_done_) {
      result.outcome = RunOutcome::kCompleted;
      break;
    }
    if (steps_ >= options_.step_limit) {
      result.outcome = RunOutcome::kStepLimit;
      result.report =
          "step limit of " + std::to_string(options_.step_limit) + " fiber steps reached";
      break;
    }
    if (!ready_.empty()) {
      // A lone ready fiber needs no draw; the decision is the same in every run either way.
      const size_t index =
          ready_.size() == 1 ? 0 : static_cast<size_t>(sched_rng_.Below(ready_.size()));
      Fiber* f = ready_[index];
      ready_[index] = ready_.back();
      ready_.pop_back();
      if (f->node != kWorld) {
        Node& node = NodeOrDie(f->node);
        if (node.state == NodeState::kPaused) {
          node.held.push_back(f);
          continue;
        }
      }
      ++steps_;
      ResumeFiber(f);
      if (f->state == FiberState::kDone) FinishFiber(f);
      continue;
    }
    bool beyond_limit = false;
    if (FireNextTimer(&beyond_limit)) continue;
    if (beyond_limit) {
      result.outcome = RunOutcome::kTimeLimit;
      result.report = "virtual time limit " + FormatTime(options_.time_limit) + " reached";
      break;
    }
    result.outcome = RunOutcome::kDeadlock;
    result.report = DeadlockReport();
    break;
  }
  result.end_time = now_;
  result.steps = steps_;
  running_ = false;
  tinykv_sim_executor = saved;
  return result;
}

void Executor::RequestStop() { stop_requested_ = true; }

std::string Executor::DeadlockReport() const {
  std::ostringstream out;
  out << "deadlock at " << FormatTime(now_)
      << ": no fiber is runnable and no timer is pending; blocked fibers:\n";
  out << DescribeFibers();
  return out.str();
}

// ---------------------------------------------------------------- fibers

Executor::Fiber* Executor::CurrentFiberOrDie(const char* what) const {
  if (current_ == nullptr) Fatal(std::string(what) + " called outside a simulated fiber");
  return current_;
}

FiberId Executor::Spawn(std::string name, std::function<void()> fn) {
  return SpawnOn(current_node(), std::move(name), std::move(fn));
}

FiberId Executor::SpawnOn(NodeId node_id, std::string name, std::function<void()> fn) {
  if (node_id != kWorld && NodeOrDie(node_id).state == NodeState::kDown) {
    Fatal("cannot spawn fiber '" + name + "' on node " + std::to_string(node_id) + ": it is down");
  }
  auto fiber = std::make_unique<Fiber>();
  Fiber* f = fiber.get();
  f->id = next_fiber_id_++;
  f->name = std::move(name);
  f->node = node_id;
  f->fn = std::move(fn);
  f->slot = fiber_slots_.Acquire();
  fiber_slots_[f->slot] = f;
  fibers_.emplace(f->id, std::move(fiber));
  RecordFor(node_id, EventKind::kSpawn, f->name);
  MakeReady(f);
  return f->id;
}

FiberId Executor::current_fiber() const { return current_ ? current_->id : 0; }
NodeId Executor::current_node() const { return current_ ? current_->node : kWorld; }

void Executor::MakeReady(Fiber* f) {
  f->state = FiberState::kReady;
  ready_.push_back(f);
}

void Executor::ResumeFiber(Fiber* f) {
  current_ = f;
  f->state = FiberState::kRunning;
  if (!f->started) {
    f->started = true;
    f->ctx = boost::context::fiber(
        std::allocator_arg, RecordingStackAllocator(&stacks_, &f->stack_bottom, &f->stack_size),
        [this, f](boost::context::fiber&& scheduler) {
          scheduler_ctx_ = std::move(scheduler);
          asan::FinishSwitch(nullptr, &main_stack_bottom_, &main_stack_size_);
          FiberMain(f);
          // Leaving for good: the null fake-stack handle tells ASan this stack is finished.
          asan::StartSwitch(nullptr, main_stack_bottom_, main_stack_size_);
          return std::move(scheduler_ctx_);
        });
    f->overflow_report.stack_bottom = static_cast<const char*>(f->stack_bottom);
    f->overflow_report.stack_size = f->stack_size;
    f->overflow_report.guard_size = stacks_.guard_size();
    f->overflow_report.fiber_name = f->name.c_str();
    f->overflow_report.node_name = f->node == kWorld ? "world" : NodeOrDie(f->node).name.c_str();
  }
  SetRunningFiberStack(&f->overflow_report);
  void* fake_stack = nullptr;
  // The stack bounds were recorded when the boost fiber allocated its stack (above).
  asan::StartSwitch(&fake_stack, f->stack_bottom, f->stack_size);
  f->ctx = std::move(f->ctx).resume();
  asan::FinishSwitch(fake_stack, nullptr, nullptr);
  SetRunningFiberStack(nullptr);
  current_ = nullptr;
}

void Executor::SwitchToScheduler(Fiber* f) {
  asan::StartSwitch(&f->fake_stack, main_stack_bottom_, main_stack_size_);
  scheduler_ctx_ = std::move(scheduler_ctx_).resume();
  asan::FinishSwitch(f->fake_stack, nullptr, nullptr);
}

void Executor::FiberMain(Fiber* f) {
  try {
    std::function<void()> fn = std::move(f->fn);
    fn();
  } catch (const FiberKilled&) {
    // The node crashed: unwinding is the point.
  } catch (const std::exception& e) {
    Fatal("fiber '" + f->name + "' on node " + std::to_string(f->node) +
          " let an exception escape: " + e.what());
  } catch (...) {
    Fatal("fiber '" + f->name + "' let an unknown exception escape");
  }
  f->state = FiberState::kDone;
}

void Executor::FinishFiber(Fiber* f) {
  if (f->wait_timer != 0) CancelTimer(f->wait_timer);
  const NodeId node = f->node;
  const bool killed = f->killed;
  std::string name = f->name;
  if (f->id == driver_) driver_done_ = true;
  fiber_slots_[f->slot] = nullptr;
  fiber_slots_.Release(f->slot);
  fibers_.erase(f->id);  // frees the boost fiber: its stack returns to the pool
  if (!killed) RecordFor(node, EventKind::kFiberExit, std::move(name));
}

void Executor::Yield() {
  Fiber* f = CurrentFiberOrDie("Yield");
  MakeReady(f);
  SwitchToScheduler(f);
  if (f->killed) throw FiberKilled{};
}

// ---------------------------------------------------------------- waiting

WaitToken Executor::PrepareWait() {
  Fiber* f = CurrentFiberOrDie("PrepareWait");
  f->wait_generation = next_wait_generation_++;
  return WaitToken{f->slot, f->wait_generation};
}

WakeReason Executor::Park(const char* what, const std::string* object, Time deadline) {
  Fiber* f = CurrentFiberOrDie("Park");
  if (f->killed) {
    Fatal("fiber '" + f->name + "' blocked (" + what +
          ") while its node was crashing: destructors must not block");
  }
  f->waiting = true;
  f->wait_what = what;
  f->wait_object = object;
  f->wait_deadline = deadline;
  f->state = FiberState::kBlocked;
  f->wait_timer = 0;
  if (deadline != Time::max()) {
    const uint32_t slot = ScheduleTimer(std::max(deadline, now_), f->node);
    timer_slots_[slot].wake = WaitToken{f->slot, f->wait_generation};
    f->wait_timer = IdOf(slot);
  }
  SwitchToScheduler(f);
  if (f->wait_timer != 0) {
    if (f->wake_reason == WakeReason::kNotified) CancelTimer(f->wait_timer);
    f->wait_timer = 0;
  }
  if (f->killed) throw FiberKilled{};
  return f->wake_reason;
}

bool Executor::Wake(WaitToken token) { return WakeWith(token, WakeReason::kNotified); }

Executor::Fiber* Executor::FiberForToken(WaitToken token) const {
  if (token.slot >= fiber_slots_.capacity()) return nullptr;
  Fiber* f = fiber_slots_[token.slot];
  if (f == nullptr || !f->waiting || f->wait_generation != token.generation || f->killed) {
    return nullptr;
  }
  return f;
}

bool Executor::WakeWith(WaitToken token, WakeReason reason) {
  Fiber* f = FiberForToken(token);
  if (f == nullptr) return false;
  f->waiting = false;
  f->wake_reason = reason;
  MakeReady(f);
  return true;
}

bool Executor::IsWaiting(WaitToken token) const { return FiberForToken(token) != nullptr; }

// ---------------------------------------------------------------- time

Time Executor::ScaledDeadline(NodeId node, Duration d) const {
  if (d == kForever) return Time::max();
  double drift = node == kWorld ? 1.0 : NodeOrDie(node).drift;
  int64_t ticks = d.count();
  if (drift != 1.0) ticks = static_cast<int64_t>(static_cast<double>(ticks) * drift);
  if (ticks < 0) ticks = 0;
  if (ticks > Time::max().count() - now_.count()) return Time::max();
  return now_ + Duration(ticks);
}

void Executor::Sleep(Duration d) {
  Fiber* f = CurrentFiberOrDie("Sleep");
  if (d <= Duration::zero()) {
    Yield();
    return;
  }
  PrepareWait();
  Park("sleep", nullptr, ScaledDeadline(f->node, d));
}

void Executor::SleepUntil(Time t) { Sleep(t - now_); }

TimerId Executor::After(Duration d, std::function<void()> cb, NodeId owner) {
  if (d < Duration::zero()) d = Duration::zero();
  const uint32_t slot = ScheduleTimer(ScaledDeadline(owner, d), owner);
  timer_slots_[slot].callback = std::move(cb);
  return IdOf(slot);
}

TimerId Executor::AfterCall(Duration d, TimerFn fn, void* context, uint64_t arg, NodeId owner) {
  if (d < Duration::zero()) d = Duration::zero();
  const uint32_t slot_index = ScheduleTimer(ScaledDeadline(owner, d), owner);
  TimerSlot& slot = timer_slots_[slot_index];
  slot.fn = fn;
  slot.fn_context = context;
  slot.fn_arg = arg;
  return IdOf(slot_index);
}

uint32_t Executor::ScheduleTimer(Time when, NodeId owner) {
  const uint32_t slot_index = timer_slots_.Acquire();
  TimerSlot& slot = timer_slots_[slot_index];
  slot.active = true;
  slot.fn = nullptr;
  slot.wake = WaitToken{};
  slot.owner = owner;
  slot.owner_epoch = owner == kWorld ? 0 : NodeOrDie(owner).epoch;
  timers_.Push(TimerQueue::Entry{when, slot_index, slot.generation});
  return slot_index;
}

void Executor::CancelTimer(TimerId id) {
  const uint32_t slot_index = static_cast<uint32_t>(id);
  const uint32_t generation = static_cast<uint32_t>(id >> 32);
  if (slot_index >= timer_slots_.capacity()) return;
  TimerSlot& slot = timer_slots_[slot_index];
  if (!slot.active || slot.generation != generation) return;
  const uint32_t next_generation = slot.generation + 1;
  slot = TimerSlot{};
  slot.generation = next_generation;
  timer_slots_.Release(slot_index);
  if (++dead_timers_ > timers_.size() / 2 + 16) {
    timers_.RemoveIf([this](const TimerQueue::Entry& e) { return !TimerLive(e); });
    dead_timers_ = 0;
  }
}

size_t Executor::PickDueTimer() {
  const std::vector<size_t>& due = timers_.DueAtTop();
  if (due.size() == 1) return due[0];
  live_due_.clear();
  for (size_t pos : due) {
    if (TimerLive(timers_.At(pos))) live_due_.push_back(pos);
  }
  if (live_due_.size() == 1) return live_due_[0];
  return live_due_[static_cast<size_t>(sched_rng_.Below(live_due_.size()))];
}

bool Executor::FireNextTimer(bool* beyond_limit) {
  while (!timers_.empty() && !TimerLive(timers_.Top())) {
    timers_.PopTop();
    --dead_timers_;
  }
  if (timers_.empty()) return false;
  if (timers_.Top().when > options_.time_limit) {
    *beyond_limit = true;
    return false;
  }
  const size_t pos = PickDueTimer();
  const TimerQueue::Entry entry = timers_.At(pos);
  timers_.RemoveAt(pos);
  if (entry.when > now_) now_ = entry.when;
  // Free the slot before running (RunTimer takes out what it needs first).
  TimerSlot& slot = timer_slots_[entry.slot];
  slot.active = false;
  ++slot.generation;
  timer_slots_.Release(entry.slot);
  if (slot.owner != kWorld) {
    Node& node = NodeOrDie(slot.owner);
    if (node.epoch != slot.owner_epoch || node.state == NodeState::kDown) {
      slot.callback = nullptr;
      return true;
    }
    if (node.state == NodeState::kPaused) {
      node.deferred_timers.push_back(std::move(slot));
      slot.callback = nullptr;
      return true;
    }
  }
  RunTimer(slot);
  return true;
}

void Executor::RunTimer(TimerSlot& slot) {
  // A callback timer is not an event of its own: the callback records what it does (a delivery,
  // a fault), and an empty "timer fired" line per packet would be a third of a scenario's trace.
  // What runs may schedule timers, which can reuse this slot or move the slot table: take
  // everything out of the slot before running.
  if (slot.fn != nullptr) {
    const TimerFn fn = slot.fn;
    fn(slot.fn_context, slot.fn_arg);  // the arguments are read before the call
  } else if (slot.callback) {
    std::function<void()> callback = std::move(slot.callback);
    slot.callback = nullptr;
    callback();
  } else {
    WakeWith(slot.wake, WakeReason::kTimeout);
  }
}

// ---------------------------------------------------------------- nodes

void Executor::UnknownNode(NodeId id) { Fatal("unknown node " + std::to_string(id)); }

void Executor::AddNode(NodeId id, std::string name, std::function<void()> main) {
  if (id == kWorld) Fatal("node id " + std::to_string(id) + " is reserved for the world");
  if (node_index_.Find(id) != NodeIndex::kAbsent)
    Fatal("node " + std::to_string(id) + " added twice");
  node_index_.FindOrAdd(id);
  Node& node = *nodes_.emplace_back(std::make_unique<Node>());
  node.name = std::move(name);
  node.main = std::move(main);
}

void Executor::Start(NodeId id) {
  Node& node = NodeOrDie(id);
  if (node.state != NodeState::kDown)
    Fatal("Start/Restart of node " + std::to_string(id) + " which is not down");
  node.state = NodeState::kUp;
  RecordFor(id, EventKind::kRestart, node.name + " epoch " + std::to_string(node.epoch));
  SpawnOn(id, node.name + "/main", node.main);
}

void Executor::Crash(NodeId id) {
  Node& node = NodeOrDie(id);
  if (node.state == NodeState::kDown) return;
  node.state = NodeState::kDown;
  ++node.epoch;
  node.deferred_timers.clear();
  RecordFor(id, EventKind::kCrash, node.name);
  // Copy first: a hook may add or remove hooks.
  std::vector<std::function<void()>> hooks;
  for (auto& [hook_id, hook] : node.crash_hooks) hooks.push_back(hook);
  for (auto& hook : hooks) hook();
  KillFibersOf(id);
}

void Executor::KillFibersOf(NodeId id) {
  Node& node = NodeOrDie(id);
  node.held.clear();
  std::erase_if(ready_, [id](Fiber* f) { return f->node == id; });
  bool self_killed = false;
  std::vector<FiberId> never_started;
  for (auto& [fid, f] : fibers_) {
    if (f->node != id || f->state == FiberState::kDone || f->killed) continue;
    f->killed = true;
    f->waiting = false;
    if (f.get() == current_) {
      self_killed = true;
    } else if (!f->started) {
      never_started.push_back(fid);
    } else {
      to_unwind_.push_back(f.get());
    }
  }
  for (FiberId fid : never_started) {
    const uint32_t slot = fibers_.at(fid)->slot;
    fiber_slots_[slot] = nullptr;
    fiber_slots_.Release(slot);
    fibers_.erase(fid);
  }
  if (self_killed) throw FiberKilled{};
}

void Executor::UnwindKilled() {
  while (!to_unwind_.empty()) {
    Fiber* f = to_unwind_.front();
    to_unwind_.erase(to_unwind_.begin());
    ResumeFiber(f);  // Park / Yield throw FiberKilled inside it
    if (f->state != FiberState::kDone) Fatal("fiber '" + f->name + "' survived its node's crash");
    FinishFiber(f);
  }
}

void Executor::Pause(NodeId id) {
  Node& node = NodeOrDie(id);
  if (node.state != NodeState::kUp)
    Fatal("Pause of node " + std::to_string(id) + " which is not up");
  node.state = NodeState::kPaused;
  RecordFor(id, EventKind::kPause, node.name);
}

void Executor::Resume(NodeId id) {
  Node& node = NodeOrDie(id);
  if (node.state != NodeState::kPaused)
    Fatal("Resume of node " + std::to_string(id) + " which is not paused");
  node.state = NodeState::kUp;
  RecordFor(id, EventKind::kResume, node.name);
  for (Fiber* f : node.held) ready_.push_back(f);
  node.held.clear();
  std::vector<TimerSlot> deferred = std::move(node.deferred_timers);
  node.deferred_timers.clear();
  for (TimerSlot& slot : deferred) RunTimer(slot);
}

void Executor::SetDrift(NodeId id, double factor) {
  if (!(factor > 0.0)) Fatal("drift factor must be positive");
  NodeOrDie(id).drift = factor;
}

NodeState Executor::node_state(NodeId id) const { return NodeOrDie(id).state; }
const std::string& Executor::node_name(NodeId id) const { return NodeOrDie(id).name; }
uint64_t Executor::node_epoch(NodeId id) const { return NodeOrDie(id).epoch; }

std::vector<NodeId> Executor::node_ids() const {
  std::vector<NodeId> ids;
  for (const auto& [id, index] : node_index_.by_id()) ids.push_back(id);
  return ids;
}

uint64_t Executor::AddCrashHook(NodeId id, std::function<void()> hook) {
  const uint64_t hook_id = next_hook_id_++;
  NodeOrDie(id).crash_hooks.emplace(hook_id, std::move(hook));
  return hook_id;
}

void Executor::RemoveCrashHook(NodeId id, uint64_t hook_id) {
  NodeOrDie(id).crash_hooks.erase(hook_id);
}

// ---------------------------------------------------------------- observation

uint64_t Executor::Record(EventKind kind, std::string detail) {
  return RecordFor(current_node(), kind, std::move(detail));
}

uint64_t Executor::RecordFor(NodeId node, EventKind kind, std::string detail) {
  return trace_.Record(now_, kind, node, std::move(detail));
}

std::string Executor::DescribeNodes() const {
  std::ostringstream out;
  for (const auto& [id, index] : node_index_.by_id()) {
    const Node& node = *nodes_[index];
    out << "node " << id << " (" << node.name << "): " << NodeStateName(node.state) << ", epoch "
        << node.epoch;
    if (node.drift != 1.0) out << ", drift x" << node.drift;
    out << "\n";
  }
  return out.str();
}

std::string Executor::DescribeFibers() const {
  std::ostringstream out;
  for (const auto& [id, f] : fibers_) {
    out << "  fiber " << id << " '" << f->name << "' node ";
    if (f->node == kWorld) {
      out << "world";
    } else {
      out << f->node;
    }
    out << ": " << FiberStateName(f->state);
    if (f->killed) out << " (killed)";
    if (f->state == FiberState::kBlocked && f->wait_what != nullptr) {
      out << " on " << f->wait_what;
      if (f->wait_object != nullptr) out << " '" << *f->wait_object << "'";
      if (f->wait_deadline != Time::max()) out << " until " << FormatTime(f->wait_deadline);
    }
    out << "\n";
  }
  return out.str();
}

void* Executor::SuspendedContext(FiberId id) const {
  auto it = fibers_.find(id);
  if (it == fibers_.end() || it->second.get() == current_ || !it->second->started) return nullptr;
  // boost::context::fiber (fcontext) holds exactly one pointer: the saved stack pointer.
  static_assert(sizeof(boost::context::fiber) == sizeof(void*));
  void* fctx = nullptr;
  std::memcpy(&fctx, &it->second->ctx, sizeof fctx);
  return fctx;
}

}  // namespace tinykv::sim
