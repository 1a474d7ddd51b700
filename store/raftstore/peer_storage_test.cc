#include "store/raftstore/peer_storage.h"

#include <gtest/gtest.h>

#include "store/engine/mem_engine.h"
#include "store/raftstore/bootstrap.h"
#include "store/raftstore/keys.h"

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

}  // namespace
}  // namespace tinykv::raftstore
