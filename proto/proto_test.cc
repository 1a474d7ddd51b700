// Wire-compatibility tests for the TinyKV protocol files in proto/.
//
// Two kinds of checks:
//  - round trips: one non-trivial message per package survives serialize -> parse unchanged;
//  - pins: message names, field numbers and types, enum values and service methods are compared
//    with TinyKV's published protocol (talent-plan/tinykv, proto/proto/*.proto). These tables are
//    the contract: if a test here fails, the .proto file was changed in a way that breaks talking
//    to TinyKV clients, and the .proto file (not the table) is what must be fixed.

#include <cstdint>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "proto/coprocessor.pb.h"
#include "proto/eraftpb.pb.h"
#include "proto/errorpb.pb.h"
#include "proto/kvrpcpb.pb.h"
#include "proto/metapb.pb.h"
#include "proto/raft_cmdpb.pb.h"
#include "proto/raft_serverpb.pb.h"
#include "proto/schedulerpb.pb.h"
#include "proto/tinykvpb.pb.h"

namespace tinykv::proto {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using google::protobuf::MethodDescriptor;
using google::protobuf::ServiceDescriptor;
using google::protobuf::util::MessageDifferencer;

// tinykvpb.pb.cc defines no message classes, so nothing would pull it out of the static
// library and its descriptors would be missing from the generated pool. Referencing its
// descriptor table keeps it linked; `volatile` stops the compiler from folding the (always
// non-null) address away together with the reference.
const void* volatile kKeepTinykvpbLinked = &descriptor_table_tinykvpb_2eproto;

const DescriptorPool& Pool() { return *DescriptorPool::generated_pool(); }

// Serializes `original`, parses the bytes into a fresh message and expects both to be equal.
template <typename M>
void ExpectRoundTrip(const M& original) {
  std::string bytes;
  ASSERT_TRUE(original.SerializeToString(&bytes));
  ASSERT_FALSE(bytes.empty()) << "test message should not be empty";
  M parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  std::string diff;
  MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differencer.Compare(original, parsed)) << diff;
  EXPECT_EQ(parsed.SerializeAsString(), bytes);
}

metapb::Region MakeRegion(uint64_t id, const std::string& start, const std::string& end) {
  metapb::Region region;
  region.set_id(id);
  region.set_start_key(start);
  region.set_end_key(end);
  region.mutable_region_epoch()->set_conf_ver(3);
  region.mutable_region_epoch()->set_version(7);
  for (uint64_t i = 1; i <= 3; ++i) {
    metapb::Peer* peer = region.add_peers();
    peer->set_id(id * 10 + i);
    peer->set_store_id(i);
  }
  return region;
}

eraftpb::Message MakeRaftMessage() {
  eraftpb::Message msg;
  msg.set_msg_type(eraftpb::MsgAppend);
  msg.set_to(2);
  msg.set_from(1);
  msg.set_term(5);
  msg.set_log_term(4);
  msg.set_index(10);
  msg.set_commit(9);
  for (uint64_t i = 11; i <= 13; ++i) {
    eraftpb::Entry* entry = msg.add_entries();
    entry->set_entry_type(i == 13 ? eraftpb::EntryConfChange : eraftpb::EntryNormal);
    entry->set_term(5);
    entry->set_index(i);
    entry->set_data(std::string("payload-") + std::to_string(i) + std::string(1, '\0'));
  }
  return msg;
}

// ---------------------------------------------------------------------------------------------
// Round trips, one per package.

TEST(ProtoRoundTrip, MetapbRegion) { ExpectRoundTrip(MakeRegion(4, "a", "m")); }

TEST(ProtoRoundTrip, ErrorpbError) {
  errorpb::Error error;
  error.set_message("epoch changed");
  error.mutable_not_leader()->set_region_id(4);
  error.mutable_not_leader()->mutable_leader()->set_id(42);
  error.mutable_not_leader()->mutable_leader()->set_store_id(2);
  *error.mutable_epoch_not_match()->add_current_regions() = MakeRegion(4, "a", "g");
  *error.mutable_epoch_not_match()->add_current_regions() = MakeRegion(5, "g", "m");
  error.mutable_stale_command();
  ExpectRoundTrip(error);
}

