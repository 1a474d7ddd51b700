#include "store/raftstore/raft_storage.h"

#include <string>
#include <utility>

#include "proto/kvrpcpb.pb.h"
#include "sim/sync.h"
#include "store/raftstore/cmd_resp.h"
#include "store/raftstore/keys.h"
#include "store/raftstore/region_ranges.h"
#include "store/raftstore/snapshot.h"

namespace tinykv::raftstore {

using store::Cf;
using store::Status;

namespace {

// Data keys of one region seen as user keys: 'z' added on the way in, stripped on the way out,
// and the cursor ends at the region's end.
class RegionIterator final : public store::Iterator {
 public:
  RegionIterator(std::unique_ptr<store::Iterator> inner, std::string begin, std::string end)
      : inner_(std::move(inner)), begin_(std::move(begin)), end_(std::move(end)) {}

  bool Valid() const override { return inner_->Valid() && inner_->key() < end_; }
  void SeekToFirst() override { inner_->Seek(begin_); }
  void Seek(std::string_view target) override {
    std::string k = DataKey(target);
    inner_->Seek(k < begin_ ? begin_ : k);
  }
  void Next() override { inner_->Next(); }
  std::string_view key() const override { return inner_->key().substr(1); }
  std::string_view value() const override { return inner_->value(); }
  Status status() const override { return inner_->status(); }

 private:
  std::unique_ptr<store::Iterator> inner_;
  std::string begin_;
  std::string end_;
};

class RegionReader final : public store::StorageReader {
 public:
  RegionReader(std::shared_ptr<store::Snapshot> snap, const metapb::Region& region)
      : snap_(std::move(snap)), region_(region) {
    std::tie(begin_, end_) = RegionDataRange(region);
  }
  Status GetCF(Cf cf, std::string_view key, std::string* value) override {
    // Another region's key: this store's copy of it may be behind (lab3b).
    if (!KeyInRegion(key, region_)) {
      return StatusFromResponseError(KeyNotInRegionError(key, region_));
    }
    return snap_->Get(cf, DataKey(key), value);
  }
  std::unique_ptr<store::Iterator> IterCF(Cf cf) override {
    return std::make_unique<RegionIterator>(snap_->NewIterator(cf), begin_, end_);
  }

 private:
  std::shared_ptr<store::Snapshot> snap_;
  metapb::Region region_;
  std::string begin_;
  std::string end_;
};

}  // namespace

std::unique_ptr<store::StorageReader> NewRegionReader(std::shared_ptr<store::Snapshot> snap,
                                                      const metapb::Region& region) {
  return std::make_unique<RegionReader>(std::move(snap), region);
}

Status RaftStorage::Execute(const kvrpcpb::Context& ctx, raft_cmdpb::RaftCmdRequest req,
                            CmdResult* result) {
  auto* header = req.mutable_header();
  // Region 0: the store routes by key and fills in the epoch (store/raftstore/store_peers.h).
  header->set_region_id(ctx.region_id());
  *header->mutable_peer() = ctx.peer();
  *header->mutable_region_epoch() = ctx.region_epoch();
  header->set_term(ctx.term());
  sim::Promise<CmdResult> promise;
  sim::Future<CmdResult> future = promise.GetFuture();
  router_(std::move(req), [promise](CmdResult r) mutable { promise.Set(std::move(r)); });
  std::optional<CmdResult> r = future.Get(timeout_);
  if (!r) {
    return Status::IOError("raftstore: no answer from raft within the proposal timeout on store " +
                           std::to_string(store_id_) + "; the outcome is unknown");
  }
  if (r->response.header().has_error()) {
    return StatusFromResponseError(r->response.header().error());
  }
  *result = std::move(*r);
  return Status::OK();
}

Status RaftStorage::Write(const kvrpcpb::Context& ctx, const std::vector<store::Modify>& batch) {
  raft_cmdpb::RaftCmdRequest req;
  for (const auto& m : batch) {
    auto* r = req.add_requests();
    if (m.type == store::Modify::Type::kPut) {
      r->set_cmd_type(raft_cmdpb::Put);
      r->mutable_put()->set_cf(std::string(store::CfName(m.cf)));
      r->mutable_put()->set_key(m.key);
      r->mutable_put()->set_value(m.value);
    } else {
      r->set_cmd_type(raft_cmdpb::Delete);
      r->mutable_delete_()->set_cf(std::string(store::CfName(m.cf)));
      r->mutable_delete_()->set_key(m.key);
    }
  }
  CmdResult result;
  return Execute(ctx, std::move(req), &result);
}

Status RaftStorage::Reader(const kvrpcpb::Context& ctx,
                           std::unique_ptr<store::StorageReader>* reader) {
  raft_cmdpb::RaftCmdRequest req;
  req.add_requests()->set_cmd_type(raft_cmdpb::Snap);
  CmdResult result;
  Status s = Execute(ctx, std::move(req), &result);
  if (!s.ok()) return s;
  if (!result.snapshot || result.response.responses_size() != 1) {
    return Status::IOError("raftstore: snap command answered without a snapshot");
  }
  *reader =
      NewRegionReader(std::move(result.snapshot), result.response.responses(0).snap().region());
  return Status::OK();
}

}  // namespace tinykv::raftstore
