// Debugger support: breakpoints on simulation events and functions gdb calls to show the world.
//
// A replay run can stop "at event 1234", "at virtual time 2.5s" or "on the first partition" by
// calling tinykv_sim_break() — an empty, never-inlined function meant to carry a gdb breakpoint.
// While the process is stopped the virtual clock stands still, so a student can look around for as
// long as they like. sim/gdb/tinykv_sim.py defines sim-status, sim-fibers, sim-fiber-bt and
// sim-trace-tail on top of the extern "C" functions below.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "sim/time.h"
#include "sim/trace.h"

namespace tinykv::sim {

class Executor;

struct BreakPoints {
  uint64_t at_event = 0;  // 0: none
  Time at_time = Time::max();
  std::set<EventKind> on_kinds;

  bool empty() const { return at_event == 0 && at_time == Time::max() && on_kinds.empty(); }
};

// Parses one breakpoint spec and adds it to `out`: "event:N", "time:T" (T as sim::ParseTime
// accepts: "2.5s", "1500ms"), or "on:KIND" where KIND is an event kind name ("partition", "crash",
// "role-change", "violation", …). On failure returns false and sets `error` to a one-line message.
bool ParseBreakSpec(const std::string& spec, BreakPoints* out, std::string* error);

// Makes the executor's trace call tinykv_sim_break() whenever an event matches `points`.
// The time breakpoint fires once, at the first event at or after that time.
void InstallBreakPoints(Executor& executor, const BreakPoints& points);

}  // namespace tinykv::sim

extern "C" {
// Put a gdb breakpoint here (the debug command does). `reason` describes what matched.
void tinykv_sim_break(const char* reason);

// For gdb: each returns a pointer into a static buffer valid until the next call.
const char* tinykv_sim_status();                 // clock, events, fingerprint, nodes
const char* tinykv_sim_fibers();                 // every fiber, its node, state, wait
const char* tinykv_sim_trace_tail(int n);        // the last n recorded events
void* tinykv_sim_fiber_context(uint64_t fiber);  // saved stack pointer of a suspended fiber
}
