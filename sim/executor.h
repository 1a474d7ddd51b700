// The deterministic executor: stackful fibers on one OS thread, a virtual clock, seeded scheduling.
//
// Every piece of simulated code runs in a fiber. Fibers belong to a node (or to the "world": the
// scenario driver, nemeses, checkers). The executor runs one fiber at a time; when a fiber blocks
// (Sleep, a channel, an RPC), the executor picks the next ready fiber *at random from the seeded
// generator*, so different seeds explore different interleavings and one seed always replays the
// same one. When nothing is ready, the virtual clock jumps to the earliest timer; timers due at the
// same instant fire in an order drawn from the generator too (DESIGN.md §3, rule 4).
//
// Nodes: Crash(n) kills every fiber of n — each unwinds with destructors run — drops its pending
// timers, and runs its crash hooks (engines use them to drop un-synced writes). Restart(n) runs the
// node's main function again in a fresh fiber. Pause(n) stops its fibers from running until
// Resume(n). A per-node drift factor stretches (or shrinks) every sleep and timer of that node.
//
// Stops: Run() returns when the driver fiber returns, when RequestStop() is called, when the
// virtual-time or step limit is hit, or when the run deadlocks (nothing ready, no timer pending,
// fibers still blocked) — the deadlock report names each blocked fiber and what it waits on.
//
// Threading: everything here is single-threaded; call it from the thread that runs Run(), either
// from fibers or (for set-up and inspection) from outside Run(). Code inside fibers must never
// catch FiberKilled without rethrowing it: it is how a crash unwinds a fiber.
#pragma once

#include <boost/context/fiber.hpp>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/node_index.h"
#include "sim/random.h"
#include "sim/slab.h"
#include "sim/stack_pool.h"
#include "sim/time.h"
#include "sim/timer_queue.h"
#include "sim/trace.h"

namespace tinykv::sim {

using NodeId = uint32_t;
using FiberId = uint64_t;
using TimerId = uint64_t;

// Node id of the world (driver, nemesis, harness): never crashes, never pauses.
inline constexpr NodeId kWorld = kNoNode;
inline constexpr Duration kForever = Duration::max();

// Thrown inside a fiber to unwind it when its node crashes. Never catch it without rethrowing.
struct FiberKilled {};

enum class NodeState { kUp, kDown, kPaused };
const char* NodeStateName(NodeState s);
std::ostream& operator<<(std::ostream& os, NodeState s);  // NodeStateName (for GoogleTest)

enum class FiberState { kReady, kRunning, kBlocked, kDone };

// Why a parked fiber woke up.
enum class WakeReason { kNotified, kTimeout };

// Identifies one particular wait of one fiber. Waking with a token whose wait has already ended
// (the fiber woke for another reason, or died) does nothing, so wakers never need to deregister.
// `slot` locates the fiber in the executor's fiber table without a search; `generation` is unique
// per wait across the whole run, so a token outlives its fiber and any fiber reusing its slot.
struct WaitToken {
  uint32_t slot = UINT32_MAX;
  uint64_t generation = 0;
};

enum class RunOutcome { kCompleted, kStopped, kDeadlock, kTimeLimit, kStepLimit };
const char* RunOutcomeName(RunOutcome o);
std::ostream& operator<<(std::ostream& os, RunOutcome o);  // RunOutcomeName (for GoogleTest)

struct RunResult {
  RunOutcome outcome = RunOutcome::kCompleted;
  Time end_time{0};
  uint64_t steps = 0;  // fiber resumptions
  std::string report;  // deadlock report / limit description; empty when completed
};

struct ExecutorOptions {
  uint64_t seed = 1;
  bool keep_full_trace = false;  // keep every event body (replay, determinism check, export)
  size_t trace_tail = 256;       // otherwise keep this many recent events
  Time time_limit = Time::max();
  uint64_t step_limit = UINT64_MAX;
  size_t stack_size = StackPool::kDefaultStackSize;
};

class Executor {
 public:
  explicit Executor(ExecutorOptions options = {});
  // Unwinds every fiber still alive (their destructors run) before freeing anything.
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // The executor whose Run() is active on this thread. REQUIRES: inside Run().
  static Executor& Current();
  static bool HasCurrent();

  // ---- running ----
  // Spawns `driver` as a world fiber and runs until it returns (kCompleted) or another stop.
  RunResult Run(std::function<void()> driver);
  // Makes Run() return kStopped once the calling fiber next blocks or yields.
  void RequestStop();
  // Ends the world: unwinds every remaining fiber (destructors run) and drops every timer. Call it
  // after the last Run when objects the fibers use (network, engines) are about to be destroyed.
  // REQUIRES: not inside Run().
  void Shutdown();

