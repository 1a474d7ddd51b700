// The invariant monitor's checks, fed crafted input: raft messages (two leaders of one term, a
// vote granted twice — and the ordinary traffic of one leader, which must raise nothing), and
// store vitals that break monotonicity or index order. (A correct raft cannot be driven into the
// latter from outside — it ignores stale and lying messages — so no planted-bug scenario reaches
// them; these rules are proven here, and by the mutant catalog against broken references.)
#include "grading/harness/invariant_monitor.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "sim/executor.h"
#include "sim/network.h"
#include "store/raftstore/bootstrap.h"
#include "store/raftstore/store_node.h"

namespace tinykv::harness {
namespace {

class MonitorSends : public ::testing::Test {
 protected:
  MonitorSends() : net_(ex_), monitor_(ex_) {
    for (uint64_t id = 1; id <= 3; ++id) {
      raftstore::StoreNodeOptions o;
      o.store_id = id;
      o.cluster_store_ids = {1, 2, 3};
      stores_.push_back(std::make_unique<raftstore::StoreNode>(ex_, net_, o));  // never started
    }
  }
  ~MonitorSends() override { ex_.Shutdown(); }

  // Sends a raft message of `type` and `term` from store `from` to store `to`.
  void Send(uint64_t from, uint64_t to, eraftpb::MessageType type, uint64_t term,
            bool reject = false, uint64_t region = raftstore::kFirstRegionId) {
    raft_serverpb::RaftMessage m;
    m.set_region_id(region);
    m.mutable_from_peer()->set_id(from);
    m.mutable_from_peer()->set_store_id(from);
    m.mutable_to_peer()->set_id(to);
    m.mutable_to_peer()->set_store_id(to);
    m.mutable_message()->set_msg_type(type);
    m.mutable_message()->set_from(from);
    m.mutable_message()->set_to(to);
    m.mutable_message()->set_term(term);
    m.mutable_message()->set_reject(reject);
    monitor_.OnRaftMessageSent(*stores_.at(from - 1), m);
  }

  // Runs `body` as the driver; returns the monitor's violation ("" if none).
  std::string Run(const std::function<void()>& body) {
    ex_.Run(body);
    return monitor_.violation();
  }

