// The apply half of the Peer: committed entries → kv engine, then the proposals' answers.
#include <iterator>
#include <string>
#include <utility>

#include "store/raftstore/cmd_resp.h"
#include "store/raftstore/keys.h"
#include "store/raftstore/peer.h"

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
  if (applying_snapshot_) {
    // They come after the snapshot: applied once its data is in.
    waiting_entries_.insert(waiting_entries_.end(), std::make_move_iterator(entries.begin()),
                            std::make_move_iterator(entries.end()));
    return;
  }
  for (const auto& e : entries) ApplyEntry(e);
}

void Peer::ApplyEntry([[maybe_unused]] const eraftpb::Entry& entry) {
  // BEGIN SOLUTION(lab2b)
  if (entry.index() <= storage_->applied_index()) return;  // covered by a snapshot already
  WriteBatch wb;
  CmdResult result;
  raft_cmdpb::RaftCmdRequest req;
  bool is_cmd = false;
  if (entry.entry_type() == eraftpb::EntryConfChange) {
    // Membership changes arrive with lab3b; raft must still learn of the applied change.
    eraftpb::ConfChange cc;
    if (cc.ParseFromString(entry.data())) raw_->ApplyConfChange(cc);
  } else if (!entry.data().empty()) {
    is_cmd = req.ParseFromString(entry.data());
    if (is_cmd && req.has_admin_request()) {
      ApplyAdmin(req.admin_request(), &result.response);
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

void Peer::ApplyAdmin(const raft_cmdpb::AdminRequest& req, raft_cmdpb::RaftCmdResponse* resp) {
  resp->mutable_admin_response()->set_cmd_type(req.cmd_type());
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
