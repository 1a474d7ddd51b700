// PersistentMap: ordered-map behaviour against std::map, and old versions staying intact.
#include "store/engine/persistent_map.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace tinykv::store {
namespace {

std::map<std::string, std::string> Contents(const PersistentMap& m) {
  std::map<std::string, std::string> out;
  PersistentMap::Cursor c(m);
  std::string prev;
  bool first = true;
  for (c.SeekToFirst(); c.Valid(); c.Next()) {
    if (!first) {
      EXPECT_LT(prev, c.key());  // strictly increasing
    }
    prev = c.key();
    first = false;
    out[c.key()] = c.value();
  }
  return out;
}

TEST(PersistentMapTest, UpdatesLeaveOldVersionsUntouched) {
  PersistentMap v0;
  PersistentMap v1 = v0.Put("a", "1").Put("b", "2").Put("c", "3");
  PersistentMap v2 = v1.Put("b", "20").Delete("a");
  PersistentMap v3 = v2.DeleteRange("a", "z");
  EXPECT_TRUE(v0.Empty());
  EXPECT_EQ(Contents(v1), (std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  EXPECT_EQ(Contents(v2), (std::map<std::string, std::string>{{"b", "20"}, {"c", "3"}}));
  EXPECT_TRUE(v3.Empty());
}

TEST(PersistentMapTest, MatchesStdMapUnderRandomOperations) {
  uint64_t s = 42;
  auto next = [&s](uint64_t n) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (s >> 33) % n;
  };
  PersistentMap m;
  std::map<std::string, std::string> model;
  std::vector<std::pair<PersistentMap, std::map<std::string, std::string>>> history;
  for (int i = 0; i < 5000; ++i) {
    std::string k = std::to_string(next(300));
    switch (next(6)) {
      case 0:
        m = m.Delete(k);
        model.erase(k);
        break;
      case 1: {
        std::string hi = std::to_string(next(300));
        m = m.DeleteRange(k, hi);
        if (k < hi) model.erase(model.lower_bound(k), model.lower_bound(hi));
        break;
      }
      default:
        m = m.Put(k, std::to_string(i));
        model[k] = std::to_string(i);
    }
    if (i % 500 == 0) history.emplace_back(m, model);
  }
  EXPECT_EQ(Contents(m), model);
  EXPECT_EQ(m.CountSlow(), model.size());
  for (const auto& [old_map, old_model] : history) EXPECT_EQ(Contents(old_map), old_model);
  for (int probe = 0; probe < 300; ++probe) {
    std::string k = std::to_string(probe);
    PersistentMap::Cursor c(m);
    c.Seek(k);
    auto want = model.lower_bound(k);
    ASSERT_EQ(c.Valid(), want != model.end());
    if (c.Valid()) {
      EXPECT_EQ(c.key(), want->first);
    }
    std::string v;
    EXPECT_EQ(m.Get(k, &v), model.count(k) == 1);
  }
}

TEST(PersistentMapTest, LargeSequentialInsertStaysShallowEnoughToFreeRecursively) {
  // Sequential keys are the worst case for an unbalanced tree; the hashed priorities keep the
  // treap balanced, so building and freeing 200k nodes neither takes long nor overflows the stack.
  PersistentMap m;
  for (int i = 0; i < 200000; ++i) {
    char buf[16];
    snprintf(buf, sizeof(buf), "%08d", i);
    m = m.Put(buf, "");
  }
  EXPECT_EQ(m.CountSlow(), 200000u);
  m = PersistentMap();
  EXPECT_TRUE(m.Empty());
}

}  // namespace
}  // namespace tinykv::store

namespace tinykv::store {
namespace {

TEST(PersistentMapTest, KeysThatTieOnTheirFirstEightBytesStillSortBytewise) {
  using namespace std::string_literals;
  // Nodes compare an 8-byte zero-padded prefix first; these keys all tie with a neighbour on it.
  const std::vector<std::string> sorted = {""s,
                                           "\x00"s,
                                           "\x00\x00"s,
                                           "a"s,
                                           "a\x00"s,
                                           "abcdefg"s,
                                           "abcdefg\x00"s,
                                           "abcdefgh"s,
                                           "abcdefgh\x00"s,
                                           "abcdefghi"s,
                                           "abcdefgi"s,
                                           "abcdefg\xff"s,
                                           "\xff\xff\xff\xff\xff\xff\xff\xff"s,
                                           "\xff\xff\xff\xff\xff\xff\xff\xff\x00"s};
  PersistentMap m;
  for (size_t i = 0; i < sorted.size(); ++i) m = m.Put(sorted[(i * 5) % sorted.size()], "v");
  std::vector<std::string> got;
  PersistentMap::Cursor c(m);
  for (c.SeekToFirst(); c.Valid(); c.Next()) got.push_back(c.key());
  EXPECT_EQ(got, sorted);
  for (size_t i = 0; i < sorted.size(); ++i) {
    c.Seek(sorted[i]);
    ASSERT_TRUE(c.Valid());
    EXPECT_EQ(c.key(), sorted[i]);
    EXPECT_TRUE(m.Contains(sorted[i]));
  }
  EXPECT_FALSE(m.Contains("abcdefgh\x01"s));
  m = m.DeleteRange("a\x00"s, "abcdefgh\x00"s);
  EXPECT_EQ(m.CountSlow(), sorted.size() - 4);
  EXPECT_TRUE(m.Contains("a"));
  EXPECT_TRUE(m.Contains("abcdefgh\x00"s));
}

}  // namespace
}  // namespace tinykv::store
