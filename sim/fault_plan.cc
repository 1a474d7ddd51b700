#include "sim/fault_plan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "sim/network.h"

namespace tinykv::sim {
namespace {

struct KindName {
  FaultKind kind;
  const char* name;
};
constexpr KindName kKindNames[] = {
    {FaultKind::kPartition, "partition"}, {FaultKind::kBlock, "block"},
    {FaultKind::kIsolate, "isolate"},     {FaultKind::kClog, "clog"},
    {FaultKind::kUnclog, "unclog"},       {FaultKind::kHeal, "heal"},
    {FaultKind::kCrash, "crash"},         {FaultKind::kRestart, "restart"},
    {FaultKind::kPause, "pause"},         {FaultKind::kResume, "resume"},
    {FaultKind::kLoss, "loss"},           {FaultKind::kDrift, "drift"},
};

const char* KindToName(FaultKind k) {
  for (const auto& kn : kKindNames) {
    if (kn.kind == k) return kn.name;
  }
  return "?";
}

bool ParseNode(const std::string& s, NodeId* out) {
  if (s.empty() || s.size() > 9) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  *out = static_cast<NodeId>(std::strtoul(s.c_str(), nullptr, 10));
  return true;
}

bool ParseLink(const std::string& s, NodeId* a, NodeId* b) {
  const size_t arrow = s.find("->");
  return arrow != std::string::npos && ParseNode(s.substr(0, arrow), a) &&
         ParseNode(s.substr(arrow + 2), b);
}

std::string Fmt3(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

// A finite number with at most three decimals: what ToText writes back unchanged (Fmt3), so a
// saved plan replays the same faults.
bool ParseNumber(const std::string& s, double* out) {
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || !std::isfinite(*out) || std::fabs(*out) > 1e9) return false;
  return std::strtod(Fmt3(*out).c_str(), nullptr) == *out;
}

}  // namespace

std::string FormatFault(const Fault& f) {
  std::string s = FormatTime(f.at) + " " + KindToName(f.kind);
  switch (f.kind) {
    case FaultKind::kPartition:
      for (size_t g = 0; g < f.groups.size(); ++g) {
        s += g ? " | " : " ";
        for (size_t i = 0; i < f.groups[g].size(); ++i) {
          s += (i ? "," : "") + std::to_string(f.groups[g][i]);
        }
      }
      break;
    case FaultKind::kBlock:
    case FaultKind::kClog:
    case FaultKind::kUnclog:
      s += " " + std::to_string(f.a) + "->" + std::to_string(f.b);
      break;
    case FaultKind::kIsolate:
    case FaultKind::kCrash:
    case FaultKind::kRestart:
    case FaultKind::kPause:
    case FaultKind::kResume:
      s += " " + std::to_string(f.a);
      break;
    case FaultKind::kLoss:
      s += " " + Fmt3(f.value) + " dup " + Fmt3(f.value2);
      break;
    case FaultKind::kDrift:
      s += " " + std::to_string(f.a) + " " + Fmt3(f.value);
      break;
    case FaultKind::kHeal:
      break;
  }
  return s;
}

std::string FaultPlan::ToText() const {
  std::string out = "# tinykv fault plan: one fault per line (time kind args)\n";
  for (const Fault& f : faults) out += FormatFault(f) + "\n";
  return out;
}

bool FaultPlan::Parse(const std::string& text, const std::string& source, FaultPlan* out,
                      std::string* error) {
  out->faults.clear();
  std::istringstream in(text);
  std::string line;
  int lineno = 0;
  auto fail = [&](const std::string& why) {
    *error = source + ":" + std::to_string(lineno) + ": " + why + ": '" + line + "'";
    return false;
  };
  Time previous{0};
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string word; words >> word;) w.push_back(word);
    if (w.empty()) continue;  // only whitespace the first test does not know (\v, \f, \r)
    Fault f;
    if (!ParseTime(w[0], &f.at)) return fail("bad time (expected e.g. 1.500000s or 1500ms)");
    if (f.at < previous) return fail("faults must be in time order");
    previous = f.at;
    if (w.size() < 2) return fail("missing fault kind");
    bool known = false;
    for (const auto& kn : kKindNames) {
      if (w[1] == kn.name) {
        f.kind = kn.kind;
        known = true;
      }
    }
    if (!known) return fail("unknown fault kind '" + w[1] + "'");
    const size_t nargs = w.size() - 2;
    switch (f.kind) {
      case FaultKind::kPartition: {
        std::string rest;
        for (size_t i = 2; i < w.size(); ++i) rest += w[i];
        std::vector<NodeId> group;
        std::string num;
        for (size_t i = 0; i <= rest.size(); ++i) {
          const char c = i < rest.size() ? rest[i] : '|';
          if (c == ',' || c == '|') {
            NodeId n;
            if (!ParseNode(num, &n)) return fail("bad node list (expected e.g. 1,2 | 3,4,5)");
            group.push_back(n);
            num.clear();
            if (c == '|') {
              f.groups.push_back(group);
              group.clear();
            }
          } else {
            num += c;
          }
        }
        if (f.groups.size() < 2) return fail("a partition needs at least two groups");
        break;
      }
      case FaultKind::kBlock:
      case FaultKind::kClog:
      case FaultKind::kUnclog:
        if (nargs != 1 || !ParseLink(w[2], &f.a, &f.b)) return fail("expected a link like 1->2");
        break;
      case FaultKind::kIsolate:
      case FaultKind::kCrash:
      case FaultKind::kRestart:
      case FaultKind::kPause:
      case FaultKind::kResume:
        if (nargs != 1 || !ParseNode(w[2], &f.a)) return fail("expected one node id");
        break;
      case FaultKind::kHeal:
        if (nargs != 0) return fail("heal takes no arguments");
        break;
      case FaultKind::kLoss:
        if (nargs != 3 || w[3] != "dup" || !ParseNumber(w[2], &f.value) ||
            !ParseNumber(w[4], &f.value2)) {
          return fail("expected 'loss P dup Q' (numbers with at most three decimals)");
        }
        if (!(f.value >= 0 && f.value <= 1 && f.value2 >= 0 && f.value2 <= 1)) {
          return fail("probabilities must be in [0, 1]");
        }
        break;
      case FaultKind::kDrift:
        if (nargs != 2 || !ParseNode(w[2], &f.a) || !ParseNumber(w[3], &f.value)) {
          return fail("expected 'drift NODE FACTOR' (a number with at most three decimals)");
        }
        if (!(f.value >= kMinDrift && f.value <= kMaxDrift)) {
          return fail("drift factor must be in [" + Fmt3(kMinDrift) + ", " + Fmt3(kMaxDrift) +
                      "] (a node's timers run that many times as long)");
        }
        break;
    }
    out->faults.push_back(std::move(f));
  }
  return true;
}

