// GoogleTest prints the public value types of the course's libraries readably in failure messages
// (not as "4-byte object <00-00 00-00>"): an EXPECT_EQ on a Raft role, a store status or an MVCC
// record must say what the values are.
#include <gtest/gtest.h>

#include "raft/node_status.h"
#include "raft/status.h"
#include "sim/executor.h"
#include "store/engine/engine.h"
#include "store/status.h"
#include "txn/lock.h"
#include "txn/mvcc_txn.h"
#include "txn/txn_client.h"
#include "txn/write.h"

namespace tinykv {
namespace {

using ::testing::PrintToString;

TEST(Printers, RaftTypes) {
  EXPECT_EQ(PrintToString(raft::Role::kLeader), "Leader");
  EXPECT_EQ(PrintToString(raft::SoftState{.lead = 2, .role = raft::Role::kFollower}),
            "{lead 2, Follower}");
  EXPECT_EQ(PrintToString(raft::Progress{.match = 5, .next = 6, .replicate = true}),
            "{match 5, next 6, replicate}");
  EXPECT_EQ(PrintToString(raft::Status::OK()), raft::Status::OK().ToString());
  EXPECT_NE(PrintToString(raft::Status::Compacted("gone")).find("gone"), std::string::npos);
  raft::NodeStatus status;
  status.id = 3;
  EXPECT_EQ(PrintToString(status), status.ToString());
}

TEST(Printers, StoreTypes) {
  EXPECT_EQ(PrintToString(store::Cf::kWrite), "write");
  EXPECT_EQ(PrintToString(store::Status::NotFound("no key")),
            store::Status::NotFound("no key").ToString());
}

TEST(Printers, TxnTypes) {
  EXPECT_EQ(PrintToString(txn::WriteKind::kRollback),
            txn::WriteKindName(txn::WriteKind::kRollback));
  const txn::Write w{.start_ts = 10, .kind = txn::WriteKind::kPut};
  EXPECT_EQ(PrintToString(w), "{" + txn::WriteKindName(txn::WriteKind::kPut) + ", start ts 10}");
  EXPECT_EQ(PrintToString(txn::CommittedWrite{.write = w, .commit_ts = 12}),
            PrintToString(w) + " at 12");
  const txn::Lock lock{.primary = "k", .start_ts = 10, .ttl = 3000, .kind = txn::WriteKind::kPut};
  EXPECT_EQ(PrintToString(lock),
            "{primary \"k\", start ts 10, ttl 3000 ms, " + txn::WriteKindName(lock.kind) + "}");
  EXPECT_EQ(PrintToString(txn::TxnOutcome::kAborted), "aborted");
}

TEST(Printers, SimTypes) {
  EXPECT_EQ(PrintToString(sim::NodeState::kPaused), sim::NodeStateName(sim::NodeState::kPaused));
  EXPECT_EQ(PrintToString(sim::RunOutcome::kDeadlock),
            sim::RunOutcomeName(sim::RunOutcome::kDeadlock));
}

}  // namespace
}  // namespace tinykv
