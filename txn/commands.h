// The seven transactional commands of the KV service (TinyKV's kv/transaction, labs 4B and 4C):
// Percolator's two-phase commit and the lock resolution around it, each as a plain function from
// a kvrpcpb request to its response over a Storage — the standalone one of the lab-4 tests or the
// raftstore's (so they run across regions, on every store, under faults).
//
// Every command reads one snapshot (a StorageReader taken when it starts) and writes at most one
// batch (MvccTxn's buffered writes, through Storage::Write): all of its effects or none. The
// commands that write take the latches of every key they may write before they read
// (txn/latches.h), so two commands on a common key run one after the other, and check before
// writing that they write only keys they latched. KvGet and KvScan take no latches.
//
// Semantics and errors are TinyKV's (labs/txn/README.md has the rules). Errors never escape as
// exceptions or aborts: a region error from the storage (not leader, epoch not match, …) goes
// into `region_error` untouched, so a client retries elsewhere; any other storage failure is a
// KeyError `retryable` with the status text (nothing was written); the transactional outcomes —
// another transaction's lock, a write conflict, an abort — are KeyErrors as TinyKV sets them.
//
// Called on the node's fibers (latch waits block the calling fiber).
#pragma once

#include "proto/kvrpcpb.pb.h"
#include "store/storage/storage.h"
#include "txn/latches.h"

namespace tinykv::txn {

// What a command runs against. Both outlive every command call.
struct CommandEnv {
  store::Storage& storage;
  Latches& latches;
};

// ---- lab 4B ----
// The value of `key` as of `version`; a lock of a transaction that started at or before
// `version` makes it an error (`locked`), since that transaction might commit before `version`.
kvrpcpb::GetResponse KvGet(CommandEnv& env, const kvrpcpb::GetRequest& req);
// Locks every mutated key for the transaction and stages its value, or nothing at all.
kvrpcpb::PrewriteResponse KvPrewrite(CommandEnv& env, const kvrpcpb::PrewriteRequest& req);
// Turns the transaction's locks on `keys` into writes at commit_version.
kvrpcpb::CommitResponse KvCommit(CommandEnv& env, const kvrpcpb::CommitRequest& req);

// ---- lab 4C ----
kvrpcpb::ScanResponse KvScan(CommandEnv& env, const kvrpcpb::ScanRequest& req);
kvrpcpb::CheckTxnStatusResponse KvCheckTxnStatus(CommandEnv& env,
                                                 const kvrpcpb::CheckTxnStatusRequest& req);
kvrpcpb::BatchRollbackResponse KvBatchRollback(CommandEnv& env,
                                               const kvrpcpb::BatchRollbackRequest& req);
kvrpcpb::ResolveLockResponse KvResolveLock(CommandEnv& env, const kvrpcpb::ResolveLockRequest& req);

}  // namespace tinykv::txn