TEST(ProtoRoundTrip, KvrpcpbPrewriteRequest) {
  kvrpcpb::PrewriteRequest request;
  request.mutable_context()->set_region_id(4);
  request.mutable_context()->mutable_region_epoch()->set_version(7);
  request.mutable_context()->mutable_peer()->set_store_id(1);
  request.mutable_context()->set_term(5);
  kvrpcpb::Mutation* put = request.add_mutations();
  put->set_op(kvrpcpb::Put);
  put->set_key("k1");
  put->set_value("v1");
  kvrpcpb::Mutation* del = request.add_mutations();
  del->set_op(kvrpcpb::Del);
  del->set_key("k2");
  request.set_primary_lock("k1");
  request.set_start_version(100);
  request.set_lock_ttl(3000);
  ExpectRoundTrip(request);
}

TEST(ProtoRoundTrip, RaftCmdpbRaftCmdRequest) {
  raft_cmdpb::RaftCmdRequest cmd;
  cmd.mutable_header()->set_region_id(4);
  cmd.mutable_header()->mutable_peer()->set_id(41);
  cmd.mutable_header()->mutable_region_epoch()->set_conf_ver(3);
  cmd.mutable_header()->set_term(5);
  raft_cmdpb::Request* put = cmd.add_requests();
  put->set_cmd_type(raft_cmdpb::Put);
  put->mutable_put()->set_cf("default");
  put->mutable_put()->set_key("k");
  put->mutable_put()->set_value("v");
  raft_cmdpb::Request* del = cmd.add_requests();
  del->set_cmd_type(raft_cmdpb::Delete);
  del->mutable_delete_()->set_cf("lock");
  del->mutable_delete_()->set_key("k");
  ExpectRoundTrip(cmd);

  raft_cmdpb::RaftCmdRequest admin;
  admin.mutable_admin_request()->set_cmd_type(raft_cmdpb::Split);
  admin.mutable_admin_request()->mutable_split()->set_split_key("g");
  admin.mutable_admin_request()->mutable_split()->set_new_region_id(5);
  for (uint64_t id : {51, 52, 53}) {
    admin.mutable_admin_request()->mutable_split()->add_new_peer_ids(id);
  }
  ExpectRoundTrip(admin);
}

TEST(ProtoRoundTrip, RaftServerpbRaftMessageCarryingEntries) {
  raft_serverpb::RaftMessage wrapper;
  wrapper.set_region_id(4);
  wrapper.mutable_from_peer()->set_id(41);
  wrapper.mutable_from_peer()->set_store_id(1);
  wrapper.mutable_to_peer()->set_id(42);
  wrapper.mutable_to_peer()->set_store_id(2);
  *wrapper.mutable_message() = MakeRaftMessage();
  wrapper.mutable_region_epoch()->set_conf_ver(3);
  wrapper.set_start_key("a");
  wrapper.set_end_key("m");
  ExpectRoundTrip(wrapper);
}

TEST(ProtoRoundTrip, EraftpbMessageWithEntriesAndSnapshot) {
  eraftpb::Message msg = MakeRaftMessage();
  ExpectRoundTrip(msg);

  msg.set_msg_type(eraftpb::MsgSnapshot);
  msg.clear_entries();
  msg.mutable_snapshot()->set_data("snapshot-bytes");
  msg.mutable_snapshot()->mutable_metadata()->set_index(20);
  msg.mutable_snapshot()->mutable_metadata()->set_term(5);
  for (uint64_t node : {1, 2, 3}) {
    msg.mutable_snapshot()->mutable_metadata()->mutable_conf_state()->add_nodes(node);
  }
  msg.set_reject(true);
  ExpectRoundTrip(msg);
}

TEST(ProtoRoundTrip, SchedulerpbHeartbeats) {
  schedulerpb::RegionHeartbeatResponse response;
  response.mutable_header()->set_cluster_id(77);
  response.mutable_header()->mutable_error()->set_type(schedulerpb::REGION_NOT_FOUND);
  response.mutable_change_peer()->mutable_peer()->set_id(44);
  response.mutable_change_peer()->set_change_type(eraftpb::RemoveNode);
  response.set_region_id(4);
  response.mutable_region_epoch()->set_version(7);
  ExpectRoundTrip(response);

  schedulerpb::StoreHeartbeatRequest request;
  request.mutable_header()->set_cluster_id(77);
  request.mutable_stats()->set_store_id(2);
  request.mutable_stats()->set_capacity(uint64_t{1} << 40);
  request.mutable_stats()->set_region_count(12);
  request.mutable_stats()->mutable_interval()->set_end_timestamp(1000);
  schedulerpb::RecordPair* cpu = request.mutable_stats()->add_cpu_usages();
  cpu->set_key("raftstore");
  cpu->set_value(30);
  ExpectRoundTrip(request);
}

