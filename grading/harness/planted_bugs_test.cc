// Planted bugs: the harness's proof that its monitors and faults catch what they claim to.
//
// Each test runs the generic KV scenario of labs 2B / 2C against a store broken in one classic way
// by a test double — a decorator around its disk or a filter on its network traffic, never a patch
// of the reference — and requires every one of the first seeds to fail with the one-line cause
// that names the mistake. Each also runs the same scenario with the double removed, which must
// pass: the double, not the scenario, is what fails.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

#include "grading/harness/cluster.h"
#include "grading/harness/kv_scenario.h"
#include "proto/eraftpb.pb.h"
#include "proto/raft_cmdpb.pb.h"
#include "proto/raft_serverpb.pb.h"
#include "store/raftstore/bootstrap.h"
#include "store/raftstore/keys.h"
#include "store/raftstore/transport.h"

namespace tinykv::harness {
namespace {

using raftstore::DiskKind;
using store::Engine;
using store::Status;
using store::WriteBatch;
using store::WriteOptions;

constexpr uint64_t kSeeds = 3;

// An engine that forwards everything; Rewrite may change each put's value on the way.
class RewritingEngine : public Engine {
 public:
  explicit RewritingEngine(Engine* inner) : inner_(inner) {}
  Status Get(store::Cf cf, std::string_view key, std::string* value) override {
    return inner_->Get(cf, key, value);
  }
  Status Write(const WriteOptions& options, const WriteBatch& batch) override {
    WriteBatch out;
    for (const WriteBatch::Op& op : batch.ops()) {
      switch (op.type) {
        case WriteBatch::OpType::kPut: {
          std::string value(op.arg());
          Rewrite(op.key(), &value);
          out.Put(op.cf, op.key(), value);
          break;
        }
        case WriteBatch::OpType::kDelete:
          out.Delete(op.cf, op.key());
          break;
        case WriteBatch::OpType::kDeleteRange:
          out.DeleteRange(op.cf, op.key(), op.arg());
          break;
      }
    }
    return inner_->Write(Options(options), out);
  }
  std::unique_ptr<store::Snapshot> GetSnapshot() override { return inner_->GetSnapshot(); }
  std::unique_ptr<store::Iterator> NewIterator(store::Cf cf) override {
    return inner_->NewIterator(cf);
  }

 protected:
  virtual void Rewrite(std::string_view /*key*/, std::string* /*value*/) {}
  virtual WriteOptions Options(const WriteOptions& options) { return options; }

 private:
  Engine* inner_;
};

// Bug: the raft engine is written without sync (hard state and entries can vanish in a crash).
class NeverSyncs : public RewritingEngine {
 public:
  using RewritingEngine::RewritingEngine;

 protected:
  WriteOptions Options(const WriteOptions&) override { return WriteOptions{}; }
};

// Bug: the vote is not part of the persisted hard state.
class ForgetsVote : public RewritingEngine {
 public:
  using RewritingEngine::RewritingEngine;

 protected:
  void Rewrite(std::string_view key, std::string* value) override {
    if (key != raftstore::RaftStateKey(raftstore::kFirstRegionId)) return;
    raft_serverpb::RaftLocalState state;
    if (!state.ParseFromString(*value)) return;
    state.mutable_hard_state()->set_vote(0);
    *value = state.SerializeAsString();
  }
};

// Bug: a store's log entries get another value than the leader sent (a follower that applies
// what it made up).
class CorruptsPuts : public RewritingEngine {
 public:
  using RewritingEngine::RewritingEngine;

