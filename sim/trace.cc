#include "sim/trace.h"

#include <cinttypes>
#include <cstdio>
#include <map>
#include <ostream>
#include <set>

#include "sim/json_escape.h"
#include "sim/random.h"

namespace tinykv::sim {
namespace {

constexpr const char* kKindNames[] = {
    "spawn",  "fiber-exit", "send",        "deliver",   "drop",      "dup",
    "crash",  "restart",    "pause",       "resume",    "partition", "fault",
    "invoke", "complete",   "role-change", "violation", "note",
};
static_assert(sizeof(kKindNames) / sizeof(kKindNames[0]) ==
              static_cast<size_t>(EventKind::kNote) + 1);

// Fingerprinting runs for every one of a scenario's ~10^5–10^6 events, so it is kept to one
// multiply per field and one SplitMix64 finalisation per event. Collisions only matter between
// two runs of one seed, and any change to any field changes the event's hash.
uint64_t Fold(uint64_t h, uint64_t v) {
  h = (h ^ v) * 0x9fb21c651e98df25ULL;
  return h ^ (h >> 29);
}

uint64_t Chain(uint64_t fingerprint, uint64_t event_hash) {
  uint64_t state = fingerprint ^ event_hash;
  return SplitMix64(state);
}

uint64_t HeaderHash(Time time, EventKind kind, uint32_t node) {
  uint64_t h = Fold(0x6a09e667f3bcc908ULL, static_cast<uint64_t>(time.count()));
  return Fold(h, (uint64_t{static_cast<uint8_t>(kind)} << 32) | node);
}

}  // namespace

std::string EventDetail(const Event& e) { return e.has_packet ? FormatPacket(e.packet) : e.detail; }

const char* EventKindName(EventKind kind) { return kKindNames[static_cast<size_t>(kind)]; }

bool ParseEventKind(const std::string& name, EventKind* out) {
  for (size_t i = 0; i < sizeof(kKindNames) / sizeof(kKindNames[0]); ++i) {
    if (name == kKindNames[i]) {
      *out = static_cast<EventKind>(i);
      return true;
    }
  }
  return false;
}

std::string FormatPacket(const PacketInfo& p) {
  auto name = [](uint32_t n) { return n == kNoNode ? std::string("world") : std::to_string(n); };
  std::string s = name(p.from) + "->" + name(p.to) + " p" + std::to_string(p.port) + " #" +
                  std::to_string(p.id) + " " + std::to_string(p.bytes) + "B";
  if (p.rpc_id != 0)
    s += std::string(p.response ? " resp" : " req") + " rpc" + std::to_string(p.rpc_id);
  if (p.reason != nullptr) s += std::string(" (") + p.reason + ")";
  return s;
}

std::string FormatEvent(const Event& e) {
  std::string node = e.node == kNoNode ? "--" : "n" + std::to_string(e.node);
  char head[96];
  std::snprintf(head, sizeof head, "#%" PRIu64 " %s %s %s", e.seq, FormatTime(e.time).c_str(),
                node.c_str(), EventKindName(e.kind));
  std::string line = head;
  if (e.has_packet) {
    line += " " + FormatPacket(e.packet);
  } else if (!e.detail.empty()) {
    line += " " + e.detail;
  }
  return line;
}

Trace::Trace(bool keep_all, size_t tail_capacity)
    : keep_all_(keep_all), tail_capacity_(tail_capacity == 0 ? 1 : tail_capacity) {}

Event& EventLog::NextSlot(size_t capacity) {
  if (capacity == 0 || slots_.size() < capacity) return slots_.emplace_back();
  Event& slot = slots_[head_];
  head_ = head_ + 1 == slots_.size() ? 0 : head_ + 1;
  return slot;
}

Event& Trace::Begin(Time time, EventKind kind, uint32_t node) {
  Event& e = events_.NextSlot(keep_all_ ? 0 : tail_capacity_);
  e.seq = seq_;
  e.time = time;
  e.kind = kind;
  e.node = node;
  return e;
}

uint64_t Trace::Record(Time time, EventKind kind, uint32_t node, std::string detail) {
  ++seq_;
  fingerprint_ = Chain(fingerprint_, Fold(HeaderHash(time, kind, node), HashName(detail)));
  Event& e = Begin(time, kind, node);
  e.detail = std::move(detail);
  e.has_packet = false;
  e.packet = PacketInfo{};
  Notify(e);
  return seq_;
}

uint64_t Trace::RecordPacket(Time time, EventKind kind, uint32_t node, const PacketInfo& packet) {
  ++seq_;
  uint64_t h = HeaderHash(time, kind, node);
  h = Fold(h, (uint64_t{packet.from} << 32) | packet.to);
  h = Fold(h, (uint64_t{packet.port} << 32) | packet.bytes);
  h = Fold(h, packet.id);
  h = Fold(h, (packet.rpc_id << 1) | (packet.response ? 1 : 0));
  if (packet.reason != nullptr) h = Fold(h, HashName(packet.reason));
  fingerprint_ = Chain(fingerprint_, h);
  Event& e = Begin(time, kind, node);
  e.detail.clear();
  e.has_packet = true;
  e.packet = packet;
  Notify(e);
  return seq_;
}

void Trace::WriteJsonl(std::ostream& out) const {
  for (const Event& e : events_) {
    out << "{\"seq\":" << e.seq << ",\"t_ns\":" << e.time.count() << ",\"kind\":\""
        << EventKindName(e.kind) << "\",\"node\":";
    if (e.node == kNoNode) {
      out << "null";
    } else {
      out << e.node;
    }
    out << ",\"detail\":\"" << JsonEscape(EventDetail(e)) << "\"}\n";
  }
}

void Trace::WriteChromeTrace(std::ostream& out) const {
  out << "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
  // One track per node: tid 0 is the world (driver, nemesis), tid n+1 is node n. Name the tracks
  // so Perfetto shows "node 3", not "thread 4".
  std::set<uint32_t> nodes;
  for (const Event& e : events_) nodes.insert(e.node);
  bool first = true;
  auto next = [&]() -> std::ostream& {
    if (!first) out << ",\n";
    first = false;
    return out;
  };
  auto tid_of = [](uint32_t node) { return node == kNoNode ? uint64_t{0} : uint64_t{node} + 1; };
  auto micros = [](Time t) {  // Chrome trace timestamps are microseconds
    char ts[32];
    std::snprintf(ts, sizeof ts, "%.3f", static_cast<double>(t.count()) / 1000.0);
    return std::string(ts);
  };
  for (uint32_t node : nodes) {
    const std::string name = node == kNoNode ? "world" : "node " + std::to_string(node);
    next() << "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":" << tid_of(node)
           << ",\"args\":{\"name\":\"" << name << "\"}}";
  }
  // While a node is down or paused: a slice on its track, from the crash (pause) to the restart
  // (resume), or to the end of the trace.
  std::map<uint32_t, Time> down_since, paused_since;
  auto slice = [&](uint32_t node, const char* name, Time from, Time to) {
    next() << "{\"name\":\"" << name << "\",\"ph\":\"X\",\"pid\":1,\"tid\":" << tid_of(node)
           << ",\"ts\":" << micros(from) << ",\"dur\":" << micros(to - from) << "}";
  };
  for (const Event& e : events_) {
    const uint64_t tid = tid_of(e.node);
    const bool packet_slice =
        e.has_packet && (e.kind == EventKind::kSend || e.kind == EventKind::kDeliver);
    // A send and a delivery are short slices (not instants), so that the packet's flow arrow
    // can bind to them: Perfetto draws it from the sender's track to the receiver's.
    next() << "{\"name\":\"" << EventKindName(e.kind) << "\",\"ph\":\""
           << (packet_slice ? "X" : "i") << "\"," << (packet_slice ? "\"dur\":1," : "\"s\":\"t\",")
           << "\"pid\":1,\"tid\":" << tid << ",\"ts\":" << micros(e.time)
           << ",\"args\":{\"seq\":" << e.seq << ",\"detail\":\"" << JsonEscape(EventDetail(e))
           << "\"}}";
    if (packet_slice) {
      next() << "{\"name\":\"packet\",\"cat\":\"net\",\"ph\":\""
             << (e.kind == EventKind::kSend ? "s" : "f") << "\","
             << (e.kind == EventKind::kSend ? "" : "\"bp\":\"e\",") << "\"id\":" << e.packet.id
             << ",\"pid\":1,\"tid\":" << tid << ",\"ts\":" << micros(e.time) << "}";
    }
    if (e.node == kNoNode) continue;
    switch (e.kind) {
      case EventKind::kCrash:
        down_since.emplace(e.node, e.time);
        break;
      case EventKind::kRestart:
        if (auto it = down_since.find(e.node); it != down_since.end()) {
          slice(e.node, "down", it->second, e.time);
          down_since.erase(it);
        }
        break;
      case EventKind::kPause:
        paused_since.emplace(e.node, e.time);
        break;
      case EventKind::kResume:
        if (auto it = paused_since.find(e.node); it != paused_since.end()) {
          slice(e.node, "paused", it->second, e.time);
          paused_since.erase(it);
        }
        break;
      default:
        break;
    }
  }
  const Time end = events_.empty() ? Time(0) : events_.back().time;
  for (const auto& [node, since] : down_since) slice(node, "down", since, end);
  for (const auto& [node, since] : paused_since) slice(node, "paused", since, end);
  out << "\n]}\n";
}

TraceDiff CompareTraces(const Trace& a, const Trace& b) {
  TraceDiff diff;
  const auto& ea = a.events();
  const auto& eb = b.events();
  const size_t n = std::max(ea.size(), eb.size());
  for (size_t i = 0; i < n; ++i) {
    const bool has_a = i < ea.size();
    const bool has_b = i < eb.size();
    if (has_a && has_b && ea[i].time == eb[i].time && ea[i].kind == eb[i].kind &&
        ea[i].node == eb[i].node && EventDetail(ea[i]) == EventDetail(eb[i])) {
      continue;
    }
    diff.identical = false;
    diff.first_difference = i + 1;
    diff.left = has_a ? FormatEvent(ea[i]) : "<end of trace>";
    diff.right = has_b ? FormatEvent(eb[i]) : "<end of trace>";
    return diff;
  }
  return diff;
}

}  // namespace tinykv::sim