TEST(ProtoRoundTrip, CoprocessorRequest) {
  coprocessor::Request request;
  request.mutable_context()->set_region_id(4);
  request.set_tp(103);
  request.set_data("plan");
  request.set_start_ts(100);
  coprocessor::KeyRange* range = request.add_ranges();
  range->set_start("a");
  range->set_end("b");
  ExpectRoundTrip(request);
}

// ---------------------------------------------------------------------------------------------
// Exact bytes: independent of our generated code's view of the schema, these are what a TinyKV
// peer would put on the wire for the same values (tag = field_number << 3 | wire_type).

TEST(ProtoWireBytes, PeerMutationAndRaftMessageEncodeAsTinyKvDoes) {
  metapb::Peer peer;
  peer.set_id(1);
  peer.set_store_id(2);
  EXPECT_EQ(peer.SerializeAsString(), std::string("\x08\x01\x10\x02", 4));

  kvrpcpb::Mutation mutation;
  mutation.set_op(kvrpcpb::Lock);
  mutation.set_key("k");
  mutation.set_value("v");
  EXPECT_EQ(mutation.SerializeAsString(), std::string("\x08\x03\x12\x01k\x1a\x01v", 8));

  raft_serverpb::RaftMessage wrapper;
  wrapper.set_region_id(1);
  wrapper.set_is_tombstone(true);
  wrapper.set_end_key("z");
  EXPECT_EQ(wrapper.SerializeAsString(), std::string("\x08\x01\x30\x01\x42\x01z", 7));
}

// ---------------------------------------------------------------------------------------------
// Message names per file.

struct FileMessages {
  const char* file;
  std::vector<std::string> messages;
};

