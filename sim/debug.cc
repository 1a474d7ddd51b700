#include "sim/debug.h"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <memory>
#include <tuple>

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
    out->at_events.insert(n);
    return true;
  }
  if (kind == "time") {
    Time t;
    if (!ParseTime(arg, &t)) {
      *error = "bad breakpoint '" + spec + "': time:T needs a time like 2.5s or 1500ms";
      return false;
    }
    out->at_times.insert(t);
    return true;
  }
  if (kind == "on") {
    EventKind k;
    // Nodes record a role-change event whenever their role or the leader they know changes, so
    // "leader-change" (the name students reach for) is the same breakpoint.
    if (arg == "leader-change") {
      k = EventKind::kRoleChange;
    } else if (!ParseEventKind(arg, &k)) {
      *error = "bad breakpoint '" + spec + "': unknown event kind '" + arg +
               "' (try partition, crash, restart, role-change, leader-change, violation)";
      return false;
    }
    out->on_kinds.insert(k);
    return true;
  }
  *error = "bad breakpoint '" + spec + "': expected event:N, time:T or on:KIND";
  return false;
}

bool ParseBreakSpecs(const std::string& specs, BreakPoints* out, std::string* error) {
  size_t start = 0;
  for (;;) {
    const size_t comma = specs.find(',', start);
    const std::string spec = specs.substr(start, comma - start);
    if (!ParseBreakSpec(spec, out, error)) return false;
    if (comma == std::string::npos) return true;
    start = comma + 1;
  }
}

void InstallBreakPoints(Executor& executor, const BreakPoints& points) {
  // Time breakpoints not reached yet, earliest first: each fires once, at the first event at or
  // after its time (several passed by one event fire together, naming the latest).
  auto pending_times = std::make_shared<std::set<Time>>(points.at_times);
  executor.trace().SetObserver([points, pending_times](const Event& e) {
    std::string reason;
    if (points.at_events.count(e.seq)) reason = "event " + std::to_string(e.seq);
    while (!pending_times->empty() && e.time >= *pending_times->begin()) {
      reason = "time " + FormatTime(*pending_times->begin());
      pending_times->erase(pending_times->begin());
    }
    if (points.on_kinds.count(e.kind)) reason = std::string("on ") + EventKindName(e.kind);
    if (!reason.empty()) {
      std::string line = reason + ": " + FormatEvent(e);
      std::fprintf(stderr, "sim: break (%s)\n", line.c_str());
      tinykv_sim_break(line.c_str());
    }
  });
}

namespace {

struct InspectorKey {
  uint32_t node;
  std::string name;
  uint64_t id;  // registration order breaks ties
  bool operator<(const InspectorKey& o) const {
    return std::tie(node, name, id) < std::tie(o.node, o.name, o.id);
  }
};

struct InspectorRegistry {
  uint64_t next_id = 1;
  std::map<InspectorKey, InspectFn> by_key;
  std::map<uint64_t, InspectorKey> key_of;
};

// Never destroyed: registrations held by static objects may unregister after main returns.
InspectorRegistry& Registry() {
  static auto* registry = new InspectorRegistry;
  return *registry;
}

std::string NodeLabel(uint32_t node) {
  return node == kNoNode ? "world" : "node " + std::to_string(node);
}

}  // namespace

InspectorRegistration& InspectorRegistration::operator=(InspectorRegistration&& other) noexcept {
  if (this != &other) {
    Reset();
    id_ = other.id_;
    other.id_ = 0;
  }
  return *this;
}

void InspectorRegistration::Reset() {
  if (id_ == 0) return;
  InspectorRegistry& r = Registry();
  if (auto it = r.key_of.find(id_); it != r.key_of.end()) {
    r.by_key.erase(it->second);
    r.key_of.erase(it);
  }
  id_ = 0;
}

InspectorRegistration RegisterInspector(uint32_t node, std::string name, InspectFn fn) {
  InspectorRegistry& r = Registry();
  const uint64_t id = r.next_id++;
  InspectorKey key{node, std::move(name), id};
  r.key_of.emplace(id, key);
  r.by_key.emplace(std::move(key), std::move(fn));
  return InspectorRegistration(id);
}

std::string DescribeInspectors(std::optional<uint32_t> node) {
  const InspectorRegistry& r = Registry();
  std::string out;
  std::set<uint32_t> nodes;
  for (const auto& [key, fn] : r.by_key) {
    nodes.insert(key.node);
    if (node && key.node != *node) continue;
    std::string text;
    try {
      text = fn();
    } catch (const std::exception& e) {
      text = std::string("(inspector failed: ") + e.what() + ")";
    } catch (...) {
      text = "(inspector failed with a non-standard exception)";
    }
    if (!text.empty() && text.back() != '\n') text += '\n';
    out += "== " + NodeLabel(key.node) + ": " + key.name + " ==\n" + text;
  }
  if (!out.empty()) return out;
  if (nodes.empty()) return "no inspectors registered (this program registers none)\n";
  std::string known;
  for (uint32_t n : nodes) known += (known.empty() ? "" : ", ") + NodeLabel(n);
  return "no inspector for " + NodeLabel(*node) + "; inspectors exist for: " + known + "\n";
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

extern "C" const char* tinykv_sim_inspect(int64_t node) {
  std::string& out = DebugBuffer();
  std::optional<uint32_t> which;
  if (node >= 0) which = static_cast<uint32_t>(node);
  out = tinykv::sim::DescribeInspectors(which);
  return out.c_str();
}
