#include "store/raftstore/bootstrap.h"

#include <string>

#include "proto/raft_serverpb.pb.h"
#include "store/raftstore/keys.h"
#include "store/raftstore/peer_storage.h"

namespace tinykv::raftstore {

using store::Status;

metapb::Region MakeInitialRegion(uint64_t region_id, const std::vector<uint64_t>& store_ids) {
  metapb::Region region;
  region.set_id(region_id);
  region.mutable_region_epoch()->set_conf_ver(1);
  region.mutable_region_epoch()->set_version(1);
  for (uint64_t s : store_ids) {
    auto* p = region.add_peers();
    p->set_id(s);
    p->set_store_id(s);
  }
  return region;
}

Status BootstrapIfNeeded(Engines engines, const metapb::Region& region, bool* bootstrapped) {
  if (bootstrapped) *bootstrapped = false;
  raft_serverpb::RegionLocalState existing;
  Status s = GetMsg(engines.kv, RegionStateKey(region.id()), &existing);
  if (s.ok()) return Status::OK();
  if (!s.IsNotFound()) return s;

  raft_serverpb::RaftLocalState raft_state;
  raft_state.mutable_hard_state()->set_term(kRaftInitLogTerm);
  raft_state.mutable_hard_state()->set_commit(kRaftInitLogIndex);
  raft_state.set_last_index(kRaftInitLogIndex);
  raft_state.set_last_term(kRaftInitLogTerm);
  store::WriteBatch raft_wb;
  PutMsg(&raft_wb, RaftStateKey(region.id()), raft_state);
  s = engines.raft->Write(store::WriteOptions{.sync = true}, raft_wb);
  if (!s.ok()) return s;

  raft_serverpb::RaftApplyState apply;
  apply.set_applied_index(kRaftInitLogIndex);
  apply.mutable_truncated_state()->set_index(kRaftInitLogIndex);
  apply.mutable_truncated_state()->set_term(kRaftInitLogTerm);
  raft_serverpb::RegionLocalState region_state;
  region_state.set_state(raft_serverpb::Normal);
  *region_state.mutable_region() = region;
  store::WriteBatch kv_wb;
  PutMsg(&kv_wb, ApplyStateKey(region.id()), apply);
  PutMsg(&kv_wb, RegionStateKey(region.id()), region_state);
  s = engines.kv->Write(store::WriteOptions{.sync = true}, kv_wb);
  if (s.ok() && bootstrapped) *bootstrapped = true;
  return s;
}

}  // namespace tinykv::raftstore
