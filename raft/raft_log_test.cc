#include "raft/raft_log.h"

#include <gtest/gtest.h>

#include "raft/memory_storage.h"

namespace tinykv::raft {
namespace {

eraftpb::Entry E(uint64_t index, uint64_t term) {
  eraftpb::Entry e;
  e.set_index(index);
  e.set_term(term);
  return e;
}

std::vector<uint64_t> Terms(const RaftLog& log) {
  std::vector<uint64_t> out;
  for (const auto& e : log.AllEntries()) out.push_back(e.term());
  return out;
}

TEST(RaftLog, LoadsStorageAsStable) {
  MemoryStorage s;
  ASSERT_TRUE(s.Append({E(1, 1), E(2, 1), E(3, 2)}).ok());
  RaftLog log(&s);
  EXPECT_EQ(log.FirstIndex(), 1u);
  EXPECT_EQ(log.LastIndex(), 3u);
  EXPECT_EQ(log.LastTerm(), 2u);
  EXPECT_EQ(log.stabled(), 3u);
  EXPECT_TRUE(log.UnstableEntries().empty());
  EXPECT_EQ(*log.Term(0), 0u);
  EXPECT_TRUE(log.Term(4).status().IsUnavailable());
}

TEST(RaftLog, FindConflict) {
  MemoryStorage s;
  ASSERT_TRUE(s.Append({E(1, 1), E(2, 2), E(3, 3)}).ok());
  RaftLog log(&s);
  struct Case {
    std::vector<eraftpb::Entry> ents;
    uint64_t want;
  } cases[] = {
      {{}, 0},
      {{E(1, 1), E(2, 2), E(3, 3)}, 0},
      {{E(2, 2), E(3, 3)}, 0},
      {{E(1, 1), E(2, 2), E(3, 3), E(4, 4)}, 4},  // new entry
      {{E(4, 4), E(5, 4)}, 4},
      {{E(1, 4), E(2, 4)}, 1},  // conflict at the start
      {{E(2, 1), E(3, 4)}, 2},
      {{E(3, 1), E(4, 2)}, 3},
  };
  for (const auto& c : cases) EXPECT_EQ(log.FindConflict(c.ents), c.want);
}

TEST(RaftLog, IsUpToDateComparesLastTermThenLength) {
  MemoryStorage s;
  ASSERT_TRUE(s.Append({E(1, 1), E(2, 2), E(3, 3)}).ok());
  RaftLog log(&s);
  EXPECT_TRUE(log.IsUpToDate(1, 4));   // greater term, shorter log
  EXPECT_FALSE(log.IsUpToDate(9, 2));  // smaller term, longer log
  EXPECT_FALSE(log.IsUpToDate(2, 3));  // same term, shorter
  EXPECT_TRUE(log.IsUpToDate(3, 3));   // same term, same length
  EXPECT_TRUE(log.IsUpToDate(4, 3));   // same term, longer
}

TEST(RaftLog, MaybeAppendMatchesTruncatesAndCommits) {
  struct Case {
    uint64_t index, log_term, commit;
    std::vector<eraftpb::Entry> ents;
    bool ok;
    uint64_t want_last_new, want_commit;
    std::vector<uint64_t> want_terms;
  } cases[] = {
      // Mismatched previous entry: nothing changes.
      {3, 2, 3, {E(4, 4)}, false, 0, 1, {1, 2, 3}},
      {4, 3, 3, {E(5, 4)}, false, 0, 1, {1, 2, 3}},
      // Match, no entries: commit limited by the last new index.
      {3, 3, 3, {}, true, 3, 3, {1, 2, 3}},
      {2, 2, 3, {}, true, 2, 2, {1, 2, 3}},
      // Append new entries.
      {3, 3, 4, {E(4, 4)}, true, 4, 4, {1, 2, 3, 4}},
      {3, 3, 2, {E(4, 4), E(5, 4)}, true, 5, 2, {1, 2, 3, 4, 4}},
      // Conflict: truncate from the conflict.
      {1, 1, 3, {E(2, 4)}, true, 2, 2, {1, 4}},
      // Already present: no truncation of the suffix.
      {1, 1, 1, {E(2, 2)}, true, 2, 1, {1, 2, 3}},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    const Case& c = cases[i];
    MemoryStorage s;
    ASSERT_TRUE(s.Append({E(1, 1), E(2, 2), E(3, 3)}).ok());
    RaftLog log(&s);
    log.CommitTo(1);
    auto got = log.MaybeAppend(c.index, c.log_term, c.commit, c.ents);
    EXPECT_EQ(got.has_value(), c.ok) << "case " << i;
    if (got) {
      EXPECT_EQ(*got, c.want_last_new) << "case " << i;
    }
    EXPECT_EQ(log.committed(), c.want_commit) << "case " << i;
    EXPECT_EQ(Terms(log), c.want_terms) << "case " << i;
  }
}

TEST(RaftLog, UnstableEntriesAndStableToIgnoreStaleAcks) {
  MemoryStorage s;
  ASSERT_TRUE(s.Append({E(1, 1)}).ok());
  RaftLog log(&s);
  log.Append({E(2, 1), E(3, 1)});
  ASSERT_EQ(log.UnstableEntries().size(), 2u);
  log.StableTo(3, 2);  // wrong term: stale acknowledgement
  EXPECT_EQ(log.stabled(), 1u);
  log.StableTo(2, 1);
  EXPECT_EQ(log.stabled(), 2u);
  ASSERT_EQ(log.UnstableEntries().size(), 1u);
  // Overwriting a stable suffix makes it unstable again.
  log.Append({E(2, 2)});
  EXPECT_EQ(log.stabled(), 1u);
  EXPECT_EQ(log.UnstableEntries().front().term(), 2u);
}

TEST(RaftLog, NextEntsReturnsCommittedNotApplied) {
  MemoryStorage s;
  ASSERT_TRUE(s.Append({E(1, 1), E(2, 1), E(3, 1), E(4, 1)}).ok());
  RaftLog log(&s);
  EXPECT_FALSE(log.HasNextEnts());
  log.CommitTo(3);
  log.AppliedTo(1);
  auto ents = log.NextEnts();
  ASSERT_EQ(ents.size(), 2u);
  EXPECT_EQ(ents.front().index(), 2u);
  log.AppliedTo(3);
  EXPECT_FALSE(log.HasNextEnts());
}

TEST(RaftLog, CompactedLogAnswersTermsFromTheSnapshotEntry) {
  MemoryStorage s;
  ASSERT_TRUE(s.Append({E(1, 1), E(2, 2), E(3, 3), E(4, 4)}).ok());
  ASSERT_TRUE(s.Compact(2).ok());
  RaftLog log(&s);
  EXPECT_EQ(log.FirstIndex(), 3u);
  EXPECT_EQ(*log.Term(2), 2u);
  EXPECT_TRUE(log.Term(1).status().IsCompacted());
  EXPECT_TRUE(log.Slice(2, 4).status().IsCompacted());
  EXPECT_EQ(log.Slice(3, 5)->size(), 2u);
  EXPECT_EQ(log.committed(), 2u);
  EXPECT_EQ(log.applied(), 2u);
}

TEST(RaftLog, MaybeCompactFollowsStorageButKeepsUnappliedEntries) {
  MemoryStorage s;
  ASSERT_TRUE(s.Append({E(1, 1), E(2, 1), E(3, 1), E(4, 1), E(5, 1)}).ok());
  RaftLog log(&s);
  log.CommitTo(5);
  log.AppliedTo(2);
  ASSERT_TRUE(s.Compact(4).ok());
  log.MaybeCompact();
  EXPECT_EQ(log.FirstIndex(), 3u);  // entry 3 is not applied yet
  log.AppliedTo(5);
  log.MaybeCompact();
  EXPECT_EQ(log.FirstIndex(), 5u);
  EXPECT_EQ(*log.Term(4), 1u);
}

TEST(RaftLog, RestoreResetsToTheSnapshot) {
  MemoryStorage s;
  ASSERT_TRUE(s.Append({E(1, 1), E(2, 1)}).ok());
  RaftLog log(&s);
  eraftpb::Snapshot snap;
  snap.mutable_metadata()->set_index(10);
  snap.mutable_metadata()->set_term(3);
  log.Restore(snap);
  EXPECT_EQ(log.LastIndex(), 10u);
  EXPECT_EQ(log.FirstIndex(), 11u);
  EXPECT_EQ(*log.Term(10), 3u);
  EXPECT_EQ(log.committed(), 10u);
  EXPECT_EQ(log.applied(), 10u);
  ASSERT_NE(log.pending_snapshot(), nullptr);
  EXPECT_TRUE(log.UnstableEntries().empty());
  log.ClearPendingSnapshot();
  EXPECT_EQ(log.pending_snapshot(), nullptr);
}

}  // namespace
}  // namespace tinykv::raft
