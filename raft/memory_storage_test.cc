#include "raft/memory_storage.h"

#include <gtest/gtest.h>

namespace tinykv::raft {
namespace {

eraftpb::Entry E(uint64_t index, uint64_t term) {
  eraftpb::Entry e;
  e.set_index(index);
  e.set_term(term);
  return e;
}

// A storage whose snapshot is at (3, 3) and which holds entries 4 and 5 (terms 4, 5).
MemoryStorage Seeded() {
  MemoryStorage s;
  EXPECT_TRUE(s.Append({E(1, 1), E(2, 2), E(3, 3), E(4, 4), E(5, 5)}).ok());
  EXPECT_TRUE(s.Compact(3).ok());
  return s;
}

TEST(MemoryStorage, EmptyStorageHasFirstIndexOneAndLastIndexZero) {
  MemoryStorage s;
  EXPECT_EQ(*s.FirstIndex(), 1u);
  EXPECT_EQ(*s.LastIndex(), 0u);
  EXPECT_EQ(*s.Term(0), 0u);
  EXPECT_TRUE(s.Term(1).status().IsUnavailable());
}

TEST(MemoryStorage, TermNamesCompactedAndUnavailable) {
  MemoryStorage s = Seeded();
  EXPECT_TRUE(s.Term(2).status().IsCompacted());
  EXPECT_EQ(*s.Term(3), 3u);
  EXPECT_EQ(*s.Term(5), 5u);
  EXPECT_TRUE(s.Term(6).status().IsUnavailable());
}

TEST(MemoryStorage, EntriesChecksBothEnds) {
  MemoryStorage s = Seeded();
  EXPECT_TRUE(s.Entries(3, 5).status().IsCompacted());
  EXPECT_TRUE(s.Entries(4, 7).status().IsUnavailable());
  auto ents = s.Entries(4, 6);
  ASSERT_TRUE(ents.ok());
  ASSERT_EQ(ents->size(), 2u);
  EXPECT_EQ((*ents)[1].term(), 5u);
  EXPECT_TRUE(s.Entries(5, 5)->empty());
}

TEST(MemoryStorage, FirstAndLastIndexFollowCompaction) {
  MemoryStorage s = Seeded();
  EXPECT_EQ(*s.FirstIndex(), 4u);
  EXPECT_EQ(*s.LastIndex(), 5u);
  EXPECT_TRUE(s.Compact(3).IsCompacted());
  EXPECT_TRUE(s.Compact(4).ok());
  EXPECT_EQ(*s.FirstIndex(), 5u);
  EXPECT_TRUE(s.Compact(9).IsInvalidArgument());
}

TEST(MemoryStorage, CreateSnapshotRecordsTermAndConfState) {
  MemoryStorage s = Seeded();
  eraftpb::ConfState cs;
  cs.add_nodes(1);
  cs.add_nodes(2);
  ASSERT_TRUE(s.CreateSnapshot(4, cs, "data").ok());
  auto snap = s.GetSnapshot();
  EXPECT_EQ(snap->metadata().index(), 4u);
  EXPECT_EQ(snap->metadata().term(), 4u);
  EXPECT_EQ(snap->metadata().conf_state().nodes_size(), 2);
  EXPECT_EQ(snap->data(), "data");
  EXPECT_TRUE(s.CreateSnapshot(3, cs, "").IsCompacted());
  EXPECT_TRUE(s.CreateSnapshot(6, cs, "").IsInvalidArgument());
}

TEST(MemoryStorage, AppendTruncatesConflictsAndIgnoresCompacted) {
  MemoryStorage s = Seeded();
  // Overlaps the compacted prefix: only 4.. is taken, and 5 is replaced.
  ASSERT_TRUE(s.Append({E(2, 2), E(3, 3), E(4, 4), E(5, 6), E(6, 6)}).ok());
  EXPECT_EQ(*s.LastIndex(), 6u);
  EXPECT_EQ(*s.Term(5), 6u);
  // Truncate back.
  ASSERT_TRUE(s.Append({E(5, 7)}).ok());
  EXPECT_EQ(*s.LastIndex(), 5u);
  EXPECT_EQ(*s.Term(5), 7u);
  // A gap is refused.
  EXPECT_TRUE(s.Append({E(7, 7)}).IsInvalidArgument());
  // Entirely compacted: a no-op.
  EXPECT_TRUE(s.Append({E(1, 1), E(2, 2)}).ok());
  EXPECT_EQ(*s.LastIndex(), 5u);
}

TEST(MemoryStorage, ApplySnapshotReplacesEverythingAndRefusesOlder) {
  MemoryStorage s = Seeded();
  eraftpb::Snapshot snap;
  snap.mutable_metadata()->set_index(10);
  snap.mutable_metadata()->set_term(8);
  snap.mutable_metadata()->mutable_conf_state()->add_nodes(3);
  ASSERT_TRUE(s.ApplySnapshot(snap).ok());
  EXPECT_EQ(*s.FirstIndex(), 11u);
  EXPECT_EQ(*s.LastIndex(), 10u);
  EXPECT_EQ(*s.Term(10), 8u);
  EXPECT_EQ(s.GetInitialState()->conf_state.nodes(0), 3u);
  snap.mutable_metadata()->set_index(9);
  EXPECT_TRUE(s.ApplySnapshot(snap).IsCompacted());
}

}  // namespace
}  // namespace tinykv::raft
