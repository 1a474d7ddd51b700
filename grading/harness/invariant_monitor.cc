#include "grading/harness/invariant_monitor.h"

#include <algorithm>
#include <utility>

#include "proto/raft_cmdpb.pb.h"
#include "proto/raft_serverpb.pb.h"
#include "store/raftstore/keys.h"
#include "store/raftstore/region_ranges.h"
#include "store/raftstore/store_peers.h"

namespace tinykv::harness {
namespace {

using eraftpb::MessageType;
using raftstore::PeerVitals;
using raftstore::StoreNode;

std::string S(uint64_t v) { return std::to_string(v); }

// The entry as the monitor compares it: its type, then its data.
std::string TypeAndData(const eraftpb::Entry& e) {
  std::string out(1, static_cast<char>(e.entry_type()));
  out += e.data();
  return out;
}

}  // namespace

std::string DescribeLogEntry(uint64_t term, const std::string& type_and_data) {
  std::string out = "term " + S(term) + ": ";
  if (type_and_data.empty()) return out + "?";
  const std::string data = type_and_data.substr(1);
  if (type_and_data[0] == static_cast<char>(eraftpb::EntryConfChange)) return out + "conf change";
  if (data.empty()) return out + "no-op";
  raft_cmdpb::RaftCmdRequest req;
  if (!req.ParseFromString(data)) return out + S(data.size()) + " bytes of data";
  if (req.has_admin_request()) {
    const auto& a = req.admin_request();
    if (a.cmd_type() == raft_cmdpb::CompactLog)
      return out + "compact log to " + S(a.compact_log().compact_index());
    return out + "admin command " + S(a.cmd_type());
  }
  std::string cmds;
  for (const auto& r : req.requests()) {
    cmds += cmds.empty() ? "" : ", ";
    switch (r.cmd_type()) {
      case raft_cmdpb::Put:
        cmds += "put " + r.put().key() + " = " + r.put().value();
        break;
      case raft_cmdpb::Delete:
        cmds += "delete " + r.delete_().key();
        break;
      case raft_cmdpb::Get:
        cmds += "get " + r.get().key();
        break;
      case raft_cmdpb::Snap:
        cmds += "snap (a read)";
        break;
      default:
        cmds += "command " + S(r.cmd_type());
    }
  }
  return out + (cmds.empty() ? "empty command" : cmds);
}

const char* StoreEventName(StoreEvent event) {
  switch (event) {
    case StoreEvent::kVoteGranted:
      return "granting a vote";
    case StoreEvent::kAppendAcked:
      return "acknowledging an append";
    case StoreEvent::kLeaderAppended:
      return "sending appends as leader";
    case StoreEvent::kSnapshotApplyStarted:
      return "starting a snapshot apply";
    case StoreEvent::kRaftLogGcDone:
      return "a raft-log GC";
  }
  return "?";
}

RegionMonitor::RegionMonitor(sim::Executor& ex, uint64_t region_id, MonitorShared* shared)
    : ex_(ex), region_id_(region_id), shared_(shared) {}

void RegionMonitor::Watch(const StoreNode* store) { W(store->store_id()).node = store; }

void RegionMonitor::Violate(std::string line) {
  if (violated()) return;
  if (region_id_ != raftstore::kFirstRegionId) {
    // "durability: region 7: store 2 …" — the first region (the only one of labs 2B / 2C)
    // goes unnamed.
    const size_t colon = line.find(": ");
    if (colon != std::string::npos) line.insert(colon + 2, "region " + S(region_id_) + ": ");
  }
  shared_->violation = std::move(line);
  shared_->violation_event = ex_.Record(sim::EventKind::kViolation, shared_->violation);
  if (shared_->on_violation) shared_->on_violation(shared_->violation);
  ex_.RequestStop();
}

std::string RegionMonitor::CrashHint(const Watched& w, sim::Time from,
                                     const std::string& question) const {
  for (sim::Time t : w.crashes) {
    if (t >= from) {
      return " — it crashed at " + sim::FormatTime(t) + " in between: " + question;
    }
  }
  return "";
}

void RegionMonitor::Forget(Watched& w) {
  const StoreNode* node = w.node;
  w = Watched{};
  w.node = node;
}

RegionMonitor::Watched& RegionMonitor::W(uint64_t store, uint64_t peer_id) {
  Watched& w = watched_[store];
  if (peer_id == 0 || w.peer_id == peer_id) return w;
  if (w.peer_id != 0) Forget(w);
  w.peer_id = peer_id;
  return w;
}

// ---------------------------------------------------------------- what stores send

void RegionMonitor::OnRaftMessageSent(const StoreNode& store,
                                      const raft_serverpb::RaftMessage& msg) {
  if (violated() || msg.region_id() != region_id_) return;
  const eraftpb::Message& m = msg.message();
  const uint64_t from = store.store_id();
  Watched& w = W(from, msg.from_peer().id());
  const sim::Time now = ex_.Now();
  if (m.term() > w.max_sent_term) {
    w.max_sent_term = m.term();
    w.max_sent_term_at = now;
  }
  switch (m.msg_type()) {
    case MessageType::MsgAppend:
    case MessageType::MsgHeartbeat:
      OnLeaderSeen(from, m.term(),
                   m.msg_type() == MessageType::MsgAppend ? "sent appends" : "sent heartbeats");
      if (m.msg_type() == MessageType::MsgAppend) Emit(from, StoreEvent::kLeaderAppended);
      break;
    case MessageType::MsgRequestVoteResponse: {
      if (m.reject()) break;
      const uint64_t candidate = msg.to_peer().store_id();
      auto [it, fresh] = w.grants.try_emplace(m.term(), Grant{candidate, msg.to_peer().id(), now});
      if (!fresh && it->second.candidate_store != candidate) {
        Violate("vote safety: store " + S(from) + " granted its vote in term " + S(m.term()) +
                " twice, to store " + S(it->second.candidate_store) + " at " +
                sim::FormatTime(it->second.at) + " and to store " + S(candidate) + " at " +
                sim::FormatTime(now) +
                CrashHint(w, it->second.at, "was its vote durable before it granted it?"));
      }
      Emit(from, StoreEvent::kVoteGranted);
      break;
    }
    case MessageType::MsgAppendResponse:
      if (m.reject()) break;
      w.last_ack = Ack{m.term(), m.index(), now};
      Emit(from, StoreEvent::kAppendAcked);
      break;
    default:
      break;
  }
}

void RegionMonitor::OnLeaderSeen(uint64_t store, uint64_t term, const char* how) {
  auto [it, fresh] = leader_of_term_.try_emplace(term, store);
  if (fresh || it->second == store) return;
  // Who let both win? A store that granted its vote in this term to both.
  std::string hint;
  for (const auto& [id, w] : watched_) {
    auto g = w.grants.find(term);
    if (g == w.grants.end()) continue;
    const uint64_t other = g->second.candidate_store == store ? it->second : store;
    if (g->second.candidate_store == store || g->second.candidate_store == it->second) {
      hint = "; store " + S(id) + " voted for store " + S(g->second.candidate_store) + " at " +
             sim::FormatTime(g->second.at);
      if (!w.crashes.empty() && w.crashes.back() >= g->second.at) {
        hint += ", crashed at " + sim::FormatTime(w.crashes.back()) +
                " — was its vote durable before the crash? Did it vote for store " + S(other) +
                " after restarting?";
      }
      break;
    }
  }
  Violate("election safety: stores " + S(it->second) + " and " + S(store) + " both lead term " +
          S(term) + " (store " + S(store) + " " + how + ")" + hint);
}

// ---------------------------------------------------------------- crashes

void RegionMonitor::OnCrash(uint64_t id) {
  Watched& w = W(id);
  const sim::Time now = ex_.Now();
  w.crashes.push_back(now);
  w.seen = false;
  w.led_term = 0;
  if (w.node == nullptr || violated()) return;
  // The restarted store applies again from what its kv disk kept: compare from there.
  std::string apply_bytes;
  raft_serverpb::RaftApplyState apply;
  w.checked_applied =
      w.node->disks().kv->live_state()[0].Get(raftstore::ApplyStateKey(region_id_), &apply_bytes) &&
              apply.ParseFromString(apply_bytes)
          ? std::min(w.checked_applied, apply.applied_index())
          : 0;
  std::string bytes;
  raft_serverpb::RegionLocalState region_state;
  if (w.node->disks().kv->live_state()[0].Get(raftstore::RegionStateKey(region_id_), &bytes) &&
      region_state.ParseFromString(bytes) && region_state.state() == raft_serverpb::Tombstone) {
    return;  // its peer here was destroyed (lab3b): there is no raft state to keep
  }
  raft_serverpb::RaftLocalState state;
  if (!w.node->disks().raft->live_state()[0].Get(raftstore::RaftStateKey(region_id_), &bytes) ||
      !state.ParseFromString(bytes)) {
    if (w.max_sent_term > 0) {
      Violate("durability: store " + S(id) + " sent raft messages up to term " +
              S(w.max_sent_term) + ", but after its crash at " + sim::FormatTime(now) +
              " its raft disk holds no raft state at all — was it ever written with sync?");
    }
    return;
  }
  const eraftpb::HardState& hs = state.hard_state();
  const std::string crash = "after its crash at " + sim::FormatTime(now) + " its raft disk holds ";
  if (hs.term() < w.max_sent_term) {
    Violate("durability: store " + S(id) + " sent raft messages in term " + S(w.max_sent_term) +
            " (from " + sim::FormatTime(w.max_sent_term_at) + " on), but " + crash + "term " +
            S(hs.term()) + " — the hard state must be synced to disk before messages go out");
    return;
  }
  if (auto g = w.grants.find(hs.term());
      g != w.grants.end() && hs.vote() != g->second.candidate_peer) {
    Violate("durability: store " + S(id) + " granted its vote in term " + S(hs.term()) +
            " to store " + S(g->second.candidate_store) + " at " + sim::FormatTime(g->second.at) +
            ", but " + crash + "vote " + (hs.vote() == 0 ? "none" : "peer " + S(hs.vote())) +
            " for that term — the vote must be synced before the grant is sent");
    return;
  }
  if (w.last_ack.term == hs.term() && state.last_index() < w.last_ack.index) {
    Violate("durability: store " + S(id) + " acknowledged log entries up to index " +
            S(w.last_ack.index) + " in term " + S(w.last_ack.term) + " at " +
            sim::FormatTime(w.last_ack.at) + ", but " + crash + "its log only up to index " +
            S(state.last_index()) + " — entries must be synced before the append is acknowledged");
  }
}

// ---------------------------------------------------------------- after each batch

std::string VitalsViolation(uint64_t store, const PeerVitals* before, const PeerVitals& now) {
  const PeerVitals& v = now;
  // Built only for a violation: this runs after every batch of every store.
  auto who = [store] { return "store " + S(store); };
  if (before != nullptr) {
    const PeerVitals& last = *before;
    if (v.term < last.term) {
      return "monotonicity: " + who() + "'s term went back from " + S(last.term) + " to " +
             S(v.term) + " without a crash";
    }
    if (v.commit < last.commit) {
      return "monotonicity: " + who() + "'s commit index went back from " + S(last.commit) +
             " to " + S(v.commit) + " — did it install a snapshot older than its commit index?";
    }
    if (v.applied < last.applied) {
      return "monotonicity: " + who() + "'s applied index went back from " + S(last.applied) +
             " to " + S(v.applied) + " — did it install a snapshot older than what it had applied?";
    }
  }
  if (v.commit > v.last_index) {
    return "index order: " + who() + "'s commit index " + S(v.commit) +
           " is past its last log index " + S(v.last_index);
  }
  if (v.applied > v.commit) {
    return "index order: " + who() + " applied up to index " + S(v.applied) +
           ", past its commit index " + S(v.commit) + " — only committed entries may be applied";
  }
  if (!v.applying_snapshot && v.truncated > v.applied) {
    return "index order: " + who() + "'s log is truncated to index " + S(v.truncated) +
           ", past its applied index " + S(v.applied) + " — only applied entries may be compacted";
  }
  return "";
}

void RegionMonitor::AfterRaftBatch(const StoreNode& store) {
  if (violated()) return;
  const raftstore::StorePeers* peers = store.peers();
  const raftstore::Peer* peer = peers == nullptr ? nullptr : peers->Find(region_id_);
  if (peer == nullptr) {
    if (peers != nullptr) {
      // Up, but without a peer of the region (never had one, or it was destroyed): whatever
      // comes next on this store is a new Raft node.
      auto it = watched_.find(store.store_id());
      if (it != watched_.end() && it->second.peer_id != 0) Forget(it->second);
    }
    return;
  }
  const PeerVitals v = peer->vitals();
  const uint64_t id = store.store_id();
  Watched& w = W(id, peer->id());
  // Unchanged since the last check (most peers after a tick): every rule below held then.
  if (w.seen && w.node == &store && v == w.last) return;
  if (w.node == nullptr) w.node = &store;
  if (std::string line = VitalsViolation(id, w.seen ? &w.last : nullptr, v); !line.empty()) {
    return Violate(std::move(line));
  }
  if (!w.seen || v.applied > w.last.applied) {
    if (w.seen || !w.applied_ever) w.last_apply_at = ex_.Now();
    w.applied_ever = true;
  }
  w.seen = true;
  w.last = v;
  if (v.role == raft::Role::kLeader && w.led_term != v.term) {
    w.led_term = v.term;
    OnLeaderSeen(id, v.term, "reports itself leader");
    if (violated()) return;
    CheckLeaderCompleteness(w, v.term);
    if (violated()) return;
  }
  CheckApplied(w, v);
}

void RegionMonitor::CheckWritesInRange(const StoreNode& store, const store::WriteBatch& batch) {
  if (violated()) return;
  const raftstore::StorePeers* peers = store.peers();
  const raftstore::Peer* peer = peers == nullptr ? nullptr : peers->Find(region_id_);
  if (peer == nullptr || !peer->initialized()) return;
  const metapb::Region& region = peer->region();
  for (const store::WriteBatch::Op& op : batch.ops()) {
    const std::string_view key = op.key();
    if (op.type == store::WriteBatch::OpType::kDeleteRange || key.empty() ||
        key[0] != raftstore::kDataPrefix) {
      continue;
    }
    const std::string_view user_key = key.substr(1);
    if (raftstore::KeyInRegion(user_key, region)) continue;
    const bool put = op.type == store::WriteBatch::OpType::kPut;
    return Violate(
        "range safety: store " + S(store.store_id()) + " applied a " + (put ? "put" : "delete") +
        " of key " + raftstore::QuoteKey(user_key.substr(0, 40)) + " outside its region's range, " +
        raftstore::RangeText(region) + " at version " + S(region.region_epoch().version()) +
        "\nhint: a command proposed before a split and "
        "applied after it must fail with EpochNotMatch at apply (check the command's "
        "epoch and keys against the region as it is then), or it writes into the keys "
        "of the region the split made");
  }
}

bool RegionMonitor::ReadEntryBytes(const StoreNode& store, uint64_t index,
                                   std::string* bytes) const {
  return store.disks().raft->live_state()[0].Get(raftstore::RaftLogKey(region_id_, index), bytes);
}

bool RegionMonitor::ReadEntry(const StoreNode& store, uint64_t index, eraftpb::Entry* entry) const {
  std::string bytes;
  return ReadEntryBytes(store, index, &bytes) && entry->ParseFromString(bytes) &&
         entry->index() == index;
}

void RegionMonitor::CheckApplied(Watched& w, const PeerVitals& v) {
  if (v.applying_snapshot) return;
  // Entries applied before (by this incarnation, or by an earlier one up to what its disk kept)
  // were compared then; entries that came inside a snapshot are not in the log.
  const uint64_t from = std::max(w.checked_applied, v.truncated) + 1;
  std::string bytes;
  for (uint64_t i = from; i <= v.applied; ++i) {
    if (!ReadEntryBytes(*w.node, i, &bytes)) continue;
    if (applied_.size() <= i) applied_.resize(std::max<size_t>(i + 1, applied_.size() * 2));
    AppliedEntry& first = applied_[i];
    if (!first.set) {
      eraftpb::Entry e;
      if (!e.ParseFromString(bytes) || e.index() != i) continue;
      first = AppliedEntry{true, e.term(), w.node->store_id(), std::move(bytes)};
      max_applied_ = std::max(max_applied_, i);
      continue;
    }
    if (first.bytes == bytes) continue;  // the same entry serializes to the same bytes
    eraftpb::Entry a;
    eraftpb::Entry b;
    if (!a.ParseFromString(first.bytes) || !b.ParseFromString(bytes) || b.index() != i) continue;
    if (a.term() == b.term() && TypeAndData(a) == TypeAndData(b)) continue;
    const bool same_store = first.store == w.node->store_id();
    return Violate("state machine safety: " +
                   (same_store
                        ? "store " + S(first.store) + " applied two different entries at index " +
                              S(i) + " (before and after a restart)"
                        : "stores " + S(first.store) + " and " + S(w.node->store_id()) +
                              " applied different entries at index " + S(i)) +
                   ": " + DescribeLogEntry(a.term(), TypeAndData(a)) + " vs " +
                   DescribeLogEntry(b.term(), TypeAndData(b)) +
                   " — an entry may be applied only once it is committed, and a committed entry "
                   "is never overwritten");
  }
  w.checked_applied = std::max(w.checked_applied, v.applied);
}

void RegionMonitor::CheckLeaderCompleteness(const Watched& w, uint64_t term) {
  const uint64_t a = max_applied_;
  if (a == 0 || a >= applied_.size() || !applied_[a].set) return;
  const AppliedEntry& want = applied_[a];
  if (want.term >= term) return;  // this leader's own term: its entry by election safety
  eraftpb::Entry wanted;
  if (!wanted.ParseFromString(want.bytes)) return;
  const PeerVitals& v = w.last;
  if (v.truncated >= a) return;  // compacted: it has applied past it
  eraftpb::Entry e;
  const bool has = ReadEntry(*w.node, a, &e);
  if (has && e.term() == want.term) return;
  Violate("leader completeness: store " + S(w.node->store_id()) + " became leader of term " +
          S(term) + " but its log " +
          (has ? "has " + DescribeLogEntry(e.term(), TypeAndData(e)) + " at index " + S(a)
               : "ends before index " + S(a)) +
          ", where store " + S(want.store) + " applied " +
          DescribeLogEntry(want.term, TypeAndData(wanted)) +
          " — a voter must refuse a candidate whose log is behind its own");
}

}  // namespace tinykv::harness

