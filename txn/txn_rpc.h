// The transactional methods of the KV service over the simulated network: KvGet, KvPrewrite,
// KvCommit, KvScan, KvCheckTxnStatus, KvBatchRollback and KvResolveLock (txn/commands.h), framed
// as the raw ones are (store/server/sim_rpc.h: "<method>\0<request>", the method names of
// tinykvpb.TinyKv).
//
// A store serves them when whoever builds it passes TxnKvMethods() as StoreNodeOptions::
// kv_methods: the store layer does not depend on txn/, so the methods are added from above.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/server/kv_methods.h"
#include "txn/commands.h"

namespace tinykv::txn {

// The reply payload for `method` with request `body` run against env: a serialized response, an
// error frame for a body that does not parse, or nullopt for a method that is not one of the
// seven.
std::optional<std::string> HandleTxnRpc(CommandEnv& env, std::string_view method,
                                        std::string_view body);

// KvMethods serving the seven commands on a store's raftstore storage, in the cluster's key layout
// (txn/region_keys.h: CF lock under RegionKeys), with latches of their own (one set per call of this
// function: give each store its own). The latches live as long as the returned function.
store::KvMethods TxnKvMethods();

}  // namespace tinykv::txn