 protected:
  void Rewrite(std::string_view key, std::string* value) override {
    if (!raftstore::RaftLogIndex(key)) return;
    eraftpb::Entry e;
    raft_cmdpb::RaftCmdRequest req;
    if (!e.ParseFromString(*value) || !req.ParseFromString(e.data())) return;
    bool changed = false;
    for (auto& r : *req.mutable_requests()) {
      if (r.cmd_type() != raft_cmdpb::Put) continue;
      r.mutable_put()->set_value(r.put().value() + "-corrupt");
      changed = true;
    }
    if (!changed) return;
    e.set_data(req.SerializeAsString());
    *value = e.SerializeAsString();
  }
};

// Bug: a store whose applied commands write their data under keys outside the region — what a
// store that skips the epoch check at apply does to a command proposed before a split (its key
// now belongs to the new region). Here every applied put of a region that does not reach the end
// of the key space moves past it.
class PutsOutsideTheRegion final : public Engine {
 public:
  explicit PutsOutsideTheRegion(Engine* inner) : inner_(inner) {}
  Status Get(store::Cf cf, std::string_view key, std::string* value) override {
    return inner_->Get(cf, key, value);
  }
  Status Write(const WriteOptions& options, const WriteBatch& batch) override {
    bool applies = false;
    for (const WriteBatch::Op& op : batch.ops()) {
      applies = applies || op.key() == raftstore::ApplyStateKey(raftstore::kFirstRegionId);
    }
    if (!applies) return inner_->Write(options, batch);
    WriteBatch out;
    for (const WriteBatch::Op& op : batch.ops()) {
      const bool data = !op.key().empty() && op.key()[0] == raftstore::kDataPrefix;
      if (op.type == WriteBatch::OpType::kPut && data) {
        out.Put(op.cf, raftstore::DataKey("\xff" + std::string(op.key().substr(1))), op.arg());
      } else if (op.type == WriteBatch::OpType::kPut) {
        out.Put(op.cf, op.key(), op.arg());
      } else if (op.type == WriteBatch::OpType::kDelete) {
        out.Delete(op.cf, op.key());
      } else {
        out.DeleteRange(op.cf, op.key(), op.arg());
      }
    }
    return inner_->Write(options, out);
  }
  std::unique_ptr<store::Snapshot> GetSnapshot() override { return inner_->GetSnapshot(); }
  std::unique_ptr<store::Iterator> NewIterator(store::Cf cf) override {
    return inner_->NewIterator(cf);
  }

 private:
  Engine* inner_;
};

template <typename Double>
raftstore::EngineWrapper OnKvDisk() {
  return [](uint64_t, DiskKind disk, Engine* inner) -> std::unique_ptr<Engine> {
    if (disk != DiskKind::kKv) return nullptr;
    return std::make_unique<Double>(inner);
  };
}

template <typename Double>
raftstore::EngineWrapper OnRaftDisk(uint64_t only_store = 0) {
  return [only_store](uint64_t store, DiskKind disk, Engine* inner) -> std::unique_ptr<Engine> {
    if (disk != DiskKind::kRaft || (only_store != 0 && store != only_store)) return nullptr;
    return std::make_unique<Double>(inner);
  };
}

// Bug: candidates win votes whatever their log — as if voters granted without comparing logs
// (Raft §5.4.1). The candidate's vote requests claim a last entry in the current term, so every
// voter that has not voted in the term grants.
class VotesIgnoreLogs final : public raftstore::Transport {
 public:
  explicit VotesIgnoreLogs(raftstore::Transport* inner) : inner_(inner) {}
  void Send(const raft_serverpb::RaftMessage& msg) override {
    if (msg.message().msg_type() != eraftpb::MsgRequestVote) return inner_->Send(msg);
    raft_serverpb::RaftMessage lie = msg;
    lie.mutable_message()->set_log_term(msg.message().term());
    lie.mutable_message()->set_index(msg.message().index() + 1'000'000);
    inner_->Send(lie);
  }
  void Flush() override { inner_->Flush(); }

 private:
  raftstore::Transport* inner_;
};

// Bug: a store that never sends raft messages of type `type` (a leader that never heartbeats).
class DropsRaftMessages final : public raftstore::Transport {
 public:
  DropsRaftMessages(raftstore::Transport* inner, eraftpb::MessageType type)
      : inner_(inner), type_(type) {}
  void Send(const raft_serverpb::RaftMessage& msg) override {
    if (msg.message().msg_type() != type_) inner_->Send(msg);
  }
  void Flush() override { inner_->Flush(); }

