#include "grading/harness/crash_nemesis.h"

#include <string>
#include <vector>

namespace tinykv::harness {

CrashNemesis::CrashNemesis(Cluster& cluster, sim::Rng rng, CrashNemesisOptions options)
    : cluster_(cluster), rng_(rng), options_(options) {
  cluster_.set_store_event_listener(
      [this](uint64_t store, StoreEvent event) { OnEvent(store, event); });
}

CrashNemesis::~CrashNemesis() { cluster_.set_store_event_listener(nullptr); }

double CrashNemesis::Probability(StoreEvent event) const {
  switch (event) {
    case StoreEvent::kVoteGranted:
      return options_.after_vote_granted;
    case StoreEvent::kAppendAcked:
      return options_.after_append_acked;
    case StoreEvent::kLeaderAppended:
      return options_.after_leader_appended;
    case StoreEvent::kSnapshotApplyStarted:
      return options_.after_snapshot_apply_started;
    case StoreEvent::kRaftLogGcDone:
      return options_.after_raft_log_gc;
  }
  return 0;
}

void CrashNemesis::OnEvent(uint64_t store, StoreEvent event) {
  // Drawn only while running, from the nemesis stream: the draws are part of the seed's run.
  if (!running_) return;
  const double p = Probability(event);
  if (p > 0 && rng_.Bernoulli(p)) requests_.TrySend(Request{store, event});
}

bool CrashNemesis::TryCrash(uint64_t store, const std::string& why) {
  sim::Executor& ex = cluster_.executor();
  const auto id = static_cast<sim::NodeId>(store);
  if (ex.node_state(id) != sim::NodeState::kUp) return false;
  if (ex.Now() - last_crash_ < options_.min_gap) return false;
  if (!cluster_.MajorityConnectedWithout(id)) return false;  // the cluster must stay available
  const auto lo = static_cast<uint64_t>(options_.min_down.count());
  const auto hi = static_cast<uint64_t>(options_.max_down.count());
  down_[store] = ex.Now() + sim::Duration(static_cast<sim::Duration::rep>(rng_.UniformInt(lo, hi)));
  cluster_.Crash(id, why);
  last_crash_ = ex.Now();
  ++crashes_;
  return true;
}

void CrashNemesis::RestartDue() {
  sim::Executor& ex = cluster_.executor();
  for (auto it = down_.begin(); it != down_.end();) {
    if (it->second > ex.Now()) {
      ++it;
      continue;
    }
    cluster_.Restart(static_cast<sim::NodeId>(it->first));
    it = down_.erase(it);
  }
}

void CrashNemesis::Run(const bool& stop) {
  sim::Executor& ex = cluster_.executor();
  running_ = true;
  auto next_random = [&] {
    return ex.Now() + sim::Duration(static_cast<sim::Duration::rep>(
                          rng_.Exponential(static_cast<double>(options_.mean_random_gap.count()))));
  };
  sim::Time random_at =
      options_.mean_random_gap > sim::Duration::zero() ? next_random() : sim::Time::max();
  constexpr sim::Duration kPoll = std::chrono::milliseconds(10);
  while (!stop) {
    // Wake for a crash point, a due restart, the next random crash, or to notice `stop`.
    sim::Time wake = std::min(random_at, ex.Now() + kPoll);
    for (const auto& [store, at] : down_) wake = std::min(wake, at);
    std::optional<Request> req = requests_.Recv(std::max(wake - ex.Now(), sim::Duration(1)));
    if (stop) break;
    RestartDue();
    if (req) {
      (void)TryCrash(req->store, std::string("after ") + StoreEventName(req->event));
    }
    if (ex.Now() >= random_at) {
      std::vector<sim::NodeId> up;
      for (sim::NodeId s : cluster_.store_ids()) {
        if (ex.node_state(s) == sim::NodeState::kUp) up.push_back(s);
      }
      std::optional<sim::NodeId> leader = cluster_.Leader();
      if (leader && rng_.Bernoulli(1.0 / 3)) {
        (void)TryCrash(*leader, "the leader, at a random moment");
      } else if (!up.empty()) {
        (void)TryCrash(up[rng_.Below(up.size())], "at a random moment");
      }
      random_at = next_random();
    }
  }
  running_ = false;
  while (requests_.TryRecv()) {
  }
  for (const auto& [store, at] : down_) cluster_.Restart(static_cast<sim::NodeId>(store));
  down_.clear();
}

}  // namespace tinykv::harness