TEST(ProtoPins, EachFileDefinesTinyKvsMessages) {
  const std::vector<FileMessages> files = {
      {"metapb.proto", {"Cluster", "Store", "RegionEpoch", "Region", "Peer"}},
      {"errorpb.proto",
       {"NotLeader", "StoreNotMatch", "RegionNotFound", "KeyNotInRegion", "EpochNotMatch",
        "StaleCommand", "Error"}},
      {"kvrpcpb.proto",
       {"RawGetRequest",
        "RawGetResponse",
        "RawPutRequest",
        "RawPutResponse",
        "RawDeleteRequest",
        "RawDeleteResponse",
        "RawScanRequest",
        "RawScanResponse",
        "GetRequest",
        "GetResponse",
        "PrewriteRequest",
        "PrewriteResponse",
        "CommitRequest",
        "CommitResponse",
        "ScanRequest",
        "ScanResponse",
        "BatchRollbackRequest",
        "BatchRollbackResponse",
        "CheckTxnStatusRequest",
        "CheckTxnStatusResponse",
        "ResolveLockRequest",
        "ResolveLockResponse",
        "KvPair",
        "Mutation",
        "KeyError",
        "LockInfo",
        "WriteConflict",
        "Context"}},
      {"raft_cmdpb.proto", {"GetRequest",         "GetResponse",           "PutRequest",
                            "PutResponse",        "DeleteRequest",         "DeleteResponse",
                            "SnapRequest",        "SnapResponse",          "Request",
                            "Response",           "ChangePeerRequest",     "ChangePeerResponse",
                            "SplitRequest",       "SplitResponse",         "CompactLogRequest",
                            "CompactLogResponse", "TransferLeaderRequest", "TransferLeaderResponse",
                            "AdminRequest",       "AdminResponse",         "RaftRequestHeader",
                            "RaftResponseHeader", "RaftCmdRequest",        "RaftCmdResponse"}},
      {"raft_serverpb.proto",
       {"RaftMessage", "RaftLocalState", "RaftApplyState", "RaftTruncatedState", "RegionLocalState",
        "StoreIdent", "KeyValue", "RaftSnapshotData", "SnapshotCFFile", "SnapshotMeta",
        "SnapshotChunk", "Done"}},
      {"schedulerpb.proto",
       {"RequestHeader",
        "ResponseHeader",
        "Error",
        "TsoRequest",
        "Timestamp",
        "TsoResponse",
        "BootstrapRequest",
        "BootstrapResponse",
        "IsBootstrappedRequest",
        "IsBootstrappedResponse",
        "AllocIDRequest",
        "AllocIDResponse",
        "GetStoreRequest",
        "GetStoreResponse",
        "PutStoreRequest",
        "PutStoreResponse",
        "GetAllStoresRequest",
        "GetAllStoresResponse",
        "GetRegionRequest",
        "GetRegionResponse",
        "GetRegionByIDRequest",
        "ScanRegionsRequest",
        "ScanRegionsResponse",
        "GetClusterConfigRequest",
        "GetClusterConfigResponse",
        "PutClusterConfigRequest",
        "PutClusterConfigResponse",
        "Member",
        "GetMembersRequest",
        "GetMembersResponse",
        "RegionHeartbeatRequest",
        "ChangePeer",
        "TransferLeader",
        "RegionHeartbeatResponse",
        "AskSplitRequest",
        "AskSplitResponse",
        "ReportSplitRequest",
        "ReportSplitResponse",
        "SplitID",
        "TimeInterval",
        "RecordPair",
        "StoreStats",
        "StoreHeartbeatRequest",
        "StoreHeartbeatResponse",
        "ScatterRegionRequest",
        "ScatterRegionResponse",
        "GetGCSafePointRequest",
        "GetGCSafePointResponse",
        "UpdateGCSafePointRequest",
        "UpdateGCSafePointResponse",
        "GetOperatorRequest",
        "GetOperatorResponse"}},
      {"coprocessor.proto", {"KeyRange", "Request", "Response"}},
      {"eraftpb.proto",
       {"Entry", "SnapshotMetadata", "Snapshot", "Message", "HardState", "ConfState",
        "ConfChange"}},
      {"tinykvpb.proto", {}},
  };
  for (const FileMessages& expected : files) {
    const FileDescriptor* file = Pool().FindFileByName(expected.file);
    ASSERT_NE(file, nullptr) << expected.file;
    EXPECT_EQ(file->message_type_count(), static_cast<int>(expected.messages.size()))
        << expected.file;
    for (const std::string& name : expected.messages) {
      const std::string full_name = file->package() + "." + name;
      const Descriptor* message = Pool().FindMessageTypeByName(full_name);
      ASSERT_NE(message, nullptr) << full_name;
      EXPECT_EQ(message->file(), file) << full_name;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Field numbers and types.

struct FieldPin {
  const char* message;
  const char* field;
  int number;
  FieldDescriptor::Type type;
  bool repeated;
};

TEST(ProtoPins, FieldNumbersAndTypesMatchTinyKv) {
  using T = FieldDescriptor;
  const std::vector<FieldPin> pins = {
      {"metapb.Peer", "id", 1, T::TYPE_UINT64, false},
      {"metapb.Peer", "store_id", 2, T::TYPE_UINT64, false},
      {"metapb.Region", "start_key", 2, T::TYPE_BYTES, false},
      {"metapb.Region", "region_epoch", 4, T::TYPE_MESSAGE, false},
      {"metapb.Region", "peers", 5, T::TYPE_MESSAGE, true},
      {"metapb.RegionEpoch", "conf_ver", 1, T::TYPE_UINT64, false},
      {"metapb.RegionEpoch", "version", 2, T::TYPE_UINT64, false},
      {"metapb.Store", "state", 3, T::TYPE_ENUM, false},
      {"metapb.Cluster", "max_peer_count", 2, T::TYPE_UINT32, false},
      {"errorpb.Error", "message", 1, T::TYPE_STRING, false},
      {"errorpb.Error", "not_leader", 2, T::TYPE_MESSAGE, false},
      {"errorpb.Error", "region_not_found", 3, T::TYPE_MESSAGE, false},
      {"errorpb.Error", "key_not_in_region", 4, T::TYPE_MESSAGE, false},
      {"errorpb.Error", "epoch_not_match", 5, T::TYPE_MESSAGE, false},
      {"errorpb.Error", "stale_command", 7, T::TYPE_MESSAGE, false},
      {"errorpb.Error", "store_not_match", 8, T::TYPE_MESSAGE, false},
      {"errorpb.NotLeader", "leader", 2, T::TYPE_MESSAGE, false},
      {"errorpb.EpochNotMatch", "current_regions", 1, T::TYPE_MESSAGE, true},
      {"kvrpcpb.Context", "region_id", 1, T::TYPE_UINT64, false},
      {"kvrpcpb.Context", "peer", 3, T::TYPE_MESSAGE, false},
      {"kvrpcpb.Context", "term", 5, T::TYPE_UINT64, false},
      {"kvrpcpb.RawPutRequest", "cf", 4, T::TYPE_STRING, false},
      {"kvrpcpb.RawScanRequest", "limit", 3, T::TYPE_UINT32, false},
      {"kvrpcpb.RawGetResponse", "not_found", 4, T::TYPE_BOOL, false},
      {"kvrpcpb.PrewriteRequest", "mutations", 2, T::TYPE_MESSAGE, true},
      {"kvrpcpb.PrewriteRequest", "lock_ttl", 5, T::TYPE_UINT64, false},
      {"kvrpcpb.PrewriteResponse", "errors", 2, T::TYPE_MESSAGE, true},
      {"kvrpcpb.CommitRequest", "keys", 3, T::TYPE_BYTES, true},
      {"kvrpcpb.CommitRequest", "commit_version", 4, T::TYPE_UINT64, false},
      {"kvrpcpb.CheckTxnStatusRequest", "current_ts", 4, T::TYPE_UINT64, false},
      {"kvrpcpb.CheckTxnStatusResponse", "action", 4, T::TYPE_ENUM, false},
      {"kvrpcpb.Mutation", "op", 1, T::TYPE_ENUM, false},
      {"kvrpcpb.KeyError", "conflict", 4, T::TYPE_MESSAGE, false},
      {"kvrpcpb.LockInfo", "lock_ttl", 4, T::TYPE_UINT64, false},
      {"kvrpcpb.WriteConflict", "primary", 4, T::TYPE_BYTES, false},
      {"raft_cmdpb.Request", "cmd_type", 1, T::TYPE_ENUM, false},
      {"raft_cmdpb.Request", "put", 4, T::TYPE_MESSAGE, false},
      {"raft_cmdpb.Request", "delete", 5, T::TYPE_MESSAGE, false},
      {"raft_cmdpb.Request", "snap", 6, T::TYPE_MESSAGE, false},
      {"raft_cmdpb.AdminRequest", "compact_log", 4, T::TYPE_MESSAGE, false},
      {"raft_cmdpb.AdminRequest", "transfer_leader", 5, T::TYPE_MESSAGE, false},
      {"raft_cmdpb.AdminRequest", "split", 10, T::TYPE_MESSAGE, false},
      {"raft_cmdpb.ChangePeerRequest", "change_type", 1, T::TYPE_ENUM, false},
      {"raft_cmdpb.SplitRequest", "new_peer_ids", 3, T::TYPE_UINT64, true},
      {"raft_cmdpb.RaftRequestHeader", "region_epoch", 4, T::TYPE_MESSAGE, false},
      {"raft_cmdpb.RaftRequestHeader", "term", 5, T::TYPE_UINT64, false},
      {"raft_cmdpb.RaftResponseHeader", "current_term", 3, T::TYPE_UINT64, false},
      {"raft_cmdpb.RaftCmdRequest", "requests", 2, T::TYPE_MESSAGE, true},
      {"raft_cmdpb.RaftCmdRequest", "admin_request", 3, T::TYPE_MESSAGE, false},
      {"raft_serverpb.RaftMessage", "region_id", 1, T::TYPE_UINT64, false},
      {"raft_serverpb.RaftMessage", "from_peer", 2, T::TYPE_MESSAGE, false},
      {"raft_serverpb.RaftMessage", "to_peer", 3, T::TYPE_MESSAGE, false},
      {"raft_serverpb.RaftMessage", "message", 4, T::TYPE_MESSAGE, false},
      {"raft_serverpb.RaftMessage", "region_epoch", 5, T::TYPE_MESSAGE, false},
      {"raft_serverpb.RaftMessage", "is_tombstone", 6, T::TYPE_BOOL, false},
      {"raft_serverpb.RaftMessage", "start_key", 7, T::TYPE_BYTES, false},
      {"raft_serverpb.RaftMessage", "end_key", 8, T::TYPE_BYTES, false},
      {"raft_serverpb.RaftLocalState", "last_term", 3, T::TYPE_UINT64, false},
      {"raft_serverpb.RaftApplyState", "truncated_state", 2, T::TYPE_MESSAGE, false},
      {"raft_serverpb.RegionLocalState", "state", 1, T::TYPE_ENUM, false},
      {"raft_serverpb.RaftSnapshotData", "meta", 5, T::TYPE_MESSAGE, false},
      {"raft_serverpb.SnapshotCFFile", "checksum", 3, T::TYPE_UINT32, false},
      {"raft_serverpb.SnapshotChunk", "data", 2, T::TYPE_BYTES, false},
      {"schedulerpb.ResponseHeader", "error", 2, T::TYPE_MESSAGE, false},
      {"schedulerpb.TsoResponse", "timestamp", 3, T::TYPE_MESSAGE, false},
      {"schedulerpb.Timestamp", "logical", 2, T::TYPE_INT64, false},
      {"schedulerpb.ScanRegionsRequest", "limit", 3, T::TYPE_INT32, false},
      {"schedulerpb.RegionHeartbeatRequest", "pending_peers", 5, T::TYPE_MESSAGE, true},
      {"schedulerpb.RegionHeartbeatRequest", "approximate_size", 10, T::TYPE_UINT64, false},
      {"schedulerpb.ChangePeer", "change_type", 2, T::TYPE_ENUM, false},
      {"schedulerpb.RegionHeartbeatResponse", "target_peer", 6, T::TYPE_MESSAGE, false},
      {"schedulerpb.StoreStats", "used_size", 10, T::TYPE_UINT64, false},
      {"schedulerpb.StoreStats", "interval", 15, T::TYPE_MESSAGE, false},
      {"schedulerpb.StoreStats", "op_latencies", 19, T::TYPE_MESSAGE, true},
      {"schedulerpb.GetOperatorResponse", "kind", 5, T::TYPE_BYTES, false},
      {"coprocessor.Request", "start_ts", 7, T::TYPE_UINT64, false},
      {"coprocessor.Request", "ranges", 4, T::TYPE_MESSAGE, true},
      {"eraftpb.Entry", "entry_type", 1, T::TYPE_ENUM, false},
      {"eraftpb.Entry", "term", 2, T::TYPE_UINT64, false},
      {"eraftpb.Entry", "index", 3, T::TYPE_UINT64, false},
      {"eraftpb.Entry", "data", 4, T::TYPE_BYTES, false},
      {"eraftpb.Message", "msg_type", 1, T::TYPE_ENUM, false},
      {"eraftpb.Message", "log_term", 5, T::TYPE_UINT64, false},
      {"eraftpb.Message", "entries", 7, T::TYPE_MESSAGE, true},
      {"eraftpb.Message", "commit", 8, T::TYPE_UINT64, false},
      {"eraftpb.Message", "snapshot", 9, T::TYPE_MESSAGE, false},
      {"eraftpb.Message", "reject", 10, T::TYPE_BOOL, false},
      {"eraftpb.HardState", "commit", 3, T::TYPE_UINT64, false},
      {"eraftpb.SnapshotMetadata", "conf_state", 1, T::TYPE_MESSAGE, false},
      {"eraftpb.ConfState", "nodes", 1, T::TYPE_UINT64, true},
  };
  for (const FieldPin& pin : pins) {
    const std::string where = std::string(pin.message) + "." + pin.field;
    const Descriptor* message = Pool().FindMessageTypeByName(pin.message);
    ASSERT_NE(message, nullptr) << pin.message;
    const FieldDescriptor* field = message->FindFieldByName(pin.field);
    ASSERT_NE(field, nullptr) << where;
    EXPECT_EQ(field->number(), pin.number) << where;
    EXPECT_EQ(field->type(), pin.type) << where;
    EXPECT_EQ(field->is_repeated(), pin.repeated) << where;
  }
}

// ---------------------------------------------------------------------------------------------
// Enum values: each enum is pinned completely.

struct EnumPin {
  const char* name;
  std::vector<std::pair<std::string, int>> values;
};

TEST(ProtoPins, EnumValuesMatchTinyKv) {
  const std::vector<EnumPin> pins = {
      {"metapb.StoreState", {{"Up", 0}, {"Offline", 1}, {"Tombstone", 2}}},
      {"kvrpcpb.Op", {{"Put", 0}, {"Del", 1}, {"Rollback", 2}, {"Lock", 3}}},
      {"kvrpcpb.Action", {{"NoAction", 0}, {"TTLExpireRollback", 1}, {"LockNotExistRollback", 2}}},
      {"raft_cmdpb.CmdType", {{"Invalid", 0}, {"Get", 1}, {"Put", 3}, {"Delete", 4}, {"Snap", 5}}},
      {"raft_cmdpb.AdminCmdType",
       {{"InvalidAdmin", 0},
        {"ChangePeer", 1},
        {"CompactLog", 3},
        {"TransferLeader", 4},
        {"Split", 10}}},
      {"raft_serverpb.PeerState", {{"Normal", 0}, {"Tombstone", 2}}},
      {"schedulerpb.ErrorType",
       {{"OK", 0},
        {"UNKNOWN", 1},
        {"NOT_BOOTSTRAPPED", 2},
        {"STORE_TOMBSTONE", 3},
        {"ALREADY_BOOTSTRAPPED", 4},
        {"INCOMPATIBLE_VERSION", 5},
        {"REGION_NOT_FOUND", 6}}},
      {"schedulerpb.OperatorStatus",
       {{"SUCCESS", 0}, {"TIMEOUT", 1}, {"CANCEL", 2}, {"REPLACE", 3}, {"RUNNING", 4}}},
      {"eraftpb.EntryType", {{"EntryNormal", 0}, {"EntryConfChange", 1}}},
      {"eraftpb.ConfChangeType", {{"AddNode", 0}, {"RemoveNode", 1}}},
      {"eraftpb.MessageType",
       {{"MsgHup", 0},
        {"MsgBeat", 1},
        {"MsgPropose", 2},
        {"MsgAppend", 3},
        {"MsgAppendResponse", 4},
        {"MsgRequestVote", 5},
        {"MsgRequestVoteResponse", 6},
        {"MsgSnapshot", 7},
        {"MsgHeartbeat", 8},
        {"MsgHeartbeatResponse", 9},
        {"MsgTransferLeader", 11},
        {"MsgTimeoutNow", 12}}},
  };
  for (const EnumPin& pin : pins) {
    const EnumDescriptor* descriptor = Pool().FindEnumTypeByName(pin.name);
    ASSERT_NE(descriptor, nullptr) << pin.name;
    EXPECT_EQ(descriptor->value_count(), static_cast<int>(pin.values.size())) << pin.name;
    for (const auto& [value_name, number] : pin.values) {
      const auto* value = descriptor->FindValueByName(value_name);
      ASSERT_NE(value, nullptr) << pin.name << "." << value_name;
      EXPECT_EQ(value->number(), number) << pin.name << "." << value_name;
    }
  }
  // The generated C++ constants carry the same numbers.
  EXPECT_EQ(kvrpcpb::Rollback, 2);
  EXPECT_EQ(raft_cmdpb::Split, 10);
  EXPECT_EQ(eraftpb::MsgHup, 0);
}

// ---------------------------------------------------------------------------------------------
// Services: every method with its request/response types and streaming shape.

struct MethodPin {
  const char* name;
  const char* input;
  const char* output;
  bool client_streaming;
  bool server_streaming;
};

void ExpectService(const char* service_name, const std::vector<MethodPin>& methods) {
  ASSERT_NE(kKeepTinykvpbLinked, nullptr);
  const ServiceDescriptor* service = Pool().FindServiceByName(service_name);
  ASSERT_NE(service, nullptr) << service_name;
  EXPECT_EQ(service->method_count(), static_cast<int>(methods.size())) << service_name;
  for (const MethodPin& pin : methods) {
    const std::string where = std::string(service_name) + "/" + pin.name;
    const MethodDescriptor* method = service->FindMethodByName(pin.name);
    ASSERT_NE(method, nullptr) << where;
    EXPECT_EQ(method->input_type()->full_name(), pin.input) << where;
    EXPECT_EQ(method->output_type()->full_name(), pin.output) << where;
    EXPECT_EQ(method->client_streaming(), pin.client_streaming) << where;
    EXPECT_EQ(method->server_streaming(), pin.server_streaming) << where;
  }
}

TEST(ProtoPins, TinyKvServiceMethods) {
  ExpectService(
      "tinykvpb.TinyKv",
      {
          {"KvGet", "kvrpcpb.GetRequest", "kvrpcpb.GetResponse", false, false},
          {"KvScan", "kvrpcpb.ScanRequest", "kvrpcpb.ScanResponse", false, false},
          {"KvPrewrite", "kvrpcpb.PrewriteRequest", "kvrpcpb.PrewriteResponse", false, false},
          {"KvCommit", "kvrpcpb.CommitRequest", "kvrpcpb.CommitResponse", false, false},
          {"KvCheckTxnStatus", "kvrpcpb.CheckTxnStatusRequest", "kvrpcpb.CheckTxnStatusResponse",
           false, false},
          {"KvBatchRollback", "kvrpcpb.BatchRollbackRequest", "kvrpcpb.BatchRollbackResponse",
           false, false},
          {"KvResolveLock", "kvrpcpb.ResolveLockRequest", "kvrpcpb.ResolveLockResponse", false,
           false},
          {"RawGet", "kvrpcpb.RawGetRequest", "kvrpcpb.RawGetResponse", false, false},
          {"RawPut", "kvrpcpb.RawPutRequest", "kvrpcpb.RawPutResponse", false, false},
          {"RawDelete", "kvrpcpb.RawDeleteRequest", "kvrpcpb.RawDeleteResponse", false, false},
          {"RawScan", "kvrpcpb.RawScanRequest", "kvrpcpb.RawScanResponse", false, false},
          {"Raft", "raft_serverpb.RaftMessage", "raft_serverpb.Done", true, false},
          {"Snapshot", "raft_serverpb.SnapshotChunk", "raft_serverpb.Done", true, false},
          {"Coprocessor", "coprocessor.Request", "coprocessor.Response", false, false},
      });
}

TEST(ProtoPins, SchedulerServiceMethods) {
  ExpectService(
      "schedulerpb.Scheduler",
      {
          {"GetMembers", "schedulerpb.GetMembersRequest", "schedulerpb.GetMembersResponse", false,
           false},
          {"Tso", "schedulerpb.TsoRequest", "schedulerpb.TsoResponse", true, true},
          {"Bootstrap", "schedulerpb.BootstrapRequest", "schedulerpb.BootstrapResponse", false,
           false},
          {"IsBootstrapped", "schedulerpb.IsBootstrappedRequest",
           "schedulerpb.IsBootstrappedResponse", false, false},
          {"AllocID", "schedulerpb.AllocIDRequest", "schedulerpb.AllocIDResponse", false, false},
          {"GetStore", "schedulerpb.GetStoreRequest", "schedulerpb.GetStoreResponse", false, false},
          {"PutStore", "schedulerpb.PutStoreRequest", "schedulerpb.PutStoreResponse", false, false},
          {"GetAllStores", "schedulerpb.GetAllStoresRequest", "schedulerpb.GetAllStoresResponse",
           false, false},
          {"StoreHeartbeat", "schedulerpb.StoreHeartbeatRequest",
           "schedulerpb.StoreHeartbeatResponse", false, false},
          {"RegionHeartbeat", "schedulerpb.RegionHeartbeatRequest",
           "schedulerpb.RegionHeartbeatResponse", true, true},
          {"GetRegion", "schedulerpb.GetRegionRequest", "schedulerpb.GetRegionResponse", false,
           false},
          {"GetPrevRegion", "schedulerpb.GetRegionRequest", "schedulerpb.GetRegionResponse", false,
           false},
          {"GetRegionByID", "schedulerpb.GetRegionByIDRequest", "schedulerpb.GetRegionResponse",
           false, false},
          {"ScanRegions", "schedulerpb.ScanRegionsRequest", "schedulerpb.ScanRegionsResponse",
           false, false},
          {"AskSplit", "schedulerpb.AskSplitRequest", "schedulerpb.AskSplitResponse", false, false},
          {"GetClusterConfig", "schedulerpb.GetClusterConfigRequest",
           "schedulerpb.GetClusterConfigResponse", false, false},
          {"PutClusterConfig", "schedulerpb.PutClusterConfigRequest",
           "schedulerpb.PutClusterConfigResponse", false, false},
          {"ScatterRegion", "schedulerpb.ScatterRegionRequest", "schedulerpb.ScatterRegionResponse",
           false, false},
          {"GetGCSafePoint", "schedulerpb.GetGCSafePointRequest",
           "schedulerpb.GetGCSafePointResponse", false, false},
          {"UpdateGCSafePoint", "schedulerpb.UpdateGCSafePointRequest",
           "schedulerpb.UpdateGCSafePointResponse", false, false},
          {"GetOperator", "schedulerpb.GetOperatorRequest", "schedulerpb.GetOperatorResponse",
           false, false},
      });
}

}  // namespace
}  // namespace tinykv::proto
