// PersistentMap: an immutable, ordered map from binary keys to binary values, the data structure
// under MemEngine.
//
// "Persistent" in the functional sense: an update returns a new map and leaves the old one
// untouched, sharing every node it did not change (path copying in a treap). So a snapshot of the
// engine is a copy of three pointers, an iterator keeps reading its version while later writes
// land, and the crash model keeps its durable version at no cost. Updates cost O(log n) expected
// node allocations; DeleteRange is two splits and a merge.
//
// An update of a map value nobody else shares (`std::move(m).Put(...)`) copies only the nodes
// that another version can still see and changes the others in place: a store writing to its
// live version between snapshots allocates one entry per write instead of a whole path.
//
// Determinism: a node's treap priority is a fixed hash of its key, so the shape of the tree (and
// with it every cost) depends only on the set of keys, never on allocation addresses or history.
//
// Values are plain values (cheap to copy: one shared pointer). Not thread-safe: in-place updates
// decide by reference counts, so every copy of a map must stay on one thread (the simulator's).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/engine/key_value.h"

namespace tinykv::store {

class PersistentMap {
 public:
  PersistentMap() = default;

  // Sets *value and returns true when `key` is present.
  bool Get(std::string_view key, std::string* value) const;
  bool Contains(std::string_view key) const;

  // New maps with one change applied. The rvalue forms reuse the nodes only this map holds
  // (m = std::move(m).Put(k, v)); the results are the same either way.
  [[nodiscard]] PersistentMap Put(std::string_view key, std::string_view value) const&;
  [[nodiscard]] PersistentMap Put(std::string_view key, std::string_view value) &&;
  // Puts kv->key → kv->value, keeping `kv` itself as the entry (no copy of the bytes).
  // REQUIRES: kv != nullptr.
  [[nodiscard]] PersistentMap Put(KeyValuePtr kv) const&;
  [[nodiscard]] PersistentMap Put(KeyValuePtr kv) &&;
  [[nodiscard]] PersistentMap Delete(std::string_view key) const&;
  [[nodiscard]] PersistentMap Delete(std::string_view key) &&;
  // Removes every key k with begin <= k < end; begin >= end changes nothing.
  [[nodiscard]] PersistentMap DeleteRange(std::string_view begin, std::string_view end) const;

  bool Empty() const { return root_ == nullptr; }
  // Number of keys. O(n): for tests and debugging.
  size_t CountSlow() const;

  struct Node;
  using NodePtr = std::shared_ptr<const Node>;

  // A forward cursor. Holds the root, so the version it reads lives as long as it does.
  class Cursor {
   public:
    explicit Cursor(const PersistentMap& map) : root_(map.root_) {}
    bool Valid() const { return !stack_.empty(); }
    void SeekToFirst();
    void Seek(std::string_view target);
    void Next();                       // REQUIRES: Valid()
    const std::string& key() const;    // REQUIRES: Valid()
    const std::string& value() const;  // REQUIRES: Valid()

   private:
    NodePtr root_;
    // Nodes whose keys are >= the current one and still to visit; the top is the current entry.
    // Raw pointers are safe: root_ keeps the whole version alive.
    std::vector<const Node*> stack_;
  };

 private:
  explicit PersistentMap(NodePtr root) : root_(std::move(root)) {}

  NodePtr root_;
};

}  // namespace tinykv::store
