#include "txn/txn_rpc.h"

#include <memory>

#include "store/server/sim_rpc.h"
#include "txn/region_keys.h"

namespace tinykv::txn {
std::optional<std::string> HandleTxnRpc(CommandEnv& env, std::string_view method,
                                        std::string_view body) {
  if (method == "KvGet") return store::ParseAndRun<kvrpcpb::GetRequest>(method, body, env, KvGet);
  if (method == "KvPrewrite")
    return store::ParseAndRun<kvrpcpb::PrewriteRequest>(method, body, env, KvPrewrite);
  if (method == "KvCommit")
    return store::ParseAndRun<kvrpcpb::CommitRequest>(method, body, env, KvCommit);
  if (method == "KvScan")
    return store::ParseAndRun<kvrpcpb::ScanRequest>(method, body, env, KvScan);
  if (method == "KvCheckTxnStatus") {
    return store::ParseAndRun<kvrpcpb::CheckTxnStatusRequest>(method, body, env, KvCheckTxnStatus);
  }
  if (method == "KvBatchRollback") {
    return store::ParseAndRun<kvrpcpb::BatchRollbackRequest>(method, body, env, KvBatchRollback);
  }
  if (method == "KvResolveLock") {
    return store::ParseAndRun<kvrpcpb::ResolveLockRequest>(method, body, env, KvResolveLock);
  }
  return std::nullopt;
}

store::KvMethods TxnKvMethods() {
  auto latches = std::make_shared<Latches>();
  return [latches](store::Storage& storage, std::string_view method, std::string_view body) {
    RegionKeyedStorage region_keyed(storage);  // the cluster's layout (txn/region_keys.h)
    CommandEnv env{region_keyed, *latches};
    return HandleTxnRpc(env, method, body);
  };
}

}  // namespace tinykv::txn
