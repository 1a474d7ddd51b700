// KvMethods: methods a layer above the store adds to its KV service (txn/txn_rpc.h: the
// transactional Kv* commands), and SplitKeyOf, the key layout those methods need regions cut at
// (txn/region_keys.h). A light header on purpose: store_node.h includes it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tinykv::store {

class Storage;

// For `method` and its serialized request `body`, the reply payload (a serialized response or an
// error frame, store/server/sim_rpc.h), or nullopt when it does not serve `method`.
using KvMethods = std::function<std::optional<std::string>(
    Storage& storage, std::string_view method, std::string_view body)>;

// Where to cut a region when the split checker picked the CF default key `data_key`: a boundary
// with data_key's records (e.g. every version of its user key) on its right-hand side, at or
// before data_key. Empty function: cut at data_key itself.
using SplitKeyOf = std::function<std::string(std::string_view data_key)>;

}  // namespace tinykv::store