bool FaultPlan::SaveToFile(const std::string& path, std::string* error) const {
  std::ofstream out(path);
  out << ToText();
  out.close();
  if (!out) {
    *error = "cannot write fault plan to " + path;
    return false;
  }
  return true;
}

bool FaultPlan::LoadFromFile(const std::string& path, FaultPlan* out, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read fault plan " + path;
    return false;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  return Parse(buf.str(), path, out, error);
}

bool FaultPlan::Validate(const std::vector<NodeId>& nodes, std::string* error) const {
  std::map<NodeId, NodeState> state;
  for (NodeId n : nodes) state[n] = NodeState::kUp;
  size_t index = 0;
  auto fail = [&](const Fault& f, const std::string& why) {
    *error = "fault " + std::to_string(index + 1) + " (" + FormatFault(f) + "): " + why;
    return false;
  };
  auto known = [&](NodeId n) { return state.count(n) > 0; };
  for (; index < faults.size(); ++index) {
    const Fault& f = faults[index];
    switch (f.kind) {
      case FaultKind::kPartition:
        for (const auto& g : f.groups) {
          for (NodeId n : g) {
            if (!known(n)) return fail(f, "unknown node " + std::to_string(n));
          }
        }
        break;
      case FaultKind::kBlock:
      case FaultKind::kClog:
      case FaultKind::kUnclog:
        if (!known(f.a) || !known(f.b)) return fail(f, "unknown node");
        break;
      case FaultKind::kIsolate:
      case FaultKind::kDrift:
        if (!known(f.a)) return fail(f, "unknown node");
        break;
      case FaultKind::kCrash:
        if (!known(f.a)) return fail(f, "unknown node");
        if (state[f.a] == NodeState::kPaused) return fail(f, "node is paused (resume it first)");
        state[f.a] = NodeState::kDown;
        break;
      case FaultKind::kRestart:
        if (!known(f.a)) return fail(f, "unknown node");
        if (state[f.a] != NodeState::kDown) return fail(f, "node is not down");
        state[f.a] = NodeState::kUp;
        break;
      case FaultKind::kPause:
        if (!known(f.a)) return fail(f, "unknown node");
        if (state[f.a] != NodeState::kUp) return fail(f, "node is not up");
        state[f.a] = NodeState::kPaused;
        break;
      case FaultKind::kResume:
        if (!known(f.a)) return fail(f, "unknown node");
        if (state[f.a] != NodeState::kPaused) return fail(f, "node is not paused");
        state[f.a] = NodeState::kUp;
        break;
      case FaultKind::kHeal:
      case FaultKind::kLoss:
        break;
    }
  }
  return true;
}

