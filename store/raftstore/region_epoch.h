// Region epochs and the checks built on them (TinyKV's raftstore/util): whether a message or a
// command was meant for the region as it is now, or for an older (or unknown) state of it.
//
// An epoch has two counters that only grow: `conf_ver` (each membership change of the region)
// and `version` (each split that changed its range). A region state with a lower value in
// either is older — or, for two states that disagree both ways, contradictory — so it is
// *stale*.
//
// Which commands check which counter (TinyKV's CheckRegionEpoch): normal reads and writes depend
// on the range, so they check `version`; ChangePeer checks `conf_ver`; Split and TransferLeader
// check both; CompactLog neither. The check is strict (equality): a command proposed against an
// epoch the region has left behind is answered EpochNotMatch, never executed against a region it
// was not meant for.
//
// Pure functions; callable from anywhere.
#pragma once

#include <optional>
#include <string_view>

#include "proto/eraftpb.pb.h"
#include "proto/errorpb.pb.h"
#include "proto/metapb.pb.h"
#include "proto/raft_cmdpb.pb.h"

namespace tinykv::raftstore {

// True when `epoch` is older than `current` in either counter.
bool IsEpochStale(const metapb::RegionEpoch& epoch, const metapb::RegionEpoch& current);

// EpochNotMatch (with `region` as the current region) when `req`'s header epoch does not match
// `region`'s in a counter the command depends on (see the file comment).
std::optional<errorpb::Error> CheckRegionEpoch(const raft_cmdpb::RaftCmdRequest& req,
                                               const metapb::Region& region);

// The key a normal request reads or writes (get, put, delete); nothing for one that names none
// (a snap).
std::optional<std::string_view> RequestKey(const raft_cmdpb::Request& r);

// KeyNotInRegion for the first key of `req`'s normal requests (get, put, delete) outside
// `region`'s range.
std::optional<errorpb::Error> CheckKeysInRegion(const raft_cmdpb::RaftCmdRequest& req,
                                                const metapb::Region& region);

// A vote request (the only message besides a leader's first heartbeat that may reach a peer
// that does not exist yet).
bool IsVoteMessage(const eraftpb::Message& msg);
// A message that may create a peer on a store that has none for the region (TinyKV's
// IsInitialMsg): a vote request, or a heartbeat from a leader that has not committed anything
// to it yet (commit 0: the leader does not know the peer's log, which it would if the peer had
// existed before).
bool IsInitialMessage(const eraftpb::Message& msg);
// A message from a peer no longer in its region that earns the sender a gc message back
// (`is_tombstone`): a vote request (a removed follower campaigning), or a heartbeat (a removed
// leader: without check-quorum in TinyKV's Raft it keeps leading a group that left it, and
// would never campaign, so its heartbeats are the only sign of it).
bool NeedsGcReply(const eraftpb::Message& msg);

}  // namespace tinykv::raftstore
