#include "raft/config.h"

#include <gtest/gtest.h>

#include "raft/memory_storage.h"
#include "raft/raw_node.h"

namespace tinykv::raft {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  Config Valid() {
    Config c;
    c.id = 1;
    c.peers = {1, 2, 3};
    c.election_tick = 10;
    c.heartbeat_tick = 1;
    c.storage = &storage_;
    c.rng = [] { return uint64_t{4}; };
    return c;
  }
  MemoryStorage storage_;
};

TEST_F(ConfigTest, ValidConfigPasses) { EXPECT_TRUE(Valid().Validate().ok()); }

TEST_F(ConfigTest, EachRuleHasItsOwnMessage) {
  struct Case {
    std::function<void(Config&)> mutate;
    const char* needle;
  };
  const Case cases[] = {
      {[](Config& c) { c.id = 0; }, "id must not be 0"},
      {[](Config& c) { c.heartbeat_tick = 0; }, "heartbeat_tick must be greater than 0"},
      {[](Config& c) { c.election_tick = 1; }, "election_tick (1) must be greater than"},
      {[](Config& c) { c.storage = nullptr; }, "storage must not be null"},
      {[](Config& c) { c.rng = nullptr; }, "rng"},
      {[](Config& c) {
         c.peers = {1, 0};
       },
       "peers must not contain id 0"},
      {[](Config& c) {
         c.peers = {1, 2, 1};
       },
       "duplicates"},
  };
  for (const Case& tc : cases) {
    Config c = Valid();
    tc.mutate(c);
    Status s = c.Validate();
    EXPECT_TRUE(s.IsInvalidArgument()) << tc.needle;
    EXPECT_NE(s.message().find(tc.needle), std::string::npos) << s.message();
  }
}

TEST_F(ConfigTest, CreateRefusesInvalidConfigAndAppliedPastCommit) {
  Config c = Valid();
  c.id = 0;
  EXPECT_TRUE(RawNode::Create(c).status().IsInvalidArgument());
  c = Valid();
  c.applied = 5;
  auto r = RawNode::Create(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("applied"), std::string::npos);
}

}  // namespace
}  // namespace tinykv::raft
