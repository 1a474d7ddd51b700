// The transactional commands served by the raftstore (txn/txn_rpc.h, wired by the harness's
// Cluster): a two-phase commit through the leader's KV service is replicated like any write — a
// follower refuses it as not leader, and what was committed survives every store crashing.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>

#include "grading/harness/cluster.h"
#include "proto/kvrpcpb.pb.h"
#include "store/server/sim_rpc.h"

namespace tinykv::harness {
namespace {

using namespace std::chrono_literals;

template <class Resp>
std::optional<Resp> Call(Cluster& c, sim::NodeId store, const char* method,
                         const google::protobuf::Message& req) {
  return store::CallKv<Resp>(c.network(), c.ClientNode(0), store, method, req, 2s);
}

kvrpcpb::PrewriteRequest Prewrite(const std::string& key, const std::string& value,
                                  uint64_t start_ts) {
  kvrpcpb::PrewriteRequest req;
  kvrpcpb::Mutation* m = req.add_mutations();
  m->set_op(kvrpcpb::Put);
  m->set_key(key);
  m->set_value(value);
  req.set_primary_lock(key);
  req.set_start_version(start_ts);
  req.set_lock_ttl(3000);
  return req;
}

kvrpcpb::CommitRequest Commit(const std::string& key, uint64_t start_ts, uint64_t commit_ts) {
  kvrpcpb::CommitRequest req;
  req.add_keys(key);
  req.set_start_version(start_ts);
  req.set_commit_version(commit_ts);
  return req;
}

kvrpcpb::GetRequest Get(const std::string& key, uint64_t version) {
  kvrpcpb::GetRequest req;
  req.set_key(key);
  req.set_version(version);
  return req;
}

TEST(TxnOnTheRaftstore, TwoPhaseCommitThroughTheLeaderIsReplicatedAndDurable) {
  ClusterOptions o;
  o.stores = 3;
  o.seed = 7;
  Cluster c(o);
  sim::RunResult run = c.Run([&] {
    std::optional<sim::NodeId> leader;
    ASSERT_TRUE(WaitFor(
        c, [&] { return (leader = c.Leader()).has_value(); }, 10s));
    const sim::NodeId follower = *leader == 1 ? 2 : 1;

    auto refused =
        Call<kvrpcpb::PrewriteResponse>(c, follower, "KvPrewrite", Prewrite("k", "v", 10));
    ASSERT_TRUE(refused.has_value()) << "the follower must answer";
    EXPECT_TRUE(refused->region_error().has_not_leader())
        << "a follower passes the raftstore's region error on: " << refused->ShortDebugString();

    auto pw = Call<kvrpcpb::PrewriteResponse>(c, *leader, "KvPrewrite", Prewrite("k", "v", 10));
    ASSERT_TRUE(pw.has_value());
    EXPECT_EQ(pw->errors_size(), 0) << pw->ShortDebugString();
    auto locked = Call<kvrpcpb::GetResponse>(c, *leader, "KvGet", Get("k", 20));
    ASSERT_TRUE(locked.has_value());
    EXPECT_TRUE(locked->error().has_locked())
        << "prewritten, not committed: " << locked->ShortDebugString();

    auto cm = Call<kvrpcpb::CommitResponse>(c, *leader, "KvCommit", Commit("k", 10, 11));
    ASSERT_TRUE(cm.has_value());
    EXPECT_FALSE(cm->has_error() || cm->has_region_error()) << cm->ShortDebugString();

    // Every store crashes and restarts: the commit was replicated and synced, not just applied.
    for (sim::NodeId id : c.store_ids()) c.Crash(id);
    for (sim::NodeId id : c.store_ids()) c.Restart(id);
    ASSERT_TRUE(WaitFor(
        c, [&] { return (leader = c.Leader()).has_value(); }, 10s));
    std::optional<kvrpcpb::GetResponse> got;
    ASSERT_TRUE(WaitFor(
        c,
        [&] {
          leader = c.Leader();
          if (!leader) return false;
          got = Call<kvrpcpb::GetResponse>(c, *leader, "KvGet", Get("k", 12));
          return got && !got->has_region_error();
        },
        10s));
    EXPECT_EQ(got->value(), "v") << got->ShortDebugString();
    auto before = Call<kvrpcpb::GetResponse>(c, *leader, "KvGet", Get("k", 10));
    ASSERT_TRUE(before.has_value());
    EXPECT_TRUE(before->not_found()) << "committed at 11: not visible at 10";

    auto late = Call<kvrpcpb::PrewriteResponse>(c, *leader, "KvPrewrite", Prewrite("k", "w", 9));
    ASSERT_TRUE(late.has_value());
    ASSERT_EQ(late->errors_size(), 1);
    EXPECT_TRUE(late->errors(0).has_conflict()) << "a txn started at 9 meets the commit at 11";
  });
  EXPECT_EQ(run.outcome, sim::RunOutcome::kCompleted) << run.report;
}

}  // namespace
}  // namespace tinykv::harness