namespace tinykv::harness {

RegionMonitor& InvariantMonitor::Region(uint64_t region_id) {
  auto& slot = regions_[region_id];
  if (!slot) {
    slot = std::make_unique<RegionMonitor>(ex_, region_id, &shared_);
    for (const StoreNode* s : stores_) slot->Watch(s);
  }
  return *slot;
}

void InvariantMonitor::Watch(const StoreNode* store) {
  stores_.push_back(store);
  for (auto& [id, r] : regions_) r->Watch(store);
}

void InvariantMonitor::OnCrash(uint64_t id) {
  for (auto& [region, r] : regions_) r->OnCrash(id);
}

void InvariantMonitor::AfterRaftBatch(const StoreNode& store) {
  if (!shared_.violation.empty()) return;
  const raftstore::StorePeers* peers = store.peers();
  if (peers == nullptr) return;
  // Only the regions the batch touched can have changed on this store (StorePeers::touched).
  for (uint64_t region : peers->touched()) {
    Region(region).AfterRaftBatch(store);
    if (!shared_.violation.empty()) return;
  }
}

void InvariantMonitor::OnRaftMessageSent(const StoreNode& store,
                                         const raft_serverpb::RaftMessage& msg) {
  if (!shared_.violation.empty() || msg.is_tombstone()) return;
  Region(msg.region_id()).OnRaftMessageSent(store, msg);
}

namespace {

// The region whose apply state (0x01 0x02 <id> 0x03) or region state (0x01 0x03 <id> 0x01)
// `key` is, if it is one of them.
std::optional<uint64_t> LocalStateRegion(std::string_view key, char prefix, char suffix) {
  if (key.size() != 11 || key[0] != raftstore::kLocalPrefix || key[1] != prefix ||
      key[10] != suffix) {
    return std::nullopt;
  }
  return raftstore::DecodeBigEndian64(key.substr(2, 8));
}

}  // namespace

void InvariantMonitor::BeforeKvWrite(const StoreNode& store, const store::WriteBatch& batch) {
  if (!shared_.violation.empty()) return;
  std::optional<uint64_t> region;
  bool writes_data = false;
  for (const store::WriteBatch::Op& op : batch.ops()) {
    const std::string_view key = op.key();
    if (LocalStateRegion(key, raftstore::kRegionMetaPrefix, raftstore::kRegionStateSuffix)) {
      return;  // the batch changes a range
    }
    if (auto id =
            LocalStateRegion(key, raftstore::kRegionRaftPrefix, raftstore::kApplyStateSuffix)) {
      if (region && *region != *id) return;  // two regions' applies in one batch: not judged
      region = id;
    } else if (op.type != store::WriteBatch::OpType::kDeleteRange && !key.empty() &&
               key[0] == raftstore::kDataPrefix) {
      writes_data = true;
    }
  }
  if (region && writes_data) Region(*region).CheckWritesInRange(store, batch);
}

void InvariantMonitor::OnSnapshotApplyStart(const StoreNode& store, uint64_t region_id, uint64_t) {
  Region(region_id).Emit(store.store_id(), StoreEvent::kSnapshotApplyStarted);
}

void InvariantMonitor::OnRaftLogGcDone(const StoreNode& store, uint64_t region_id, uint64_t) {
  Region(region_id).Emit(store.store_id(), StoreEvent::kRaftLogGcDone);
}

size_t InvariantMonitor::leader_terms(uint64_t region_id) const {
  auto it = regions_.find(region_id);
  return it == regions_.end() ? 0 : it->second->leader_terms();
}

const std::map<uint64_t, uint64_t>& InvariantMonitor::leader_of_term(uint64_t region_id) const {
  static const std::map<uint64_t, uint64_t> kNone;
  auto it = regions_.find(region_id);
  return it == regions_.end() ? kNone : it->second->leader_of_term();
}

std::optional<sim::Time> InvariantMonitor::last_apply_progress(uint64_t store) const {
  std::optional<sim::Time> last;
  for (const auto& [region, r] : regions_) {
    if (auto t = r->last_apply_progress(store); t && (!last || *t > *last)) last = t;
  }
  return last;
}

}  // namespace tinykv::harness
