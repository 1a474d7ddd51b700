// KvMethods: methods a layer above the store adds to its KV service (txn/txn_rpc.h: the
// transactional Kv* commands). A light header on purpose: store_node.h includes it.
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

}  // namespace tinykv::store