FaultPlan GenerateFaultPlan(Rng rng, const NemesisOptions& o) {
  FaultPlan plan;
  if (o.nodes.empty() || o.end <= o.start) return plan;
  std::map<NodeId, NodeState> state;
  for (NodeId n : o.nodes) state[n] = NodeState::kUp;
  std::vector<std::pair<NodeId, NodeId>> clogged;
  bool network_faulty = false;
  auto add = [&plan](Fault f) { plan.faults.push_back(std::move(f)); };
  auto nodes_in = [&](NodeState s) {
    std::vector<NodeId> out;
    for (auto& [n, st] : state) {
      if (st == s) out.push_back(n);
    }
    return out;
  };

  std::vector<int> menu;  // which fault families are enabled
  if (o.partitions) menu.push_back(0);
  if (o.crashes) menu.push_back(1);
  if (o.pauses) menu.push_back(2);
  if (o.clogging) menu.push_back(3);
  if (o.lossy) menu.push_back(4);
  if (o.drift) menu.push_back(5);
  if (menu.empty()) return plan;

  const double mean = static_cast<double>(o.mean_gap.count());
  Time t = o.start;
  for (;;) {
    // Whole microseconds, so the plan's text form (microsecond precision) replays exactly.
    t += Duration((static_cast<int64_t>(rng.Exponential(mean)) / 1000 + 1) * 1000);
    if (t >= o.end) break;
    Fault f;
    f.at = t;
    switch (rng.Pick(menu)) {
      case 0: {  // partitions
        if (network_faulty && rng.Bernoulli(0.4)) {
          f.kind = FaultKind::kHeal;
          network_faulty = false;
          clogged.clear();
        } else if (rng.Bernoulli(0.2) && o.nodes.size() >= 2) {
          std::vector<NodeId> pair = o.nodes;
          rng.Shuffle(pair);
          f.kind = FaultKind::kBlock;
          f.a = pair[0];
          f.b = pair[1];
          network_faulty = true;
        } else {
          std::vector<NodeId> shuffled = o.nodes;
          rng.Shuffle(shuffled);
          const size_t cut =
              1 + static_cast<size_t>(rng.Below(shuffled.size() - 1 > 0 ? shuffled.size() - 1 : 1));
          std::vector<NodeId> left(shuffled.begin(), shuffled.begin() + static_cast<long>(cut));
          std::vector<NodeId> right(shuffled.begin() + static_cast<long>(cut), shuffled.end());
          if (right.empty()) continue;
          std::sort(left.begin(), left.end());
          std::sort(right.begin(), right.end());
          f.kind = FaultKind::kPartition;
          f.groups = {left, right};
          network_faulty = true;
        }
        break;
      }
      case 1: {  // crash / restart
        std::vector<NodeId> down = nodes_in(NodeState::kDown);
        std::vector<NodeId> up = nodes_in(NodeState::kUp);
        if (!down.empty() && (down.size() >= o.max_down || up.empty() || rng.Bernoulli(0.5))) {
          f.kind = FaultKind::kRestart;
          f.a = rng.Pick(down);
          state[f.a] = NodeState::kUp;
        } else if (!up.empty() && down.size() < o.max_down) {
          f.kind = FaultKind::kCrash;
          f.a = rng.Pick(up);
          state[f.a] = NodeState::kDown;
        } else {
          continue;
        }
        break;
      }
      case 2: {  // pause / resume
        std::vector<NodeId> paused = nodes_in(NodeState::kPaused);
        std::vector<NodeId> up = nodes_in(NodeState::kUp);
        if (!paused.empty() && (up.empty() || rng.Bernoulli(0.6))) {
          f.kind = FaultKind::kResume;
          f.a = rng.Pick(paused);
          state[f.a] = NodeState::kUp;
        } else if (!up.empty()) {
          f.kind = FaultKind::kPause;
          f.a = rng.Pick(up);
          state[f.a] = NodeState::kPaused;
        } else {
          continue;
        }
        break;
      }
      case 3: {  // swizzle clogging: clog links one by one, then unclog them in random order
        if (!clogged.empty() && rng.Bernoulli(0.35)) {
          const size_t i = static_cast<size_t>(rng.Below(clogged.size()));
          f.kind = FaultKind::kUnclog;
          f.a = clogged[i].first;
          f.b = clogged[i].second;
          clogged.erase(clogged.begin() + static_cast<long>(i));
        } else {
          if (o.nodes.size() < 2) continue;
          std::vector<NodeId> pair = o.nodes;
          rng.Shuffle(pair);
          if (std::find(clogged.begin(), clogged.end(), std::make_pair(pair[0], pair[1])) !=
              clogged.end()) {
            continue;
          }
          f.kind = FaultKind::kClog;
          f.a = pair[0];
          f.b = pair[1];
          clogged.emplace_back(pair[0], pair[1]);
          network_faulty = true;
        }
        break;
      }
      case 4: {  // loss levels
        f.kind = FaultKind::kLoss;
        // Thousandths computed by one division, exactly as parsing "0.150" yields them.
        const bool lossless = rng.Bernoulli(0.3);
        const uint64_t loss = rng.UniformInt(1, 6);
        const bool no_dup = rng.Bernoulli(0.5);
        const uint64_t dup = rng.UniformInt(1, 5);
        f.value = lossless ? 0.0 : static_cast<double>(50 * loss) / 1000.0;
        f.value2 = no_dup ? 0.0 : static_cast<double>(20 * dup) / 1000.0;
        break;
      }
      case 5: {  // drift
        f.kind = FaultKind::kDrift;
        f.a = rng.Pick(o.nodes);
        f.value = static_cast<double>(800 + 50 * rng.UniformInt(0, 9)) / 1000.0;
        break;
      }
    }
    add(std::move(f));
  }
  // The end of chaos: heal the network, bring every node back.
  Fault heal;
  heal.at = o.end;
  heal.kind = FaultKind::kHeal;
  add(heal);
  if (o.lossy) {
    Fault clean;
    clean.at = o.end;
    clean.kind = FaultKind::kLoss;
    add(clean);
  }
  for (auto& [n, st] : state) {
    if (st == NodeState::kUp) continue;
    Fault back;
    back.at = o.end;
    back.a = n;
    back.kind = st == NodeState::kDown ? FaultKind::kRestart : FaultKind::kResume;
    add(back);
  }
  return plan;
}

