// The split half of the apply path (lab3b): a committed Split admin command divides the region.
#include <algorithm>
#include <string>
#include <utility>

#include "proto/raft_serverpb.pb.h"
#include "store/raftstore/cmd_resp.h"
#include "store/raftstore/keys.h"
#include "store/raftstore/peer.h"
#include "store/raftstore/region_ranges.h"
#include "store/raftstore/snapshot.h"

namespace tinykv::raftstore {

using store::Status;
using store::WriteBatch;

void Peer::ApplySplit([[maybe_unused]] const raft_cmdpb::SplitRequest& req,
                      [[maybe_unused]] WriteBatch* wb,
                      [[maybe_unused]] raft_cmdpb::RaftCmdResponse* resp) {
  // BEGIN SOLUTION(lab3b)
  // STUB: *resp = ErrorResponse(OtherError("Split is not implemented (lab3b)"));
  const metapb::Region& old = region();
  // The epoch was checked by the caller; the key and the ids are checked here (the proposer
  // read them from the region it saw, which the epoch says is this one).
  if (req.split_key().empty() || req.split_key() == old.start_key() ||
      !KeyInRegion(req.split_key(), old)) {
    *resp = ErrorResponse(KeyNotInRegionError(req.split_key(), old));
    return;
  }
  if (req.new_region_id() == 0 || req.new_peer_ids_size() != old.peers_size()) {
    *resp =
        ErrorResponse(OtherError("split of region " + std::to_string(old.id()) + " names " +
                                 std::to_string(req.new_peer_ids_size()) + " new peer ids for " +
                                 std::to_string(old.peers_size()) + " peers"));
    return;
  }
  metapb::Region left = old;
  metapb::Region right;
  right.set_id(req.new_region_id());
  right.set_start_key(req.split_key());
  right.set_end_key(old.end_key());
  left.set_end_key(req.split_key());
  left.mutable_region_epoch()->set_version(old.region_epoch().version() + 1);
  *right.mutable_region_epoch() = left.region_epoch();
  for (int i = 0; i < old.peers_size(); ++i) {
    metapb::Peer* p = right.add_peers();
    p->set_id(req.new_peer_ids(i));
    p->set_store_id(old.peers(i).store_id());
  }
  // The new region starts where a bootstrapped one does (log index / term 5), with the data
  // already on this store. If the store holds a state of it already — a snapshot got there
  // first, or the new region's peer here was created and even removed again before this peer
  // applied the split — that state is newer: it is kept.
  raft_serverpb::RegionLocalState existing;
  const Status s = GetMsg(storage_->engines().kv, RegionStateKey(right.id()), &existing);
  if (s.IsNotFound()) {
    // A raft state already there is the new region's own: from before a crash lost this batch
    // (the split is being applied again; its votes and log must survive), or of an
    // uninitialized peer a vote created here before the split (its term and vote must).
    raft_serverpb::RaftLocalState raft_state;
    const bool had_state =
        GetMsg(storage_->engines().raft, RaftStateKey(right.id()), &raft_state).ok();
    if (!had_state || raft_state.last_index() < kRaftInitLogIndex) {
      auto* hs = raft_state.mutable_hard_state();
      hs->set_term(std::max(hs->term(), kRaftInitLogTerm));
      hs->set_commit(std::max(hs->commit(), kRaftInitLogIndex));
      raft_state.set_last_index(kRaftInitLogIndex);
      raft_state.set_last_term(kRaftInitLogTerm);
      WriteBatch raft_wb;
      PutMsg(&raft_wb, RaftStateKey(right.id()), raft_state);
      if (!storage_->engines().raft->Write(store::WriteOptions{.sync = true}, raft_wb).ok()) {
        *resp = ErrorResponse(OtherError("store is going down"));
        return;
      }
    }
    raft_serverpb::RaftApplyState apply;
    apply.set_applied_index(kRaftInitLogIndex);
    apply.mutable_truncated_state()->set_index(kRaftInitLogIndex);
    apply.mutable_truncated_state()->set_term(kRaftInitLogTerm);
    PutMsg(wb, ApplyStateKey(right.id()), apply);
    raft_serverpb::RegionLocalState right_state;
    right_state.set_state(raft_serverpb::Normal);
    *right_state.mutable_region() = right;
    PutMsg(wb, RegionStateKey(right.id()), right_state);
  }
  if (s.ok() && existing.state() == raft_serverpb::Tombstone) {
    // This store's peer of the new region was created (by its leader's messages, once another
    // store had split) and removed again before this peer got here: the data of the new range
    // belongs to no region of this store. Nothing else can hold it — until now this region
    // covered it.
    const auto [begin, end] = RegionDataRange(right);
    for (store::Cf cf : store::kAllCfs) wb->DeleteRange(cf, begin, end);
  }
  split_before_ = old;
  storage_->set_region(left);
  storage_->WriteRegionState(wb);
  if (s.IsNotFound() || existing.state() == raft_serverpb::Normal) split_created_ = right;
  auto* split = resp->mutable_admin_response()->mutable_split();
  *split->add_regions() = left;
  *split->add_regions() = right;
  // END SOLUTION
}

}  // namespace tinykv::raftstore
