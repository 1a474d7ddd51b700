// InvariantMonitor: the Raft and store invariants every cluster scenario checks continuously, as
// the stores run — not only at the end — so a classic mistake fails its seed at the moment it
// shows, with a line naming the invariant, the stores, the term and index, and a hint.
//
// What it watches, and nothing else (never a store's private fields):
//   - every raft message a store sends (raftstore::StoreObserver::OnRaftMessageSent, as it goes to
//     the transport): who sends appends and heartbeats in which term (a leader), vote grants,
//     append acknowledgements, the highest term each store has shown the world;
//   - each store's inspection surface after every batch of its raft worker, for the regions the
//     batch touched (raftstore::StoreObserver::AfterRaftBatch → Peer::vitals()): role, term,
//     commit, applied, last and truncated index;
//   - the stores' disks: the raft log entry at each newly applied index (state machine safety),
//     the log of a new leader (leader completeness), and at every crash what the raft disk kept
//     (nothing acknowledged before it was durable);
//   - every batch a store writes to its kv engine (raftstore::StoreObserver::BeforeKvWrite): the
//     data keys an applied command writes.
//
// Invariants (the name starts each violation line):
//   election safety       at most one store leads a term (across crashes and restarts);
//   vote safety           a store grants at most one vote per term;
//   durability            after a crash the disk holds a term ≥ every term the store sent
//                         messages in, the vote it granted in that term, and every entry it
//                         acknowledged in that term;
//   state machine safety  no two stores (nor one store before and after a restart) apply
//                         different entries at one index;
//   leader completeness   a new leader's log holds every entry applied anywhere;
//   monotonicity          within one incarnation term, commit and applied never go back (a
//                         snapshot older than the commit index must be refused);
//   index order           applied ≤ commit ≤ last index, truncated ≤ applied;
//   range safety          an applied command writes only keys of its region as the region is
//                         when it applies (lab3b: a command proposed before a split, applied
//                         after it, must fail with EpochNotMatch — not write into the keys the
//                         new region owns). Checked on batches that write one region's apply
//                         state and data keys but no region state (a batch that changes the
//                         range — a split, a conf change, a snapshot — is not judged).
//
// On the first violation the monitor records a kViolation trace event (its number is the
// BREAK=event:N a replay stops at), calls `on_violation` (the cluster marks the timeline) and asks
// the executor to stop the run. Later violations are ignored: the first one is the cause.
//
// Regions (lab3b): every invariant is about one region — its peers form one Raft group — so the
// monitor keeps one RegionMonitor per region it has seen (in a message or on a store); a
// violation of a region other than the first names it ("durability: region 7: store 2 …"). A
// store whose peer of a region was destroyed, or replaced by one with a new peer id, starts a
// new Raft node there: what was tracked of the old peer is dropped, and a crash of a store
// holding the region's tombstone checks nothing of it.
//
// Threading: everything runs on the cluster's executor, inside store fibers (observer) or the
// driver (OnCrash). Per message it reads a few fields; per raft-worker batch a few numbers and
// the log entries applied in it.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/executor.h"
#include "store/raftstore/bootstrap.h"
#include "store/raftstore/store_node.h"

namespace tinykv::harness {

// Moments the monitor sees in a store's life where a crash tends to expose bugs (the crash-point
// nemesis listens for them).
enum class StoreEvent {
  kVoteGranted,           // sent a vote grant
  kAppendAcked,           // sent an append acknowledgement
  kLeaderAppended,        // sent appends as leader
  kSnapshotApplyStarted,  // its snapshot-apply worker started writing a snapshot's data
  kRaftLogGcDone,         // its raft-log GC worker deleted compacted entries
};
inline constexpr size_t kStoreEventKinds = static_cast<size_t>(StoreEvent::kRaftLogGcDone) + 1;
// "granting a vote", "acknowledging an append", … (what the store was just doing).
const char* StoreEventName(StoreEvent event);

// The monotonicity and index-order rules over one store's vitals: "" when `now` keeps them, else
// the violation line. `before`: the same incarnation's vitals after its previous batch (null for
// its first batch since a start).
std::string VitalsViolation(uint64_t store, const raftstore::PeerVitals* before,
                            const raftstore::PeerVitals& now);

// What the per-region monitors share: the first violation of any region (the cause), and the
// store events of all regions.
struct MonitorShared {
  std::string violation;
  uint64_t violation_event = 0;
  std::function<void(const std::string&)> on_violation;
  std::function<void(uint64_t, StoreEvent)> on_event;
  std::array<uint64_t, kStoreEventKinds> event_counts{};
};

// The invariants of one region (every peer of it on every store). InvariantMonitor keeps one per
// region it has seen; they share one MonitorShared.
class RegionMonitor {
 public:
  RegionMonitor(sim::Executor& ex, uint64_t region_id, MonitorShared* shared);
  RegionMonitor(const RegionMonitor&) = delete;
  RegionMonitor& operator=(const RegionMonitor&) = delete;

