// Raftstore clusters in one simulation: N StoreNodes, a client on the world fiber talking to
// them through store::CallKv, crashes with disk loss, partitions and snapshot catch-up.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "proto/kvrpcpb.pb.h"
#include "sim/executor.h"
#include "sim/network.h"
#include "store/raftstore/keys.h"
#include "store/raftstore/store_node.h"
#include "store/server/sim_rpc.h"

namespace tinykv::raftstore {
namespace {

using namespace std::chrono_literals;

struct TestCluster {
  sim::Executor ex;
  sim::Network net{ex};
  std::vector<std::unique_ptr<StoreNode>> stores;  // stores[i] is store i + 1
  uint64_t hint = 1;

  TestCluster(int n, uint64_t seed, RaftstoreConfig cfg = {},
              CrashLoss crash_loss = CrashLoss::kRandomPrefix)
      : ex(sim::ExecutorOptions{.seed = seed, .time_limit = sim::Time(300s)}) {
    std::vector<uint64_t> ids;
    for (int i = 1; i <= n; ++i) ids.push_back(i);
    for (uint64_t id : ids) {
      StoreNodeOptions o;
      o.store_id = id;
      o.cluster_store_ids = ids;
      o.config = cfg;
      o.crash_loss = crash_loss;
      stores.push_back(std::make_unique<StoreNode>(ex, net, o));
      StoreNode* s = stores.back().get();
      ex.AddNode(static_cast<sim::NodeId>(id), "store" + std::to_string(id), [s] { s->Main(); });
      net.AddNode(static_cast<sim::NodeId>(id));
    }
  }
  ~TestCluster() { ex.Shutdown(); }

  void StartAll() {
    for (const auto& s : stores) ex.Start(static_cast<sim::NodeId>(s->store_id()));
  }
  StoreNode& store(uint64_t id) { return *stores[id - 1]; }
  uint64_t n() const { return stores.size(); }

  // Waits (virtual time) until some up store is leader; returns it or 0.
  uint64_t WaitLeader(sim::Duration budget = 10s) {
    const sim::Time deadline = sim::Now() + budget;
    while (sim::Now() < deadline) {
      for (const auto& s : stores) {
        if (s->IsLeader()) return s->store_id();
      }
      sim::Sleep(10ms);
    }
    return 0;
  }

  // Sends `req` until a store answers without error, following leader hints. nullopt when the
  // budget runs out.
  template <class Resp, class Req>
  std::optional<Resp> Call(std::string_view method, const Req& req, sim::Duration budget = 20s) {
    const sim::Time deadline = sim::Now() + budget;
    uint64_t target = hint;
    while (sim::Now() < deadline) {
      auto r =
          store::CallKv<Resp>(net, sim::kWorld, static_cast<sim::NodeId>(target), method, req, 1s);
      if (r && !r->has_region_error() && r->error().empty()) {
        hint = target;
        return r;
      }
      const uint64_t leader = r && r->region_error().has_not_leader()
                                  ? r->region_error().not_leader().leader().store_id()
                                  : 0;
      if (leader != 0 && leader != target) {
        target = leader;
      } else {
        target = target % n() + 1;
        sim::Sleep(20ms);
      }
    }
    return std::nullopt;
  }

