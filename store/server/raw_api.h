// The raw key-value API of the KV service (TinyKV's RawGet / RawPut / RawDelete / RawScan), as
// plain functions from a request message to a response message over a Storage.
//
// Both worlds call these same functions: the simulator's in-process RPC layer (after decoding the
// request bytes) and the real gRPC server (tinykvpb.TinyKv). They never throw and never abort:
// every problem ends up in the response.
//
// Semantics (TinyKV's):
//  * RawGet of an absent key: `not_found = true`, no error.
//  * RawPut / RawDelete write one key; deleting an absent key succeeds.
//  * RawScan returns at most `limit` pairs of `cf` with key >= `start_key`, in key order, read
//    from one snapshot; limit 0 returns none. An empty start key scans from the beginning.
//  * `cf` must name a column family ("default", "lock", "write"); an empty `cf` means
//    "default" (as TiKV reads it). Any other name gets `error` set and touches nothing.
//  * Keys of RawGet / RawPut / RawDelete must not be empty (a malformed request: `error`).
//  * A storage failure sets `error` to the status text; a region error from a replicated storage
//    goes into `region_error` instead, so a client retries elsewhere.
//
// Called on the node's fibers; `storage` must be started.
#pragma once

#include <optional>
#include <string>

#include "proto/errorpb.pb.h"
#include "proto/kvrpcpb.pb.h"
#include "store/engine/engine.h"
#include "store/status.h"
#include "store/storage/storage.h"

namespace tinykv::store {

kvrpcpb::RawGetResponse RawGet(Storage& storage, const kvrpcpb::RawGetRequest& req);
kvrpcpb::RawPutResponse RawPut(Storage& storage, const kvrpcpb::RawPutRequest& req);
kvrpcpb::RawDeleteResponse RawDelete(Storage& storage, const kvrpcpb::RawDeleteRequest& req);
kvrpcpb::RawScanResponse RawScan(Storage& storage, const kvrpcpb::RawScanRequest& req);

// Helpers for handler code (given to students, not part of the lab).

// The CF a request names: "" means default; nullopt for an unknown name.
std::optional<Cf> RequestCf(const std::string& name);

// The message a response carries for an unknown CF name.
std::string UnknownCfError(const std::string& name);

// Puts a failed storage status into a response: a region error (Status::IsRegionError) into
// *region_error, anything else as text into *error. REQUIRES: !status.ok().
void FillError(const Status& status, errorpb::Error* region_error, std::string* error);

// The same, for any response type with region_error and error fields.
template <typename Response>
void FillError(const Status& status, Response* resp) {
  FillError(status, resp->mutable_region_error(), resp->mutable_error());
}

}  // namespace tinykv::store
