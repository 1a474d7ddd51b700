#include "store/raftstore/region_epoch.h"

#include <gtest/gtest.h>

namespace tinykv::raftstore {
namespace {

metapb::RegionEpoch Epoch(uint64_t conf_ver, uint64_t version) {
  metapb::RegionEpoch e;
  e.set_conf_ver(conf_ver);
  e.set_version(version);
  return e;
}

metapb::Region Region(const std::string& start, const std::string& end) {
  metapb::Region r;
  r.set_id(7);
  r.set_start_key(start);
  r.set_end_key(end);
  *r.mutable_region_epoch() = Epoch(3, 5);
  return r;
}

raft_cmdpb::RaftCmdRequest Put(const std::string& key, metapb::RegionEpoch epoch) {
  raft_cmdpb::RaftCmdRequest req;
  *req.mutable_header()->mutable_region_epoch() = epoch;
  auto* r = req.add_requests();
  r->set_cmd_type(raft_cmdpb::Put);
  r->mutable_put()->set_key(key);
  return req;
}

raft_cmdpb::RaftCmdRequest Admin(raft_cmdpb::AdminCmdType type, metapb::RegionEpoch epoch) {
  raft_cmdpb::RaftCmdRequest req;
  *req.mutable_header()->mutable_region_epoch() = epoch;
  req.mutable_admin_request()->set_cmd_type(type);
  return req;
}

TEST(RegionEpoch, StaleMeansOlderInEitherCounter) {
  EXPECT_FALSE(IsEpochStale(Epoch(3, 5), Epoch(3, 5)));
  EXPECT_TRUE(IsEpochStale(Epoch(2, 5), Epoch(3, 5)));
  EXPECT_TRUE(IsEpochStale(Epoch(3, 4), Epoch(3, 5)));
  EXPECT_TRUE(IsEpochStale(Epoch(4, 4), Epoch(3, 5))) << "contradictory counts as stale";
  EXPECT_FALSE(IsEpochStale(Epoch(4, 6), Epoch(3, 5)));
}

TEST(RegionEpoch, NormalCommandsCheckTheVersionOnly) {
  const metapb::Region region = Region("", "");
  EXPECT_FALSE(CheckRegionEpoch(Put("a", Epoch(3, 5)), region));
  EXPECT_FALSE(CheckRegionEpoch(Put("a", Epoch(1, 5)), region)) << "conf_ver is not compared";
  auto err = CheckRegionEpoch(Put("a", Epoch(3, 4)), region);
  ASSERT_TRUE(err);
  ASSERT_TRUE(err->has_epoch_not_match());
  ASSERT_EQ(err->epoch_not_match().current_regions_size(), 1);
  EXPECT_EQ(err->epoch_not_match().current_regions(0).id(), 7u);
  EXPECT_TRUE(CheckRegionEpoch(Put("a", Epoch(3, 6)), region)) << "strict: a newer one too";
}

TEST(RegionEpoch, AdminCommandsCheckWhatTheyDependOn) {
  const metapb::Region region = Region("", "");
  EXPECT_FALSE(CheckRegionEpoch(Admin(raft_cmdpb::ChangePeer, Epoch(3, 1)), region));
  EXPECT_TRUE(CheckRegionEpoch(Admin(raft_cmdpb::ChangePeer, Epoch(2, 5)), region));
  EXPECT_TRUE(CheckRegionEpoch(Admin(raft_cmdpb::Split, Epoch(3, 4)), region));
  EXPECT_TRUE(CheckRegionEpoch(Admin(raft_cmdpb::Split, Epoch(2, 5)), region));
  EXPECT_TRUE(CheckRegionEpoch(Admin(raft_cmdpb::TransferLeader, Epoch(2, 5)), region));
  EXPECT_FALSE(CheckRegionEpoch(Admin(raft_cmdpb::CompactLog, Epoch(0, 0)), region));
}

TEST(RegionEpoch, KeysOutsideTheRangeAreRefusedWithTheRegion) {
  const metapb::Region region = Region("b", "d");
  EXPECT_FALSE(CheckKeysInRegion(Put("b", Epoch(3, 5)), region));
  EXPECT_FALSE(CheckKeysInRegion(Put("c\xff", Epoch(3, 5)), region));
  auto err = CheckKeysInRegion(Put("d", Epoch(3, 5)), region);
  ASSERT_TRUE(err);
  ASSERT_TRUE(err->has_key_not_in_region());
  EXPECT_EQ(err->key_not_in_region().key(), "d");
  EXPECT_EQ(err->key_not_in_region().start_key(), "b");
  EXPECT_EQ(err->key_not_in_region().end_key(), "d");
  EXPECT_TRUE(CheckKeysInRegion(Put("a", Epoch(3, 5)), region));
}

TEST(RegionEpoch, OnlyVotesAndFirstHeartbeatsMayCreateAPeer) {
  eraftpb::Message m;
  m.set_msg_type(eraftpb::MsgRequestVote);
  EXPECT_TRUE(IsInitialMessage(m));
  m.set_msg_type(eraftpb::MsgHeartbeat);
  EXPECT_TRUE(IsInitialMessage(m));
  m.set_commit(9);
  EXPECT_FALSE(IsInitialMessage(m)) << "a leader that committed to the peer knew it before";
  m.set_msg_type(eraftpb::MsgAppend);
  m.set_commit(0);
  EXPECT_FALSE(IsInitialMessage(m));
}

}  // namespace
}  // namespace tinykv::raftstore
