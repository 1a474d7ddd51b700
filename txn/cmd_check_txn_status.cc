// KvCheckTxnStatus (lab 4C): what became of the transaction whose primary lock is
// (primary_key, lock_ts), rolling it back when its lock has expired or was never written.
//
// CheckTxnStatusResponse has no KeyError: a region error goes into region_error as it came, and
// any other failure becomes a region error whose `message` is the status text (nothing was
// written; the client retries, as for any region error). The outcome fields are then all zero.
#include <memory>
#include <optional>
#include <string>

#include "txn/command_util.h"
#include "txn/commands.h"
#include "txn/mvcc_key.h"

namespace tinykv::txn {
namespace {

void FailCheck(const store::Status& status, kvrpcpb::CheckTxnStatusResponse* resp) {
  *resp = {};
  kvrpcpb::KeyError error;
  FillError(status, resp->mutable_region_error(), &error);
  if (!error.retryable().empty()) resp->mutable_region_error()->set_message(error.retryable());
}

}  // namespace

kvrpcpb::CheckTxnStatusResponse KvCheckTxnStatus(CommandEnv& env,
                                                 const kvrpcpb::CheckTxnStatusRequest& req) {
  kvrpcpb::CheckTxnStatusResponse resp;
  Latches::Guard guard = env.latches.Acquire({req.primary_key()});
  std::unique_ptr<store::StorageReader> reader;
  if (store::Status s = env.storage.Reader(req.context(), &reader); !s.ok()) {
    FailCheck(s, &resp);
    return resp;
  }
  MvccTxn txn(reader.get(), req.lock_ts());
  // BEGIN SOLUTION(lab4c)
  // STUB: resp.mutable_region_error()->set_message("KvCheckTxnStatus is not implemented (lab4c)");
  const std::string& primary = req.primary_key();
  const Write rollback{.start_ts = req.lock_ts(), .kind = WriteKind::kRollback};
  std::optional<Lock> lock;
  if (store::Status s = txn.GetLock(primary, &lock); !s.ok()) {
    FailCheck(s, &resp);
    return resp;
  }
  if (lock && lock->start_ts == req.lock_ts()) {
    // The TTL is in milliseconds, so it is compared with the timestamps' physical parts: added
    // to a whole TSO timestamp it would be a few logical ticks, and every lock would expire.
    if (PhysicalTime(lock->start_ts) + lock->ttl < PhysicalTime(req.current_ts())) {
      txn.DeleteLock(primary);
      txn.DeleteValue(primary);
      txn.PutWrite(primary, req.lock_ts(), rollback);
      resp.set_action(kvrpcpb::TTLExpireRollback);
    } else {
      resp.set_lock_ttl(lock->ttl);  // still running: the caller waits and asks again
    }
  } else {
    // No lock of ours (another transaction's lock, if any, is none of our business): the
    // transaction committed, was rolled back, or never prewrote its primary.
    std::optional<CommittedWrite> ours;
    if (store::Status s = txn.CurrentWrite(primary, &ours); !s.ok()) {
      FailCheck(s, &resp);
      return resp;
    }
    if (ours && ours->write.kind != WriteKind::kRollback) {
      resp.set_commit_version(ours->commit_ts);
    } else if (!ours) {
      // The prewrite of the primary was lost or is still on its way: the record makes it fail
      // when it arrives, so the transaction can never commit.
      txn.PutWrite(primary, req.lock_ts(), rollback);
      resp.set_action(kvrpcpb::LockNotExistRollback);
    }
  }
  // END SOLUTION
  if (resp.has_region_error()) return resp;
  if (store::Status s = WriteLatched(env, guard, req.context(), txn); !s.ok()) {
    FailCheck(s, &resp);
  }
  return resp;
}

}  // namespace tinykv::txn
