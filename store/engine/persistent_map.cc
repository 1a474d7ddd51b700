#include "store/engine/persistent_map.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>

namespace tinykv::store {

// An entry is immutable and shared by every version of every node that holds it (and by the
// write batches it came from), so path copying copies one pointer per node, never a key or a
// (possibly 1 MiB) value.
using Entry = KeyValue;

// What a node keeps of its key next to the child pointers, so that a descent rarely touches the
// entry (one cache miss fewer per tree level): the first kPrefixBytes bytes as big-endian words,
// zero-padded, and the length. 24 bytes cover every raftstore-internal key whole (a raft log key
// is 19 bytes, and its first 8 are the same for every key of a region), so those compare without
// memcmp. See Compare. Packed with the treap priority into 32 bytes.
inline constexpr size_t kPrefixWords = 3;
inline constexpr size_t kPrefixBytes = kPrefixWords * 8;
struct KeyInfo {
  uint64_t words[kPrefixWords];
  // The key's length, capped at kPrefixBytes + 1: past that only "longer than the words" matters.
  uint32_t size;
  // The treap priority: a fixed hash of the whole key (KeyPriority). Only set in nodes and for
  // inserts; lookups leave it 0.
  uint32_t priority;
};
static_assert(sizeof(KeyInfo) == 32);

struct PersistentMap::Node {
  std::shared_ptr<const Entry> entry;
  KeyInfo info;
  NodePtr left;   // keys < entry->key
  NodePtr right;  // keys > entry->key
};

namespace {

using NodePtr = PersistentMap::NodePtr;
using Node = PersistentMap::Node;

// If the padded words of a and b differ, the first differing word orders a and b bytewise (at the
// first differing byte either both have a byte, or one ended there and its padding 0 is below the
// other's byte). If they are equal and both keys fit in the words, the shorter key is a prefix of
// the longer (the rest of the longer is zeros); otherwise only the full keys decide.
KeyInfo MakeKeyInfo(std::string_view key) {
  KeyInfo p;
  p.size = static_cast<uint32_t>(std::min(key.size(), kPrefixBytes + 1));
  p.priority = 0;
  unsigned char buf[kPrefixBytes] = {};
  std::memcpy(buf, key.data(), std::min(key.size(), kPrefixBytes));
  for (size_t w = 0; w < kPrefixWords; ++w) {
    uint64_t v;
    std::memcpy(&v, buf + w * 8, 8);
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
    p.words[w] = v;
  }
  return p;
}

// FNV-1a folded through the splitmix64 finaliser, top 32 bits: a fixed, platform-independent key
// hash.
uint32_t KeyPriority(std::string_view key) {
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  h += 0x9e3779b97f4a7c15ULL;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
  return static_cast<uint32_t>((h ^ (h >> 31)) >> 32);
}

// Three-way comparison of `key` (whose KeyInfo is `ki`) with node n's key.
inline int Compare(std::string_view key, const KeyInfo& ki, const Node& n) {
  for (size_t w = 0; w < kPrefixWords; ++w) {
    if (ki.words[w] != n.info.words[w]) return ki.words[w] < n.info.words[w] ? -1 : 1;
  }
  if (ki.size <= kPrefixBytes && n.info.size <= kPrefixBytes) {
    return ki.size == n.info.size ? 0 : (ki.size < n.info.size ? -1 : 1);
  }
  return key.compare(n.entry->key);
}

NodePtr Make(const std::shared_ptr<const Entry>& entry, const KeyInfo& info, NodePtr left,
             NodePtr right) {
  // Allocated non-const: a node nobody else references may be changed in place (see Own).
  return std::make_shared<Node>(Node{entry, info, std::move(left), std::move(right)});
}

NodePtr With(const Node& n, NodePtr left, NodePtr right) {
  return Make(n.entry, n.info, std::move(left), std::move(right));
}

const Node* Find(const NodePtr& root, std::string_view key, const KeyInfo& ki) {
  const Node* n = root.get();
  while (n != nullptr) {
    int c = Compare(key, ki, *n);
    if (c == 0) return n;
    n = c < 0 ? n->left.get() : n->right.get();
  }
  return nullptr;
}

// Splits t into (keys < key, keys >= key), leaving t unchanged.
std::pair<NodePtr, NodePtr> Split(const NodePtr& t, std::string_view key, const KeyInfo& ki) {
  if (t == nullptr) return {nullptr, nullptr};
  if (Compare(key, ki, *t) > 0) {
    auto [l, r] = Split(t->right, key, ki);
    return {With(*t, t->left, std::move(l)), std::move(r)};
  }
  auto [l, r] = Split(t->left, key, ki);
  return {std::move(l), With(*t, std::move(r), t->right)};
}

std::pair<NodePtr, NodePtr> Split(const NodePtr& t, std::string_view key) {
  return Split(t, key, MakeKeyInfo(key));
}

// Joins a and b. REQUIRES: every key of a < every key of b.
NodePtr Merge(const NodePtr& a, const NodePtr& b) {
  if (a == nullptr) return b;
  if (b == nullptr) return a;
  if (a->info.priority >= b->info.priority) return With(*a, a->left, Merge(a->right, b));
  return With(*b, Merge(a, b->left), b->right);
}

// The node in `slot`, ready to be changed: itself if `slot` holds the only reference to it, else a
// fresh copy put in its place. Descending through Own copies exactly the nodes some other version
// (a snapshot, the durable version, an older map value) can still see — once a node is copied,
// its children gain a second reference and are copied in turn — and changes the rest in place.
Node* Own(NodePtr& slot) {
  if (slot.use_count() != 1) slot = std::make_shared<Node>(*slot);
  // Every node is allocated non-const (Make, above), so writing through it is well defined.
  return const_cast<Node*>(slot.get());
}

// Splits the tree t, which the caller gives up, into (keys < key, keys >= key): the same result
// as Split, but the nodes only t holds are relinked in place instead of copied (see Own).
std::pair<NodePtr, NodePtr> SplitOwned(NodePtr t, std::string_view key, const KeyInfo& ki) {
  if (t == nullptr) return {nullptr, nullptr};
  Node* n = Own(t);
  if (Compare(key, ki, *n) > 0) {
    auto [l, r] = SplitOwned(std::move(n->right), key, ki);
    n->right = std::move(l);
    return {std::move(t), std::move(r)};
  }
  auto [l, r] = SplitOwned(std::move(n->left), key, ki);
  n->left = std::move(r);
  return {std::move(l), std::move(t)};
}

// Sets the entry of e's key in the tree in `root`: replaces it where the key is, or inserts a node
// where the priorities put it. One descent serves both: a node's priority is a function of its key,
// so every ancestor of the key's node has at least its priority, and below a node of lower
// priority the key cannot be.
void Upsert(NodePtr& root, const std::shared_ptr<const Entry>& e, const KeyInfo& info) {
  NodePtr* slot = &root;
  while (*slot != nullptr && info.priority <= (*slot)->info.priority) {
    Node* n = Own(*slot);
    const int c = Compare(e->key, info, *n);
    if (c == 0) {
      n->entry = e;
      return;
    }
    slot = c < 0 ? &n->left : &n->right;
  }
  auto [l, r] = SplitOwned(std::move(*slot), e->key, info);
  *slot = Make(e, info, std::move(l), std::move(r));
}

// Removes a key that the tree in `slot` holds.
void Erase(NodePtr& slot, std::string_view key, const KeyInfo& ki) {
  int c = Compare(key, ki, *slot);
  if (c == 0) {
    slot = Merge(slot->left, slot->right);
    return;
  }
  Node* n = Own(slot);
  Erase(c < 0 ? n->left : n->right, key, ki);
}

size_t Count(const Node* n) {
  return n == nullptr ? 0 : 1 + Count(n->left.get()) + Count(n->right.get());
}

}  // namespace

bool PersistentMap::Get(std::string_view key, std::string* value) const {
  const Node* n = Find(root_, key, MakeKeyInfo(key));
  if (n == nullptr) return false;
  *value = n->entry->value;
  return true;
}

bool PersistentMap::Contains(std::string_view key) const {
  return Find(root_, key, MakeKeyInfo(key)) != nullptr;
}

PersistentMap PersistentMap::Put(std::string_view key, std::string_view value) const& {
  return PersistentMap(*this).Put(key, value);
}

PersistentMap PersistentMap::Put(std::string_view key, std::string_view value) && {
  return std::move(*this).Put(
      std::make_shared<const Entry>(Entry{std::string(key), std::string(value)}));
}

PersistentMap PersistentMap::Put(KeyValuePtr kv) const& {
  return PersistentMap(*this).Put(std::move(kv));
}

PersistentMap PersistentMap::Put(KeyValuePtr kv) && {
  KeyInfo info = MakeKeyInfo(kv->key);
  info.priority = KeyPriority(kv->key);
  Upsert(root_, kv, info);
  return std::move(*this);
}

PersistentMap PersistentMap::Delete(std::string_view key) const& {
  return PersistentMap(*this).Delete(key);
}

PersistentMap PersistentMap::Delete(std::string_view key) && {
  const KeyInfo ki = MakeKeyInfo(key);
  if (Find(root_, key, ki) != nullptr) Erase(root_, key, ki);
  return std::move(*this);
}

PersistentMap PersistentMap::DeleteRange(std::string_view begin, std::string_view end) const {
  if (begin >= end) return *this;
  auto [left, rest] = Split(root_, begin);
  auto [middle, right] = Split(rest, end);
  if (middle == nullptr) return *this;  // nothing in range: keep the old nodes
  return PersistentMap(Merge(left, right));
}

size_t PersistentMap::CountSlow() const { return Count(root_.get()); }

void PersistentMap::Cursor::SeekToFirst() {
  stack_.clear();
  for (const Node* n = root_.get(); n != nullptr; n = n->left.get()) stack_.push_back(n);
}

void PersistentMap::Cursor::Seek(std::string_view target) {
  stack_.clear();
  const KeyInfo ki = MakeKeyInfo(target);
  const Node* n = root_.get();
  while (n != nullptr) {
    if (Compare(target, ki, *n) <= 0) {
      stack_.push_back(n);
      n = n->left.get();
    } else {
      n = n->right.get();
    }
  }
}

void PersistentMap::Cursor::Next() {
  const Node* n = stack_.back();
  stack_.pop_back();
  for (n = n->right.get(); n != nullptr; n = n->left.get()) stack_.push_back(n);
}

const std::string& PersistentMap::Cursor::key() const { return stack_.back()->entry->key; }
const std::string& PersistentMap::Cursor::value() const { return stack_.back()->entry->value; }

}  // namespace tinykv::store
