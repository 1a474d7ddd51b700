#include "store/raftstore/cmd_resp.h"

namespace tinykv::raftstore {

errorpb::Error NotLeaderError(uint64_t region_id, const std::optional<metapb::Peer>& leader) {
  errorpb::Error err;
  err.set_message("peer is not leader for region " + std::to_string(region_id));
  err.mutable_not_leader()->set_region_id(region_id);
  if (leader) *err.mutable_not_leader()->mutable_leader() = *leader;
  return err;
}

errorpb::Error StaleCommandError() {
  errorpb::Error err;
  err.set_message("stale command: its log entry was replaced by a newer leader's");
  err.mutable_stale_command();
  return err;
}

errorpb::Error RegionNotFoundError(uint64_t region_id) {
  errorpb::Error err;
  err.set_message("region " + std::to_string(region_id) + " not found on this store");
  err.mutable_region_not_found()->set_region_id(region_id);
  return err;
}

raft_cmdpb::RaftCmdResponse ErrorResponse(const errorpb::Error& err) {
  raft_cmdpb::RaftCmdResponse resp;
  *resp.mutable_header()->mutable_error() = err;
  return resp;
}

store::Status StatusFromResponseError(const errorpb::Error& err) {
  return store::Status::RegionError(err.message(), err.SerializeAsString());
}

}  // namespace tinykv::raftstore
