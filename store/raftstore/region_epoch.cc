#include "store/raftstore/region_epoch.h"

#include <string>

#include "store/raftstore/cmd_resp.h"
#include "store/raftstore/region_ranges.h"

namespace tinykv::raftstore {

namespace {

std::string EpochText(const metapb::RegionEpoch& e) {
  return "conf_ver " + std::to_string(e.conf_ver()) + " version " + std::to_string(e.version());
}

}  // namespace

bool IsEpochStale(const metapb::RegionEpoch& epoch, const metapb::RegionEpoch& current) {
  return epoch.version() < current.version() || epoch.conf_ver() < current.conf_ver();
}

std::optional<errorpb::Error> CheckRegionEpoch(const raft_cmdpb::RaftCmdRequest& req,
                                               const metapb::Region& region) {
  // BEGIN SOLUTION(lab3b)
  // STUB: return std::nullopt;
  bool check_version = false;
  bool check_conf_ver = false;
  if (!req.has_admin_request()) {
    check_version = true;
  } else {
    switch (req.admin_request().cmd_type()) {
      case raft_cmdpb::ChangePeer:
        check_conf_ver = true;
        break;
      case raft_cmdpb::Split:
      case raft_cmdpb::TransferLeader:
        check_version = true;
        check_conf_ver = true;
        break;
      default:
        break;
    }
  }
  const metapb::RegionEpoch& from = req.header().region_epoch();
  const metapb::RegionEpoch& current = region.region_epoch();
  if ((check_conf_ver && from.conf_ver() != current.conf_ver()) ||
      (check_version && from.version() != current.version())) {
    return EpochNotMatchError("region " + std::to_string(region.id()) + " is at " +
                                  EpochText(current) + ", the request was for " + EpochText(from),
                              {region});
  }
  return std::nullopt;
  // END SOLUTION
}

std::optional<std::string_view> RequestKey(const raft_cmdpb::Request& r) {
  switch (r.cmd_type()) {
    case raft_cmdpb::Get:
      return r.get().key();
    case raft_cmdpb::Put:
      return r.put().key();
    case raft_cmdpb::Delete:
      return r.delete_().key();
    default:
      return std::nullopt;
  }
}

std::optional<errorpb::Error> CheckKeysInRegion(const raft_cmdpb::RaftCmdRequest& req,
                                                const metapb::Region& region) {
  // BEGIN SOLUTION(lab3b)
  // STUB: return std::nullopt;
  for (const auto& r : req.requests()) {
    auto key = RequestKey(r);
    if (key && !KeyInRegion(*key, region)) return KeyNotInRegionError(*key, region);
  }
  return std::nullopt;
  // END SOLUTION
}

bool IsVoteMessage(const eraftpb::Message& msg) {
  return msg.msg_type() == eraftpb::MsgRequestVote;
}

bool NeedsGcReply(const eraftpb::Message& msg) {
  return IsVoteMessage(msg) || msg.msg_type() == eraftpb::MsgHeartbeat;
}

bool IsInitialMessage(const eraftpb::Message& msg) {
  return IsVoteMessage(msg) || (msg.msg_type() == eraftpb::MsgHeartbeat && msg.commit() == 0);
}

}  // namespace tinykv::raftstore
