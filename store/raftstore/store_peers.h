// StorePeers: every peer one store hosts (lab3b) — found by region id (the router) and by key
// (RegionRanges) — and the store's rules for the raft messages it receives (TinyKV's
// store_worker.go and the checks of peer_msg_handler.go's onRaftMsg).
//
// A message for region R, addressed to peer P on this store:
//  * to another store: dropped.
//  * no peer of R here:
//      - R's region state here is a Tombstone (a peer of R was removed from this store): if the
//        message's epoch is older than the tombstone's, and it is a vote from a store that is not
//        in the region any more, the sender is told to destroy itself (a gc message: the same
//        RaftMessage with is_tombstone set and the tombstone's epoch); otherwise dropped. A newer
//        epoch passes on: the region may have added this store again, with a new peer id.
//      - a gc message (is_tombstone): dropped — there is nothing to destroy.
//      - an initial message (a vote, or a first heartbeat: region_epoch.h's IsInitialMessage)
//        whose range overlaps no region of this store creates an *uninitialized* peer P
//        (Peer::CreateUninitialized), which the leader's snapshot fills; any other message is
//        dropped (an overlapping one belongs to a region this store has not split off yet).
//  * a peer of R here:
//      - a gc message whose epoch is newer than the peer's and that names this very peer:
//        the peer destroys itself;
//      - epoch older than the peer's, from a store that is not in the region: stale — a vote
//        gets a gc message back (the sender was removed and must stop campaigning), anything
//        else is dropped;
//      - addressed to a peer id lower than this peer's: stale, dropped; higher: this peer was
//        removed and the region re-added this store with a new peer — this peer destroys itself
//        and the message is handled again as for a store with no peer of R;
//      - carrying a snapshot whose region does not list P, or overlaps another region of this
//        store: dropped (the leader sends another one later);
//      - else stepped. A stepped snapshot is persisted at once (its Ready handled before the
//        next message), so its range is claimed before any other message is checked against
//        the ranges.
// A peer that is applying a snapshot is never destroyed; the message that would destroy it is
// dropped (the sender repeats it).
//
// Proposals are routed by the header's region id; region id 0 (a client that does not route:
// the 2B / 2C harness) means "the region holding the first key of the request", with the
// region's current epoch filled in.
//
// Single-fiber: the store's raft worker owns it and is its only caller.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "proto/raft_cmdpb.pb.h"
#include "proto/raft_serverpb.pb.h"
#include "store/raftstore/engines.h"
#include "store/raftstore/peer.h"
#include "store/raftstore/region_ranges.h"
#include "store/raftstore/transport.h"

namespace tinykv::raftstore {

class StorePeers {
 public:
  // The options of a new peer of region `region_id` (hooks, transport, rng…); StorePeers adds
  // its own on_range_changed hook.
  using PeerOptionsFactory = std::function<PeerOptions(uint64_t region_id)>;
  // Called for each notable change, with a line for the trace ("created uninitialized peer 4
  // of region 1", "destroyed peer 3 of region 1: …").
  using NoteFn = std::function<void(const std::string& line)>;

  // `transport` sends the gc messages; it and the engines outlive this object.
  StorePeers(uint64_t store_id, Engines engines, Transport* transport, PeerOptionsFactory factory,
             NoteFn note);

  // Creates a peer for every region whose state on the kv engine is Normal (Tombstones are
  // skipped), in region id order. Returns the first error (a corrupted state); peers already
  // created stay.
  store::Status LoadAll();

  // Routes one received raft message (see the file comment); `msg` may be moved from.
  void OnRaftMessage(raft_serverpb::RaftMessage&& msg);
  // Routes a proposal (see the file comment): RegionNotFound when no peer of the region is here.
  void Propose(raft_cmdpb::RaftCmdRequest req, CmdCallback cb);
  void Tick();
  void RaftLogGcTick();
  // Hands the snapshot-apply worker's report to its peer. True when it completed an apply.
  bool OnSnapshotApplyDone(const SnapshotApplyResult& result);
  // Handles the Readys of every touched peer (below), one Ready per peer per pass (so a busy
  // region cannot starve the others), until none has one; then destroys the peers a membership
  // change removed. False when a write failed (the store is going down).
  bool HandleReadys();

  // The regions whose peers may have changed since the last EndBatch: every entry point above
  // touches the regions it reaches (a message or a proposal its region, a tick all of them), as
  // do peer creation, destruction and splits. Only touched peers are checked for a Ready — with
  // 25 regions a store would otherwise ask every peer after every message — and observers look
  // at only these (StoreObserver::AfterRaftBatch). Since a tick touches every peer, a change
  // missed here would wait one tick, never be lost. In region id order.
  const std::vector<uint64_t>& touched() const { return touched_; }
  void EndBatch() { touched_.clear(); }

  Peer* Find(uint64_t region_id);
  const Peer* Find(uint64_t region_id) const;
  // The initialized peer whose range holds `key`, or null.
  Peer* FindByKey(std::string_view key);
  const std::map<uint64_t, std::unique_ptr<Peer>>& peers() const { return peers_; }
  const RegionRanges& ranges() const { return ranges_; }

 private:
  // The no-peer-here half of the rules.
  void OnMessageForUnknownRegion(raft_serverpb::RaftMessage&& msg);
  // True when `msg`, addressed to an existing peer, must not be stepped (the peer half). May
  // destroy the peer; sets *handle_again when the message must then go through the rules again.
  bool FilterForPeer(Peer& peer, const raft_serverpb::RaftMessage& msg, bool* handle_again);
  // Sends the sender of `msg` a gc message with `epoch`.
  void ReplyTombstone(const raft_serverpb::RaftMessage& msg, const metapb::RegionEpoch& epoch);
  store::Status CreatePeer(uint64_t region_id, const metapb::Peer* uninitialized_meta);
  // Destroys and forgets the peer (Peer::Destroy). False when it cannot be destroyed now
  // (applying a snapshot) or the write failed.
  bool DestroyPeer(uint64_t region_id, const std::string& why);
  void OnRangeChanged(const metapb::Region& before, const metapb::Region& now);
  // A peer applied a split that created region `created` here: its peer starts from the states
  // the split wrote. An uninitialized peer of it (created by a vote before the split reached
  // this store) is replaced, keeping its persisted term and vote; an initialized one stays.
  void OnSplit(const metapb::Region& created, bool campaign);
  void Touch(uint64_t region_id);
  void TouchAll();

  uint64_t store_id_;
  Engines engines_;
  Transport* transport_;
  PeerOptionsFactory factory_;
  NoteFn note_;
  std::map<uint64_t, std::unique_ptr<Peer>> peers_;  // by region id
  RegionRanges ranges_;                              // initialized peers only
  std::vector<uint64_t> touched_;                    // sorted, no duplicates
  std::vector<uint64_t> created_;  // peers created since HandleReadys began (splits)
};

}  // namespace tinykv::raftstore
