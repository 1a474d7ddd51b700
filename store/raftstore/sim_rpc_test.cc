#include "store/server/sim_rpc.h"

#include <gtest/gtest.h>

#include "proto/kvrpcpb.pb.h"
#include "store/engine/mem_engine.h"
#include "store/storage/standalone_storage.h"

namespace tinykv::store {
namespace {

TEST(Raftstore, SimRpcFramingRoundTrips) {
  kvrpcpb::RawPutRequest req;
  req.set_key(std::string("a\0b", 3));
  req.set_value("v");
  const std::string payload = EncodeRpc("RawPut", req);
  std::string_view method, body;
  ASSERT_TRUE(DecodeRpc(payload, &method, &body));
  EXPECT_EQ(method, "RawPut");
  kvrpcpb::RawPutRequest back;
  ASSERT_TRUE(back.ParseFromArray(body.data(), static_cast<int>(body.size())));
  EXPECT_EQ(back.key(), req.key());
  EXPECT_FALSE(DecodeRpc("no-nul", &method, &body));
  EXPECT_FALSE(DecodeRpc(std::string("\0x", 2), &method, &body));
}

TEST(Raftstore, SimRpcServesRawApiAndRejectsMalformedPayloads) {
  auto engine = MemEngine::OpenFresh();
  StandaloneStorage storage(engine.get());
  ASSERT_TRUE(storage.Start().ok());
  kvrpcpb::RawPutRequest put;
  put.set_key("k");
  put.set_value("v");
  kvrpcpb::RawPutResponse put_resp;
  ASSERT_TRUE(put_resp.ParseFromString(HandleKvRpc(storage, EncodeRpc("RawPut", put))));
  EXPECT_TRUE(put_resp.error().empty());
  kvrpcpb::RawGetRequest get;
  get.set_key("k");
  kvrpcpb::RawGetResponse get_resp;
  ASSERT_TRUE(get_resp.ParseFromString(HandleKvRpc(storage, EncodeRpc("RawGet", get))));
  EXPECT_EQ(get_resp.value(), "v");

  std::string reason;
  EXPECT_TRUE(IsRpcErrorFrame(HandleKvRpc(storage, "garbage"), &reason));
  EXPECT_NE(reason.find("malformed"), std::string::npos);
  EXPECT_TRUE(IsRpcErrorFrame(HandleKvRpc(storage, EncodeRpc("Nope", get)), &reason));
  EXPECT_NE(reason.find("Nope"), std::string::npos);
  EXPECT_TRUE(IsRpcErrorFrame(HandleKvRpc(storage, std::string("RawGet\0\xff\xff", 9)), &reason));
  EXPECT_FALSE(IsRpcErrorFrame(put_resp.SerializeAsString(), nullptr));
}

}  // namespace
}  // namespace tinykv::store
