// PersistentMap: ordered-map behaviour against std::map, and old versions staying intact.
#include "store/engine/persistent_map.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
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

// Puts `sorted` (in bytewise order) in a scrambled order (index i * stride mod n; stride coprime
// with n), then expects iteration in bytewise order and every key found by Seek and Contains.
PersistentMap PutShuffledAndExpectSorted(const std::vector<std::string>& sorted, size_t stride) {
  PersistentMap m;
  for (size_t i = 0; i < sorted.size(); ++i) m = m.Put(sorted[(i * stride) % sorted.size()], "v");
  std::vector<std::string> got;
  PersistentMap::Cursor c(m);
  for (c.SeekToFirst(); c.Valid(); c.Next()) got.push_back(c.key());
  EXPECT_EQ(got, sorted);
  for (const std::string& key : sorted) {
    c.Seek(key);
    EXPECT_TRUE(c.Valid() && c.key() == key) << "Seek(" << testing::PrintToString(key) << ")";
    EXPECT_TRUE(m.Contains(key));
  }
  return m;
}

TEST(PersistentMapTest, KeysThatTieOnTheirFirstEightBytesStillSortBytewise) {
  using namespace std::string_literals;
  // Nodes compare a zero-padded prefix first; these keys all tie with a neighbour on its first
  // 8 bytes (the 24-byte case is the next test).
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
  PersistentMap m = PutShuffledAndExpectSorted(sorted, 5);
  EXPECT_FALSE(m.Contains("abcdefgh\x01"s));
  m = m.DeleteRange("a\x00"s, "abcdefgh\x00"s);
  EXPECT_EQ(m.CountSlow(), sorted.size() - 4);
  EXPECT_TRUE(m.Contains("a"));
  EXPECT_TRUE(m.Contains("abcdefgh\x00"s));
}

TEST(PersistentMapTest, KeysThatTieOnTheirFirst24BytesStillSortBytewise) {
  using namespace std::string_literals;
  // Nodes compare the first 24 bytes (zero-padded) and the length before the full keys; raft log
  // keys (19 bytes, the first 8 the same for a whole region) differ only in their last bytes.
  const std::string p23(23, 'p');
  const std::string p24(24, 'p');
  const std::vector<std::string> keys = {
      p23,
      p23 + "\x00"s,
      p23 + "\x00\x00"s,
      p23 + "\x00\x01"s,
      p24,
      p24 + "\x00"s,
      p24 + "\x00\x00"s,
      p24 + "a"s,
      p24 + "a\x00"s,
      p24 + "b"s,
      p23 + "q"s,
      "\x01\x02\x00\x00\x00\x00\x00\x00\x00\x01\x01\x00\x00\x00\x00\x00\x00\x00\x06"s};
  std::vector<std::string> want = keys;
  std::sort(want.begin(), want.end());
  PersistentMap m = PutShuffledAndExpectSorted(want, 7);
  EXPECT_FALSE(m.Contains(p24 + "\x00\x00\x00"s));
  EXPECT_FALSE(m.Contains(p23 + "\x00\x02"s));
  m = m.Delete(p24 + "\x00"s);
  EXPECT_FALSE(m.Contains(p24 + "\x00"s));
  EXPECT_TRUE(m.Contains(p24));
  EXPECT_TRUE(m.Contains(p24 + "\x00\x00"s));
}

TEST(PersistentMapTest, PutOfASharedEntryKeepsItWithoutCopying) {
  auto kv = std::make_shared<const KeyValue>(KeyValue{"key", std::string(100, 'v')});
  PersistentMap a = PersistentMap().Put("other", "x");
  PersistentMap b = a.Put(kv);
  PersistentMap c = std::move(b).Put(kv);  // the same entry again: replaces itself
  std::string v;
  ASSERT_TRUE(c.Get("key", &v));
  EXPECT_EQ(v, kv->value);
  EXPECT_FALSE(a.Contains("key"));
  // The map holds the entry itself (one reference here, the rest in c's node).
  EXPECT_GE(kv.use_count(), 2);
  c = PersistentMap();
  EXPECT_EQ(kv.use_count(), 1);
}

TEST(PersistentMapTest, InPlaceUpdatesNeverShowInOtherVersions) {
  // Upserts descend once and change unshared nodes in place; versions taken in between (as
  // snapshots and the durable version are) must keep exactly what they had.
  PersistentMap m;
  std::map<std::string, std::string> model;
  std::vector<std::pair<PersistentMap, std::map<std::string, std::string>>> kept;
  for (int i = 0; i < 3000; ++i) {
    const std::string k = std::to_string((i * 7919) % 500);
    m = std::move(m).Put(k, std::to_string(i));
    model[k] = std::to_string(i);
    if (i % 97 == 0) kept.emplace_back(m, model);
    if (i % 5 == 0) {
      const std::string d = std::to_string((i * 31) % 500);
      m = std::move(m).Delete(d);
      model.erase(d);
    }
  }
  EXPECT_EQ(Contents(m), model);
  for (const auto& [version, want] : kept) EXPECT_EQ(Contents(version), want);
}

}  // namespace
}  // namespace tinykv::store
