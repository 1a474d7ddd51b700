#include "raft/testing/property.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/memory_storage.h"
#include "raft/raft.h"
#include "raft/random.h"
#include "raft/raw_node.h"
#include "raft/testing/network.h"

namespace tinykv::raft::testing {
namespace {

using eraftpb::Entry;
using eraftpb::Message;
using eraftpb::MessageType;

constexpr int kElection = 10;
// How many delivered messages the replay adversary remembers.
constexpr size_t kReplayHistory = 64;

struct Node {
  std::unique_ptr<MemoryStorage> storage;
  std::unique_ptr<RawNode> raw;  // Drive::kRawNode
  std::unique_ptr<Raft> raft;    // Drive::kRaft
  uint64_t applied = 0;
  uint64_t term = 0;       // highest term seen since the node (re)started
  uint64_t commit = 0;     // highest commit index seen since the node (re)started
  bool destroyed = false;  // removed from the group: shut down, as raftstore would
  bool down = false;       // crashed, waiting to restart
};

// A message the adversary holds back until step `release`.
struct Held {
  int release;
  Message m;
};

class PropertyRun {
 public:
  PropertyRun(const PropertyOptions& options, uint64_t seed)
      : o_(options), seed_(seed), rng_(seed) {}

  PropertyRunResult Execute() {
    if (std::string e = Validate(); !e.empty()) return Result("options: " + e);
    const int n = o_.min_nodes + static_cast<int>(Rand(o_.span_nodes));
    for (int i = 1; i <= n; ++i) initial_.push_back(i);
    const int total = n + (ConfChanges() ? 2 : 0);  // spare nodes that can be added
    for (int i = 1; i <= total; ++i) {
      Node& node = nodes_[i];
      node.storage = std::make_unique<MemoryStorage>();
      Start(i);
    }
    const int steps = o_.min_steps + static_cast<int>(Rand(o_.span_steps));
    for (step_ = 0; step_ < steps && error_.empty(); ++step_) {
      RandomStep();
      CheckSafety(step_ % o_.log_matching_every == 0);
    }
    if (error_.empty()) CheckLiveness();
    return Result(error_);
  }

 private:
  PropertyRunResult Result(std::string error) const {
    PropertyRunResult r;
    r.error = std::move(error);
    r.trace = trace_.str();
    r.committed = committed_.size();
    r.leader_terms = leaders_.size();
    return r;
  }

  std::string Validate() const {
    const PropertyOptions::Weights& w = o_.weights;
    if (w.tick + w.deliver + w.ready + w.propose + w.partition + w.restart + w.compact +
            w.conf_change + w.transfer !=
        100) {
      return "the schedule's weights must add up to 100";
    }
    if (o_.liveness_ticks < 1) return "liveness_ticks must be positive";
    if (!Raw() && (w.ready > 0 || w.compact > 0 || w.conf_change > 0 || w.transfer > 0)) {
      return "Ready cycles, compaction, membership changes and leader transfers need "
             "Drive::kRawNode";
    }
    if (o_.min_nodes < 1 || o_.span_nodes < 1 || o_.min_steps < 0 || o_.span_steps < 1 ||
        o_.log_matching_every < 1) {
      return "node counts, step counts and log_matching_every must be positive";
    }
    return "";
  }

  bool Raw() const { return o_.drive == PropertyOptions::Drive::kRawNode; }
  bool Proposals() const { return o_.weights.propose > 0; }
  bool ConfChanges() const { return o_.weights.conf_change > 0; }
  const Raft& RaftOf(uint64_t id) const {
    const Node& n = nodes_.at(id);
    return n.raw ? n.raw->raft() : *n.raft;
  }

  uint64_t Rand(uint64_t n) {
    return UniformBelow([this] { return rng_.Next(); }, n);
  }
  bool Chance(int percent) { return Rand(100) < static_cast<uint64_t>(percent); }

  void Fail(const std::string& what) {
    if (error_.empty()) error_ = what;
  }

