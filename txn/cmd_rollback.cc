// KvBatchRollback (lab 4C): aborts a transaction on the given keys.
#include <memory>
#include <optional>
#include <string>

#include "txn/command_util.h"
#include "txn/commands.h"
#include "txn/printable.h"

namespace tinykv::txn {

kvrpcpb::BatchRollbackResponse KvBatchRollback(CommandEnv& env,
                                               const kvrpcpb::BatchRollbackRequest& req) {
  kvrpcpb::BatchRollbackResponse resp;
  Latches::Guard guard = env.latches.Acquire(KeyList(req.keys()));
  std::unique_ptr<store::StorageReader> reader = OpenReader(env, req.context(), &resp);
  if (reader == nullptr) return resp;
  MvccTxn txn(reader.get(), req.start_version());
  // BEGIN SOLUTION(lab4c)
  // STUB: resp.mutable_error()->set_abort("KvBatchRollback is not implemented (lab4c)");
  // The guard's keys are the request's, each once: a key named twice is rolled back once.
  for (const std::string& key : guard.keys()) {
    std::optional<CommittedWrite> ours;
    if (store::Status s = txn.CurrentWrite(key, &ours); !s.ok()) {
      FillError(s, &resp);
      return resp;
    }
    if (ours && ours->write.kind == WriteKind::kRollback) continue;  // rolled back before
    if (ours) {
      // Too late: the transaction's fate was decided, and a commit is final.
      resp.mutable_error()->set_abort("rollback: the transaction of start ts " +
                                      std::to_string(req.start_version()) + " has committed key " +
                                      Printable(key) + " at ts " + std::to_string(ours->commit_ts));
      return resp;
    }
    std::optional<Lock> lock;
    if (store::Status s = txn.GetLock(key, &lock); !s.ok()) {
      FillError(s, &resp);
      return resp;
    }
    if (lock && lock->start_ts == req.start_version()) {
      txn.DeleteLock(key);
      txn.DeleteValue(key);
    }
    // Also with no lock of ours (never prewritten, or another transaction's lock, which stays):
    // the record makes a prewrite of ours that arrives late fail on a write conflict.
    txn.PutWrite(key, req.start_version(),
                 Write{.start_ts = req.start_version(), .kind = WriteKind::kRollback});
  }
  // END SOLUTION
  // All or nothing: one committed key leaves every key as it was.
  if (resp.has_error()) return resp;
  if (store::Status s = WriteLatched(env, guard, req.context(), txn); !s.ok()) {
    FillError(s, &resp);
  }
  return resp;
}

}  // namespace tinykv::txn
