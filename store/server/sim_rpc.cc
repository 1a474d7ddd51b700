#include "store/server/sim_rpc.h"

#include "proto/kvrpcpb.pb.h"
#include "store/server/raw_api.h"

namespace tinykv::store {

namespace {

// Parses Req from `body`, runs `handler`, serializes its response.
template <class Req, class Handler>
std::string Dispatch(std::string_view method, std::string_view body, Storage& storage,
                     Handler handler) {
  Req req;
  if (!req.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return EncodeRpcErrorFrame(std::string(method) + ": request body does not parse as " +
                               req.GetTypeName());
  }
  return handler(storage, req).SerializeAsString();
}

}  // namespace

std::string EncodeRpc(std::string_view method, const google::protobuf::Message& req) {
  std::string out(method);
  out.push_back('\0');
  req.AppendToString(&out);
  return out;
}

std::string HandleKvRpc(Storage& storage, std::string_view payload) {
  std::string_view method;
  std::string_view body;
  if (!DecodeRpc(payload, &method, &body)) {
    return EncodeRpcErrorFrame("malformed request: want \"<method>\\0<body>\"");
  }
  if (method == "RawGet") {
    return Dispatch<kvrpcpb::RawGetRequest>(method, body, storage, RawGet);
  }
  if (method == "RawPut") {
    return Dispatch<kvrpcpb::RawPutRequest>(method, body, storage, RawPut);
  }
  if (method == "RawDelete") {
    return Dispatch<kvrpcpb::RawDeleteRequest>(method, body, storage, RawDelete);
  }
  if (method == "RawScan") {
    return Dispatch<kvrpcpb::RawScanRequest>(method, body, storage, RawScan);
  }
  return EncodeRpcErrorFrame("unknown method \"" + std::string(method) + "\"");
}

}  // namespace tinykv::store