  void Start(uint64_t id) {
    Node& node = nodes_[id];
    auto snap = node.storage->GetSnapshot();
    const bool has_snapshot = snap.ok() && snap->metadata().index() > 0;
    Config c = TestConfig(id, has_snapshot ? std::vector<uint64_t>{} : initial_, kElection, 1,
                          node.storage.get(), seed_);
    // The state machine is rebuilt from the snapshot; later entries are applied again.
    node.applied = has_snapshot ? snap->metadata().index() : 0;
    c.applied = node.applied;
    Status created;
    if (Raw()) {
      auto r = RawNode::Create(c);
      created = r.status();
      if (r.ok()) node.raw = std::move(r).value();
    } else {
      auto r = Raft::Create(c);
      created = r.status();
      if (r.ok()) node.raft = std::move(r).value();
    }
    if (!created.ok()) {
      Fail("restart of " + std::to_string(id) + " failed: " + created.ToString());
      return;
    }
    node.down = false;
    const Raft& r = RaftOf(id);
    const eraftpb::HardState& hs = node.storage->hard_state();
    if (r.term() != hs.term() || r.vote() != hs.vote()) {
      std::ostringstream os;
      os << "restart: node " << id << " came back at term " << r.term() << " with vote " << r.vote()
         << ", but it had persisted term " << hs.term() << " and vote " << hs.vote();
      Fail(os.str());
    }
    node.term = r.term();
    node.commit = r.raft_log().committed();
    // Catch the state machine (and membership) up before the node does anything else.
    if (Raw()) {
      for (int i = 0; i < 4 && node.raw->HasReady(); ++i) HandleReady(id, /*send=*/false);
    }
  }

  std::vector<uint64_t> Live() const {
    std::vector<uint64_t> out;
    for (const auto& [id, n] : nodes_) {
      if (!n.destroyed && !n.down) out.push_back(id);
    }
    return out;
  }

  uint64_t Pick(const std::vector<uint64_t>& ids) { return ids[Rand(ids.size())]; }

  bool Connected(uint64_t a, uint64_t b) const {
    return !partitioned_ || side_.count(a) == side_.count(b);
  }

  // Records that `voter` voted for `candidate` in `term` (from a persisted hard state or a sent
  // grant): a node votes once per term.
  void RecordVote(uint64_t term, uint64_t voter, uint64_t candidate) {
    if (term == 0 || candidate == kNone) return;
    auto [it, inserted] = votes_.emplace(std::make_pair(term, voter), candidate);
    if (!inserted && it->second != candidate) {
      Fail("vote safety: node " + std::to_string(voter) + " voted for " +
           std::to_string(it->second) + " and for " + std::to_string(candidate) + " in term " +
           std::to_string(term));
    }
  }

  void Persisted(uint64_t id, const eraftpb::HardState& hs) {
    nodes_[id].storage->SetHardState(hs);
    RecordVote(hs.term(), id, hs.vote());
  }

  // Puts a message on the network (after its sender persisted what it depends on).
  void Send(Message m) {
    if (m.msg_type() == MessageType::MsgRequestVoteResponse && !m.reject()) {
      RecordVote(m.term(), m.from(), m.to());
    }
    in_flight_.push_back(std::move(m));
  }

  // Before `id` writes `entries` to its storage: the entries they replace must not include one
  // seen committed (a committed entry is never overwritten).
  void CheckOverwrite(uint64_t id, const std::vector<Entry>& entries) {
    const MemoryStorage& s = *nodes_[id].storage;
    const uint64_t from = std::max(entries.front().index(), *s.FirstIndex());
    const uint64_t last_new = entries.back().index();
    for (uint64_t i = from; i <= *s.LastIndex(); ++i) {
      auto c = committed_.find(i);
      if (c == committed_.end()) continue;
      auto held = s.Term(i);
      if (!held.ok() || *held != c->second.first) continue;
      const uint64_t new_term =
          i <= last_new ? entries[i - entries.front().index()].term() : uint64_t{0};
      if (new_term == *held) continue;
      std::ostringstream os;
      os << "state machine safety: node " << id << " overwrote committed entry " << i << " (term "
         << *held << ") in its storage with "
         << (i <= last_new ? "term " + std::to_string(new_term) : std::string("nothing"));
      Fail(os.str());
      return;
    }
  }

