#include "store/raftstore/peer_storage.h"

#include <gtest/gtest.h>

#include "store/engine/mem_engine.h"
#include "store/raftstore/bootstrap.h"
#include "store/raftstore/keys.h"
#include "store/raftstore/snapshot_apply.h"

namespace tinykv::raftstore {
namespace {

eraftpb::Entry Ent(uint64_t index, uint64_t term) {
  eraftpb::Entry e;
  e.set_index(index);
  e.set_term(term);
  e.set_data("d" + std::to_string(index));
  return e;
}

struct Disks {
  std::shared_ptr<store::MemDisk> raft = std::make_shared<store::MemDisk>();
  std::shared_ptr<store::MemDisk> kv = std::make_shared<store::MemDisk>();
  std::unique_ptr<store::MemEngine> raft_engine, kv_engine;
  Engines Open() {
    raft_engine.reset();
    kv_engine.reset();
    EXPECT_TRUE(store::MemEngine::Open(raft, &raft_engine).ok());
    EXPECT_TRUE(store::MemEngine::Open(kv, &kv_engine).ok());
    return Engines{raft_engine.get(), kv_engine.get()};
  }
};

std::unique_ptr<PeerStorage> OpenBootstrapped(Disks& d) {
  Engines e = d.Open();
  EXPECT_TRUE(BootstrapIfNeeded(e, MakeInitialRegion(1, {1, 2, 3}), nullptr).ok());
  std::unique_ptr<PeerStorage> ps;
  EXPECT_TRUE(PeerStorage::Open(e, 1, &ps).ok());
  return ps;
}

raft::Ready ReadyWith(std::vector<eraftpb::Entry> ents) {
  raft::Ready rd;
  rd.entries = std::move(ents);
  return rd;
}

TEST(Raftstore, PeerStorageBootstrapStartsAtInitIndex) {
  Disks d;
  auto ps = OpenBootstrapped(d);
  EXPECT_EQ(*ps->FirstIndex(), kRaftInitLogIndex + 1);
  EXPECT_EQ(*ps->LastIndex(), kRaftInitLogIndex);
  EXPECT_EQ(*ps->Term(kRaftInitLogIndex), kRaftInitLogTerm);
  EXPECT_TRUE(ps->Term(kRaftInitLogIndex - 1).status().IsCompacted());
  EXPECT_TRUE(ps->Term(kRaftInitLogIndex + 1).status().IsUnavailable());
  auto init = ps->GetInitialState();
  ASSERT_TRUE(init.ok());
  EXPECT_EQ(init->hard_state.commit(), kRaftInitLogIndex);
  EXPECT_EQ(init->conf_state.nodes_size(), 3);
  std::unique_ptr<PeerStorage> missing;
  EXPECT_TRUE(PeerStorage::Open(ps->engines(), 2, &missing).IsNotFound());
}

TEST(Raftstore, PeerStorageAppendTruncatesConflictingSuffix) {
  Disks d;
  auto ps = OpenBootstrapped(d);
  ASSERT_TRUE(ps->SaveReadyState(ReadyWith({Ent(6, 6), Ent(7, 6), Ent(8, 6)})).ok());
  EXPECT_EQ(*ps->LastIndex(), 8u);
  // A new leader overwrites from 7: entry 8 must disappear.
  ASSERT_TRUE(ps->SaveReadyState(ReadyWith({Ent(7, 7)})).ok());
  EXPECT_EQ(*ps->LastIndex(), 7u);
  EXPECT_EQ(*ps->Term(7), 7u);
  auto ents = ps->Entries(6, 8);
  ASSERT_TRUE(ents.ok());
  ASSERT_EQ(ents->size(), 2u);
  EXPECT_EQ((*ents)[1].term(), 7u);
  EXPECT_TRUE(ps->Entries(6, 9).status().IsUnavailable());
  EXPECT_TRUE(ps->Entries(5, 7).status().IsCompacted());
  std::string v;
  EXPECT_TRUE(ps->engines().raft->Get(store::Cf::kDefault, RaftLogKey(1, 8), &v).IsNotFound());
}

TEST(Raftstore, PeerStorageEntriesReportsHolesAsUnavailable) {
  Disks d;
  auto ps = OpenBootstrapped(d);
  ASSERT_TRUE(
      ps->SaveReadyState(ReadyWith({Ent(6, 6), Ent(7, 6), Ent(8, 6), Ent(9, 6), Ent(10, 6)})).ok());
  store::Engine* raft = ps->engines().raft;
  ASSERT_EQ(ps->Entries(6, 11)->size(), 5u);
  // A hole in the middle.
  ASSERT_TRUE(raft->Delete(store::Cf::kDefault, RaftLogKey(1, 8)).ok());
  EXPECT_TRUE(ps->Entries(6, 11).status().IsUnavailable());
  EXPECT_TRUE(ps->Entries(8, 9).status().IsUnavailable());
  ASSERT_EQ(ps->Entries(6, 8)->size(), 2u);
  ASSERT_EQ(ps->Entries(9, 11)->size(), 2u);
  // A hole at the end, with a foreign key after it whose value parses as the missing entry: the
  // read runs into that key, and must not take it for entry 10.
  std::string fake = RaftLogKey(1, 9) + "x";
  ASSERT_TRUE(raft->Put(store::Cf::kDefault, fake, Ent(10, 6).SerializeAsString()).ok());
  ASSERT_TRUE(raft->Delete(store::Cf::kDefault, RaftLogKey(1, 10)).ok());
  EXPECT_TRUE(ps->Entries(9, 11).status().IsUnavailable());
  EXPECT_TRUE(ps->Term(10).ok()) << "the last entry's term is cached in the raft state";
  ASSERT_EQ(ps->Entries(9, 10)->size(), 1u);
}

TEST(Raftstore, PeerStorageRecoversSyncedStateAfterCrash) {
  Disks d;
  {
    auto ps = OpenBootstrapped(d);
    raft::Ready rd = ReadyWith({Ent(6, 6), Ent(7, 6)});
    eraftpb::HardState hs;
    hs.set_term(6);
    hs.set_vote(2);
    hs.set_commit(7);
    rd.hard_state = hs;
    ASSERT_TRUE(ps->SaveReadyState(rd).ok());
    // Apply entry 6 with an un-synced kv batch: a crash may lose it.
    ps->mutable_apply_state()->set_applied_index(6);
    store::WriteBatch wb;
    wb.Put(store::Cf::kDefault, DataKey("a"), "1");
    ps->WriteApplyState(&wb);
    ASSERT_TRUE(ps->engines().kv->Write(store::WriteOptions{}, wb).ok());
  }
  d.raft->Crash(0);
  d.kv->Crash(0);
  Engines e = d.Open();
  std::unique_ptr<PeerStorage> ps;
  ASSERT_TRUE(PeerStorage::Open(e, 1, &ps).ok());
  EXPECT_EQ(*ps->LastIndex(), 7u);
  EXPECT_EQ(ps->raft_state().hard_state().vote(), 2u);
  EXPECT_EQ(ps->raft_state().hard_state().commit(), 7u);
  // The un-synced apply batch is gone, and with it both the data and the applied index.
  EXPECT_EQ(ps->applied_index(), kRaftInitLogIndex);
  std::string v;
  EXPECT_TRUE(e.kv->Get(store::Cf::kDefault, DataKey("a"), &v).IsNotFound());
}

// A snapshot at index 10, term 7, holding user keys a and b (default CF) of `region`.
eraftpb::Snapshot MakeSnapshot(const metapb::Region& region) {
  raft_serverpb::RaftSnapshotData data;
  *data.mutable_region() = region;
  for (const char* cf : {"default", "lock", "write"}) {
    auto* file = data.mutable_meta()->add_cf_files();
    file->set_cf(cf);
    file->set_size(std::string(cf) == "default" ? 2 : 0);
  }
  for (const char* k : {"a", "b"}) {
    auto* kv = data.add_data();
    kv->set_key(DataKey(k));
    kv->set_value(std::string("snap-") + k);
  }
  eraftpb::Snapshot snap;
  snap.mutable_metadata()->set_index(10);
  snap.mutable_metadata()->set_term(7);
  snap.set_data(data.SerializeAsString());
  return snap;
}

bool HasKey(store::Engine* e, const std::string& key) {
  std::string v;
  return e->Get(store::Cf::kDefault, key, &v).ok();
}

TEST(Raftstore, PeerStorageSnapshotStaysPendingUntilTheWorkerWroteItsData) {
  Disks d;
  SnapshotApplyTask task;
  {
    auto ps = OpenBootstrapped(d);
    ASSERT_TRUE(ps->SaveReadyState(ReadyWith({Ent(6, 6), Ent(7, 6), Ent(8, 6)})).ok());
    ASSERT_TRUE(ps->ApplySnapshot(MakeSnapshot(ps->region()), &task).ok());
    EXPECT_EQ(task.index(), 10u);
    EXPECT_EQ(ps->applied_index(), 10u);
    EXPECT_EQ(ps->truncated_index(), 10u);
    EXPECT_EQ(*ps->LastIndex(), 10u);
    EXPECT_EQ(*ps->Term(10), 7u);
    EXPECT_GE(ps->raft_state().hard_state().commit(), 10u);
    // Step 1 wrote the states and the pending snapshot, not the data.
    EXPECT_TRUE(HasKey(ps->engines().kv, PendingSnapshotKey(1)));
    EXPECT_FALSE(HasKey(ps->engines().kv, DataKey("a")));
  }
  // A crash now: the restarted storage finds the apply to resume.
  d.raft->Crash(0);
  d.kv->Crash(0);
  Engines e = d.Open();
  std::unique_ptr<PeerStorage> ps;
  ASSERT_TRUE(PeerStorage::Open(e, 1, &ps).ok());
  ASSERT_TRUE(ps->interrupted_snapshot_apply().has_value());
  EXPECT_EQ(ps->interrupted_snapshot_apply()->index(), 10u);
  EXPECT_EQ(*ps->FirstIndex(), 11u);
  EXPECT_EQ(*ps->LastIndex(), 10u);
  // The worker's step, one pair per batch; its last batch is synced and clears the mark.
  int pauses = 0;
  ASSERT_TRUE(ApplySnapshotData(e, *ps->interrupted_snapshot_apply(), 1, [&] { ++pauses; }).ok());
  EXPECT_EQ(pauses, 2);
  d.raft->Crash(0);
  d.kv->Crash(0);
  e = d.Open();
  ASSERT_TRUE(PeerStorage::Open(e, 1, &ps).ok());
  EXPECT_FALSE(ps->interrupted_snapshot_apply().has_value());
  std::string v;
  ASSERT_TRUE(e.kv->Get(store::Cf::kDefault, DataKey("b"), &v).ok());
  EXPECT_EQ(v, "snap-b");
  EXPECT_EQ(ps->applied_index(), 10u);
}

// What ApplySnapshot's kv batch writes for MakeSnapshot (index 10, term 7), without its raft
// batch: the states of a crash between the two.
void WriteOnlyTheSnapshotsKvBatch(PeerStorage& ps) {
  const eraftpb::Snapshot snap = MakeSnapshot(ps.region());
  raft_serverpb::RaftApplyState apply;
  apply.set_applied_index(10);
  apply.mutable_truncated_state()->set_index(10);
  apply.mutable_truncated_state()->set_term(7);
  store::WriteBatch wb;
  PutMsg(&wb, ApplyStateKey(1), apply);
  PutMsg(&wb, PendingSnapshotKey(1), snap);
  ASSERT_TRUE(ps.engines().kv->Write(store::WriteOptions{.sync = true}, wb).ok());
}

TEST(Raftstore, PeerStorageOpenDropsTheOldLogWhenOnlyTheSnapshotsKvBatchSurvived) {
  Disks d;
  {
    auto ps = OpenBootstrapped(d);
    std::vector<eraftpb::Entry> ents;
    for (uint64_t i = 6; i <= 12; ++i) ents.push_back(Ent(i, 6));
    ASSERT_TRUE(ps->SaveReadyState(ReadyWith(ents)).ok());
    // The old log (6..12, term 6) still reaches past the snapshot's index 10 (term 7).
    WriteOnlyTheSnapshotsKvBatch(*ps);
  }
  Engines e = d.Open();
  std::unique_ptr<PeerStorage> ps;
  ASSERT_TRUE(PeerStorage::Open(e, 1, &ps).ok());
  ASSERT_TRUE(ps->interrupted_snapshot_apply().has_value());
  EXPECT_EQ(*ps->LastIndex(), 10u);
  EXPECT_EQ(*ps->Term(10), 7u);
  EXPECT_TRUE(ps->Term(11).status().IsUnavailable()) << "entry 11 of the old log is superseded";
  EXPECT_GE(ps->raft_state().hard_state().commit(), 10u);
}

// The crash that ApplySnapshot's raft batch did not survive, then a second crash right after the
// resumed apply finished (found by Lab4D.ListAppendUnderCrashesSplitsAndChurn, seed 181): the
// store must still open, with the log starting after the snapshot.
TEST(Raftstore, PeerStorageOpenPersistsTheRepairBeforeTheInterruptedApplyResumes) {
  Disks d;
  {
    auto ps = OpenBootstrapped(d);  // the raft state says: last index 5
    WriteOnlyTheSnapshotsKvBatch(*ps);
  }
  Engines e = d.Open();
  std::unique_ptr<PeerStorage> ps;
  ASSERT_TRUE(PeerStorage::Open(e, 1, &ps).ok());
  ASSERT_TRUE(ps->interrupted_snapshot_apply().has_value());
  ASSERT_TRUE(ApplySnapshotData(e, *ps->interrupted_snapshot_apply(), 100, nullptr).ok());
  d.raft->Crash(0);
  d.kv->Crash(0);
  e = d.Open();
  store::Status s = PeerStorage::Open(e, 1, &ps);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(ps->interrupted_snapshot_apply().has_value());
  EXPECT_EQ(*ps->LastIndex(), 10u);
  EXPECT_EQ(*ps->Term(10), 7u);
  EXPECT_GE(ps->raft_state().hard_state().commit(), 10u);
}

}  // namespace
}  // namespace tinykv::raftstore