  // ---- nodes ----
  // Registers node `id` (not yet running). Start(id) or Restart(id) spawns `main` on it.
  // REQUIRES: id != kWorld and not already added.
  void AddNode(NodeId id, std::string name, std::function<void()> main);
  void Start(NodeId id);  // REQUIRES: node is down (never started or crashed)
  void Crash(NodeId id);  // no-op if already down
  void Restart(NodeId id) { Start(id); }
  void Pause(NodeId id);   // REQUIRES: node up
  void Resume(NodeId id);  // REQUIRES: node paused
  // Every sleep / timer of the node lasts `factor` times as long (factor > 0).
  void SetDrift(NodeId id, double factor);
  NodeState node_state(NodeId id) const;
  const std::string& node_name(NodeId id) const;
  // Incremented at every crash: lets node-scoped objects notice they belong to a dead incarnation.
  uint64_t node_epoch(NodeId id) const;
  std::vector<NodeId> node_ids() const;  // ascending
  // `hook` runs (outside any fiber of the node) each time the node crashes. Lives as long as the
  // executor; returns an id for RemoveCrashHook.
  uint64_t AddCrashHook(NodeId id, std::function<void()> hook);
  void RemoveCrashHook(NodeId id, uint64_t hook_id);

  // ---- fibers ----
  // Spawns a fiber on the current fiber's node (kWorld outside fibers).
  FiberId Spawn(std::string name, std::function<void()> fn);
  // REQUIRES: node is up or paused (spawning onto a down node is a bug in the caller).
  FiberId SpawnOn(NodeId node, std::string name, std::function<void()> fn);
  FiberId current_fiber() const;
  NodeId current_node() const;  // kWorld outside fibers
  // Lets every other ready fiber run (in seeded order) before the caller continues.
  void Yield();

  // ---- time ----
  Time Now() const { return now_; }
  // Blocks the current fiber for `d` (scaled by its node's drift). d <= 0 still yields.
  void Sleep(Duration d);
  void SleepUntil(Time t);
  // Runs `cb` (which must not block) at now + d on behalf of `owner`: dropped if the owner node
  // crashes first, deferred while it is paused. Returns an id for CancelTimer.
  TimerId After(Duration d, std::function<void()> cb, NodeId owner = kWorld);
  // The same with a plain function pointer: `fn(context, arg)` runs at now + d. For the hottest
  // timers (one per packet in flight), which then carry no std::function.
  using TimerFn = void (*)(void* context, uint64_t arg);
  TimerId AfterCall(Duration d, TimerFn fn, void* context, uint64_t arg, NodeId owner = kWorld);
  void CancelTimer(TimerId id);

  // ---- blocking primitive for sync objects ----
  // A token for the current fiber's next Park. Hand it to whoever will wake you, then Park.
  WaitToken PrepareWait();
  // Suspends the current fiber until Wake(token) (kNotified) or until `deadline` (kTimeout).
  // `what` / `object` describe the wait for deadlock reports and gdb ("chan recv", "raft-inbox");
  // both must outlive the wait. Throws FiberKilled if the node crashes meanwhile.
  WakeReason Park(const char* what, const std::string* object = nullptr,
                  Time deadline = Time::max());
  // Makes the token's fiber ready if it is still in that wait. Returns whether it did.
  bool Wake(WaitToken token);
  // Whether the token's wait is still pending (lets wait lists drop stale entries).
  bool IsWaiting(WaitToken token) const;

  // ---- observation ----
  Rng& rng() { return sched_rng_; }  // scheduling decisions only
  // A named random stream for a subsystem (network, nemesis, workload …), derived from the seed.
  Rng Stream(std::string_view name) const { return seed_rng_.Stream(name); }
  uint64_t seed() const { return options_.seed; }
  Trace& trace() { return trace_; }
  // Records an event stamped with the current time and node.
  uint64_t Record(EventKind kind, std::string detail);
  uint64_t RecordFor(NodeId node, EventKind kind, std::string detail);

  // Human-readable state for failure reports and gdb: clock, nodes, every fiber and its wait.
  std::string DescribeNodes() const;
  std::string DescribeFibers() const;
  // The saved stack pointer of a suspended fiber (for gdb's sim-fiber-bt), or nullptr.
  void* SuspendedContext(FiberId id) const;

