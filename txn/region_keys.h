// Region keys: where transactional keys live in the key space that regions cut (the cluster's
// layout; standalone lab-4 storage keeps TinyKV's bytes).
//
// TinyKV keys CF lock by the raw user key u but CF default and CF write by EncodeKey(u, ts)
// (txn/mvcc_key.h), i.e. by EncodeBytes(u) followed by a timestamp. No boundary keeps both kinds
// of record of every key on one side: cut at EncodeBytes(s) and s's versions sort after the cut,
// but its lock, stored as s (a prefix of the cut), sorts before it; cut at raw keys and the
// versions scatter. Worse, the split checker picks a CF default key, a version, so a cut there
// would even separate two versions of one key.
//
// The cluster therefore stores every transactional record under RegionKey(u) = EncodeBytes(u)
// (TiKV's layout): CF lock under RegionKey(u) itself, CF default and CF write under
// RegionKey(u) + ts as before. Regions are cut only at RegionKey boundaries (SplitKeyOf strips a
// version's timestamp off the split checker's choice), so for any region [RegionKey(a),
// RegionKey(b)) the user keys it holds are exactly a <= u < b, with all of their records. Clients
// route a user key by RegionKey(u) and continue a scan at UserKeyOfBound(region end).
//
// RegionKeyedStorage applies the layout under unchanged commands: it is a Storage wrapping the
// raftstore's, re-keying CF lock on the way in and out, so MvccTxn and the seven commands (the
// students' code) see raw user keys in CF lock exactly as with TinyKV's standalone storage.
//
// Pure functions, and an adapter with the threading rules of the storage it wraps.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/storage/storage.h"

namespace tinykv::txn {

// The key space position of user key `user_key`: its lock's key, and the prefix of its versions.
std::string RegionKey(std::string_view user_key);

// The user key a region boundary stands for, or nullopt when `bound` is not a RegionKey (a raw
// key from raw-KV use of the cluster). An empty bound (the key space's ends) is the empty key.
std::optional<std::string> UserKeyOfBound(std::string_view bound);

// Where to cut a region when the split checker picked data key `data_key`: the RegionKey of its
// user key when it is an MVCC key (so every version of that key goes to the right-hand region),
// otherwise `data_key` itself (raw KV data, which any boundary splits cleanly).
std::string SplitKeyOf(std::string_view data_key);

// A Storage that keys CF lock by RegionKey(u) underneath and by u above; CF default and CF write
// pass through untouched. A stored lock key that is not a RegionKey (damaged data) stops the lock
// iterator with a Corruption status naming it. `inner` is not owned and must outlive this object.
class RegionKeyedStorage final : public store::Storage {
 public:
  explicit RegionKeyedStorage(store::Storage& inner) : inner_(inner) {}

  store::Status Start() override { return inner_.Start(); }
  store::Status Stop() override { return inner_.Stop(); }
  store::Status Write(const kvrpcpb::Context& ctx,
                      const std::vector<store::Modify>& batch) override;
  store::Status Reader(const kvrpcpb::Context& ctx,
                       std::unique_ptr<store::StorageReader>* reader) override;

 private:
  store::Storage& inner_;
};

}  // namespace tinykv::txn