  void Watch(const raftstore::StoreNode* store);
  void OnCrash(uint64_t id);
  // `store`'s raft worker finished a batch: checks its peer of this region, if it has one (a
  // peer gone since the last batch — destroyed — ends what was tracked of it).
  void AfterRaftBatch(const raftstore::StoreNode& store);
  void OnRaftMessageSent(const raftstore::StoreNode& store, const raft_serverpb::RaftMessage& msg);
  // `store` is about to write `batch`, which applies commands of this region (range safety).
  void CheckWritesInRange(const raftstore::StoreNode& store, const store::WriteBatch& batch);
  void Emit(uint64_t store, StoreEvent event) {
    ++shared_->event_counts[static_cast<size_t>(event)];
    if (shared_->on_event) shared_->on_event(store, event);
  }

  size_t leader_terms() const { return leader_of_term_.size(); }
  const std::map<uint64_t, uint64_t>& leader_of_term() const { return leader_of_term_; }
  std::optional<sim::Time> last_apply_progress(uint64_t store) const {
    auto it = watched_.find(store);
    if (it == watched_.end() || !it->second.applied_ever) return std::nullopt;
    return it->second.last_apply_at;
  }

 private:
  struct Grant {
    uint64_t candidate_store = 0;
    uint64_t candidate_peer = 0;
    sim::Time at{0};
  };
  struct Ack {
    uint64_t term = 0;
    uint64_t index = 0;
    sim::Time at{0};
  };
  // What one store has shown: across incarnations (what the world saw) and in this one.
  struct Watched {
    const raftstore::StoreNode* node = nullptr;
    uint64_t peer_id = 0;  // the store's peer of the region these numbers are about
    uint64_t max_sent_term = 0;
    sim::Time max_sent_term_at{0};
    std::map<uint64_t, Grant> grants;  // term → the vote granted in it
    Ack last_ack;
    std::vector<sim::Time> crashes;
    bool applied_ever = false;
    sim::Time last_apply_at{0};
    // This incarnation.
    bool seen = false;
    raftstore::PeerVitals last;
    uint64_t checked_applied = 0;  // applied entries compared up to here (across incarnations)
    uint64_t led_term = 0;         // the last term this incarnation was seen leading
  };
  // The first applier of each index.
  struct AppliedEntry {
    bool set = false;
    uint64_t term = 0;
    uint64_t store = 0;
    std::string bytes;  // the serialized entry as its raft disk holds it
  };

  void OnLeaderSeen(uint64_t store, uint64_t term, const char* how);
  void CheckApplied(Watched& w, const raftstore::PeerVitals& v);
  void CheckLeaderCompleteness(const Watched& w, uint64_t term);
  // The raft log entry at `index` on `store`'s raft disk, if it is there (serialized / parsed).
  bool ReadEntryBytes(const raftstore::StoreNode& store, uint64_t index, std::string* bytes) const;
  bool ReadEntry(const raftstore::StoreNode& store, uint64_t index, eraftpb::Entry* entry) const;
  // "crashed at 1.2s" style hint when `store` crashed in (from, now]; "" otherwise.
  std::string CrashHint(const Watched& w, sim::Time from, const std::string& question) const;
  // Records the first violation of the run (of any region) and stops it.
  void Violate(std::string line);
  bool violated() const { return !shared_->violation.empty(); }
  Watched& W(uint64_t store) { return watched_[store]; }
  // The watch of store `store`'s peer `peer_id`. A peer id the store did not have before (its
  // peer was removed and the region added the store again, lab3b) is a new Raft node whose term,
  // votes and log start afresh: what was tracked of the old one is dropped.
  Watched& W(uint64_t store, uint64_t peer_id);
  // Drops everything tracked of a store's peer but the store itself.
  static void Forget(Watched& w);