  // Drive::kRawNode: one Ready cycle of `id`.
  void HandleReady(uint64_t id, bool send = true) {
    Node& node = nodes_[id];
    Ready rd = node.raw->GetReady();
    if (rd.snapshot) (void)node.storage->ApplySnapshot(*rd.snapshot);
    if (!rd.entries.empty()) {
      CheckOverwrite(id, rd.entries);
      if (auto s = node.storage->Append(rd.entries); !s.ok()) Fail("append: " + s.ToString());
    }
    if (rd.hard_state) Persisted(id, *rd.hard_state);
    if (send) {
      for (auto& m : rd.messages) Send(std::move(m));
    }
    if (rd.snapshot) node.applied = rd.snapshot->metadata().index();
    for (const Entry& e : rd.committed_entries) {
      if (e.index() != node.applied + 1) {
        Fail("node " + std::to_string(id) + " applied index " + std::to_string(e.index()) +
             " after " + std::to_string(node.applied));
      }
      node.applied = e.index();
      CheckCommitted(id, e, "applied");
      if (e.entry_type() == eraftpb::EntryConfChange) {
        eraftpb::ConfChange cc;
        cc.ParseFromString(e.data());
        node.raw->ApplyConfChange(cc);
        if (cc.change_type() == eraftpb::RemoveNode) removed_.insert(cc.node_id());
      }
    }
    node.raw->Advance(rd);
    // Destroy removed nodes once the removal is applied somewhere (raftstore destroys the peer).
    for (uint64_t r : removed_) {
      if (!nodes_[r].destroyed) {
        nodes_[r].destroyed = true;
        trace_ << "destroy " << r << "\n";
      }
    }
  }

  // Drive::kRaft, after every input of `id`: persist its log and hard state, then send.
  void Flush(uint64_t id) {
    Node& node = nodes_[id];
    const RaftLog& log = node.raft->raft_log();
    MemoryStorage& s = *node.storage;
    const uint64_t last = log.LastIndex();
    const uint64_t stored = *s.LastIndex();
    // The highest index where both hold the same term; below it they agree (log matching,
    // which CheckSafety checks for the in-memory logs).
    uint64_t same = std::min(last, stored);
    for (; same > 0; --same) {
      auto a = log.Term(same);
      auto b = s.Term(same);
      if (a.ok() && b.ok() && *a == *b) break;
    }
    if (same < last || stored > last) {
      std::vector<Entry> all = log.AllEntries();
      if (all.size() != last + 1 - log.FirstIndex()) {
        Fail("node " + std::to_string(id) + ": raft_log().LastIndex() is " + std::to_string(last) +
             " but AllEntries() holds " + std::to_string(all.size()) +
             " entries from FirstIndex() " + std::to_string(log.FirstIndex()));
        return;
      }
      if (last == 0) {
        Fail("node " + std::to_string(id) + " dropped every entry of its log");
        return;
      }
      // Rewriting from the first differing entry truncates the storage's longer suffix; a log
      // that only got shorter rewrites its last entry to the same effect.
      const uint64_t from = std::min(same + 1, last);
      std::vector<Entry> suffix(all.begin() + static_cast<std::ptrdiff_t>(from - log.FirstIndex()),
                                all.end());
      CheckOverwrite(id, suffix);
      if (auto st = s.Append(std::move(suffix)); !st.ok()) Fail("append: " + st.ToString());
    }
    Persisted(id, node.raft->GetHardState());
    for (Message& m : node.raft->ReadMessages()) Send(std::move(m));
  }

  void Tick(uint64_t id) {
    Node& node = nodes_[id];
    if (Raw()) {
      node.raw->Tick();
    } else {
      node.raft->Tick();
      Flush(id);
    }
  }

  Status Propose(uint64_t id, std::string data) {
    Node& node = nodes_[id];
    if (Raw()) return node.raw->Propose(std::move(data));
    Status s = node.raft->Step(raft::testing::Propose(id, id, data));
    Flush(id);
    return s;
  }

