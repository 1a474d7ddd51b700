// KvResolveLock (lab 4C): settles every lock of one transaction that the region holds, the way
// its client would have: committed at commit_version, or rolled back when commit_version is 0.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "txn/command_util.h"
#include "txn/commands.h"
#include "txn/printable.h"

namespace tinykv::txn {
namespace {

// BEGIN SOLUTION(lab4c)
// A request of the command that does the work — BatchRollbackRequest or CommitRequest — for
// `keys` of the transaction `req` resolves.
template <typename Request>
Request SettleRequest(const kvrpcpb::ResolveLockRequest& req, std::vector<std::string> keys) {
  Request settle;
  *settle.mutable_context() = req.context();
  settle.set_start_version(req.start_version());
  for (std::string& key : keys) settle.add_keys(std::move(key));
  return settle;
}

// Copies that command's outcome (the same two fields) into `resp`.
template <typename Response>
void TakeOutcome(const Response& from, kvrpcpb::ResolveLockResponse* resp) {
  if (from.has_region_error()) *resp->mutable_region_error() = from.region_error();
  if (from.has_error()) *resp->mutable_error() = from.error();
}
// END SOLUTION

}  // namespace

kvrpcpb::ResolveLockResponse KvResolveLock(CommandEnv& env,
                                           const kvrpcpb::ResolveLockRequest& req) {
  kvrpcpb::ResolveLockResponse resp;
  std::unique_ptr<store::StorageReader> reader = OpenReader(env, req.context(), &resp);
  if (reader == nullptr) return resp;
  // BEGIN SOLUTION(lab4c)
  // STUB: resp.mutable_error()->set_abort("KvResolveLock is not implemented (lab4c)");
  // Which keys the transaction holds is only known from CF lock (the reader covers the region).
  std::vector<std::string> keys;
  std::unique_ptr<store::Iterator> it = reader->IterCF(store::Cf::kLock);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    Lock lock;
    if (store::Status s = ParseLock(it->value(), &lock); !s.ok()) {
      resp.mutable_error()->set_retryable("resolve lock: the lock of key " + Printable(it->key()) +
                                          " does not parse: " + s.ToString());
      return resp;
    }
    if (lock.start_ts == req.start_version()) keys.emplace_back(it->key());
  }
  if (store::Status s = it->status(); !s.ok()) {
    FillError(s, &resp);
    return resp;
  }
  it.reset();
  reader.reset();
  if (keys.empty()) return resp;
  // KvCommit and KvBatchRollback latch the keys and check each lock again before they change it,
  // so a key settled by someone else since our read is handled as they would handle it.
  if (req.commit_version() == 0) {
    TakeOutcome(
        KvBatchRollback(env, SettleRequest<kvrpcpb::BatchRollbackRequest>(req, std::move(keys))),
        &resp);
  } else {
    auto commit = SettleRequest<kvrpcpb::CommitRequest>(req, std::move(keys));
    commit.set_commit_version(req.commit_version());
    TakeOutcome(KvCommit(env, commit), &resp);
  }
  // END SOLUTION
  return resp;
}

}  // namespace tinykv::txn
