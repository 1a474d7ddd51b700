// Debugger support: breakpoints on simulation events and functions gdb calls to show the world.
//
// A replay run can stop "at event 1234", "at virtual time 2.5s" or "on the first partition" by
// calling tinykv_sim_break() — an empty, never-inlined function meant to carry a gdb breakpoint.
// While the process is stopped the virtual clock stands still, so a student can look around for as
// long as they like. sim/gdb/tinykv_sim.py defines sim-status, sim-fibers, sim-fiber-bt,
// sim-trace-tail and sim-inspect on top of the extern "C" functions below.
//
// Inspectors: the simulator knows nothing about Raft or KV (DESIGN.md §2), yet a student stopped in
// gdb wants to see each node's Raft state. So code above sim (a node, the scenario harness)
// registers named callbacks that describe some of its state in text; `sim-inspect [NODE]` prints
// them. The registry is process-wide and single-threaded (like the executor): register and
// unregister from the thread that runs the simulation. Callbacks run while the program is stopped
// inside gdb, at any event: they must only read (never block, switch fibers, send, or consume
// randomness), must cope with a node that is down or half-started, and should be short.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>

#include "sim/time.h"
#include "sim/trace.h"

namespace tinykv::sim {

class Executor;

struct BreakPoints {
  std::set<uint64_t> at_events;  // stop while recording each of these events
  std::set<Time> at_times;       // stop at the first event at or after each of these times
  std::set<EventKind> on_kinds;  // stop at every event of these kinds

  bool empty() const { return at_events.empty() && at_times.empty() && on_kinds.empty(); }
};

// Parses one breakpoint spec and adds it to `out`: "event:N", "time:T" (T as sim::ParseTime
// accepts: "2.5s", "1500ms"), or "on:KIND" where KIND is an event kind name ("partition", "crash",
// "role-change", "violation", …) or "leader-change" (the same as "role-change": a node's role or
// the leader it knows changed). On failure returns false and sets `error` to a one-line message.
bool ParseBreakSpec(const std::string& spec, BreakPoints* out, std::string* error);

// Parses a comma-separated list of specs ("on:partition,on:violation"), as ParseBreakSpec each.
// Used for the TINYKV_SIM_BREAK variable, which `make debug BREAK=...` sets.
bool ParseBreakSpecs(const std::string& specs, BreakPoints* out, std::string* error);

// Makes the executor's trace call tinykv_sim_break() whenever an event matches `points`.
// The time breakpoint fires once, at the first event at or after that time.
void InstallBreakPoints(Executor& executor, const BreakPoints& points);

// A text description of some state, for the debugger. See "Inspectors" above.
using InspectFn = std::function<std::string()>;

// Keeps one inspector registered; destroying (or Reset()ting) it unregisters the inspector.
// Movable, not copyable. Owners hold it next to the state the callback reads, so the callback never
// outlives that state.
class InspectorRegistration {
 public:
  InspectorRegistration() = default;
  ~InspectorRegistration() { Reset(); }
  InspectorRegistration(InspectorRegistration&& other) noexcept : id_(other.id_) { other.id_ = 0; }
  InspectorRegistration& operator=(InspectorRegistration&& other) noexcept;
  InspectorRegistration(const InspectorRegistration&) = delete;
  InspectorRegistration& operator=(const InspectorRegistration&) = delete;

  void Reset();
  bool registered() const { return id_ != 0; }

 private:
  friend InspectorRegistration RegisterInspector(uint32_t, std::string, InspectFn);
  explicit InspectorRegistration(uint64_t id) : id_(id) {}
  uint64_t id_ = 0;
};

// Registers `fn` under `name` for `node` (kNoNode: the world, shown as "world"). Several inspectors
// may share a node and even a name; they are shown in (node, name, registration) order, so the
// output never depends on addresses or hashing.
[[nodiscard]] InspectorRegistration RegisterInspector(uint32_t node, std::string name,
                                                      InspectFn fn);

// Runs the inspectors of `node` (all when nothing) and returns their texts, each under a
// "== node N: NAME ==" header (the world's last). An inspector that throws shows the exception's
// message instead of its text. When none match: a one-line note saying so and, for one node,
// which nodes do have inspectors.
std::string DescribeInspectors(std::optional<uint32_t> node = std::nullopt);

}  // namespace tinykv::sim

extern "C" {
// Put a gdb breakpoint here (the debug command does). `reason` describes what matched.
void tinykv_sim_break(const char* reason);

// For gdb: each returns a pointer into a static buffer valid until the next call.
const char* tinykv_sim_status();                 // clock, events, fingerprint, nodes
const char* tinykv_sim_fibers();                 // every fiber, its node, state, wait
const char* tinykv_sim_trace_tail(int n);        // the last n recorded events
void* tinykv_sim_fiber_context(uint64_t fiber);  // saved stack pointer of a suspended fiber
const char* tinykv_sim_inspect(int64_t node);    // DescribeInspectors: node < 0 means all
}