  // Delivers m now, unless the network or the receiver is gone.
  void Deliver(Message m, bool remember) {
    if (!Connected(m.from(), m.to())) return;
    auto it = nodes_.find(m.to());
    if (it == nodes_.end() || it->second.destroyed || it->second.down) return;
    if (remember && o_.replay_percent > 0) {
      if (history_.size() < kReplayHistory) {
        history_.push_back(m);
      } else {
        history_[history_next_++ % kReplayHistory] = m;
      }
    }
    if (Raw()) {
      (void)it->second.raw->Step(std::move(m));
    } else {
      (void)it->second.raft->Step(std::move(m));
      Flush(it->first);
    }
  }

  void DeliverOne(bool lossy) {
    if (in_flight_.empty()) return;
    const size_t i = Rand(in_flight_.size());
    Message m = in_flight_[i];
    const bool duplicate = lossy && Chance(o_.duplicate_percent);
    if (!duplicate) {
      in_flight_[i] = std::move(in_flight_.back());
      in_flight_.pop_back();
    }
    if (lossy && Chance(o_.loss_percent)) return;
    if (lossy && o_.hold_percent > 0 && Chance(o_.hold_percent)) {
      held_.push_back({step_ + 20 + static_cast<int>(Rand(381)), std::move(m)});
      return;
    }
    Deliver(std::move(m), /*remember=*/true);
  }

  void DeliverRound() {
    for (int i = 0; i < 8; ++i) DeliverOne(/*lossy=*/true);
    if (o_.replay_percent > 0 && !history_.empty() && Chance(o_.replay_percent)) {
      Deliver(history_[Rand(history_.size())], /*remember=*/false);
    }
  }

  // Held messages whose time has come go back into the network.
  void ReleaseHeld() {
    for (size_t i = 0; i < held_.size();) {
      if (held_[i].release <= step_) {
        in_flight_.push_back(std::move(held_[i].m));
        held_[i] = std::move(held_.back());
        held_.pop_back();
      } else {
        ++i;
      }
    }
  }

  uint64_t Leader() const {
    uint64_t best = 0, best_term = 0;
    for (uint64_t id : Live()) {
      const Raft& r = RaftOf(id);
      if (r.role() == Role::kLeader && r.term() >= best_term) {
        best = id;
        best_term = r.term();
      }
    }
    return best;
  }

  void RandomStep() {
    ReleaseHeld();
    const std::vector<uint64_t> live = Live();
    if (live.empty()) return;
    const PropertyOptions::Weights& w = o_.weights;
    int r = static_cast<int>(Rand(100));
    // True for the first action whose cumulative weight exceeds r.
    auto next = [&r](int weight) {
      r -= weight;
      return r < 0;
    };
    if (next(w.tick)) {
      // A clock tick; each node's tick may be late (bounded drift).
      for (uint64_t id : live) {
        if (Chance(90)) Tick(id);
      }
    } else if (next(w.deliver)) {
      DeliverRound();
    } else if (next(w.ready)) {
      for (uint64_t id : live) {
        if (Chance(70) && nodes_[id].raw->HasReady()) HandleReady(id);
      }
    } else if (next(w.propose)) {
      uint64_t to = Leader();
      const int pick = o_.propose_elsewhere_percent > 0 ? static_cast<int>(Rand(100)) : 100;
      if (pick < o_.propose_elsewhere_percent / 2) {
        to = Pick(live);  // a follower forwards it to the leader it knows, if any
      } else if (pick < o_.propose_elsewhere_percent) {
        std::vector<uint64_t> leaders;  // of any term: a deposed leader may still think it leads
        for (uint64_t id : live) {
          if (RaftOf(id).role() == Role::kLeader) leaders.push_back(id);
        }
        if (!leaders.empty()) to = Pick(leaders);
      }
      if (to != 0) (void)Propose(to, "p" + std::to_string(next_value_++));
    } else if (next(w.partition)) {
      Repartition(live);
    } else if (next(w.restart)) {
      const uint64_t id = Pick(live);
      trace_ << "restart " << id << "\n";
      nodes_[id].raw.reset();
      nodes_[id].raft.reset();
      nodes_[id].down = true;
      std::vector<Message> keep;
      for (auto& m : in_flight_) {
        if (m.to() != id) keep.push_back(std::move(m));
      }
      in_flight_.swap(keep);
      Start(id);
    } else if (next(w.compact)) {
      const uint64_t id = Pick(live);
      Node& node = nodes_[id];
      const uint64_t first = *node.storage->FirstIndex();
      if (node.applied >= first) {
        eraftpb::ConfState cs;
        for (uint64_t p : node.raw->raft().Nodes()) cs.add_nodes(p);
        if (node.storage->CreateSnapshot(node.applied, cs, "").ok()) {
          (void)node.storage->Compact(node.applied);
          trace_ << "compact " << id << " at " << node.applied << "\n";
        }
      }
    } else if (next(w.conf_change)) {
      ProposeConfChange();
    } else {
      const uint64_t l = Leader();
      if (l == 0) return;
      const auto members = nodes_[l].raw->raft().Nodes();
      nodes_[l].raw->TransferLeader(members[Rand(members.size())]);
    }
  }

