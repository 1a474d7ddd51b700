#include "store/raftstore/keys.h"

#include <gtest/gtest.h>

namespace tinykv::raftstore {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

TEST(Raftstore, KeysLayoutMatchesTinyKv) {
  EXPECT_EQ(RaftLogKey(1, 6), Bytes({1, 2, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 6}));
  EXPECT_EQ(RaftStateKey(0x0102), Bytes({1, 2, 0, 0, 0, 0, 0, 0, 1, 2, 2}));
  EXPECT_EQ(ApplyStateKey(3), Bytes({1, 2, 0, 0, 0, 0, 0, 0, 0, 3, 3}));
  EXPECT_EQ(RegionStateKey(3), Bytes({1, 3, 0, 0, 0, 0, 0, 0, 0, 3, 1}));
  EXPECT_EQ(RegionRaftPrefixKey(7), Bytes({1, 2, 0, 0, 0, 0, 0, 0, 0, 7}));
  EXPECT_EQ(RegionMetaPrefixKey(7), Bytes({1, 3, 0, 0, 0, 0, 0, 0, 0, 7}));
  EXPECT_EQ(DataKey("k"), "zk");
  EXPECT_EQ(kRaftInitLogIndex, 5u);
  EXPECT_EQ(kRaftInitLogTerm, 5u);
}

TEST(Raftstore, KeysRaftLogIndexRoundTripsAndSorts) {
  EXPECT_EQ(RaftLogIndex(RaftLogKey(9, 0x0102030405060708ULL)), 0x0102030405060708ULL);
  EXPECT_FALSE(RaftLogIndex(RaftStateKey(9)).has_value());
  // Big-endian: numeric order is byte order, so a log range is a key range.
  EXPECT_LT(RaftLogKey(1, 255), RaftLogKey(1, 256));
  EXPECT_LT(RaftLogKey(1, UINT64_MAX), RaftStateKey(1));
  EXPECT_LT(RaftStateKey(1), ApplyStateKey(1));
}

TEST(Raftstore, KeysDataKeysSortAfterLocalKeys) {
  EXPECT_LT(RegionStateKey(UINT64_MAX), DataKey(""));
  EXPECT_LT(DataKey("\xff\xff"), DataEndKey());
  EXPECT_EQ(OriginKey(DataKey("abc")), std::string_view("abc"));
  EXPECT_FALSE(OriginKey(RaftStateKey(1)).has_value());
}

}  // namespace
}  // namespace tinykv::raftstore
