// KvGet (lab 4B): a snapshot read at the request's version.
#include <memory>

#include "txn/command_util.h"
#include "txn/commands.h"

namespace tinykv::txn {

kvrpcpb::GetResponse KvGet(CommandEnv& env, const kvrpcpb::GetRequest& req) {
  kvrpcpb::GetResponse resp;
  std::unique_ptr<store::StorageReader> reader = OpenReader(env, req.context(), &resp);
  if (reader == nullptr) return resp;
  MvccTxn txn(reader.get(), req.version());
  // BEGIN SOLUTION(lab4b)
  // STUB: resp.mutable_error()->set_abort("KvGet is not implemented (lab4b)");
  // A lock of a transaction that started at or before our version: it may commit at a ts below
  // ours, so the value at our version is not known yet. The client resolves the lock and retries.
  std::optional<Lock> lock;
  if (store::Status s = txn.GetLock(req.key(), &lock); !s.ok()) {
    FillError(s, &resp);
    return resp;
  }
  if (lock && lock->start_ts <= req.version()) {
    *resp.mutable_error()->mutable_locked() = LockInfoOf(req.key(), *lock);
    return resp;
  }
  std::optional<std::string> value;
  if (store::Status s = txn.GetValue(req.key(), &value); !s.ok()) {
    FillError(s, &resp);
    return resp;
  }
  if (value) {
    resp.set_value(*value);
  } else {
    resp.set_not_found(true);
  }
  // END SOLUTION
  return resp;
}

}  // namespace tinykv::txn
