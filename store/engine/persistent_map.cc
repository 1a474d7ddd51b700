#include "store/engine/persistent_map.h"

#include <utility>

namespace tinykv::store {

// An entry is immutable and shared by every version of every node that holds it, so path copying
// copies one pointer per node, never a key or a (possibly 1 MiB) value.
struct Entry {
  std::string key;
  std::string value;
};

struct PersistentMap::Node {
  std::shared_ptr<const Entry> entry;
  // The first 8 key bytes, big-endian, zero-padded: decides most comparisons without touching
  // the entry (one cache miss fewer per tree level). See ComparePrefixed.
  uint64_t prefix;
  uint64_t priority;
  NodePtr left;   // keys < entry->key
  NodePtr right;  // keys > entry->key
};

namespace {

using NodePtr = PersistentMap::NodePtr;
using Node = PersistentMap::Node;

// FNV-1a folded through the splitmix64 finaliser: a fixed, platform-independent key hash.
// The first 8 bytes of `key` as a big-endian number, zero-padded. If Prefix(a) < Prefix(b) then
// a < b bytewise (at the first differing byte either both have a byte, or a ended there and its
// padding 0 is below b's byte); equal prefixes decide nothing.
uint64_t Prefix(std::string_view key) {
  uint64_t p = 0;
  for (size_t i = 0; i < 8; ++i) {
    p = (p << 8) | (i < key.size() ? static_cast<unsigned char>(key[i]) : 0u);
  }
  return p;
}

uint64_t KeyPriority(std::string_view key) {
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  h += 0x9e3779b97f4a7c15ULL;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

// Three-way comparison of `key` (whose Prefix is `key_prefix`) with node n's key.
int ComparePrefixed(std::string_view key, uint64_t key_prefix, const Node& n) {
  if (key_prefix != n.prefix) return key_prefix < n.prefix ? -1 : 1;
  return key.compare(n.entry->key);
}

NodePtr Make(const std::shared_ptr<const Entry>& entry, uint64_t prefix, uint64_t priority,
             NodePtr left, NodePtr right) {
  // Allocated non-const: a node nobody else references may be changed in place (see Own).
  return std::make_shared<Node>(Node{entry, prefix, priority, std::move(left), std::move(right)});
}

NodePtr With(const Node& n, NodePtr left, NodePtr right) {
  return Make(n.entry, n.prefix, n.priority, std::move(left), std::move(right));
}

const Node* Find(const NodePtr& root, std::string_view key) {
  const uint64_t prefix = Prefix(key);
  const Node* n = root.get();
  while (n != nullptr) {
    int c = ComparePrefixed(key, prefix, *n);
    if (c == 0) return n;
    n = c < 0 ? n->left.get() : n->right.get();
  }
  return nullptr;
}

// Splits t into (keys < key, keys >= key).
std::pair<NodePtr, NodePtr> Split(const NodePtr& t, std::string_view key, uint64_t prefix) {
  if (t == nullptr) return {nullptr, nullptr};
  if (ComparePrefixed(key, prefix, *t) > 0) {
    auto [l, r] = Split(t->right, key, prefix);
    return {With(*t, t->left, std::move(l)), std::move(r)};
  }
  auto [l, r] = Split(t->left, key, prefix);
  return {std::move(l), With(*t, std::move(r), t->right)};
}

std::pair<NodePtr, NodePtr> Split(const NodePtr& t, std::string_view key) {
  return Split(t, key, Prefix(key));
}

// Joins a and b. REQUIRES: every key of a < every key of b.
NodePtr Merge(const NodePtr& a, const NodePtr& b) {
  if (a == nullptr) return b;
  if (b == nullptr) return a;
  if (a->priority >= b->priority) return With(*a, a->left, Merge(a->right, b));
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

// Inserts a key that the tree in `slot` does not hold.
void Insert(NodePtr& slot, const std::shared_ptr<const Entry>& e, uint64_t prefix,
            uint64_t priority) {
  if (slot == nullptr) {
    slot = Make(e, prefix, priority, nullptr, nullptr);
    return;
  }
  if (priority > slot->priority) {
    auto [l, r] = Split(slot, e->key, prefix);
    slot = Make(e, prefix, priority, std::move(l), std::move(r));
    return;
  }
  Node* n = Own(slot);
  Insert(ComparePrefixed(e->key, prefix, *n) < 0 ? n->left : n->right, e, prefix, priority);
}

// Replaces the entry of a key that the tree in `slot` holds, keeping the shape.
void Replace(NodePtr& slot, const std::shared_ptr<const Entry>& e, uint64_t prefix) {
  Node* n = Own(slot);
  int c = ComparePrefixed(e->key, prefix, *n);
  if (c == 0) {
    n->entry = e;
    return;
  }
  Replace(c < 0 ? n->left : n->right, e, prefix);
}

// Removes a key that the tree in `slot` holds.
void Erase(NodePtr& slot, std::string_view key, uint64_t prefix) {
  int c = ComparePrefixed(key, prefix, *slot);
  if (c == 0) {
    slot = Merge(slot->left, slot->right);
    return;
  }
  Node* n = Own(slot);
  Erase(c < 0 ? n->left : n->right, key, prefix);
}

size_t Count(const Node* n) {
  return n == nullptr ? 0 : 1 + Count(n->left.get()) + Count(n->right.get());
}

}  // namespace

bool PersistentMap::Get(std::string_view key, std::string* value) const {
  const Node* n = Find(root_, key);
  if (n == nullptr) return false;
  *value = n->entry->value;
  return true;
}

bool PersistentMap::Contains(std::string_view key) const { return Find(root_, key) != nullptr; }

PersistentMap PersistentMap::Put(std::string_view key, std::string_view value) const& {
  return PersistentMap(*this).Put(key, value);
}

PersistentMap PersistentMap::Put(std::string_view key, std::string_view value) && {
  auto entry = std::make_shared<const Entry>(Entry{std::string(key), std::string(value)});
  const uint64_t prefix = Prefix(key);
  if (Find(root_, key) != nullptr) {
    Replace(root_, entry, prefix);
  } else {
    Insert(root_, entry, prefix, KeyPriority(key));
  }
  return std::move(*this);
}

PersistentMap PersistentMap::Delete(std::string_view key) const& {
  return PersistentMap(*this).Delete(key);
}

PersistentMap PersistentMap::Delete(std::string_view key) && {
  if (Find(root_, key) != nullptr) Erase(root_, key, Prefix(key));
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
  const uint64_t prefix = Prefix(target);
  const Node* n = root_.get();
  while (n != nullptr) {
    if (ComparePrefixed(target, prefix, *n) <= 0) {
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