  sim::Executor ex_;
  sim::Network net_;
  std::vector<std::unique_ptr<raftstore::StoreNode>> stores_;
  InvariantMonitor monitor_;
};

TEST_F(MonitorSends, OneLeaderPerTermRaisesNothing) {
  const std::string v = Run([&] {
    Send(1, 2, eraftpb::MsgAppend, 7);
    Send(1, 3, eraftpb::MsgHeartbeat, 7);
    Send(2, 1, eraftpb::MsgAppend, 8);  // a new leader in a later term
    Send(2, 1, eraftpb::MsgRequestVoteResponse, 9);
    Send(2, 3, eraftpb::MsgRequestVoteResponse, 9, /*reject=*/true);
    Send(2, 3, eraftpb::MsgRequestVoteResponse, 10);
  });
  EXPECT_EQ(v, "");
  EXPECT_EQ(monitor_.leader_terms(), 2u);
}

TEST_F(MonitorSends, EachRegionHasItsOwnTermsAndNamesItselfInViolations) {
  const std::string v = Run([&] {
    Send(1, 2, eraftpb::MsgAppend, 7, false, /*region=*/1);
    Send(2, 1, eraftpb::MsgAppend, 7, false, /*region=*/5);  // another region: no conflict
    Send(3, 1, eraftpb::MsgHeartbeat, 7, false, /*region=*/5);
  });
  EXPECT_EQ(v.rfind("election safety: region 5: stores 2 and 3 both lead term 7", 0), 0u) << v;
  EXPECT_EQ(monitor_.leader_terms(1), 1u);
  EXPECT_EQ(monitor_.leader_terms(5), 1u);
  EXPECT_EQ(monitor_.regions(), 2u);
}

TEST_F(MonitorSends, TwoLeadersOfOneTermViolateElectionSafety) {
  const std::string v = Run([&] {
    Send(3, 1, eraftpb::MsgRequestVoteResponse, 7);
    Send(1, 2, eraftpb::MsgAppend, 7);
    Send(2, 3, eraftpb::MsgHeartbeat, 7);
  });
  EXPECT_EQ(v.rfind("election safety: stores 1 and 2 both lead term 7", 0), 0u) << v;
  EXPECT_NE(v.find("store 3 voted for store 1"), std::string::npos) << v;
  EXPECT_NE(monitor_.violation_event(), 0u);
}

TEST_F(MonitorSends, TwoGrantsInOneTermViolateVoteSafety) {
  const std::string v = Run([&] {
    Send(3, 1, eraftpb::MsgRequestVoteResponse, 4);
    Send(3, 1, eraftpb::MsgRequestVoteResponse, 4);  // the same grant again: fine
    Send(3, 2, eraftpb::MsgRequestVoteResponse, 4);
  });
  EXPECT_EQ(v.rfind("vote safety: store 3 granted its vote in term 4 twice, to store 1", 0), 0u)
      << v;
}

TEST_F(MonitorSends, StoreEventsReachTheListener) {
  int grants = 0;
  int acks = 0;
  monitor_.set_event_listener([&](uint64_t, StoreEvent e) {
    grants += e == StoreEvent::kVoteGranted;
    acks += e == StoreEvent::kAppendAcked;
  });
  Run([&] {
    Send(2, 1, eraftpb::MsgRequestVoteResponse, 3);
    Send(2, 1, eraftpb::MsgRequestVoteResponse, 3, /*reject=*/true);
    Send(2, 1, eraftpb::MsgAppendResponse, 3);
    Send(2, 1, eraftpb::MsgAppendResponse, 3, /*reject=*/true);
  });
  EXPECT_EQ(grants, 1);
  EXPECT_EQ(acks, 1);
  EXPECT_EQ(monitor_.event_count(StoreEvent::kAppendAcked), 1u);
}

raftstore::PeerVitals Vitals(uint64_t term, uint64_t commit, uint64_t applied, uint64_t last,
                             uint64_t truncated = 5) {
  raftstore::PeerVitals v;
  v.term = term;
  v.commit = commit;
  v.applied = applied;
  v.last_index = last;
  v.truncated = truncated;
  return v;
}

// The rule a violation line names (what precedes its first colon).
std::string Rule(const std::string& line) { return line.substr(0, line.find(':')); }

TEST(VitalsViolation, ProgressRaisesNothing) {
  const raftstore::PeerVitals before = Vitals(3, 10, 9, 12);
  EXPECT_EQ(VitalsViolation(2, nullptr, before), "");
  EXPECT_EQ(VitalsViolation(2, &before, Vitals(4, 12, 12, 15, 9)), "");
  EXPECT_EQ(VitalsViolation(2, &before, before), "");
}

TEST(VitalsViolation, TermCommitOrAppliedGoingBackIsMonotonicity) {
  const raftstore::PeerVitals before = Vitals(3, 10, 9, 12);
  const std::string term = VitalsViolation(2, &before, Vitals(2, 10, 9, 12));
  EXPECT_EQ(Rule(term), "monotonicity");
  EXPECT_NE(term.find("store 2's term went back from 3 to 2"), std::string::npos) << term;
  const std::string commit = VitalsViolation(2, &before, Vitals(3, 8, 8, 12));
  EXPECT_NE(commit.find("commit index went back from 10 to 8"), std::string::npos) << commit;
  EXPECT_NE(commit.find("snapshot older than its commit index"), std::string::npos) << commit;
  const std::string applied = VitalsViolation(2, &before, Vitals(3, 10, 7, 12));
  EXPECT_NE(applied.find("applied index went back from 9 to 7"), std::string::npos) << applied;
  // A new incarnation starts over: no "before", no monotonicity.
  EXPECT_EQ(VitalsViolation(2, nullptr, Vitals(2, 8, 7, 12)), "");
}

TEST(VitalsViolation, IndexesOutOfOrderAreIndexOrder) {
  const std::string commit = VitalsViolation(4, nullptr, Vitals(3, 13, 9, 12));
  EXPECT_EQ(Rule(commit), "index order");
  EXPECT_NE(commit.find("store 4's commit index 13 is past its last log index 12"),
            std::string::npos)
      << commit;
  const std::string applied = VitalsViolation(4, nullptr, Vitals(3, 10, 11, 12));
  EXPECT_NE(applied.find("applied up to index 11, past its commit index 10"), std::string::npos)
      << applied;
  const std::string truncated = VitalsViolation(4, nullptr, Vitals(3, 10, 9, 12, 10));
  EXPECT_NE(truncated.find("truncated to index 10, past its applied index 9"), std::string::npos)
      << truncated;
  // While a snapshot's data is being written, the log is already truncated to the snapshot.
  raftstore::PeerVitals applying = Vitals(3, 10, 9, 12, 10);
  applying.applying_snapshot = true;
  EXPECT_EQ(VitalsViolation(4, nullptr, applying), "");
}

}  // namespace
}  // namespace tinykv::harness
