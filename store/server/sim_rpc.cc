#include "store/server/sim_rpc.h"

#include "proto/kvrpcpb.pb.h"
#include "store/server/raw_api.h"

namespace tinykv::store {

std::string EncodeRpc(std::string_view method, const google::protobuf::Message& req) {
  std::string out(method);
  out.push_back('\0');
  req.AppendToString(&out);
  return out;
}

std::string HandleKvRpc(Storage& storage, std::string_view payload, const KvMethods& more) {
  std::string_view method;
  std::string_view body;
  if (!DecodeRpc(payload, &method, &body)) {
    return EncodeRpcErrorFrame("malformed request: want \"<method>\\0<body>\"");
  }
  if (method == "RawGet") {
    return ParseAndRun<kvrpcpb::RawGetRequest>(method, body, storage, RawGet);
  }
  if (method == "RawPut") {
    return ParseAndRun<kvrpcpb::RawPutRequest>(method, body, storage, RawPut);
  }
  if (method == "RawDelete") {
    return ParseAndRun<kvrpcpb::RawDeleteRequest>(method, body, storage, RawDelete);
  }
  if (method == "RawScan") {
    return ParseAndRun<kvrpcpb::RawScanRequest>(method, body, storage, RawScan);
  }
  if (more) {
    if (std::optional<std::string> reply = more(storage, method, body)) return *std::move(reply);
  }
  return EncodeRpcErrorFrame("unknown method \"" + std::string(method) + "\"");
}

}  // namespace tinykv::store
