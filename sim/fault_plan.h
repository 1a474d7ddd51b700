// Fault plans: every fault a run injects, as explicit timestamped entries.
//
// A plan is generated from the seed (GenerateFaultPlan), printed in the trace as each entry takes
// effect, saved as text, and replayable from that text without the seed — a student can edit a
// saved plan down to the one partition that matters. The text form is one fault per line:
//
//   # comments and blank lines are ignored
//   0.500000s partition 1,2 | 3,4,5
//   1.000000s block 1->2          (one-way)
//   1.200000s isolate 3
//   1.500000s clog 2->4
//   2.000000s unclog 2->4
//   2.500000s heal
//   3.000000s crash 2
//   4.000000s restart 2
//   4.500000s pause 5
//   5.000000s resume 5
//   5.500000s loss 0.200 dup 0.050
//   6.000000s drift 3 1.250
//
// Plans are validated against node states when parsed or applied: a restart of a node that is up,
// a resume of a node that is not paused, or an unknown node is an error naming the line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/executor.h"
#include "sim/time.h"

namespace tinykv::sim {

class Network;

enum class FaultKind {
  kPartition,
  kBlock,
  kIsolate,
  kClog,
  kUnclog,
  kHeal,
  kCrash,
  kRestart,
  kPause,
  kResume,
  kLoss,
  kDrift,
};

struct Fault {
  Time at{0};
  FaultKind kind = FaultKind::kHeal;
  std::vector<std::vector<NodeId>> groups;  // partition
  NodeId a = 0;                             // node, or link source
  NodeId b = 0;                             // link target
  double value = 0;                         // loss probability / drift factor
  double value2 = 0;                        // duplicate probability
};

// A drift factor multiplies every sleep and timer of its node (2.0: the node's clock runs at half
// speed); plans keep it within these bounds.
inline constexpr double kMinDrift = 0.1;
inline constexpr double kMaxDrift = 10.0;

std::string FormatFault(const Fault& f);

struct FaultPlan {
  std::vector<Fault> faults;  // sorted by time (stable)

  std::string ToText() const;
  // Parses the text form. `source` names the input in errors ("plan.txt:7: …"). Numbers are
  // finite with at most three decimals — what ToText writes — so a saved plan replays as it ran.
  // Returns false and sets `error` to a one-line message on the first bad line.
  static bool Parse(const std::string& text, const std::string& source, FaultPlan* out,
                    std::string* error);
  bool SaveToFile(const std::string& path, std::string* error) const;
  static bool LoadFromFile(const std::string& path, FaultPlan* out, std::string* error);

  // Checks the plan against `nodes` (all initially up): known nodes, sensible state transitions.
  // Returns false with a message naming the entry.
  bool Validate(const std::vector<NodeId>& nodes, std::string* error) const;
};

struct NemesisOptions {
  std::vector<NodeId> nodes;
  Time start{0};
  Time end{0};  // at `end` everything is healed, restarted and resumed
  Duration mean_gap = std::chrono::milliseconds(500);
  bool partitions = true;  // random two-way partitions and one-way blocks, then heals
  bool crashes = false;    // crash-restart waves
  size_t max_down = 1;     // at most this many nodes down at once
  bool pauses = false;
  bool clogging = false;  // swizzle: clog links one by one, unclog in random order
  bool lossy = false;     // random loss / duplication levels
  bool drift = false;     // per-node clock drift in [0.8, 1.25]
};

// A plan drawn from `rng` (pass executor.Stream("nemesis")): valid by construction.
FaultPlan GenerateFaultPlan(Rng rng, const NemesisOptions& options);

// Schedules each entry as a world timer on `executor`; when it fires it is applied to `network`
// and `executor` and recorded as a kFault event. Entries that would be invalid at that moment
// (e.g. restart of a node a test already restarted) are recorded as skipped, not applied.
void ScheduleFaultPlan(Executor& executor, Network& network, const FaultPlan& plan);

}  // namespace tinykv::sim