  void Repartition(const std::vector<uint64_t>& live) {
    side_.clear();
    if (o_.isolate_leaders) {
      const uint64_t kind = Rand(3);
      const uint64_t leader = Leader();
      partitioned_ = kind != 0;
      if (kind == 1 && leader != 0) {
        side_.insert(leader);
        trace_ << "isolate " << leader << "\n";
        return;
      }
      if (!partitioned_) {
        trace_ << "heal\n";
        return;
      }
    } else {
      partitioned_ = !partitioned_;
    }
    for (uint64_t id : live) {
      if (Chance(50)) side_.insert(id);
    }
    trace_ << (partitioned_ ? "partition" : "heal") << "\n";
  }

  void ProposeConfChange() {
    const uint64_t l = Leader();
    if (l == 0) return;
    const auto members = nodes_[l].raw->raft().Nodes();
    eraftpb::ConfChange cc;
    if (members.size() > 3 && Chance(50)) {
      uint64_t victim = members[Rand(members.size())];
      if (victim == l) return;
      cc.set_change_type(eraftpb::RemoveNode);
      cc.set_node_id(victim);
    } else {
      uint64_t candidate = 0;
      for (const auto& [id, n] : nodes_) {
        if (!n.destroyed && removed_.count(id) == 0 &&
            std::find(members.begin(), members.end(), id) == members.end()) {
          candidate = id;
          break;
        }
      }
      if (candidate == 0) return;
      cc.set_change_type(eraftpb::AddNode);
      cc.set_node_id(candidate);
    }
    if (nodes_[l].raw->ProposeConfChange(cc).ok()) {
      trace_ << "conf " << (cc.change_type() == eraftpb::AddNode ? "add " : "remove ")
             << cc.node_id() << " via " << l << "\n";
    }
  }

  size_t Quorum() const { return initial_.size() / 2 + 1; }

  // An entry seen as committed (or applied) by `id` must equal every earlier sighting; when
  // first seen, it must be stored on a quorum (with a fixed membership).
  void CheckCommitted(uint64_t id, const Entry& e, const char* how) {
    auto [it, inserted] = committed_.emplace(e.index(), std::make_pair(e.term(), e.data()));
    if (inserted) commit_term_[e.index()] = RaftOf(id).term();
    if (!inserted && (it->second.first != e.term() || it->second.second != e.data())) {
      std::ostringstream os;
      os << "state machine safety: node " << id << " " << how << " index " << e.index() << " term "
         << e.term() << ", but term " << it->second.first << " was committed there before";
      Fail(os.str());
    }
    if (!inserted || ConfChanges()) return;
    size_t holders = 0;
    for (const auto& [nid, n] : nodes_) {
      auto t = n.storage->Term(e.index());
      // Compacted entries are covered by a snapshot, which holds only committed entries.
      if (e.index() < *n.storage->FirstIndex() || (t.ok() && *t == e.term())) ++holders;
    }
    if (holders < Quorum()) {
      std::ostringstream os;
      os << "commit: node " << id << " " << how << " entry " << e.index() << " (term " << e.term()
         << "), which only " << holders << " of " << initial_.size()
         << " nodes have stored (a quorum is " << Quorum() << ")";
      Fail(os.str());
    }
  }