  bool Put(const std::string& k, const std::string& v) {
    kvrpcpb::RawPutRequest req;
    req.set_key(k);
    req.set_value(v);
    return Call<kvrpcpb::RawPutResponse>("RawPut", req).has_value();
  }
  std::optional<std::string> Get(const std::string& k) {
    kvrpcpb::RawGetRequest req;
    req.set_key(k);
    auto r = Call<kvrpcpb::RawGetResponse>("RawGet", req);
    if (!r) return std::nullopt;
    return r->not_found() ? std::string("<none>") : r->value();
  }
  // What store `id` holds for `k` in its kv engine right now ("" when absent or down).
  std::string LocalValue(uint64_t id, const std::string& k) {
    StoreNode& s = store(id);
    if (s.peer() == nullptr) return "";
    std::string v;
    auto* kv = const_cast<Peer*>(s.peer())->storage().engines().kv;
    return kv->Get(store::Cf::kDefault, DataKey(k), &v).ok() ? v : "";
  }
  // Waits until every up store applied at least the leader's applied index.
  bool WaitCaughtUp(sim::Duration budget = 20s) {
    const sim::Time deadline = sim::Now() + budget;
    while (sim::Now() < deadline) {
      uint64_t leader = WaitLeader(1s);
      if (leader != 0) {
        const uint64_t target = store(leader).AppliedIndex();
        bool all = true;
        for (const auto& s : stores) {
          if (ex.node_state(static_cast<sim::NodeId>(s->store_id())) != sim::NodeState::kUp)
            continue;
          if (s->AppliedIndex() < target) all = false;
        }
        if (all) return true;
      }
      sim::Sleep(20ms);
    }
    return false;
  }
};

std::string Key(int i) { return "key" + std::to_string(i); }
std::string Val(int i, int round) { return "v" + std::to_string(i) + "." + std::to_string(round); }

TEST(Raftstore, ThreeStoresPutGetScanThroughRaft) {
  TestCluster c(3, 11);
  bool done = false;
  auto result = c.ex.Run([&] {
    c.StartAll();
    ASSERT_NE(c.WaitLeader(), 0u);
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(c.Put(Key(i), Val(i, 0))) << i;
    for (int i = 0; i < 20; ++i) EXPECT_EQ(c.Get(Key(i)), Val(i, 0));
    EXPECT_EQ(c.Get("absent"), "<none>");
    kvrpcpb::RawScanRequest scan;
    scan.set_start_key(Key(1));
    scan.set_limit(3);
    auto r = c.Call<kvrpcpb::RawScanResponse>("RawScan", scan);
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->kvs_size(), 3);
    EXPECT_EQ(r->kvs(0).key(), Key(1));
    EXPECT_EQ(r->kvs(1).key(), Key(10));  // byte order
    kvrpcpb::RawDeleteRequest del;
    del.set_key(Key(0));
    ASSERT_TRUE(c.Call<kvrpcpb::RawDeleteResponse>("RawDelete", del).has_value());
    EXPECT_EQ(c.Get(Key(0)), "<none>");
    // Every replica applied the same data.
    ASSERT_TRUE(c.WaitCaughtUp());
    for (uint64_t s = 1; s <= 3; ++s) EXPECT_EQ(c.LocalValue(s, Key(7)), Val(7, 0)) << s;
    done = true;
  });
  EXPECT_EQ(result.outcome, sim::RunOutcome::kCompleted) << result.report;
  EXPECT_TRUE(done);
}

TEST(Raftstore, NonLeaderAnswersNotLeaderWithHint) {
  TestCluster c(3, 12);
  auto result = c.ex.Run([&] {
    c.StartAll();
    const uint64_t leader = c.WaitLeader();
    ASSERT_NE(leader, 0u);
    ASSERT_TRUE(c.Put("k", "v"));  // the leader knows it is leader and followers know it too
    const uint64_t follower = leader % 3 + 1;
    kvrpcpb::RawPutRequest req;
    req.set_key("k");
    req.set_value("w");
    auto r = store::CallKv<kvrpcpb::RawPutResponse>(
        c.net, sim::kWorld, static_cast<sim::NodeId>(follower), "RawPut", req, 1s);
    ASSERT_TRUE(r.has_value());
    ASSERT_TRUE(r->region_error().has_not_leader());
    EXPECT_EQ(r->region_error().not_leader().leader().store_id(), leader);
  });
  EXPECT_EQ(result.outcome, sim::RunOutcome::kCompleted) << result.report;
}

void LeaderCrashAndRestart(uint64_t seed) {
  TestCluster c(5, seed);
  bool done = false;
  auto result = c.ex.Run([&] {
    c.StartAll();
    ASSERT_NE(c.WaitLeader(), 0u);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(c.Put(Key(i), Val(i, 0)));
    const uint64_t old_leader = c.WaitLeader();
    c.ex.Crash(static_cast<sim::NodeId>(old_leader));
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(c.Put(Key(i), Val(i, 1))) << i;
    for (int i = 0; i < 10; ++i) EXPECT_EQ(c.Get(Key(i)), Val(i, 1));
    c.ex.Restart(static_cast<sim::NodeId>(old_leader));
    // Crash a second store too (one at a time): acknowledged writes must survive.
    const uint64_t other = c.WaitLeader();
    c.ex.Crash(static_cast<sim::NodeId>(other));
    for (int i = 10; i < 15; ++i) ASSERT_TRUE(c.Put(Key(i), Val(i, 1))) << i;
    c.ex.Restart(static_cast<sim::NodeId>(other));
    for (int i = 0; i < 15; ++i) EXPECT_EQ(c.Get(Key(i)), Val(i, 1));
    ASSERT_TRUE(c.WaitCaughtUp());
    EXPECT_EQ(c.LocalValue(old_leader, Key(12)), Val(12, 1));
    EXPECT_EQ(c.LocalValue(other, Key(3)), Val(3, 1));
    done = true;
  });
  EXPECT_EQ(result.outcome, sim::RunOutcome::kCompleted) << result.report;
  EXPECT_TRUE(done);
}

TEST(Raftstore, FiveStoresSurviveLeaderCrashAndRestart) {
  for (uint64_t seed : {21, 22, 23}) {
    SCOPED_TRACE(seed);
    LeaderCrashAndRestart(seed);
  }
}

TEST(Raftstore, PartitionedOldLeaderServesNoStaleReads) {
  TestCluster c(3, 31);
  bool done = false;
  auto result = c.ex.Run([&] {
    c.StartAll();
    ASSERT_NE(c.WaitLeader(), 0u);
    ASSERT_TRUE(c.Put("x", "old"));
    const uint64_t old_leader = c.WaitLeader();
    std::vector<sim::NodeId> rest;
    for (uint64_t s = 1; s <= 3; ++s) {
      if (s != old_leader) rest.push_back(static_cast<sim::NodeId>(s));
    }
    c.net.Partition({{static_cast<sim::NodeId>(old_leader)}, rest});
    c.hint = rest[0];
    ASSERT_TRUE(c.Put("x", "new"));  // the majority elects a new leader and commits
    // The old leader still believes it leads, but cannot commit the read: it must not answer
    // "old" (it times out or reports a region error).
    kvrpcpb::RawGetRequest get;
    get.set_key("x");
    auto r = store::CallKv<kvrpcpb::RawGetResponse>(
        c.net, sim::kWorld, static_cast<sim::NodeId>(old_leader), "RawGet", get, 3s);
    if (r && !r->has_region_error() && r->error().empty()) {
      EXPECT_NE(r->value(), "old") << "stale read from a partitioned leader";
    }
    c.net.HealAll();
    EXPECT_EQ(c.Get("x"), "new");
    ASSERT_TRUE(c.WaitCaughtUp());
    EXPECT_EQ(c.LocalValue(old_leader, "x"), "new");
    done = true;
  });
  EXPECT_EQ(result.outcome, sim::RunOutcome::kCompleted) << result.report;
  EXPECT_TRUE(done);
}

// After a lagging store caught up (WaitCaughtUp): it applied a snapshot, holds the 60 keys the
// others wrote meanwhile, and writes keep reaching it afterwards.
void ExpectCaughtUpBySnapshotAndKeepsUp(TestCluster& c, uint64_t lagging, const std::string& v) {
  EXPECT_GE(c.store(lagging).snapshots_applied(), 1u);
  for (int i = 0; i < 60; ++i) EXPECT_EQ(c.LocalValue(lagging, Key(i)), Val(i, 0)) << i;
  ASSERT_TRUE(c.Put("after", v));
  ASSERT_TRUE(c.WaitCaughtUp());
  EXPECT_EQ(c.LocalValue(lagging, "after"), v);
}

TEST(Raftstore, LaggingStoreCatchesUpBySnapshot) {
  RaftstoreConfig cfg;
  cfg.raft_log_gc_count_limit = 10;
  cfg.snapshot_chunk_bytes = 256;  // several chunks per snapshot
  TestCluster c(3, 41, cfg);
  bool done = false;
  auto result = c.ex.Run([&] {
    c.StartAll();
    const uint64_t leader = c.WaitLeader();
    ASSERT_NE(leader, 0u);
    const uint64_t lagging = leader % 3 + 1;
    c.ex.Crash(static_cast<sim::NodeId>(lagging));
    for (int i = 0; i < 60; ++i) ASSERT_TRUE(c.Put(Key(i), Val(i, 0))) << i;
    // Let log GC run on the live stores (the lagging store's entries are compacted away).
    sim::Sleep(1s);
    const Peer* lp = c.store(c.WaitLeader()).peer();
    ASSERT_NE(lp, nullptr);
    EXPECT_GT(const_cast<Peer*>(lp)->storage().truncated_index(), kRaftInitLogIndex + 10);
    c.ex.Restart(static_cast<sim::NodeId>(lagging));
    ASSERT_TRUE(c.WaitCaughtUp(30s));
    ExpectCaughtUpBySnapshotAndKeepsUp(c, lagging, "snap");
    done = true;
  });
  EXPECT_EQ(result.outcome, sim::RunOutcome::kCompleted) << result.report;
  EXPECT_TRUE(done);
}

// The GC worker does not sync its deletions, so a crash can bring deleted log entries back below
// the truncated index. They must not stay for good: the next GC after the restart removes them.
TEST(Raftstore, LogEntriesResurrectedByACrashAreCollectedAfterRestart) {
  RaftstoreConfig cfg;
  cfg.raft_log_gc_count_limit = 10;
  TestCluster c(3, 43, cfg, CrashLoss::kKeepAll);
  bool done = false;
  auto result = c.ex.Run([&] {
    c.StartAll();
    ASSERT_NE(c.WaitLeader(), 0u);
    for (int i = 0; i < 40; ++i) ASSERT_TRUE(c.Put(Key(i), Val(i, 0))) << i;
    sim::Sleep(1s);
    const uint64_t id = 1;
    const PeerStorage& before = c.store(id).peer()->storage();
    const uint64_t truncated = before.truncated_index();
    ASSERT_GT(truncated, kRaftInitLogIndex + 10);
    ASSERT_EQ(before.CountLogEntriesUpTo(truncated), 0u);
    // What a crash that lost the worker's last deletion leaves behind, made durable.
    store::WriteBatch garbage;
    for (uint64_t index = kRaftInitLogIndex + 1; index <= truncated; ++index) {
      garbage.Put(store::Cf::kDefault, RaftLogKey(before.region_id(), index), "x");
    }
    ASSERT_TRUE(before.engines().raft->Write(store::WriteOptions{.sync = true}, garbage).ok());
    c.ex.Crash(static_cast<sim::NodeId>(id));
    c.ex.Restart(static_cast<sim::NodeId>(id));
    for (int i = 40; i < 80; ++i) ASSERT_TRUE(c.Put(Key(i), Val(i, 0))) << i;
    ASSERT_TRUE(c.WaitCaughtUp());
    sim::Sleep(1s);
    const PeerStorage& after = c.store(id).peer()->storage();
    ASSERT_GT(after.truncated_index(), truncated);
    EXPECT_EQ(after.CountLogEntriesUpTo(after.truncated_index()), 0u);
    done = true;
  });
  EXPECT_EQ(result.outcome, sim::RunOutcome::kCompleted) << result.report;
  EXPECT_TRUE(done);
}

// A snapshot that takes a while to apply (one pair per write batch, 20 ms apart): 60 keys, so
// about 1.2 s of virtual time on the snapshot-apply worker.
RaftstoreConfig SlowSnapshotApplyConfig() {
  RaftstoreConfig cfg;
  cfg.raft_log_gc_count_limit = 10;
  cfg.snapshot_apply_batch_keys = 1;
  cfg.snapshot_apply_pause = 20ms;
  return cfg;
}

// Lets the store after the leader fall behind the compacted log and restarts it; returns it once
// its peer is applying the snapshot that catches it up (0 on failure).
uint64_t StartSlowSnapshotApply(TestCluster& c) {
  const uint64_t leader = c.WaitLeader();
  if (leader == 0) return 0;
  const uint64_t lagging = leader % 3 + 1;
  c.ex.Crash(static_cast<sim::NodeId>(lagging));
  for (int i = 0; i < 60; ++i) {
    if (!c.Put(Key(i), Val(i, 0))) return 0;
  }
  sim::Sleep(1s);  // log GC compacts past what the lagging store has
  c.ex.Restart(static_cast<sim::NodeId>(lagging));
  const sim::Time deadline = sim::Now() + 20s;
  while (sim::Now() < deadline) {
    const Peer* p = c.store(lagging).peer();
    if (p != nullptr && p->applying_snapshot()) return lagging;
    sim::Sleep(1ms);
  }
  return 0;
}

// How many of the 60 keys store `id` holds right now.
int KeysPresent(TestCluster& c, uint64_t id) {
  int n = 0;
  for (int i = 0; i < 60; ++i) n += c.LocalValue(id, Key(i)).empty() ? 0 : 1;
  return n;
}

TEST(Raftstore, SnapshotApplyRunsOnWorkerWhileRaftWorkerKeepsStepping) {
  TestCluster c(3, 51, SlowSnapshotApplyConfig());
  bool done = false;
  auto result = c.ex.Run([&] {
    c.StartAll();
    const uint64_t lagging = StartSlowSnapshotApply(c);
    ASSERT_NE(lagging, 0u) << "the lagging store never started applying a snapshot";
    const Peer* p = c.store(lagging).peer();
    const uint64_t snap_index = p->storage().applied_index();  // persisted: the snapshot's
    EXPECT_LT(p->applied_index(), snap_index) << "data not in yet: must not count as applied";
    // The data lands batch by batch on the worker fiber...
    const sim::Time deadline = sim::Now() + 5s;
    while (KeysPresent(c, lagging) == 0 && sim::Now() < deadline) sim::Sleep(1ms);
    const int partial = KeysPresent(c, lagging);
    EXPECT_GT(partial, 0);
    EXPECT_LT(partial, 60);
    ASSERT_TRUE(p->applying_snapshot());
    // ...while the raft worker keeps stepping messages: new writes reach the applying peer's
    // raft log (in memory) but are not applied before the snapshot is.
    ASSERT_TRUE(c.Put("during", "apply"));
    sim::Sleep(100ms);
    ASSERT_TRUE(p->applying_snapshot()) << "the apply should still be running";
    EXPECT_GT(p->status().last_index, snap_index);
    EXPECT_EQ(c.LocalValue(lagging, "during"), "");
    // A read sent to the applying store is refused, never served from the half-applied data.
    kvrpcpb::RawGetRequest get;
    get.set_key(Key(59));
    auto r = store::CallKv<kvrpcpb::RawGetResponse>(
        c.net, sim::kWorld, static_cast<sim::NodeId>(lagging), "RawGet", get, 1s);
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(r->region_error().has_not_leader());
    // Once the worker is done, the peer applies what waited and serves again.
    ASSERT_TRUE(c.WaitCaughtUp(30s));
    EXPECT_FALSE(p->applying_snapshot());
    EXPECT_EQ(c.store(lagging).snapshots_applied(), 1u);
    EXPECT_EQ(KeysPresent(c, lagging), 60);
    EXPECT_EQ(c.LocalValue(lagging, "during"), "apply");
    done = true;
  });
  EXPECT_EQ(result.outcome, sim::RunOutcome::kCompleted) << result.report;
  EXPECT_TRUE(done);
}

// A crash while the worker is half way through: the restarted store finds the pending snapshot
// in its kv engine, applies it again from the start, and ends with exactly the snapshot's data.
void CrashDuringSnapshotApply(uint64_t seed, CrashLoss loss) {
  TestCluster c(3, seed, SlowSnapshotApplyConfig(), loss);
  bool done = false;
  auto result = c.ex.Run([&] {
    c.StartAll();
    const uint64_t lagging = StartSlowSnapshotApply(c);
    ASSERT_NE(lagging, 0u) << "the lagging store never started applying a snapshot";
    const sim::Time deadline = sim::Now() + 5s;
    while (KeysPresent(c, lagging) < 20 && sim::Now() < deadline) sim::Sleep(1ms);
    ASSERT_LT(KeysPresent(c, lagging), 60) << "crash must hit the apply half way";
    c.ex.Crash(static_cast<sim::NodeId>(lagging));
    c.ex.Restart(static_cast<sim::NodeId>(lagging));
    const Peer* p = nullptr;
    while (p == nullptr && sim::Now() < deadline + 5s) {
      sim::Sleep(1ms);
      p = c.store(lagging).peer();
    }
    ASSERT_NE(p, nullptr) << c.store(lagging).start_error().ToString();
    EXPECT_TRUE(p->applying_snapshot()) << "the interrupted apply must be resumed";
    EXPECT_EQ(p->applied_index(), 0u);
    ASSERT_TRUE(c.WaitCaughtUp(30s));
    EXPECT_FALSE(p->applying_snapshot());
    ExpectCaughtUpBySnapshotAndKeepsUp(c, lagging, "crash");
    done = true;
  });
  EXPECT_EQ(result.outcome, sim::RunOutcome::kCompleted) << result.report;
  EXPECT_TRUE(done);
}

TEST(Raftstore, CrashDuringSnapshotApplyReappliesFromDurableState) {
  for (uint64_t seed : {61, 62, 63}) {
    SCOPED_TRACE(seed);
    CrashDuringSnapshotApply(seed, CrashLoss::kRandomPrefix);
  }
  SCOPED_TRACE("lose all un-synced batches");
  CrashDuringSnapshotApply(64, CrashLoss::kLoseAll);
  SCOPED_TRACE("keep all un-synced batches");
  CrashDuringSnapshotApply(65, CrashLoss::kKeepAll);
}

}  // namespace
}  // namespace tinykv::raftstore
