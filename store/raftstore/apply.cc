// The apply half of the Peer: committed entries → kv engine, then the proposals' answers.
#include <algorithm>
#include <iterator>
#include <optional>
#include <string>
#include <utility>

#include "store/raftstore/cmd_resp.h"
#include "store/raftstore/keys.h"
#include "store/raftstore/peer.h"
#include "store/raftstore/region_epoch.h"

namespace tinykv::raftstore {

using store::Cf;
using store::Status;
using store::WriteBatch;

namespace {

[[maybe_unused]] Cf CfOrDefault(const std::string& name) {
  auto cf = store::CfFromName(name);
  return cf ? *cf : Cf::kDefault;
}

}  // namespace

void Peer::ApplyCommitted(std::vector<eraftpb::Entry> entries) {
  if (applying_snapshot_ || !held_entries_.empty()) {
    // They come after the snapshot (applied once its data is in), or after an entry held back.
    std::vector<eraftpb::Entry>& queue = applying_snapshot_ ? waiting_entries_ : held_entries_;
    queue.insert(queue.end(), std::make_move_iterator(entries.begin()),
                 std::make_move_iterator(entries.end()));
    return;
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    if (removed_) return;  // a membership change removed this peer: it applies nothing more
    if (RemovesThisLeader(entries[i])) {
      // Applied now, the removal would make this leader vanish before the others learn that it
      // committed (the commit index travels with the next append): a two-peer region would be
      // left with a peer that cannot win an election. (A leader never proposes its own removal,
      // ProposeChangePeer; an earlier leader may have.) Hand leadership over first, and apply
      // as a follower once the new leader knows of the commit (Peer::Tick says when).
      held_entries_.assign(std::make_move_iterator(entries.begin() + static_cast<long>(i)),
                           std::make_move_iterator(entries.end()));
      if (const uint64_t best = MostCaughtUpOtherPeer(); best != 0) raw_->TransferLeader(best);
      return;
    }
    ApplyEntry(entries[i]);
  }
}

bool Peer::RemovesThisLeader(const eraftpb::Entry& entry) const {
  if (entry.entry_type() != eraftpb::EntryConfChange || !IsLeader() || region().peers_size() < 2 ||
      entry.index() <= storage_->applied_index()) {
    return false;
  }
  eraftpb::ConfChange cc;
  raft_cmdpb::RaftCmdRequest req;
  return cc.ParseFromString(entry.data()) && cc.change_type() == eraftpb::RemoveNode &&
         cc.node_id() == id() && req.ParseFromString(cc.context()) &&
         !CheckRegionEpoch(req, region());
}

void Peer::ApplyEntry([[maybe_unused]] const eraftpb::Entry& entry) {
  // BEGIN SOLUTION(lab2b)
  if (entry.index() <= storage_->applied_index()) return;  // covered by a snapshot already
  WriteBatch wb;
  CmdResult result;
  raft_cmdpb::RaftCmdRequest req;
  bool is_cmd = false;
  if (entry.entry_type() == eraftpb::EntryConfChange) {
    ApplyConfChangeEntry(entry, &wb, &result);
  } else if (!entry.data().empty()) {
    is_cmd = req.ParseFromString(entry.data());
    // (lab3b) The region may have split since the command was proposed: a command for its old range
    // must not run against the new one.
    std::optional<errorpb::Error> err;
    if (is_cmd) err = CheckRegionEpoch(req, region());
    if (is_cmd && !err) err = CheckKeysInRegion(req, region());
    if (err) {
      result.response = ErrorResponse(*err);
      is_cmd = false;  // answered with the error, nothing executed
    }
    if (is_cmd && req.has_admin_request()) {
      ApplyAdmin(req.admin_request(), &wb, &result.response);
    } else if (is_cmd) {
      ApplyWrites(req, &wb);
    }
  }
  storage_->mutable_apply_state()->set_applied_index(entry.index());
  storage_->WriteApplyState(&wb);
  // Not synced: the synced raft log is the write-ahead log; a crash that loses this batch only
  // moves the applied index back, and the entry is applied again after restart.
  if (!storage_->engines().kv->Write(store::WriteOptions{}, wb).ok()) return;
  if (is_cmd && !req.has_admin_request()) result = ReadResults(req);
  if (split_created_) {
    // The store re-indexes the shrunk range and starts the new region's peer (lab3b).
    const metapb::Region before = *std::exchange(split_before_, std::nullopt);
    const metapb::Region created = *std::exchange(split_created_, std::nullopt);
    if (options_.hooks.on_range_changed) options_.hooks.on_range_changed(before, region());
    if (options_.hooks.on_split) options_.hooks.on_split(created, IsLeader());
  }
  AnswerProposals(entry.index(), entry.term(), std::move(result));
  // END SOLUTION
}

void Peer::ApplyWrites([[maybe_unused]] const raft_cmdpb::RaftCmdRequest& req,
                       [[maybe_unused]] WriteBatch* wb) {
  // BEGIN SOLUTION(lab2b)
  for (const auto& r : req.requests()) {
    switch (r.cmd_type()) {
      case raft_cmdpb::Put:
        wb->Put(CfOrDefault(r.put().cf()),
                store::KeyValue{DataKey(r.put().key()), r.put().value()});
        break;
      case raft_cmdpb::Delete:
        wb->Delete(CfOrDefault(r.delete_().cf()), DataKey(r.delete_().key()));
        break;
      default:
        break;  // reads are answered after the write lands
    }
  }
  // END SOLUTION
}

CmdResult Peer::ReadResults([[maybe_unused]] const raft_cmdpb::RaftCmdRequest& req) {
  CmdResult result;
  // BEGIN SOLUTION(lab2b)
  for (const auto& r : req.requests()) {
    raft_cmdpb::Response* resp = result.response.add_responses();
    resp->set_cmd_type(r.cmd_type());
    switch (r.cmd_type()) {
      case raft_cmdpb::Get: {
        std::string value;
        Status s =
            storage_->engines().kv->Get(CfOrDefault(r.get().cf()), DataKey(r.get().key()), &value);
        if (s.ok()) resp->mutable_get()->set_value(std::move(value));
        break;
      }
      case raft_cmdpb::Snap:
        *resp->mutable_snap()->mutable_region() = region();
        result.snapshot = storage_->engines().kv->GetSnapshot();
        break;
      default:
        break;
    }
  }
  // END SOLUTION
  return result;
}

void Peer::ApplyConfChangeEntry([[maybe_unused]] const eraftpb::Entry& entry,
                                [[maybe_unused]] WriteBatch* wb,
                                [[maybe_unused]] CmdResult* result) {
  // BEGIN SOLUTION(lab3b)
  eraftpb::ConfChange cc;
  raft_cmdpb::RaftCmdRequest req;
  if (!cc.ParseFromString(entry.data()) || !req.ParseFromString(cc.context()) ||
      !req.admin_request().has_change_peer()) {
    return;  // not ours (e.g. an empty change): the applied index still moves past it
  }
  if (auto err = CheckRegionEpoch(req, region())) {
    // Proposed against a membership that has changed since: raft is not told either, so both
    // keep the members they agree on.
    result->response = ErrorResponse(*err);
    return;
  }
  const metapb::Peer& target = req.admin_request().change_peer().peer();
  metapb::Region region = storage_->region();
  auto* peers = region.mutable_peers();
  auto member = std::find_if(peers->begin(), peers->end(),
                             [&](const metapb::Peer& p) { return p.id() == target.id(); });
  const bool add = cc.change_type() == eraftpb::AddNode;
  if (add == (member != peers->end())) {
    // Already done (the epoch matched, so this is a repeat of the change that made it): nothing
    // changes, but raft hears of it so that its pending change is cleared.
    raw_->ApplyConfChange(cc);
  } else {
    if (add) {
      *peers->Add() = target;
      peer_cache_.insert_or_assign(target.id(), target);
    } else {
      peers->erase(member);
      peer_cache_.erase(target.id());
    }
    region.mutable_region_epoch()->set_conf_ver(region.region_epoch().conf_ver() + 1);
    storage_->set_region(region);
    storage_->WriteRegionState(wb);
    raw_->ApplyConfChange(cc);
    if (!add && target.id() == id()) removed_ = true;
  }
  auto* admin = result->response.mutable_admin_response();
  admin->set_cmd_type(raft_cmdpb::ChangePeer);
  *admin->mutable_change_peer()->mutable_region() = storage_->region();
  // END SOLUTION
}

void Peer::ApplyAdmin(const raft_cmdpb::AdminRequest& req, [[maybe_unused]] WriteBatch* wb,
                      raft_cmdpb::RaftCmdResponse* resp) {
  resp->mutable_admin_response()->set_cmd_type(req.cmd_type());
  if (req.cmd_type() == raft_cmdpb::Split) return ApplySplit(req.split(), wb, resp);
  // BEGIN SOLUTION(lab2c)
  if (req.cmd_type() != raft_cmdpb::CompactLog) return;
  const auto& c = req.compact_log();
  if (c.compact_index() <= storage_->truncated_index() ||
      c.compact_index() > storage_->applied_index() + 1) {
    return;  // stale (a snapshot or an earlier compaction went further) or nonsense
  }
  auto* truncated = storage_->mutable_apply_state()->mutable_truncated_state();
  truncated->set_index(c.compact_index());
  truncated->set_term(c.compact_term());
  // The log itself is deleted by the GC worker, after this apply state is durable.
  if (options_.hooks.gc_raft_log) {
    options_.hooks.gc_raft_log(region_id(), last_gc_end_, c.compact_index() + 1);
  }
  last_gc_end_ = c.compact_index() + 1;
  // END SOLUTION
}

}  // namespace tinykv::raftstore
