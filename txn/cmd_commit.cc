// KvCommit (lab 4B): phase two of two-phase commit.
#include <memory>

#include "txn/command_util.h"
#include "txn/commands.h"

namespace tinykv::txn {

kvrpcpb::CommitResponse KvCommit(CommandEnv& env, const kvrpcpb::CommitRequest& req) {
  kvrpcpb::CommitResponse resp;
  Latches::Guard guard = env.latches.Acquire(KeyList(req.keys()));
  std::unique_ptr<store::StorageReader> reader = OpenReader(env, req.context(), &resp);
  if (reader == nullptr) return resp;
  MvccTxn txn(reader.get(), req.start_version());
  // BEGIN SOLUTION(lab4b)
  // STUB: resp.mutable_error()->set_abort("KvCommit is not implemented (lab4b)");
  for (const std::string& key : req.keys()) {
    std::optional<Lock> lock;
    if (store::Status s = txn.GetLock(key, &lock); !s.ok()) {
      FillError(s, &resp);
      return resp;
    }
    if (lock && lock->start_ts == req.start_version()) {
      txn.PutWrite(key, req.commit_version(),
                   Write{.start_ts = req.start_version(), .kind = lock->kind});
      txn.DeleteLock(key);
      continue;
    }
    // Our lock is gone: we committed it already (a repeated commit), it was rolled back, or it
    // was never written (a lost prewrite).
    std::optional<CommittedWrite> ours;
    if (store::Status s = txn.CurrentWrite(key, &ours); !s.ok()) {
      FillError(s, &resp);
      return resp;
    }
    if (ours && ours->write.kind != WriteKind::kRollback) continue;  // committed before
    if (ours) {
      resp.mutable_error()->set_abort("commit: the transaction of start ts " +
                                      std::to_string(req.start_version()) +
                                      " was rolled back on key " + key);
      return resp;
    }
    if (lock) {
      // Another transaction's lock where ours should be: ours was rolled back and the key
      // taken since, or this commit raced a resolver. The client must find out which.
      resp.mutable_error()->set_retryable("commit: key " + key +
                                          " is locked by the transaction of start ts " +
                                          std::to_string(lock->start_ts));
      return resp;
    }
  }
  // END SOLUTION
  if (resp.has_error()) return resp;
  if (store::Status s = WriteLatched(env, guard, req.context(), txn); !s.ok()) {
    FillError(s, &resp);
  }
  return resp;
}

}  // namespace tinykv::txn
