// Tests of the Cluster's debugging aids: the per-store Raft inspectors behind gdb's `sim-inspect`,
// and the online read check that records violation events (Cluster::CheckRead).
#include "grading/harness/cluster.h"
#include "proto/kvrpcpb.pb.h"
#include "store/server/sim_rpc.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "sim/debug.h"
#include "sim/sync.h"
#include "store/raftstore/store_node.h"

namespace tinykv::harness {
namespace {

using namespace std::chrono_literals;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ClusterInspect, EachStoreShowsItsRaftStateAndTheLeaderItsFollowersProgress) {
  ClusterOptions o;
  o.stores = 3;
  o.seed = 7;
  Cluster c(o);
  std::string all;
  std::string leader_text;
  std::string follower_text;
  std::string crashed_text;
  sim::NodeId leader = 0;
  sim::RunResult run = c.Run([&] {
    ASSERT_TRUE(WaitFor(
        c, [&] { return c.Leader().has_value(); }, 5s));
    leader = *c.Leader();
    // Let the followers learn the leader (their own role-change).
    sim::Sleep(500ms);
    all = sim::DescribeInspectors();
    leader_text = sim::DescribeInspectors(leader);
    const sim::NodeId follower = leader % 3 + 1;
    follower_text = sim::DescribeInspectors(follower);
    c.Crash(follower);
    crashed_text = sim::DescribeInspectors(follower);
  });
  ASSERT_EQ(run.outcome, sim::RunOutcome::kCompleted) << run.report;
  for (int id = 1; id <= 3; ++id) {
    EXPECT_TRUE(Contains(all, "== node " + std::to_string(id) + ": raft ==\nstore " +
                                  std::to_string(id) + ": up, region 1 peer "))
        << all;
  }
  const std::string lead = std::to_string(leader);
  EXPECT_TRUE(Contains(leader_text, "  Leader  term ")) << leader_text;
  EXPECT_TRUE(Contains(leader_text, "  leader " + lead + "\n")) << leader_text;
  EXPECT_TRUE(Contains(leader_text, "  commit ")) << leader_text;
  EXPECT_TRUE(Contains(leader_text, "progress (this leader's view):")) << leader_text;
  EXPECT_TRUE(Contains(leader_text, "  replicate")) << leader_text;
  EXPECT_TRUE(Contains(follower_text, "  Follower  term ")) << follower_text;
  EXPECT_TRUE(Contains(follower_text, "  leader " + lead + "\n")) << follower_text;
  EXPECT_FALSE(Contains(follower_text, "progress")) << follower_text;
  EXPECT_TRUE(Contains(crashed_text, ": down (crashed: no Raft state until it restarts)"))
      << crashed_text;
  // The registrations end with the cluster.
}

// A leader cut off from its followers keeps the write it proposed: sim-inspect says at which
// index and term, and what it waits for.
TEST(ClusterInspect, ALeaderShowsEachPendingProposalAndWhatItWaitsFor) {
  ClusterOptions o;
  o.stores = 3;
  o.seed = 7;
  Cluster c(o);
  std::string text;
  sim::RunResult run = c.Run([&] {
    ASSERT_TRUE(WaitFor(
        c, [&] { return c.Leader().has_value(); }, 5s));
    const sim::NodeId leader = *c.Leader();
    std::vector<sim::NodeId> others;
    for (sim::NodeId id : c.store_ids()) {
      if (id != leader) others.push_back(id);
    }
    c.Partition({{leader}, others}, {{0, 0}});  // client 0 stays with the old leader
    kvrpcpb::RawPutRequest put;
    put.set_key("k");
    put.set_value("v");
    put.set_cf("default");
    sim::Go("writer", [&] {
      (void)store::CallKv<kvrpcpb::RawPutResponse>(c.network(), c.ClientNode(0), leader, "RawPut",
                                                   put, 1s);
    });
    sim::Sleep(100ms);  // proposed, never committed: no quorum on its side
    text = sim::DescribeInspectors(leader);
    c.Heal();
  });
  ASSERT_EQ(run.outcome, sim::RunOutcome::kCompleted) << run.report;
  EXPECT_TRUE(Contains(text, "pending proposals 1")) << text;
  EXPECT_TRUE(Contains(text, "    proposal at index ")) << text;
  EXPECT_TRUE(Contains(text, ": waiting to be committed (commit ")) << text;
}

TEST(ClusterInspect, RegistrationsEndWithTheCluster) {
  {
    ClusterOptions o;
    o.stores = 2;
    Cluster c(o);
    EXPECT_TRUE(Contains(sim::DescribeInspectors(), "== node 2: raft ==")) << "not registered";
  }
  EXPECT_EQ(sim::DescribeInspectors(), "no inspectors registered (this program registers none)\n");
}

// CheckRead on hand-made histories: times are virtual nanoseconds, the cluster never runs.
class ClusterCheckRead : public ::testing::Test {
 protected:
  ClusterCheckRead() : cluster_(Options()) {}
  static ClusterOptions Options() {
    ClusterOptions o;
    o.stores = 1;
    o.keep_full_trace = true;
    return o;
  }
  size_t Put(int64_t client, const std::string& key, const std::string& value, int64_t call,
             int64_t ret) {
    size_t op = cluster_.history().Invoke(client, call, "put", key, value);
    if (ret >= 0) cluster_.history().Ok(op, ret);
    return op;
  }
  // A get of `key` returning `value` over [call, ret], checked at once.
  void Delete(int64_t client, const std::string& key, int64_t call, int64_t ret) {
    size_t op = cluster_.history().Invoke(client, call, "delete", key);
    cluster_.history().Ok(op, ret);
  }
  void Get(int64_t client, const std::string& key, const std::string& value, int64_t call,
           int64_t ret) {
    size_t op = cluster_.history().Invoke(client, call, "get", key);
    cluster_.history().Ok(op, ret, value);
    cluster_.CheckRead(op);
  }
  Cluster cluster_;
};

TEST_F(ClusterCheckRead, LinearizableReadsAreNotFlagged) {
  Put(0, "k", "a", 10, 20);
  Get(1, "k", "a", 25, 30);
  Get(1, "k", "", 1, 5);                // before any put
  size_t b = Put(0, "k", "b", 40, -1);  // still in flight
  Get(1, "k", "a", 45, 50);             // may precede b
  Get(2, "k", "b", 46, 51);             // may follow it
  cluster_.history().Info(b, 60);       // outcome unknown
  Put(0, "k", "c", 70, 80);
  Get(1, "k", "b", 90, 95);  // b may take effect late, after c
  Put(3, "j", "x", 100, 110);
  Get(1, "k", "c", 120, 125);  // another key's put changes nothing
  EXPECT_TRUE(cluster_.violations().empty()) << cluster_.violations().front();
}

TEST_F(ClusterCheckRead, AValueOlderThanAnAcknowledgedPutIsAStaleRead) {
  Put(0, "k", "a", 10, 20);
  Put(0, "k", "b", 30, 40);
  Get(1, "k", "a", 50, 60);
  ASSERT_EQ(cluster_.violations().size(), 1u);
  const std::string& v = cluster_.violations()[0];
  EXPECT_TRUE(Contains(v, "stale read: client 1's get k → 'a'")) << v;
  EXPECT_TRUE(Contains(v, "client 0's put k = 'b'")) << v;
  EXPECT_EQ(v.rfind("#", 0), 0u) << "starts with the event number: " << v;
  // The trace holds the same violation event (what `BREAK=on:violation` stops at).
  const sim::Event& last = cluster_.executor().trace().events().back();
  EXPECT_EQ(last.kind, sim::EventKind::kViolation);
  EXPECT_TRUE(Contains(last.detail, "stale read")) << last.detail;
}

TEST_F(ClusterCheckRead, AnEmptyReadAfterAnAcknowledgedPutIsAStaleRead) {
  Put(0, "k", "a", 10, 20);
  Get(1, "k", "", 30, 40);
  ASSERT_EQ(cluster_.violations().size(), 1u);
  EXPECT_TRUE(Contains(cluster_.violations()[0], "that is the key's initial (absent) value"))
      << cluster_.violations()[0];
}

TEST_F(ClusterCheckRead, AValueNoPutWroteIsAnImpossibleRead) {
  Put(0, "k", "a", 10, 20);
  Get(1, "k", "zz", 30, 40);
  ASSERT_EQ(cluster_.violations().size(), 1u);
  EXPECT_TRUE(Contains(cluster_.violations()[0], "impossible read")) << cluster_.violations()[0];
}

TEST_F(ClusterCheckRead, AnEmptyReadAfterAnAcknowledgedDeleteIsFine) {
  Put(0, "k", "a", 10, 20);
  Delete(2, "k", 30, 40);
  Get(1, "k", "", 50, 60);
  EXPECT_TRUE(cluster_.violations().empty()) << cluster_.violations().front();
}

TEST_F(ClusterCheckRead, AnEmptyReadAfterARePutIsAStaleRead) {
  Put(0, "k", "a", 10, 20);
  Delete(2, "k", 30, 40);
  Put(0, "k", "b", 50, 60);
  Get(1, "k", "", 70, 80);
  ASSERT_EQ(cluster_.violations().size(), 1u);
  EXPECT_TRUE(Contains(cluster_.violations()[0], "stale read")) << cluster_.violations()[0];
}

TEST_F(ClusterCheckRead, AValueReadAfterItsDeleteWasAcknowledgedIsAStaleRead) {
  Put(0, "k", "a", 10, 20);
  Delete(2, "k", 30, 40);
  Get(1, "k", "a", 50, 60);
  ASSERT_EQ(cluster_.violations().size(), 1u);
  EXPECT_TRUE(Contains(cluster_.violations()[0], "client 2's delete k"))
      << cluster_.violations()[0];
}

TEST_F(ClusterCheckRead, OverlappingPutsAreNotOrdered) {
  Put(0, "k", "a", 10, 40);
  Put(2, "k", "b", 30, 50);  // called before a was acknowledged: b may come first
  Get(1, "k", "a", 60, 70);
  EXPECT_TRUE(cluster_.violations().empty()) << cluster_.violations().front();
}

}  // namespace
}  // namespace tinykv::harness
