#include "txn/command_util.h"

#include "txn/mvcc_key.h"

namespace tinykv::txn {

void FillError(const store::Status& status, errorpb::Error* region_error,
               kvrpcpb::KeyError* error) {
  if (status.IsRegionError() && region_error->ParseFromString(status.detail())) return;
  error->set_retryable(status.ToString());
}

kvrpcpb::LockInfo LockInfoOf(std::string_view key, const Lock& lock) {
  kvrpcpb::LockInfo info;
  info.set_key(std::string(key));
  info.set_primary_lock(lock.primary);
  info.set_lock_version(lock.start_ts);
  info.set_lock_ttl(lock.ttl);
  return info;
}

store::Status UserKeyOf(const store::Modify& m, std::string* key) {
  if (m.cf == store::Cf::kLock) {
    *key = m.key;
    return store::Status::OK();
  }
  return DecodeUserKey(m.key, key);
}

store::Status WriteLatched(CommandEnv& env, const Latches::Guard& guard,
                           const kvrpcpb::Context& ctx, const MvccTxn& txn) {
  if (txn.writes().empty()) return store::Status::OK();
  std::vector<std::string> written;
  for (const store::Modify& m : txn.writes()) {
    std::string key;
    if (store::Status s = UserKeyOf(m, &key); !s.ok()) return s;
    written.push_back(std::move(key));
  }
  if (store::Status s = env.latches.CheckWrites(guard, written); !s.ok()) return s;
  return env.storage.Write(ctx, txn.writes());
}

std::vector<std::string> KeyList(const google::protobuf::RepeatedPtrField<std::string>& keys) {
  return {keys.begin(), keys.end()};
}

}  // namespace tinykv::txn
