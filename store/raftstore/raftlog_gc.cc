#include "store/raftstore/raftlog_gc.h"

#include "store/raftstore/keys.h"

namespace tinykv::raftstore {

store::Status GcRaftLog([[maybe_unused]] Engines engines,
                        [[maybe_unused]] const RaftLogGcTask& task) {
  // BEGIN SOLUTION(lab2c)
  // STUB: return store::Status::OK();
  if (task.begin >= task.end) return store::Status::OK();
  store::Status s = engines.kv->Write(store::WriteOptions{.sync = true}, store::WriteBatch{});
  if (!s.ok()) return s;
  store::WriteBatch wb;
  wb.DeleteRange(store::Cf::kDefault, RaftLogKey(task.region_id, task.begin),
                 RaftLogKey(task.region_id, task.end));
  return engines.raft->Write(store::WriteOptions{}, wb);
  // END SOLUTION
}

void RunRaftLogGcWorker(Engines engines, sim::Channel<RaftLogGcTask>& tasks,
                        const std::function<void(const RaftLogGcTask&)>& done) {
  while (auto task = tasks.Recv()) {
    (void)GcRaftLog(engines, *task);
    if (done) done(*task);
  }
}

}  // namespace tinykv::raftstore
