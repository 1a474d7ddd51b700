// Client RPCs to a store over the simulated network: framing, a typed client call, and the
// server-side dispatch to the KV service's handlers.
//
// Framing (sim/rpc_frame.h): the method name as in tinykvpb.TinyKv ("RawGet", "RawPut",
// "RawDelete", "RawScan"), one NUL byte, then the serialized request message. The reply payload
// is the serialized response message. A request the server cannot decode (no NUL, unknown
// method, unparsable body) is answered with an error frame: a NUL byte followed by a one-line
// reason. No protobuf message serializes to a leading NUL (field number 0 is invalid), so the
// two never mix; CallKv returns nullopt for an error frame.
//
// Stores serve on kKvPort. Calls block the calling fiber; everything runs inside sim fibers.
#pragma once

#include <google/protobuf/message.h>

#include <optional>
#include <string>
#include <string_view>

#include "sim/network.h"
#include "sim/rpc_frame.h"
#include "store/server/kv_methods.h"
#include "store/storage/storage.h"

namespace tinykv::store {

inline constexpr sim::Port kKvPort = 20160;

// "<method>\0<serialized req>".
std::string EncodeRpc(std::string_view method, const google::protobuf::Message& req);
using sim::DecodeRpc;
using sim::EncodeRpcErrorFrame;
using sim::IsRpcErrorFrame;

// The server side: decodes `payload`, runs the handler against `storage` (the raw methods, then
// `more`, when set) and returns the reply payload (a serialized response, or an error frame).
// Never throws, never aborts on bad input.
std::string HandleKvRpc(Storage& storage, std::string_view payload, const KvMethods& more = {});

// Parses Req from `body`, runs handler(target, req) and serializes its response; an error frame
// naming `method` when the body does not parse. (The dispatch step of every KV method, the raw
// ones here and the transactional ones of txn/txn_rpc.h.)
template <class Req, class Target, class Handler>
std::string ParseAndRun(std::string_view method, std::string_view body, Target& target,
                        Handler handler) {
  Req req;
  if (!req.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return EncodeRpcErrorFrame(std::string(method) + ": request body does not parse as " +
                               req.GetTypeName());
  }
  return handler(target, req).SerializeAsString();
}

// Calls `method` on store `store` from node `from`. nullopt when no reply came within `timeout`
// (lost packets, partition, dead store), when the server answered with an error frame, or when
// the reply does not parse as Resp.
template <class Resp>
std::optional<Resp> CallKv(sim::Network& network, sim::NodeId from, sim::NodeId store,
                           std::string_view method, const google::protobuf::Message& req,
                           sim::Duration timeout) {
  std::optional<std::string> reply =
      network.Call(from, store, kKvPort, EncodeRpc(method, req), timeout);
  if (!reply || IsRpcErrorFrame(*reply, nullptr)) return std::nullopt;
  Resp resp;
  if (!resp.ParseFromString(*reply)) return std::nullopt;
  return resp;
}

}  // namespace tinykv::store
