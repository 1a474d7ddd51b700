// Helpers shared by the transactional commands (txn/commands.h). Given code, not part of a lab.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "proto/errorpb.pb.h"
#include "proto/kvrpcpb.pb.h"
#include "store/status.h"
#include "store/storage/storage.h"
#include "txn/commands.h"
#include "txn/latches.h"
#include "txn/lock.h"
#include "txn/mvcc_txn.h"

namespace tinykv::txn {

// Puts a failed status into a response: a region error into *region_error (the serialized
// errorpb.Error it carries), anything else as a `retryable` KeyError with the status text.
// REQUIRES: !status.ok().
void FillError(const store::Status& status, errorpb::Error* region_error, kvrpcpb::KeyError* error);

// The same into a response: a region error into its `region_error`, anything else into the
// KeyError `key_error()` returns (a pointer into the response). Sets exactly one of the two: a
// response must not carry an empty region error, which a client would take for one.
template <typename Response, typename KeyErrorSlot>
void FillErrorInto(const store::Status& status, Response* resp, KeyErrorSlot key_error) {
  errorpb::Error region_error;
  kvrpcpb::KeyError error;
  FillError(status, &region_error, &error);
  if (error.retryable().empty()) {
    *resp->mutable_region_error() = std::move(region_error);
  } else {
    *key_error() = std::move(error);
  }
}
// For a response with `region_error` and one `error`.
template <typename Response>
void FillError(const store::Status& status, Response* resp) {
  FillErrorInto(status, resp, [resp] { return resp->mutable_error(); });
}
// For a prewrite, whose key errors are a list: a retryable error is one more of them.
inline void FillError(const store::Status& status, kvrpcpb::PrewriteResponse* resp) {
  FillErrorInto(status, resp, [resp] { return resp->add_errors(); });
}

// A reader of `env.storage` for `ctx`, or null with the failure put into *resp (FillError).
template <typename Response>
std::unique_ptr<store::StorageReader> OpenReader(CommandEnv& env, const kvrpcpb::Context& ctx,
                                                 Response* resp) {
  std::unique_ptr<store::StorageReader> reader;
  if (store::Status s = env.storage.Reader(ctx, &reader); !s.ok()) {
    FillError(s, resp);
    return nullptr;
  }
  return reader;
}

// What a `locked` KeyError tells about `lock` on `key`.
kvrpcpb::LockInfo LockInfoOf(std::string_view key, const Lock& lock);

// The user key a buffered modification writes: the raw key in CF lock, the decoded one in CF
// default and CF write. Corruption for an MVCC key that does not decode.
store::Status UserKeyOf(const store::Modify& m, std::string* key);

// Writes `txn`'s buffered writes as one batch, after checking with `latches` that each user key
// written is one `guard` holds (InvalidArgument naming it otherwise, and nothing is written).
// An empty batch writes nothing and succeeds.
store::Status WriteLatched(CommandEnv& env, const Latches::Guard& guard,
                           const kvrpcpb::Context& ctx, const MvccTxn& txn);

// The keys of `keys` as strings (for Latches::Acquire).
std::vector<std::string> KeyList(const google::protobuf::RepeatedPtrField<std::string>& keys);

}  // namespace tinykv::txn
