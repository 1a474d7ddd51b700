#include "store/raftstore/snapshot_apply.h"

#include <string>

#include "proto/raft_serverpb.pb.h"
#include "store/raftstore/keys.h"
#include "store/raftstore/snapshot.h"

namespace tinykv::raftstore {

using store::Cf;
using store::Status;
using store::WriteBatch;

Status ApplySnapshotData(Engines engines, const SnapshotApplyTask& task, size_t batch_keys,
                         const std::function<void()>& between_batches) {
  raft_serverpb::RaftSnapshotData data;
  if (!task.snapshot || !data.ParseFromString(task.snapshot->data())) {
    return Status::Corruption("snapshot payload of region " + std::to_string(task.region_id) +
                              " does not parse");
  }
  // Whatever an interrupted earlier attempt or the old region left in the range goes first.
  WriteBatch wb;
  const auto [begin, end] = RegionDataRange(data.region());
  for (Cf cf : store::kAllCfs) wb.DeleteRange(cf, begin, end);
  size_t in_batch = 0;
  int pos = 0;
  for (const auto& file : data.meta().cf_files()) {
    auto cf = store::CfFromName(file.cf());
    if (!cf || pos + file.size() > static_cast<uint64_t>(data.data_size())) {
      return Status::Corruption("snapshot payload of region " + std::to_string(task.region_id) +
                                " has a bad CF table");
    }
    for (uint64_t i = 0; i < file.size(); ++i, ++pos) {
      wb.Put(*cf, data.data(pos).key(), data.data(pos).value());
      if (++in_batch < batch_keys) continue;
      // Not synced: the last batch syncs them all, and until then the pending snapshot stays.
      if (Status s = engines.kv->Write(store::WriteOptions{}, wb); !s.ok()) return s;
      wb.Clear();
      in_batch = 0;
      if (between_batches) between_batches();
    }
  }
  wb.Delete(Cf::kDefault, PendingSnapshotKey(task.region_id));
  return engines.kv->Write(store::WriteOptions{.sync = true}, wb);
}

void RunSnapshotApplyWorker(Engines engines, sim::Channel<SnapshotApplyTask>& tasks,
                            size_t batch_keys, sim::Duration pause,
                            const std::function<void(SnapshotApplyResult)>& done,
                            const std::function<void(const SnapshotApplyTask&)>& started) {
  auto between = [pause] {
    if (pause > sim::Duration::zero()) {
      sim::Sleep(pause);
    } else {
      sim::Yield();
    }
  };
  while (auto task = tasks.Recv()) {
    if (started) started(*task);
    SnapshotApplyResult r{task->region_id, task->index(),
                          ApplySnapshotData(engines, *task, batch_keys, between)};
    done(std::move(r));
  }
}

}  // namespace tinykv::raftstore