  sim::Executor& ex_;
  uint64_t region_id_;
  MonitorShared* shared_;
  std::map<uint64_t, Watched> watched_;
  std::map<uint64_t, uint64_t> leader_of_term_;  // term → store
  std::vector<AppliedEntry> applied_;            // by index
  uint64_t max_applied_ = 0;                     // highest index applied anywhere
};

// The monitor of a whole cluster: every region's invariants (one RegionMonitor per region,
// created when the region is first seen), the first violation of any of them, and the store
// events of all.
class InvariantMonitor final : public raftstore::StoreObserver {
 public:
  explicit InvariantMonitor(sim::Executor& ex) : ex_(ex) {}
  InvariantMonitor(const InvariantMonitor&) = delete;
  InvariantMonitor& operator=(const InvariantMonitor&) = delete;

  // Watches `store` (not owned; must outlive the monitor's use of it).
  void Watch(const raftstore::StoreNode* store);
  // Call right after the executor crashed store `id` (its disks then hold what survived).
  void OnCrash(uint64_t id);
  // Called with the violation line, once.
  void set_on_violation(std::function<void(const std::string&)> cb) {
    shared_.on_violation = std::move(cb);
  }
  // Called for every StoreEvent, on the store's fiber (must not block).
  void set_event_listener(std::function<void(uint64_t store, StoreEvent)> cb) {
    shared_.on_event = std::move(cb);
  }

  // The first violation ("" while none) and the trace event that recorded it.
  const std::string& violation() const { return shared_.violation; }
  uint64_t violation_event() const { return shared_.violation_event; }
  // Terms of region `region_id` in which some store acted as leader (sent appends /
  // heartbeats, or said so), and its leaders per term (term → store), for reports.
  size_t leader_terms(uint64_t region_id = raftstore::kFirstRegionId) const;
  const std::map<uint64_t, uint64_t>& leader_of_term(
      uint64_t region_id = raftstore::kFirstRegionId) const;
  // When `store` last applied a new entry of any region (any incarnation); nothing if never.
  std::optional<sim::Time> last_apply_progress(uint64_t store) const;
  // How often `event` happened so far, over all stores and regions.
  uint64_t event_count(StoreEvent event) const {
    return shared_.event_counts[static_cast<size_t>(event)];
  }
  // Regions seen so far.
  size_t regions() const { return regions_.size(); }

  // ---- raftstore::StoreObserver ----
  void AfterRaftBatch(const raftstore::StoreNode& store) override;
  void OnRaftMessageSent(const raftstore::StoreNode& store,
                         const raft_serverpb::RaftMessage& msg) override;
  void OnSnapshotApplyStart(const raftstore::StoreNode& store, uint64_t region_id,
                            uint64_t index) override;
  void OnRaftLogGcDone(const raftstore::StoreNode& store, uint64_t region_id,
                       uint64_t end) override;
  void BeforeKvWrite(const raftstore::StoreNode& store, const store::WriteBatch& batch) override;

 private:
  RegionMonitor& Region(uint64_t region_id);

  sim::Executor& ex_;
  MonitorShared shared_;
  std::vector<const raftstore::StoreNode*> stores_;
  std::map<uint64_t, std::unique_ptr<RegionMonitor>> regions_;
};

// A raft log entry in words, for violation lines: "term 3: put k1 = c2v17", "term 4: no-op", …
std::string DescribeLogEntry(uint64_t term, const std::string& type_and_data);

}  // namespace tinykv::harness