void ScheduleFaultPlan(Executor& executor, Network& network, const FaultPlan& plan) {
  for (const Fault& fault : plan.faults) {
    executor.After(fault.at - executor.Now(), [&executor, &network, fault] {
      const std::string text = FormatFault(fault);
      auto skip = [&](const char* why) {
        executor.RecordFor(kWorld, EventKind::kFault, text + " (skipped: " + why + ")");
      };
      switch (fault.kind) {
        case FaultKind::kCrash:
          if (executor.node_state(fault.a) != NodeState::kUp) return skip("node not up");
          break;
        case FaultKind::kRestart:
          if (executor.node_state(fault.a) != NodeState::kDown) return skip("node not down");
          break;
        case FaultKind::kPause:
          if (executor.node_state(fault.a) != NodeState::kUp) return skip("node not up");
          break;
        case FaultKind::kResume:
          if (executor.node_state(fault.a) != NodeState::kPaused) return skip("node not paused");
          break;
        default:
          break;
      }
      executor.RecordFor(kWorld, EventKind::kFault, text);
      switch (fault.kind) {
        case FaultKind::kPartition:
          network.Partition(fault.groups);
          break;
        case FaultKind::kBlock:
          network.BlockOneWay(fault.a, fault.b);
          break;
        case FaultKind::kIsolate:
          network.Isolate(fault.a);
          break;
        case FaultKind::kClog:
          network.Clog(fault.a, fault.b);
          break;
        case FaultKind::kUnclog:
          network.Unclog(fault.a, fault.b);
          break;
        case FaultKind::kHeal:
          network.HealAll();
          break;
        case FaultKind::kCrash:
          executor.Crash(fault.a);
          break;
        case FaultKind::kRestart:
          executor.Restart(fault.a);
          break;
        case FaultKind::kPause:
          executor.Pause(fault.a);
          break;
        case FaultKind::kResume:
          executor.Resume(fault.a);
          break;
        case FaultKind::kLoss:
          network.SetLossEverywhere(fault.value, fault.value2);
          break;
        case FaultKind::kDrift:
          executor.SetDrift(fault.a, fault.value);
          break;
      }
    });
  }
}

}  // namespace tinykv::sim
