// Randomized safety and liveness runs of a Raft group, shared by the graded property tests
// (labs/raft/lab2a_property_test.cc, labs/multiraft/lab3a_property_test.cc). Test code, not part
// of the library.
//
// A run builds a group of nodes, each with its own MemoryStorage, and applies a seeded random
// schedule: ticks (a node's tick may be late), message delivery in random order with loss and
// duplication, partitions, crash-restarts from persisted state, proposals and — each switchable
// in PropertyOptions — log compaction, single-node membership changes, leader transfers, and a
// late-delivery adversary (messages held back and delivered many steps later, delivered
// messages delivered again). After every step it checks:
//   - election safety: at most one leader per term; without membership changes, a leader was
//     granted votes by a quorum;
//   - votes: a node votes for at most one candidate per term, restarts included (seen in the
//     votes it persists and the grants it sends); its term never decreases while it runs, and a
//     restarted node comes back with the term and vote it persisted;
//   - state-machine safety: an entry, once committed (or applied) anywhere, is the same in every
//     node's committed log and state machine, forever; no node overwrites it in its storage;
//   - commit: a node's commit index never decreases while it runs and never passes its last
//     index; without membership changes, an entry seen committed is stored on a quorum (and,
//     never overwritten, stays there);
//   - leader completeness: a leader of a later term holds every committed entry;
//   - log matching (every few steps): equal (index, term) implies equal prefixes.
// Then the network heals and the group must elect a leader that every node follows (without
// proposals) or that commits a new entry (with proposals), within a tick budget.
//
// Nodes are driven one of two ways (PropertyOptions::drive):
//   kRawNode  full Ready cycles (persist snapshot, entries and hard state; send; apply, conf
//             changes through ApplyConfChange; Advance), as the raftstore does;
//   kRaft     the Raft state machine directly, so lab 2A (graded before RawNode is written in
//             2AC) can be checked: after every input the driver persists the node's hard state
//             and log into its storage, then sends its messages. Nothing is applied.
//
// Single-threaded. A run is deterministic for its seed and options; RunPropertyTest prints the
// command that replays one run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace tinykv::raft::testing {

struct PropertyOptions {
  enum class Drive { kRawNode, kRaft };
  Drive drive = Drive::kRawNode;
  // Group size: min_nodes + a random number below span_nodes.
  int min_nodes = 3;
  int span_nodes = 5;
  // Steps of the random schedule: min_steps + a random number below span_steps.
  int min_steps = 500;
  int span_steps = 500;
  // What a step does, in percent of steps (they add up to 100). A zero weight switches the
  // action off; ready, compact, conf_change and transfer need Drive::kRawNode. With
  // conf_change on, two spare nodes may join the group.
  struct Weights {
    int tick = 25;        // every node ticks (each tick may be late)
    int deliver = 30;     // a round of deliveries (see the adversary below)
    int ready = 20;       // Ready cycles of some nodes
    int propose = 10;     // a proposal to the leader of the highest term
    int partition = 3;    // a new partition (or healing)
    int restart = 3;      // a node crashes and restarts from its storage
    int compact = 4;      // a node snapshots its storage at its applied index and compacts
    int conf_change = 3;  // the leader proposes adding or removing a node
    int transfer = 2;     // the leader is asked to hand leadership to a member
  };
  Weights weights;
  // Of proposals, the percentage sent elsewhere than the leader of the highest term: half to a
  // random node (a follower forwards it), half to a random node that thinks it leads (perhaps a
  // deposed leader of an older term, whose entries then conflict).
  int propose_elsewhere_percent = 0;
  // Partition steps toggle between healed and a random cut; with isolate_leaders they heal,
  // make a random cut, or cut the leader off on its own (a deposed leader keeps its term and
  // entries: that is how logs diverge, as in Figure 8), a third of the time each.
  bool isolate_leaders = false;
  // Message adversary, in percent. Loss and duplication apply to each delivery; a duplicated
  // message stays in flight and may arrive again at any later time.
  int loss_percent = 10;
  int duplicate_percent = 3;
  // Of each delivery: the message is held back and released into the network 20-400 steps
  // later (by then its term is usually over).
  int hold_percent = 0;
  // Of each round of deliveries: one of the last 64 delivered messages is delivered again.
  int replay_percent = 0;
  // Log matching is checked every this many steps (it hashes every log).
  int log_matching_every = 8;
  // After healing, the group must elect a leader (and commit) within this many ticks. 300: a
  // stale candidate now learns the newer term from the rejection of its vote request (§5.1), and
  // after heavy churn a few rounds of that can precede the election (one schedule in 400,000 of
  // Lab3A's 200-seed sweep needed 201–300 ticks).
  int liveness_ticks = 300;

  // Lab 3A: every feature, the RawNode driver (the defaults above).
  static PropertyOptions Full() { return PropertyOptions{}; }
  // Lab 2A: the Raft driver; elections, replication (if `proposals`), partitions and restarts
  // only; time runs fast against message delivery (frequent elections), leaders are often cut
  // off, and stale messages arrive late and twice.
  static PropertyOptions Lab2A(bool proposals);
  // Lab 2C: the RawNode driver with compaction and snapshots, no membership change or transfer;
  // the adversary holds messages back and replays old ones, so snapshots arrive late and again
  // (by then older than what the follower committed, often older than its compacted log).
  static PropertyOptions Lab2C();
};

// The outcome of one run.
struct PropertyRunResult {
  std::string error;        // "" when every property held; else the violated one, in one line
  std::string trace;        // fault and election events of the run, one per line
  size_t committed = 0;     // distinct entries seen committed
  size_t leader_terms = 0;  // terms in which a leader was seen
};

// Executes the run of `seed`.
PropertyRunResult RunProperty(const PropertyOptions& options, uint64_t seed);

// What a property test reports: the summary of its runs, or the first failure.
struct PropertyTestResult {
  int runs = 0;  // runs that passed
  size_t committed = 0;
  size_t leader_terms = 0;
  // "" when every run passed. Else: "run seed S: <violated property>", then the run's events
  // and the command that replays it.
  std::string failure;
};

// Runs `default_runs` runs with seeds base_seed * 1000003 + r (r = 0, 1, ...), stopping at the
// first failure. The environment overrides the count (TINYKV_RAFT_PROPERTY_RUNS=N) or selects
// one run by its seed (TINYKV_RAFT_PROPERTY_RUN=S); a malformed value is a failure naming it.
// `binary` (relative to the build directory) and `test` (Suite.Name) make the replay command.
PropertyTestResult RunPropertyTest(const PropertyOptions& options, uint64_t base_seed,
                                   int default_runs, const std::string& binary,
                                   const std::string& test);

}  // namespace tinykv::raft::testing
