#include "sim/debug.h"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "sim/executor.h"

extern "C" {
extern tinykv::sim::Executor* tinykv_sim_executor;

__attribute__((noinline)) void tinykv_sim_break(const char* reason) {
  // The asm keeps the call from being optimised away; the argument stays visible to gdb.
  asm volatile("" : : "r"(reason) : "memory");
}
}

namespace tinykv::sim {

bool ParseBreakSpec(const std::string& spec, BreakPoints* out, std::string* error) {
  const size_t colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  const std::string arg = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (kind == "event") {
    char* end = nullptr;
    unsigned long long n = std::strtoull(arg.c_str(), &end, 10);
    if (arg.empty() || *end != '\0' || n == 0) {
      *error = "bad breakpoint '" + spec + "': event:N needs a positive event number";
      return false;
    }
    out->at_event = n;
    return true;
  }
  if (kind == "time") {
    Time t;
    if (!ParseTime(arg, &t)) {
      *error = "bad breakpoint '" + spec + "': time:T needs a time like 2.5s or 1500ms";
      return false;
    }
    out->at_time = t;
    return true;
  }
  if (kind == "on") {
    EventKind k;
    if (!ParseEventKind(arg, &k)) {
      *error = "bad breakpoint '" + spec + "': unknown event kind '" + arg +
               "' (try partition, crash, restart, role-change, violation)";
      return false;
    }
    out->on_kinds.insert(k);
    return true;
  }
  *error = "bad breakpoint '" + spec + "': expected event:N, time:T or on:KIND";
  return false;
}

void InstallBreakPoints(Executor& executor, const BreakPoints& points) {
  auto time_fired = std::make_shared<bool>(false);
  executor.trace().SetObserver([points, time_fired](const Event& e) {
    std::string reason;
    if (points.at_event != 0 && e.seq == points.at_event) reason = "event " + std::to_string(e.seq);
    if (!*time_fired && e.time >= points.at_time) {
      *time_fired = true;
      reason = "time " + FormatTime(points.at_time);
    }
    if (points.on_kinds.count(e.kind)) reason = std::string("on ") + EventKindName(e.kind);
    if (!reason.empty()) {
      std::string line = reason + ": " + FormatEvent(e);
      std::fprintf(stderr, "sim: break (%s)\n", line.c_str());
      tinykv_sim_break(line.c_str());
    }
  });
}

}  // namespace tinykv::sim

namespace {
std::string& DebugBuffer() {
  static std::string buffer;
  return buffer;
}
}  // namespace

extern "C" const char* tinykv_sim_status() {
  using namespace tinykv::sim;
  std::string& out = DebugBuffer();
  if (tinykv_sim_executor == nullptr) return out = "no simulation running", out.c_str();
  Executor& ex = *tinykv_sim_executor;
  char head[160];
  std::snprintf(
      head, sizeof head,
      "virtual time %s, %" PRIu64 " events, fingerprint %016" PRIx64 ", seed %" PRIu64 "\n",
      FormatTime(ex.Now()).c_str(), ex.trace().event_count(), ex.trace().fingerprint(), ex.seed());
  out = head + ex.DescribeNodes();
  return out.c_str();
}

extern "C" const char* tinykv_sim_fibers() {
  std::string& out = DebugBuffer();
  out = tinykv_sim_executor ? tinykv_sim_executor->DescribeFibers() : "no simulation running";
  return out.c_str();
}

extern "C" const char* tinykv_sim_trace_tail(int n) {
  std::string& out = DebugBuffer();
  out.clear();
  if (tinykv_sim_executor == nullptr) return out = "no simulation running", out.c_str();
  const auto& events = tinykv_sim_executor->trace().events();
  size_t start = n > 0 && static_cast<size_t>(n) < events.size() ? events.size() - n : 0;
  for (size_t i = start; i < events.size(); ++i) out += tinykv::sim::FormatEvent(events[i]) + "\n";
  return out.c_str();
}

extern "C" void* tinykv_sim_fiber_context(uint64_t fiber) {
  return tinykv_sim_executor ? tinykv_sim_executor->SuspendedContext(fiber) : nullptr;
}
