// The event trace of a run: numbered events (kind, virtual time, node, detail) and a running
// 64-bit fingerprint over all of them. Two runs of one seed must produce the same fingerprint;
// the determinism check compares full traces and names the first event that differs.
//
// Recording is cheap by default: the fingerprint covers every event, while the event bodies are
// kept only as a bounded tail (for gdb's sim-trace-tail and failure reports) unless the run asks
// to keep everything (replay, determinism check, export). Owned by the executor; single-threaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <iterator>
#include <string>
#include <vector>

#include "sim/time.h"

namespace tinykv::sim {

enum class EventKind : uint8_t {
  kSpawn,
  kFiberExit,
  kSend,
  kDeliver,
  kDrop,
  kDuplicate,
  kCrash,
  kRestart,
  kPause,
  kResume,
  kPartition,  // any change of link state: partition, heal, isolate, clog, loss settings
  kFault,      // a fault-plan entry taking effect (its text is the detail)
  kClientInvoke,
  kClientComplete,
  kRoleChange,
  kViolation,
  kNote,  // free-form marks from scenarios
};

const char* EventKindName(EventKind kind);
// Parses a name as printed by EventKindName ("partition", "crash", ...). Returns false if unknown.
bool ParseEventKind(const std::string& name, EventKind* out);

// Node id used for events that belong to no node (the world, the harness).
inline constexpr uint32_t kNoNode = UINT32_MAX;

// The network's events carry their packet in binary form: formatting a string for each of
// millions of packets would dominate the simulator's cost. FormatEvent renders it when needed.
struct PacketInfo {
  uint32_t from = 0;
  uint32_t to = 0;
  uint32_t port = 0;
  uint32_t bytes = 0;
  uint64_t id = 0;
  uint64_t rpc_id = 0;
  bool response = false;
  const char* reason = nullptr;  // why it was dropped (static string), or null
};

struct Event {
  uint64_t seq = 0;  // 1-based, dense
  Time time{0};
  EventKind kind = EventKind::kNote;
  uint32_t node = kNoNode;
  std::string detail;
  bool has_packet = false;
  PacketInfo packet;
};

// "1->3 p7 #12 84B req rpc5 (partition)".
std::string FormatPacket(const PacketInfo& p);

// The detail text of an event (rendered from its packet for network events).
std::string EventDetail(const Event& e);

// "#12 1.250000s n3 deliver 1->3 p7 #12 84B" — the one-line form used everywhere.
std::string FormatEvent(const Event& e);

// The event bodies a Trace keeps, oldest first: all of them, or a ring of the most recent ones.
// Recording reuses the ring's slots in place, so a full tail costs no allocation per event.
class EventLog {
 public:
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Event;
    using difference_type = std::ptrdiff_t;
    using pointer = const Event*;
    using reference = const Event&;
    const_iterator(const EventLog* log, size_t index) : log_(log), index_(index) {}
    const Event& operator*() const { return (*log_)[index_]; }
    const Event* operator->() const { return &(*log_)[index_]; }
    const_iterator& operator++() {
      ++index_;
      return *this;
    }
    bool operator==(const const_iterator& other) const { return index_ == other.index_; }

   private:
    const EventLog* log_;
    size_t index_;
  };

  size_t size() const { return slots_.size(); }
  bool empty() const { return slots_.empty(); }
  // REQUIRES: i < size().
  const Event& operator[](size_t i) const {
    const size_t at = head_ + i;
    return slots_[at < slots_.size() ? at : at - slots_.size()];
  }
  const Event& front() const { return (*this)[0]; }
  const Event& back() const { return (*this)[slots_.size() - 1]; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, slots_.size()}; }

 private:
  friend class Trace;
  // The slot for a new event: appended while below `capacity` (0 = unbounded), else the oldest
  // one, reused. The caller overwrites every field.
  Event& NextSlot(size_t capacity);

  std::vector<Event> slots_;
  size_t head_ = 0;  // index in slots_ of the oldest event
};

class Trace {
 public:
  // keep_all: keep every event body (else only the last `tail_capacity`).
  explicit Trace(bool keep_all = false, size_t tail_capacity = 256);

  // Records an event at `time` and returns its sequence number. Calls the break hook, if any,
  // after recording.
  uint64_t Record(Time time, EventKind kind, uint32_t node, std::string detail);
  // The same for a packet event; the detail is rendered from `packet` only when printed.
  uint64_t RecordPacket(Time time, EventKind kind, uint32_t node, const PacketInfo& packet);

  uint64_t fingerprint() const { return fingerprint_; }
  uint64_t event_count() const { return seq_; }
  bool keeps_all() const { return keep_all_; }

  // Every event (keep_all) or the tail, oldest first.
  const EventLog& events() const { return events_; }

  // Called after each event is recorded; used for --break-at-event / --break-on.
  void SetObserver(std::function<void(const Event&)> observer) { observer_ = std::move(observer); }

  // One JSON object per line: {"seq":…,"t_ns":…,"kind":"…","node":…,"detail":"…"}.
  void WriteJsonl(std::ostream& out) const;
  // Chrome trace-event JSON (instant events, one track per node), opens in Perfetto.
  void WriteChromeTrace(std::ostream& out) const;

 private:
  bool keep_all_;
  size_t tail_capacity_;
  uint64_t seq_ = 0;
  uint64_t fingerprint_ = 0x84222325cbf29ce4ULL;
  EventLog events_;
  std::function<void(const Event&)> observer_;

  // The slot the next event goes to (fields to be overwritten), with seq and header filled in.
  Event& Begin(Time time, EventKind kind, uint32_t node);
  void Notify(const Event& e) {
    if (observer_) observer_(e);
  }
};

// The outcome of comparing two traces of the same seed.
struct TraceDiff {
  bool identical = true;
  uint64_t first_difference = 0;  // seq of the first differing event (or of the shorter's end)
  std::string left;               // that event in run 1, formatted ("<end of trace>" if missing)
  std::string right;              // that event in run 2
};

// REQUIRES: both traces were recorded with keep_all.
TraceDiff CompareTraces(const Trace& a, const Trace& b);

}  // namespace tinykv::sim
