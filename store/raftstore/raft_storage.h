// RaftStorage: the store::Storage of a raftstore node, so the KV service's handlers
// (store/server/raw_api.h, later txn/) run unchanged on top of Raft (TinyKV's RaftStorage).
//
// Write turns the batch into one RaftCmdRequest (Put / Delete requests) and Reader into a Snap
// request; both are routed to the store's raft worker, proposed, and answered once applied, so a
// reader sees every write acknowledged before it was created (reads go through the log). The
// calling fiber blocks until the answer or the proposal timeout:
//  * region errors (NotLeader with a leader hint, StaleCommand, RegionNotFound) come back as
//    Status::RegionError carrying the errorpb.Error, which the handlers put in region_error;
//  * no answer in time (partitioned leader, crash of this store) is IOError: the outcome of a
//    write is then unknown — it may still commit later.
// Requests whose context names region 0 go to the region of this store holding their first key,
// with its current epoch (clients that do not route: labs 2B / 2C; store_peers.h).
// Reader keys are user keys; the 'z' data prefix is added and removed here.
//
// Lives in one store incarnation; used from that store's fibers.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "sim/time.h"
#include "store/raftstore/peer.h"
#include "store/storage/storage.h"

namespace tinykv::raftstore {

class RaftStorage final : public store::Storage {
 public:
  // Hands a command to the raft worker; the callback runs on the raft worker's fiber.
  using Router = std::function<void(raft_cmdpb::RaftCmdRequest, CmdCallback)>;

  RaftStorage(Router router, uint64_t store_id, sim::Duration timeout)
      : router_(std::move(router)), store_id_(store_id), timeout_(timeout) {}

  store::Status Start() override { return store::Status::OK(); }
  store::Status Stop() override { return store::Status::OK(); }
  store::Status Write(const kvrpcpb::Context& ctx,
                      const std::vector<store::Modify>& batch) override;
  store::Status Reader(const kvrpcpb::Context& ctx,
                       std::unique_ptr<store::StorageReader>* reader) override;

 private:
  store::Status Execute(const kvrpcpb::Context& ctx, raft_cmdpb::RaftCmdRequest req,
                        CmdResult* result);

  Router router_;
  uint64_t store_id_;
  sim::Duration timeout_;
};

// A StorageReader over a kv-engine snapshot that shows only the region's data keys, as user
// keys; a point read of a key outside the region is a KeyNotInRegion region error.
std::unique_ptr<store::StorageReader> NewRegionReader(std::shared_ptr<store::Snapshot> snap,
                                                      const metapb::Region& region);

}  // namespace tinykv::raftstore
