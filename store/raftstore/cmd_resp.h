// Building RaftCmdResponses and region errors (errorpb.Error), shared by the peer, the apply path
// and RaftStorage. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/errorpb.pb.h"
#include "proto/metapb.pb.h"
#include "proto/raft_cmdpb.pb.h"
#include "store/status.h"

namespace tinykv::raftstore {

// NotLeader for `region_id`, with the leader when it is known.
errorpb::Error NotLeaderError(uint64_t region_id, const std::optional<metapb::Peer>& leader);
// The proposal's log entry was superseded by another leader's: it was not executed.
errorpb::Error StaleCommandError();
errorpb::Error RegionNotFoundError(uint64_t region_id);
// The request's epoch is not the region's (store/raftstore/region_epoch.h); `current` is what the
// store knows of the region(s) now, for the client's cache.
errorpb::Error EpochNotMatchError(std::string message, const std::vector<metapb::Region>& current);
errorpb::Error KeyNotInRegionError(std::string_view key, const metapb::Region& region);
// Refused for a reason with no errorpb detail of its own (a membership change already under
// way, a command this region cannot run now): the client may retry later as it is.
errorpb::Error OtherError(std::string message);

// A response carrying only `err` in its header.
raft_cmdpb::RaftCmdResponse ErrorResponse(const errorpb::Error& err);

// The store::Status a handler gets for a response whose header holds an error (RegionError with
// the serialized errorpb.Error as detail, as store/server/raw_api.h expects).
store::Status StatusFromResponseError(const errorpb::Error& err);

}  // namespace tinykv::raftstore
