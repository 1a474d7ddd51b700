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

errorpb::Error EpochNotMatchError(std::string message, const std::vector<metapb::Region>& current) {
  errorpb::Error err;
  err.set_message("epoch not match: " + std::move(message));
  auto* e = err.mutable_epoch_not_match();
  for (const auto& r : current) *e->add_current_regions() = r;
  return err;
}

errorpb::Error KeyNotInRegionError(std::string_view key, const metapb::Region& region) {
  errorpb::Error err;
  err.set_message("key is not in region " + std::to_string(region.id()));
  auto* e = err.mutable_key_not_in_region();
  e->set_key(std::string(key));
  e->set_region_id(region.id());
  e->set_start_key(region.start_key());
  e->set_end_key(region.end_key());
  return err;
}

errorpb::Error OtherError(std::string message) {
  errorpb::Error err;
  err.set_message(std::move(message));
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
