// KvPrewrite (lab 4B): phase one of two-phase commit.
#include <memory>
#include <string>
#include <vector>

#include "txn/command_util.h"
#include "txn/commands.h"

namespace tinykv::txn {

kvrpcpb::PrewriteResponse KvPrewrite(CommandEnv& env, const kvrpcpb::PrewriteRequest& req) {
  kvrpcpb::PrewriteResponse resp;
  std::vector<std::string> keys;
  for (const kvrpcpb::Mutation& m : req.mutations()) keys.push_back(m.key());
  Latches::Guard guard = env.latches.Acquire(std::move(keys));
  std::unique_ptr<store::StorageReader> reader = OpenReader(env, req.context(), &resp);
  if (reader == nullptr) return resp;
  MvccTxn txn(reader.get(), req.start_version());
  // BEGIN SOLUTION(lab4b)
  // STUB: resp.add_errors()->set_abort("KvPrewrite is not implemented (lab4b)");
  for (const kvrpcpb::Mutation& m : req.mutations()) {
    const std::string& key = m.key();
    // A write committed at or after our start: another transaction changed the key after we
    // took our snapshot — committing ours would lose its update (snapshot isolation).
    std::optional<CommittedWrite> newest;
    if (store::Status s = txn.MostRecentWrite(key, &newest); !s.ok()) {
      FillError(s, &resp);
      return resp;
    }
    if (newest && newest->commit_ts >= req.start_version()) {
      kvrpcpb::WriteConflict* c = resp.add_errors()->mutable_conflict();
      c->set_start_ts(req.start_version());
      c->set_conflict_ts(newest->commit_ts);
      c->set_key(key);
      c->set_primary(req.primary_lock());
      continue;
    }
    // Another transaction's lock: it may still commit. (Our own lock is a retried prewrite.)
    std::optional<Lock> lock;
    if (store::Status s = txn.GetLock(key, &lock); !s.ok()) {
      FillError(s, &resp);
      return resp;
    }
    if (lock && lock->start_ts != req.start_version()) {
      *resp.add_errors()->mutable_locked() = LockInfoOf(key, *lock);
      continue;
    }
    WriteKind kind;
    switch (m.op()) {
      case kvrpcpb::Put:
        kind = WriteKind::kPut;
        txn.PutValue(key, m.value());
        break;
      case kvrpcpb::Del:
        kind = WriteKind::kDelete;
        txn.DeleteValue(key);
        break;
      default:
        resp.add_errors()->set_abort("prewrite: unsupported mutation " + kvrpcpb::Op_Name(m.op()) +
                                     " of key " + key);
        continue;
    }
    txn.PutLock(key, Lock{.primary = req.primary_lock(),
                          .start_ts = req.start_version(),
                          .ttl = req.lock_ttl(),
                          .kind = kind});
  }
  // END SOLUTION
  // All or nothing: one key that cannot be locked leaves every key as it was.
  if (resp.errors_size() > 0) return resp;
  if (store::Status s = WriteLatched(env, guard, req.context(), txn); !s.ok()) {
    FillError(s, &resp);
  }
  return resp;
}

}  // namespace tinykv::txn