  // A new leader of `term` must hold grants from a quorum (with a fixed membership).
  void CheckLeaderVotes(uint64_t id, uint64_t term) {
    std::string voters;
    size_t n = 0;
    for (uint64_t v : initial_) {
      auto it = votes_.find({term, v});
      if (it == votes_.end() || it->second != id) continue;
      voters += (n++ ? "," : "") + std::to_string(v);
    }
    if (n < Quorum()) {
      Fail("election safety: node " + std::to_string(id) + " leads term " + std::to_string(term) +
           " with votes from {" + voters + "} only (a quorum of " +
           std::to_string(initial_.size()) + " is " + std::to_string(Quorum()) + ")");
    }
  }

  void CheckSafety(bool deep) {
    for (uint64_t id : Live()) {
      Node& node = nodes_[id];
      const Raft& r = RaftOf(id);
      const RaftLog& log = r.raft_log();
      if (r.term() < node.term) {
        Fail("term: node " + std::to_string(id) + " went back from term " +
             std::to_string(node.term) + " to term " + std::to_string(r.term()));
      }
      if (log.committed() < node.commit || log.committed() > log.LastIndex()) {
        Fail("commit: node " + std::to_string(id) + " moved its commit index from " +
             std::to_string(node.commit) + " to " + std::to_string(log.committed()) +
             " (last index " + std::to_string(log.LastIndex()) + ")");
      }
      node.term = std::max(node.term, r.term());
      node.commit = std::max(node.commit, log.committed());
      if (r.role() == Role::kLeader) {
        auto [it, inserted] = leaders_.emplace(r.term(), id);
        if (inserted) {
          trace_ << "leader " << id << " term " << r.term() << " last " << log.LastIndex()
                 << " commit " << log.committed() << "\n";
          if (!ConfChanges()) CheckLeaderVotes(id, r.term());
        }
        if (!inserted && it->second != id) {
          Fail("election safety: nodes " + std::to_string(it->second) + " and " +
               std::to_string(id) + " both lead term " + std::to_string(r.term()));
        }
      }
      const uint64_t first = log.FirstIndex();
      for (uint64_t i = std::max<uint64_t>(first, checked_[id] + 1); i <= log.committed(); ++i) {
        auto ents = log.Slice(i, i + 1);
        if (!ents.ok()) continue;
        if (ents->size() != 1 || (*ents)[0].index() != i) {
          Fail("node " + std::to_string(id) + ": raft_log().Slice(" + std::to_string(i) + ", " +
               std::to_string(i + 1) + ") did not return entry " + std::to_string(i));
          break;
        }
        CheckCommitted(id, (*ents)[0], "committed");
      }
      checked_[id] = std::max(checked_[id], log.committed());
      if (r.role() == Role::kLeader) {
        // Leader completeness: a leader of a term after the one in which an entry was seen
        // committed holds that entry (unless compacted away).
        for (auto it = committed_.lower_bound(first); it != committed_.end(); ++it) {
          if (r.term() <= commit_term_[it->first]) continue;
          auto t = log.Term(it->first);
          if (!t.ok() || *t != it->second.first) {
            Fail("leader completeness: leader " + std::to_string(id) + " of term " +
                 std::to_string(r.term()) + " lacks committed entry " + std::to_string(it->first));
            break;
          }
        }
      }
    }
    if (!deep) return;
    // Log matching: (index, term) determines the whole prefix.
    std::map<std::pair<uint64_t, uint64_t>, uint64_t> prefix_hash;
    for (uint64_t id : Live()) {
      const RaftLog& log = RaftOf(id).raft_log();
      uint64_t h = 1469598103934665603ULL;
      bool known_prefix = log.FirstIndex() == 1;
      for (const Entry& e : log.AllEntries()) {
        h = (h ^ e.term()) * 1099511628211ULL;
        h = (h ^ std::hash<std::string>()(e.data())) * 1099511628211ULL;
        if (!known_prefix) continue;  // prefix hidden in a snapshot: compared via committed_
        auto [it, inserted] = prefix_hash.emplace(std::make_pair(e.index(), e.term()), h);
        if (!inserted && it->second != h) {
          Fail("log matching: node " + std::to_string(id) + " agrees on (index " +
               std::to_string(e.index()) + ", term " + std::to_string(e.term()) +
               ") but not on the entries before it");
          return;
        }
      }
    }
  }