 private:
  raftstore::Transport* inner_;
  eraftpb::MessageType type_;
};

// Drops every snapshot chunk (a leader that never manages to send a snapshot).
void DropSnapshots(Cluster& c) {
  c.network().AddFilter([](const sim::Packet& p) {
    sim::FilterVerdict v;
    v.drop = p.port == raftstore::kSnapshotPort;
    return v;
  });
}

KvScenarioOptions Persist() {
  KvScenarioOptions o;
  o.clients = 5;
  o.rounds = 2;
  o.crash = true;
  return o;
}

KvScenarioOptions Snapshots() {
  KvScenarioOptions o;
  o.clients = 5;
  o.rounds = 2;
  o.raft_log_gc_limit = 100;
  o.lagging_store = true;
  return o;
}

// Every one of the first seeds fails with a line starting `cause`; without the double it passes.
void ExpectCaught(const std::string& name, KvScenarioOptions broken, const std::string& cause) {
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const KvScenarioResult r = RunKvScenario("PlantedBug." + name, seed, broken);
    const std::string first_line = r.failure.substr(0, r.failure.find('\n'));
    std::printf("%s seed %llu: %s\n", name.c_str(), static_cast<unsigned long long>(seed),
                r.passed ? "passed" : first_line.c_str());
    EXPECT_FALSE(r.passed) << name << " seed " << seed << " went unnoticed";
    EXPECT_EQ(first_line.rfind(cause, 0), 0u)
        << name << " seed " << seed << ": expected a failure naming '" << cause
        << "', got: " << r.failure;
  }
  KvScenarioOptions fixed = broken;
  fixed.wrap_engine = nullptr;
  fixed.wrap_transport = nullptr;
  fixed.before_run = nullptr;
  const KvScenarioResult control = RunKvScenario("PlantedBug." + name + "Fixed", 1, fixed);
  EXPECT_TRUE(control.passed) << "without the planted bug: " << control.failure;
}

TEST(PlantedBug, RaftEngineWrittenWithoutSyncFailsDurability) {
  KvScenarioOptions o = Persist();
  o.wrap_engine = OnRaftDisk<NeverSyncs>();
  ExpectCaught("NoSync", o, "durability: store ");
}

TEST(PlantedBug, VoteNotPersistedFailsDurability) {
  KvScenarioOptions o = Persist();
  o.wrap_engine = OnRaftDisk<ForgetsVote>();
  ExpectCaught("ForgetsVote", o, "durability: store ");
}

TEST(PlantedBug, StoreApplyingOtherEntriesFailsStateMachineSafety) {
  KvScenarioOptions o;
  o.clients = 5;
  o.rounds = 1;
  o.wrap_engine = OnRaftDisk<CorruptsPuts>(/*only_store=*/5);
  ExpectCaught("CorruptsPuts", o, "state machine safety: ");
}

TEST(PlantedBug, VotersIgnoringLogsFailLeaderCompleteness) {
  KvScenarioOptions o;
  o.clients = 5;
  o.rounds = 2;
  o.partitions = true;
  o.wrap_transport = [](uint64_t, raftstore::Transport* inner) {
    return std::make_unique<VotesIgnoreLogs>(inner);
  };
  ExpectCaught("VotesIgnoreLogs", o, "leader completeness: ");
}

TEST(PlantedBug, LeaderWithoutHeartbeatsFailsChurn) {
  KvScenarioOptions o;
  o.clients = 1;
  o.rounds = 1;
  o.wrap_transport = [](uint64_t, raftstore::Transport* inner) {
    return std::make_unique<DropsRaftMessages>(inner, eraftpb::MsgHeartbeat);
  };
  ExpectCaught("NoHeartbeats", o, "churn: ");
}

TEST(PlantedBug, SnapshotsNeverArriveFailsTheSnapshotRequirement) {
  KvScenarioOptions o = Snapshots();
  o.before_run = DropSnapshots;
  ExpectCaught("NoSnapshots", o, "snapshots: ");
}

TEST(PlantedBug, AppliedPutsOutsideTheRegionFailRangeSafety) {
  KvScenarioOptions o;
  o.clients = 1;
  o.rounds = 1;
  o.split = true;  // region 1 ends at the first split key
  o.keys = 20;
  o.value_padding = 40;
  o.wrap_engine = OnKvDisk<PutsOutsideTheRegion>();
  ExpectCaught("PutsOutsideTheRegion", o, "range safety: ");
}

}  // namespace
}  // namespace tinykv::harness