 private:
  struct Fiber;
  struct Node;
  // A timer either wakes one fiber's wait (Sleep, deadlines) or runs a callback (After).
  struct TimerSlot {
    uint32_t generation = 0;
    bool active = false;
    NodeId owner = kWorld;
    uint64_t owner_epoch = 0;
    WaitToken wake;
    std::function<void()> callback;
    TimerFn fn = nullptr;  // instead of callback (AfterCall)
    void* fn_context = nullptr;
    uint64_t fn_arg = 0;
  };
  Fiber* CurrentFiberOrDie(const char* what) const;
  void MakeReady(Fiber* f);
  void ResumeFiber(Fiber* f);
  void SwitchToScheduler(Fiber* f);
  void FiberMain(Fiber* f);
  void FinishFiber(Fiber* f);
  void KillFibersOf(NodeId node);
  void UnwindKilled();
  // Fires the earliest timer. Returns false when none is pending or it lies beyond the limit.
  bool FireNextTimer(bool* beyond_limit);
  // The queue position of the timer to fire next: the earliest one, or a seeded pick among all
  // timers due at that same instant. REQUIRES: the queue's top entry is live.
  size_t PickDueTimer();
  bool TimerLive(const TimerQueue::Entry& entry) const {
    const TimerSlot& slot = timer_slots_[entry.slot];
    return slot.active && slot.generation == entry.generation;
  }
  Fiber* FiberForToken(WaitToken token) const;
  // Fills a fresh slot (everything but what it runs) and queues it. Returns its slot index.
  uint32_t ScheduleTimer(Time when, NodeId owner);
  TimerId IdOf(uint32_t slot_index) const {
    return (uint64_t{timer_slots_[slot_index].generation} << 32) | slot_index;
  }
  // Runs a fired timer's action. `slot` may be a freed slot of timer_slots_.
  void RunTimer(TimerSlot& slot);
  bool WakeWith(WaitToken token, WakeReason reason);
  Node& NodeOrDie(NodeId id) const {
    const uint32_t index = node_index_.Find(id);
    if (index == NodeIndex::kAbsent) UnknownNode(id);
    return *nodes_[index];
  }
  [[noreturn]] static void UnknownNode(NodeId id);
  Time ScaledDeadline(NodeId node, Duration d) const;
  std::string DeadlockReport() const;

  ExecutorOptions options_;
  Rng seed_rng_;
  Rng sched_rng_;
  Trace trace_;
  StackPool stacks_;
  Time now_{0};
  uint64_t steps_ = 0;
  bool stop_requested_ = false;
  bool running_ = false;

  FiberId next_fiber_id_ = 1;
  uint64_t next_wait_generation_ = 1;
  std::map<FiberId, std::unique_ptr<Fiber>> fibers_;  // ordered: reports and kills are stable
  // Live fibers by slot (WaitToken::slot): wake-ups are hot and need no search. Freed slots are
  // reused lowest-last (a stack), which is deterministic like everything else here.
  Slab<Fiber*> fiber_slots_;
  FiberId driver_ = 0;
  bool driver_done_ = false;
  std::vector<Fiber*> ready_;
  std::vector<Fiber*> to_unwind_;
  Fiber* current_ = nullptr;
  boost::context::fiber scheduler_ctx_;  // where a running fiber returns to

  // Nodes by dense index (owned by pointer: references stay valid as nodes are added; none is
  // removed). The lookup is on every timer's path; listings go by id through node_index_.by_id().
  NodeIndex node_index_;
  std::vector<std::unique_ptr<Node>> nodes_;
  uint64_t next_hook_id_ = 1;

  Slab<TimerSlot> timer_slots_;
  TimerQueue timers_;
  // Cancelled timers whose entries are still queued; purged in bulk when they outnumber the
  // live ones (an RPC deadline cancelled early would otherwise sit there for seconds).
  size_t dead_timers_ = 0;
  std::vector<size_t> live_due_;  // PickDueTimer's work list, kept to avoid reallocating

  // AddressSanitizer bookkeeping for the scheduler's own (thread) stack.
  const void* main_stack_bottom_ = nullptr;
  size_t main_stack_size_ = 0;
};

// ---- convenience for code running inside a fiber ----
inline Time Now() { return Executor::Current().Now(); }
inline void Sleep(Duration d) { Executor::Current().Sleep(d); }
inline void Yield() { Executor::Current().Yield(); }
inline FiberId Go(std::string name, std::function<void()> fn) {
  return Executor::Current().Spawn(std::move(name), std::move(fn));
}

}  // namespace tinykv::sim