  // Every live member is a follower of `leader`'s term that knows it.
  bool EveryoneFollows(uint64_t leader) const {
    const uint64_t term = RaftOf(leader).term();
    for (uint64_t id : Live()) {
      const Raft& r = RaftOf(id);
      if (r.term() != term || r.lead() != leader) return false;
    }
    return true;
  }

  // Heals everything, then requires a leader (that every node follows, or that commits a new
  // entry when proposals are on) within a tick budget.
  void CheckLiveness() {
    partitioned_ = false;
    for (Held& h : held_) in_flight_.push_back(std::move(h.m));  // stale, but must be harmless
    held_.clear();
    for (auto& [id, n] : nodes_) {
      if (n.down && !n.destroyed) Start(id);
    }
    const int budget = o_.liveness_ticks;
    uint64_t leader = 0;
    uint64_t index = 0;  // 0: nothing proposed yet
    std::string value = "live" + std::to_string(seed_);
    for (int ticks = 0; ticks < budget; ++ticks) {
      for (uint64_t id : Live()) Tick(id);
      Quiesce();
      if (!error_.empty()) return;
      leader = Leader();
      if (!Proposals()) {
        if (leader != 0 && EveryoneFollows(leader)) return;
      } else {
        if (leader != 0 && index == 0) {
          if (Propose(leader, value).ok()) index = RaftOf(leader).raft_log().LastIndex();
          Quiesce();
        }
        if (index != 0) {
          auto it = committed_.find(index);
          if (it != committed_.end()) {
            if (it->second.second == value) return;
            index = 0;  // overwritten before commit by a new leader: propose again
          }
        }
      }
      CheckSafety(true);
      if (!error_.empty()) return;
    }
    Fail(leader == 0 ? "liveness: no leader " + std::to_string(budget) + " ticks after healing"
         : !Proposals()
             ? "liveness: leader " + std::to_string(leader) + " is not followed by every node " +
                   std::to_string(budget) + " ticks after healing"
             : "liveness: leader " + std::to_string(leader) +
                   " could not commit a new entry within " + std::to_string(budget) +
                   " ticks after healing");
  }

  void Quiesce() {
    for (int round = 0; round < 1000; ++round) {
      bool busy = false;
      if (Raw()) {
        for (uint64_t id : Live()) {
          if (nodes_[id].raw->HasReady()) {
            HandleReady(id);
            busy = true;
          }
        }
      }
      while (!in_flight_.empty()) {
        DeliverOne(/*lossy=*/false);
        busy = true;
      }
      CheckSafety(false);
      if (!busy) return;
    }
    Fail("network never quiesced");
  }

