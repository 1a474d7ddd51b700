#include "grading/harness/kv_scenario.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "grading/check/checker.h"
#include "grading/check/edn.h"
#include "grading/check/timeline_html.h"
#include "grading/harness/cluster.h"
#include "grading/harness/crash_nemesis.h"
#include "grading/harness/invariant_monitor.h"
#include "grading/harness/mock_scheduler.h"
#include "grading/harness/nemeses.h"
#include "grading/harness/region_checks.h"
#include "grading/harness/run_protocol.h"
#include "grading/harness/store_balance.h"
#include "grading/runner/run_facts.h"
#include "raft/node_status.h"
#include "sim/debug.h"
#include "sim/sync.h"
#include "store/raftstore/peer_storage.h"
#include "store/raftstore/scheduler_client.h"
#include "store/raftstore/store_node.h"
#include "store/raftstore/store_peers.h"

namespace tinykv::harness {
namespace {

// Far above what a passing history needs (about one search step per operation: ~20k for the
// busiest scenario), small enough to end within seconds.
constexpr uint64_t kCheckStepBudget = 50'000'000;

// New terms a healthy stretch may see: one election for a store that rejoined late, one spare.
constexpr uint64_t kMaxHealthyTerms = 2;

// One line per store for a liveness failure: what each is doing and how far it got.
// Of region `region_id` (the one holding the stuck key: with many regions, lab3b).
std::string DescribeStores(Cluster& c, uint64_t region_id) {
  std::string out;
  for (sim::NodeId id : c.store_ids()) {
    const raftstore::StoreNode& store = c.store(id);
    out += "\n  store " + std::to_string(id) + ": ";
    if (c.executor().node_state(id) == sim::NodeState::kDown) {
      out += "down";
      continue;
    }
    const raftstore::StorePeers* peers = store.peers();
    const raftstore::Peer* peer = peers == nullptr ? nullptr : peers->Find(region_id);
    if (peer == nullptr) {
      out += !store.start_error().ok() ? "cannot start: " + store.start_error().ToString()
             : c.has_scheduler() && peers != nullptr
                 ? "no peer of region " + std::to_string(region_id)
                 : "starting";
      continue;
    }
    const raftstore::PeerVitals v = peer->vitals();
    if (c.has_scheduler()) {
      // Which peer, and the members it believes its region has (lab3b).
      std::string members;
      for (const auto& p : peer->region().peers()) {
        members += (members.empty() ? "" : ",") + std::to_string(p.id());
      }
      out += "peer " + std::to_string(peer->id()) +
             (peer->initialized() ? " (members " + members + ", conf_ver " +
                                        std::to_string(peer->region().region_epoch().conf_ver())
                                  : std::string(" (uninitialized: no snapshot of the region yet")) +
             ", vote " + std::to_string(v.vote) + "), ";
    }
    out +=
        std::string(raft::RoleName(v.role)) + " of term " + std::to_string(v.term) +
        " (leader it knows: " +
        (peer->LeaderId() == 0 ? std::string("none") : "peer " + std::to_string(peer->LeaderId())) +
        "), commit " + std::to_string(v.commit) + ", applied " + std::to_string(v.applied) +
        ", last " + std::to_string(v.last_index) + ", " +
        std::to_string(peer->pending_proposals()) + " proposals waiting" +
        (v.applying_snapshot ? ", applying a snapshot" : "") + (c.isolated(id) ? ", isolated" : "");
    if (auto at = c.monitor().last_apply_progress(id)) {
      out += ", last applied an entry at " + sim::FormatTime(*at);
    }
  }
  return out;
}

// With a scheduler, the region holding `key` as the scheduler knows it, in words ("key \"live\"
// is in region 7 [\"k3\", \"k5\"), ") and in *region; else "" and the first region.
std::string StuckRegion(Cluster& c, const std::string& key, uint64_t* region) {
  *region = raftstore::kFirstRegionId;
  if (!c.has_scheduler()) return "";
  auto r = c.scheduler().GetRegion(key);
  if (!r) return "no region holds key \"" + key + "\"; ";
  *region = r->id();
  return "key \"" + key + "\" is in region " + std::to_string(r->id()) + " [\"" + r->start_key() +
         "\", " + (r->end_key().empty() ? "end" : "\"" + r->end_key() + "\"") + "); ";
}

// Each region's highest term over the live stores' peers of it.
std::map<uint64_t, uint64_t> TermsByRegion(Cluster& c) {
  std::map<uint64_t, uint64_t> terms;
  for (sim::NodeId id : c.store_ids()) {
    const raftstore::StorePeers* peers = c.store(id).peers();
    if (peers == nullptr) continue;
    for (const auto& [region, peer] : peers->peers()) {
      uint64_t& t = terms[region];
      t = std::max(t, peer->vitals().term);
    }
  }
  return terms;
}

// Does every region some store hosts have a leader on a live store?
bool EveryRegionLed(Cluster& c) {
  std::map<uint64_t, bool> led;
  for (sim::NodeId id : c.store_ids()) {
    const raftstore::StorePeers* peers = c.store(id).peers();
    if (peers == nullptr) continue;
    for (const auto& [region, peer] : peers->peers()) led[region] = led[region] || peer->IsLeader();
  }
  for (const auto& [region, is_led] : led) {
    if (!is_led) return false;
  }
  return true;
}

// A healthy stretch of `stretch` after round `round`: everyone up and connected, no faults. A
// stable leader keeps its term; new terms now come from timer bugs (no reset on heartbeats, no
// randomization). Every region is measured; with many (lab3b) the stretch starts once each has
// a leader (the liveness probe went to one region only). The failure in words, or "".
std::string CheckHealthyStretch(Cluster& c, sim::Duration stretch, int round) {
  if (c.has_scheduler()) {
    WaitFor(
        c, [&] { return EveryRegionLed(c); }, stretch);
  }
  const std::map<uint64_t, uint64_t> before = TermsByRegion(c);
  std::map<uint64_t, size_t> elections_before;
  std::map<uint64_t, uint64_t> transfers_before;  // leader changes a real scheduler caused
  for (const auto& [region, term] : before) {
    elections_before[region] = c.monitor().leader_terms(region);
    if (c.has_scheduler()) transfers_before[region] = c.scheduler().LeaderChangesCaused(region);
  }
  sim::Sleep(stretch);
  const std::map<uint64_t, uint64_t> after = TermsByRegion(c);
  // A leader change the scheduler caused at the end of the stretch reaches its books with the
  // new leader's first heartbeat (every 100 ms): read them a little later.
  if (c.has_real_scheduler()) sim::Sleep(std::chrono::milliseconds(300));
  uint64_t worst = 0;  // the region whose term grew most, beyond the scheduler's leader changes
  uint64_t new_terms = 0;
  uint64_t excused = 0;
  for (const auto& [region, term] : before) {
    auto it = after.find(region);
    // Gone, or its highest term went down: the peer that had it left (a removed peer that had
    // campaigned alone is destroyed) — no new term either way.
    if (it == after.end() || it->second <= term) continue;
    const uint64_t transfers =
        c.has_scheduler() ? c.scheduler().LeaderChangesCaused(region) - transfers_before[region]
                          : 0;
    const uint64_t grown = it->second - term;
    if (grown > transfers && grown - transfers > new_terms - excused) {
      worst = region;
      new_terms = grown;
      excused = transfers;
    }
  }
  if (new_terms - excused <= kMaxHealthyTerms) return "";
  const uint64_t term_before = before.at(worst);
  const size_t elections = c.monitor().leader_terms(worst) - elections_before.at(worst);
  const std::string which =
      worst == raftstore::kFirstRegionId ? "" : " of region " + std::to_string(worst);
  return "churn: in a healthy stretch of " + sim::FormatTime(stretch) + " after round " +
         std::to_string(round + 1) + " (every store up and connected, no faults) the term" + which +
         " went from " + std::to_string(term_before) + " to " +
         std::to_string(term_before + new_terms) + " with " + std::to_string(elections) +
         " elections won (allowed: " + std::to_string(kMaxHealthyTerms) + " new terms" +
         (excused > 0 ? " plus the scheduler's " + std::to_string(excused) + " leader changes"
                      : "") +
         ")\nhint: a stable leader keeps its term: do followers reset their election "
         "timer on heartbeats and appends? is the election timeout randomized?";
}

// The hint of every balance failure: what a scheduler needs to get right for the loads to even.
constexpr const char* kBalanceHint =
    "\nhint: balance-region moves a region from the store with the most region data to the one "
    "with the least when the gap exceeds twice the region's size, and balance-leader moves "
    "leaders the same way; both see only what heartbeats told the scheduler: are store "
    "heartbeats' stats and region heartbeats' peers and leaders taken into the cluster's view?";

// Waits until the stores' loads lie within `tolerance` of the means or `budget` passes. The
// time it took, or nothing (then *why says which store is off, and the whole picture).
std::optional<sim::Duration> WaitForBalance(Cluster& c, double tolerance, sim::Duration budget,
                                            std::string* why) {
  const sim::Time start = sim::Now();
  std::vector<StoreLoad> loads;
  if (WaitFor(
          c,
          [&] {
            loads = MeasureStoreLoads(c);
            *why = Imbalance(loads, tolerance);
            return why->empty();
          },
          budget)) {
    return sim::Now() - start;
  }
  *why += "\n  the stores hold: " + LoadsText(loads);
  if (c.has_scheduler()) {
    if (std::string seen = c.scheduler().DescribeStores(); !seen.empty()) {
      *why += "\n  the scheduler sees:" + seen;
    }
  }
  return std::nullopt;
}

// An even, idle cluster must stop moving regions: within kSettleBudget, some kQuietWindow must
// see at most one move (two membership changes: the one in flight when it started).
constexpr sim::Duration kQuietWindow = std::chrono::seconds(3);
constexpr sim::Duration kSettleBudget = std::chrono::seconds(15);

// The load is even and nothing changes any more (the clients have stopped): a scheduler that
// keeps moving regions moves them back and forth. The failure in words, or "".
std::string CheckRegionsStopMoving(Cluster& c) {
  const sim::Time start = sim::Now();
  uint64_t fewest = 0;
  for (bool first = true; sim::Now() - start < kSettleBudget; first = false) {
    const uint64_t before = MembershipChanges(c);
    sim::Sleep(kQuietWindow);
    const uint64_t changes = MembershipChanges(c) - before;
    if (changes <= 2) return "";
    fewest = first ? changes : std::min(fewest, changes);
  }
  std::string last;
  for (const std::string& op : c.scheduler().RecentOperators(6)) last += "\n  " + op;
  return "balance: with the load even and the clients stopped, the regions kept moving: every " +
         sim::FormatTime(kQuietWindow) + " of " + sim::FormatTime(kSettleBudget) +
         " brought at least " + std::to_string(fewest) + " membership changes (about " +
         std::to_string(fewest / 2) + " region moves)" +
         (last.empty() ? "" : "; the scheduler's last operators:" + last) +
         "\n  the stores hold: " + LoadsText(MeasureStoreLoads(c)) +
         "\n  the scheduler sees:" + c.scheduler().DescribeStores() +
         "\nhint: a region moves only when the source holds more than twice its "
         "size beyond the target; with a smaller gap the move is worth undoing next round, and "
         "regions move back and forth for good";
}

// Asks the scheduler's TSO for a timestamp every 50 ms, forever, from a node of its own; the
// first timestamp not larger than all before it goes to *failure (nothing else is written there).
void WatchTso(Cluster& c, uint64_t* count, std::string* failure) {
  raftstore::SimSchedulerClientOptions so;
  so.self = c.ClientNode(3000);
  so.scheduler = kSchedulerNode;
  so.timeout = std::chrono::milliseconds(200);
  raftstore::SimSchedulerClient client(c.network(), so);
  uint64_t last = 0;
  sim::Time last_at{0};
  for (;;) {
    uint64_t ts = 0;
    if (client.Tso(1, &ts).ok()) {
      ++*count;
      if (ts <= last && failure->empty()) {
        *failure = "tso: the scheduler handed out timestamp " + std::to_string(ts) + " at " +
                   sim::FormatTime(sim::Now()) + ", not larger than " + std::to_string(last) +
                   " handed out at " + sim::FormatTime(last_at) +
                   "\nhint: timestamps must keep increasing across a restart of the scheduler: "
                   "persist a window ahead of the time handed out, and start above it";
      }
      last = std::max(last, ts);
      last_at = sim::Now();
    }
    sim::Sleep(std::chrono::milliseconds(50));
  }
}

// "4, 5, 6": the stores that join.
std::string JoiningText(Cluster& c, int joining) {
  std::string out;
  const std::vector<sim::NodeId> ids = c.store_ids();
  for (size_t i = ids.size() - static_cast<size_t>(joining); i < ids.size(); ++i) {
    out += (out.empty() ? "" : ", ") + std::to_string(ids[i]);
  }
  return out;
}

}  // namespace

check::Result<check::CheckResult> CheckKvHistory(const check::History& history) {
  check::CheckOptions options;
  options.timeout = std::chrono::nanoseconds(0);  // none: the grading runner's watchdog stays
  options.max_steps = kCheckStepBudget;
  return check::Check(history, check::KvModel(), options);
}

std::string CheckReadsHaveWriters(const check::History& history) {
  std::map<std::pair<std::string, std::string>, const check::Operation*> writer;
  for (const check::Operation& op : history.ops) {
    if (op.f == "put" && op.value && op.status != check::OpStatus::kFail) {
      writer.emplace(std::make_pair(op.key, *op.value), &op);
    }
  }
  for (const check::Operation& op : history.ops) {
    if (op.f != "get" || op.status != check::OpStatus::kOk || !op.output || op.output->empty()) {
      continue;
    }
    auto it = writer.find({op.key, *op.output});
    const std::string read = check::ClientName(history, op.client) + "'s get " + op.key + " → '" +
                             *op.output + "' (returned at " + check::FormatTime(history, op.ret) +
                             ")";
    if (it == writer.end()) return read + ": no put ever wrote that value to that key";
    if (it->second->call > op.ret) {
      return read + ": that value was written only later, by " +
             check::ClientName(history, it->second->client) + "'s put called at " +
             check::FormatTime(history, it->second->call);
    }
  }
  return "";
}

KvScenarioResult RunKvScenario(const std::string& name, uint64_t seed,
                               const KvScenarioOptions& options) {
  KvScenarioResult result;
  ClusterOptions co;
  co.stores = options.stores;
  co.seed = seed;
  co.raft.raft_log_gc_count_limit = options.raft_log_gc_limit;
  co.with_scheduler =
      options.conf_change || options.split || options.leader_transfers || options.real_scheduler;
  co.real_scheduler = options.real_scheduler;
  co.max_replicas = options.max_replicas;
  co.scheduler_balance_leader = options.scheduler_balance_leader;
  co.max_store_down_time = options.max_store_down_time;
  co.joining_stores = options.joining_stores;
  if (options.joining_stores > 0)
    co.initial_region_stores = options.stores - options.joining_stores;
  if (options.split) {
    co.raft.region_max_size = 300;
    co.raft.region_split_size = 200;
  }
  co.wrap_engine = options.wrap_engine;
  co.wrap_transport = options.wrap_transport;
  // `tinykv-grade replay --trace F / --html F` ask for the full trace and the timeline.
  const std::string trace_out = TraceOutPath();
  const char* timeline_out = std::getenv(grading::kTimelineOutEnvVar);
  co.keep_full_trace = !trace_out.empty();
  Cluster cluster(co);
  if (options.before_run) options.before_run(cluster);
  sim::Executor& ex = cluster.executor();
  InstallBreakPointsFromEnv(ex);
  sim::Rng workload = ex.Stream("workload");
  sim::Rng nemesis = ex.Stream("nemesis");
  std::vector<std::unique_ptr<KvClient>> clients;
  std::vector<int64_t> client_ids;
  for (int i = 0; i < options.clients; ++i) {
    client_ids.push_back(i);
    clients.push_back(std::make_unique<KvClient>(cluster, i));
    clients.back()->set_reads_bypass_raft(options.reads_bypass_raft);
  }

  std::string liveness_failure;
  std::string tso_failure;      // the TSO watcher's (with a real scheduler)
  std::string balance_failure;  // the balance watcher's (lab3c)
  uint64_t next_value = 0;
  std::vector<std::string> key_space;
  for (int k = 0; k < options.keys; ++k) key_space.push_back("k" + std::to_string(k));
  CrashNemesis crasher(cluster, ex.Stream("crash-nemesis"));
  sim::Rng conf_changer = ex.Stream("conf-change-nemesis");
  sim::Rng transfers = ex.Stream("transfer-leader-nemesis");
  const std::string padding =
      options.value_padding == 0 ? "" : "-" + std::string(options.value_padding, 'x');
  sim::RunResult run = cluster.Run([&] {
    // Leader changes, sampled: who the cluster's leader is, every 10 ms.
    sim::Go("leader-monitor", [&] {
      std::optional<sim::NodeId> last;
      size_t regions = 1;
      for (;;) {
        std::optional<sim::NodeId> now = cluster.Leader();
        if (now && now != last) {
          if (last) ++result.leader_changes;
          last = now;
        }
        // Splits, as the scheduler learns of them, go on the timeline.
        if (cluster.has_scheduler() && cluster.scheduler().RegionCount() > regions) {
          regions = cluster.scheduler().RegionCount();
          cluster.Annotate(ex.Now(), "split: " + std::to_string(regions) + " regions");
        }
        sim::Sleep(std::chrono::milliseconds(10));
      }
    });
    if (options.real_scheduler) {
      sim::Go("tso-watcher", [&] { WatchTso(cluster, &result.timestamps, &tso_failure); });
    }
    if (options.preload && !clients.empty()) {
      for (const std::string& key : key_space) {
        const std::string value = "preload-" + key + padding;
        if (!PutUntilAcknowledged(cluster, *clients.front(), key, value, options.liveness_budget)) {
          liveness_failure = "liveness: the preload could not put " + key + " within " +
                             sim::FormatTime(options.liveness_budget) + " (no faults yet)";
          break;
        }
      }
    }
    // Lab3c: the data split into enough regions on the first stores, the others join, and the
    // scheduler must spread the load (watched by the balancer while the rounds run).
    sim::WaitGroup balancer("balance-watcher");
    if (options.joining_stores > 0 && liveness_failure.empty()) {
      if (!WaitFor(
              cluster, [&] { return cluster.scheduler().RegionCount() >= options.min_regions; },
              options.liveness_budget)) {
        liveness_failure =
            "split: the preload made " + std::to_string(cluster.scheduler().RegionCount()) +
            " regions within " + sim::FormatTime(options.liveness_budget) + " (" +
            std::to_string(options.min_regions) + " needed before the empty stores join)";
      }
      for (sim::NodeId id : cluster.store_ids()) cluster.Join(id);
      if (options.balance_budget > sim::Duration::zero() && liveness_failure.empty()) {
        balancer.Add();
        sim::Go("balance-watcher", [&] {
          std::string why;
          if (auto took = WaitForBalance(cluster, options.balance_tolerance, options.balance_budget,
                                         &why)) {
            result.balanced_after = *took;
            cluster.Annotate(ex.Now(), "balanced");
          } else if (balance_failure.empty()) {
            balance_failure = "balance: " + sim::FormatTime(options.balance_budget) +
                              " after stores " + JoiningText(cluster, options.joining_stores) +
                              " joined, the load is still uneven: " + why + kBalanceHint;
          }
          balancer.Done();
        });
      }
    }
    for (int round = 0; round < options.rounds && liveness_failure.empty(); ++round) {
      cluster.SetUnreliable(options.unreliable);
      bool stop = false;
      sim::WaitGroup wg("clients");
      for (auto& client : clients) {
        wg.Add();
        KvClient* cl = client.get();
        sim::Go("client" + std::to_string(cl->id()), [&, cl] {
          while (!stop) {
            const std::string& key = key_space[workload.Below(key_space.size())];
            // Half writes (overwriting the shared keys; one in five a delete), half reads (one
            // in five a scan of up to three pairs from the key).
            const uint64_t kind = workload.Below(10);
            if (kind < 4) {
              const std::string value =
                  "c" + std::to_string(cl->id()) + "v" + std::to_string(next_value++) + padding;
              cl->Put(key, value, std::chrono::seconds(5));
            } else if (kind < 5) {
              cl->Delete(key, std::chrono::seconds(5));
            } else if (kind < 9) {
              cl->Get(key, std::chrono::seconds(5));
            } else {
              cl->Scan(key, 3, key_space, std::chrono::seconds(5));
            }
            if (options.client_think_time > sim::Duration::zero()) {
              sim::Sleep(options.client_think_time);
            }
          }
          wg.Done();
        });
      }
      if (options.partitions) {
        GoCounted(wg, "nemesis", [&] { RunPartitionNemesis(cluster, nemesis, client_ids, stop); });
      }
      if (options.lagging_store) {
        GoCounted(wg, "laggard", [&] {
          KvClient writer(cluster, 2000 + round);
          RunLaggardNemesis(cluster, nemesis, writer, stop);
        });
      }
      if (options.conf_change) {
        GoCounted(wg, "conf-change-nemesis",
                  [&] { RunConfChangeNemesis(cluster, conf_changer, stop, &result.conf_changes); });
      }
      if (options.leader_transfers) {
        GoCounted(wg, "transfer-leader-nemesis",
                  [&] { RunTransferLeaderNemesis(cluster, transfers, stop); });
      }
      if (options.crash_scheduler) {
        GoCounted(wg, "scheduler-crasher", [&] {
          sim::Sleep(sim::Duration(nemesis.Below(static_cast<uint64_t>(options.round.count()))));
          cluster.CrashScheduler();
          sim::Sleep(std::chrono::milliseconds(200 + nemesis.Below(1800)));
          cluster.RestartScheduler();
        });
      }
      if (options.retire_round == round + 1) {
        GoCounted(wg, "retirer", [&] {
          sim::Sleep(sim::Duration(nemesis.Below(static_cast<uint64_t>(options.round.count()))));
          const std::vector<sim::NodeId> serving = cluster.serving_store_ids();
          cluster.Retire(serving[nemesis.Below(serving.size())]);
        });
      }
      if (options.crash) {
        GoCounted(wg, "crash-nemesis", [&] { crasher.Run(stop); });
      }
      sim::Sleep(options.round);
      stop = true;
      cluster.Heal();
      cluster.SetUnreliable(false);
      wg.Wait();
      if (options.crash) {
        for (sim::NodeId id : cluster.store_ids()) cluster.Crash(id);
        for (sim::NodeId id : cluster.store_ids()) cluster.Restart(id);
      }
      // Liveness: healed, the cluster must accept a write and a read within the budget.
      KvClient probe(cluster, 1000 + round);
      const sim::Time start = ex.Now();
      bool put_ok = false;
      while (!put_ok && ex.Now() - start < options.liveness_budget) {
        put_ok =
            probe.Put("live", "round" + std::to_string(round) + "-" + std::to_string(next_value++),
                      options.liveness_budget - (ex.Now() - start));
      }
      if (liveness_failure.empty() && options.raft_log_gc_limit > 0) {
        // Log GC keeps every live store's log short: at most a few GC limits of applied entries.
        sim::Sleep(std::chrono::milliseconds(500));
        const uint64_t bound = 3 * options.raft_log_gc_limit;
        for (sim::NodeId id : cluster.store_ids()) {
          const raftstore::StorePeers* peers = cluster.store(id).peers();
          if (peers == nullptr) continue;
          for (const auto& [region, owned] : peers->peers()) {
            const raftstore::Peer* peer = owned.get();
            if (!peer->initialized() || !liveness_failure.empty()) continue;
            const std::string where = region == raftstore::kFirstRegionId
                                          ? ""
                                          : " (region " + std::to_string(region) + ")";
            const uint64_t applied = peer->applied_index();
            const uint64_t truncated = peer->storage().truncated_index();
            if (applied > truncated + bound) {
              liveness_failure = "log GC: after round " + std::to_string(round + 1) + " store " +
                                 std::to_string(id) + where + " keeps " +
                                 std::to_string(applied - truncated) +
                                 " applied entries in its log (limit " +
                                 std::to_string(options.raft_log_gc_limit) + ", allowed up to " +
                                 std::to_string(bound) + ")";
            }
            // Truncating the log in the apply state is half the job: the GC worker must also
            // delete the entries from the raft engine.
            const uint64_t stale = peer->storage().CountLogEntriesUpTo(truncated);
            if (liveness_failure.empty() && stale > bound) {
              liveness_failure = "log GC: after round " + std::to_string(round + 1) + " store " +
                                 std::to_string(id) + where + ": its raft engine still holds " +
                                 std::to_string(stale) + " log entries at or below its truncated " +
                                 "index " + std::to_string(truncated) + " (allowed up to " +
                                 std::to_string(bound) + " not yet collected)";
            }
          }
        }
      }
      if (!put_ok || !probe.Get("live", options.liveness_budget - (ex.Now() - start))) {
        uint64_t stuck = raftstore::kFirstRegionId;
        // A store that cannot start is the cause, whatever else is stuck.
        const std::string start_failure = cluster.StartFailure();
        liveness_failure = (start_failure.empty() ? "" : start_failure + "\n") +
                           "liveness: after round " + std::to_string(round + 1) +
                           " the healed cluster did not complete a put and a get within " +
                           sim::FormatTime(options.liveness_budget) + " (virtual); " +
                           StuckRegion(cluster, "live", &stuck) +
                           "the stores then:" + DescribeStores(cluster, stuck);
      }
      if (liveness_failure.empty()) {
        liveness_failure = CheckHealthyStretch(cluster, options.healthy_stretch, round);
      }
    }
    balancer.Wait();
    if (cluster.has_scheduler()) result.regions = cluster.scheduler().RegionCount();  // if it fails
    if (liveness_failure.empty()) liveness_failure = tso_failure;
    if (liveness_failure.empty()) liveness_failure = balance_failure;
    if (liveness_failure.empty() && cluster.has_scheduler()) {
      liveness_failure = CheckRegionsSettle(cluster, options.liveness_budget,
                                            options.real_scheduler ? options.max_replicas : 0);
      if (liveness_failure.empty() && options.balance_budget > sim::Duration::zero()) {
        std::string why;
        if (!WaitForBalance(cluster, options.balance_tolerance, options.liveness_budget, &why)) {
          liveness_failure = "balance: at the end of the run, after " +
                             sim::FormatTime(options.liveness_budget) +
                             " without faults, the load is uneven: " + why + kBalanceHint;
        } else {
          liveness_failure = CheckRegionsStopMoving(cluster);
        }
      }
      result.regions = cluster.scheduler().RegionCount();  // the settled count
      if (liveness_failure.empty() && options.split && result.regions < options.min_regions) {
        liveness_failure =
            "split: " + std::to_string(result.regions) +
            " regions at the end of this run (at "
            "least " +
            std::to_string(options.min_regions) +
            " expected), although regions over 300 bytes must split (the workload wrote " +
            std::to_string(next_value) +
            " values)\nhint: does the split checker run on the leader, and is the Split admin "
            "command proposed with the scheduler's ids and applied?";
      }
    }
  });
  result.fingerprint = ex.trace().fingerprint();
  result.crashes_under_load = crasher.crashes();
  result.events = ex.trace().event_count();
  result.packets_sent = cluster.network().totals().sent;
  result.packets_delivered = cluster.network().totals().delivered;
  result.virtual_time = run.end_time;
  // Messages delivered: raft packets count by the messages they carried, every other packet
  // (an RPC request or response) as one.
  result.messages_delivered = result.packets_delivered;
  for (sim::NodeId id : cluster.store_ids()) {
    const raftstore::StoreNode& store = cluster.store(id);
    result.snapshots_applied += store.snapshots_applied();
    result.messages_delivered += store.raft_messages_received() - store.raft_packets_received();
  }
  const check::History& history = cluster.history().history();
  result.operations = history.ops.size();
  for (const check::Annotation& a : history.annotations) {
    if (a.label.rfind("partition ", 0) == 0 || a.label.rfind("crash ", 0) == 0) ++result.faults;
    if (a.label.rfind("transfer leader ", 0) == 0) ++result.leader_transfers;
  }
  ReportRun(ex, trace_out);

  const std::string debug_test = name.find('.') != std::string::npos ? name : "…";
  const bool timeline_asked = timeline_out != nullptr && *timeline_out != '\0';
  // The history as EDN and its HTML timeline, annotated with the faults.
  auto write_artifacts = [&](const check::CheckResult& verdict, const std::string& failure = "") {
    result.history_path = grading::ArtifactPath(name, seed, ".edn");
    result.timeline_path =
        timeline_asked ? timeline_out : grading::ArtifactPath(name, seed, ".html");
    (void)check::WriteEdnHistoryFile(result.history_path, history, check::EdnWriteOptions{});
    check::TimelineOptions to;
    to.title = name + " seed " + std::to_string(seed);
    to.failure = failure;
    (void)check::WriteTimelineHtml(result.timeline_path, history, check::KvModel(), verdict, to);
    grading::ReportRunFact("timeline", result.timeline_path);
  };
  if (const InvariantMonitor& m = cluster.monitor(); !m.violation().empty()) {
    // The run stopped at the violation: the history ends there, which the timeline shows.
    const std::string event = std::to_string(m.violation_event());
    // The cause on the first line, the hint (after " — ") on the next.
    std::string line = m.violation();
    if (const size_t dash = line.find(" — "); dash != std::string::npos) {
      line = line.substr(0, dash) + "\nhint: " + line.substr(dash + std::string(" — ").size());
    }
    result.failure = line + "\n(event #" + event + " at " + sim::FormatTime(run.end_time) +
                     "; `make debug TEST=" + debug_test + " SEED=" + std::to_string(seed) +
                     " BREAK=event:" + event + "` stops there)";
    if (auto checked = CheckKvHistory(history); checked.ok()) {
      write_artifacts(checked.value(), result.failure);
      result.failure += "\ntimeline: " + result.timeline_path;
    }
    return result;
  }
  if (run.outcome == sim::RunOutcome::kCompleted && liveness_failure.empty() &&
      options.lagging_store && result.snapshots_applied == 0) {
    liveness_failure =
        "snapshots: no store applied a snapshot in this run (" +
        std::to_string(cluster.monitor().event_count(StoreEvent::kSnapshotApplyStarted)) +
        " snapshot applies started), although each round one store was isolated until the leader "
        "had compacted its log past that store's last entry\nhint: a follower that needs "
        "compacted entries must get a snapshot (raft sends MsgSnapshot; the store applies it)";
  }
  if (run.outcome != sim::RunOutcome::kCompleted) {
    result.failure = std::string("the simulation ended early (") +
                     sim::RunOutcomeName(run.outcome) + "): " + run.report;
    return result;
  }
  // Where a replay can stop: the first read the cluster's online check caught (Cluster::CheckRead).
  std::string first_seen;
  if (!cluster.violations().empty()) {
    first_seen = "\nfirst seen during the run at event " + cluster.violations().front() +
                 "\n(`make debug TEST=" + debug_test + " SEED=" + std::to_string(seed) +
                 " BREAK=on:violation` stops there)";
  }
  if (std::string bad_read = CheckReadsHaveWriters(history); !bad_read.empty()) {
    result.failure = "impossible read: " + bad_read + first_seen;
    return result;
  }
  auto checked = CheckKvHistory(history);
  if (!checked.ok()) {
    result.failure = "checker error: " + checked.status().message();
    return result;
  }
  const check::CheckResult& verdict = checked.value();
  result.verdict = std::string(check::VerdictName(verdict.verdict));
  grading::ReportRunFact("verdict", result.verdict);
  const bool failed =
      verdict.verdict == check::Verdict::kNotLinearizable || !liveness_failure.empty();
  if (failed || options.always_write_artifacts || timeline_asked) {
    write_artifacts(verdict, liveness_failure);
  }
  if (failed) {
    result.failure = (liveness_failure.empty() ? verdict.report : liveness_failure) + first_seen +
                     "\nhistory: " + result.history_path + "\ntimeline: " + result.timeline_path;
    return result;
  }
  if (!cluster.violations().empty() && verdict.verdict == check::Verdict::kLinearizable) {
    // CheckRead flags only reads no linearization can explain: the two checks disagree.
    result.failure = "harness error: the online read check flagged event " +
                     cluster.violations().front() +
                     ", but the linearizability checker accepts the history";
    return result;
  }
  if (verdict.verdict == check::Verdict::kUnknown) {
    result.failure = "the linearizability check ran out of budget: " + verdict.report;
    return result;
  }
  result.passed = true;
  return result;
}

}  // namespace tinykv::harness