  const PropertyOptions o_;
  uint64_t seed_;
  SplitMix64 rng_;
  int step_ = 0;
  std::vector<uint64_t> initial_;
  std::map<uint64_t, Node> nodes_;
  std::vector<Message> in_flight_;
  std::vector<Held> held_;
  std::vector<Message> history_;  // delivered messages, for the replay adversary
  size_t history_next_ = 0;
  bool partitioned_ = false;
  std::set<uint64_t> side_;
  std::set<uint64_t> removed_;
  std::map<uint64_t, uint64_t> leaders_;                            // term -> leader
  std::map<std::pair<uint64_t, uint64_t>, uint64_t> votes_;         // (term, voter) -> candidate
  std::map<uint64_t, std::pair<uint64_t, std::string>> committed_;  // index -> (term, data)
  // index -> term of the node that first saw the entry committed (>= the commit's real term)
  std::map<uint64_t, uint64_t> commit_term_;
  std::map<uint64_t, uint64_t> checked_;
  uint64_t next_value_ = 0;
  std::string error_;
  std::ostringstream trace_;
};

// A decimal number in [lo, hi] from the environment variable `name`, or an error naming it.
std::optional<uint64_t> EnvNumber(const char* name, uint64_t lo, uint64_t hi, std::string* error) {
  const char* text = std::getenv(name);
  if (text == nullptr) return std::nullopt;
  const std::string s = text;
  uint64_t v = 0;
  bool ok = !s.empty() && s.size() <= 20;
  for (char ch : s) {
    if (ch < '0' || ch > '9' || v > (UINT64_MAX - (ch - '0')) / 10) {
      ok = false;
      break;
    }
    v = v * 10 + static_cast<uint64_t>(ch - '0');
  }
  if (!ok || v < lo || v > hi) {
    *error = std::string(name) + "=" + s + " is not a number in [" + std::to_string(lo) + ", " +
             std::to_string(hi) + "]";
    return std::nullopt;
  }
  return v;
}

}  // namespace

PropertyOptions PropertyOptions::Lab2A(bool proposals) {
  PropertyOptions o;
  o.drive = Drive::kRaft;
  // No Ready cycles (the driver persists and sends after every input): more ticks instead, so
  // that time runs fast against delivery and elections are frequent. No compaction, membership
  // change or transfer: more partitions instead.
  o.weights.tick = 45;
  o.weights.ready = 0;
  o.weights.partition = 12;
  o.weights.compact = 0;
  o.weights.conf_change = 0;
  o.weights.transfer = 0;
  if (!proposals) {
    o.weights.deliver += o.weights.propose;
    o.weights.propose = 0;
  }
  o.propose_elsewhere_percent = 50;
  o.isolate_leaders = true;
  o.duplicate_percent = 5;
  o.hold_percent = 5;
  o.replay_percent = 30;
  o.log_matching_every = 2;
  // Logs diverge widely here, so that only about half the nodes can win an election, and a
  // candidate that cannot win still restarts everyone's timer: a round elects a leader with a
  // probability of about a third. 100 election timeouts make a correct group fail this check
  // about never; 20 did, about once in 10^5 runs.
  o.liveness_ticks = 1000;
  return o;
}

PropertyOptions PropertyOptions::Lab2C() {
  PropertyOptions o;  // the RawNode driver with Ready cycles: snapshots go through Ready
  // The weights of membership change and transfer (3A) go to compaction.
  o.weights.compact += o.weights.conf_change + o.weights.transfer;
  o.weights.conf_change = 0;
  o.weights.transfer = 0;
  o.duplicate_percent = 5;
  o.hold_percent = 5;
  o.replay_percent = 30;
  return o;
}

PropertyRunResult RunProperty(const PropertyOptions& options, uint64_t seed) {
  return PropertyRun(options, seed).Execute();
}

PropertyTestResult RunPropertyTest(const PropertyOptions& options, uint64_t base_seed,
                                   int default_runs, const std::string& binary,
                                   const std::string& test) {
  PropertyTestResult out;
  std::string error;
  const auto runs = EnvNumber("TINYKV_RAFT_PROPERTY_RUNS", 1, INT_MAX, &error);
  const auto only = EnvNumber("TINYKV_RAFT_PROPERTY_RUN", 0, UINT64_MAX, &error);
  if (!error.empty()) {
    out.failure = error;
    return out;
  }
  const int count = only ? 1 : runs ? static_cast<int>(*runs) : default_runs;
  for (int i = 0; i < count; ++i) {
    const uint64_t seed = only ? *only : base_seed * 1000003 + static_cast<uint64_t>(i);
    const PropertyRunResult run = RunProperty(options, seed);
    if (!run.error.empty()) {
      out.failure = "run seed " + std::to_string(seed) + ": " + run.error + "\nevents:\n" +
                    run.trace + "replay: TINYKV_RAFT_PROPERTY_RUN=" + std::to_string(seed) +
                    " TINYKV_RAFT_PROPERTY_RUNS=1 <build>/" + binary + " --gtest_filter=" + test;
      return out;
    }
    ++out.runs;
    out.committed += run.committed;
    out.leader_terms += run.leader_terms;
  }
  return out;
}

}  // namespace tinykv::raft::testing
