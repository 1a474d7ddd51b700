#include "store/raftstore/split_checker.h"

#include <utility>

#include "store/raftstore/keys.h"
#include "store/raftstore/snapshot.h"

namespace tinykv::raftstore {

SplitCheckResult CheckSplit(const SplitCheckTask& task, uint64_t max_size, uint64_t split_size,
                            const store::SplitKeyOf& split_key_of, size_t yield_every,
                            const std::function<void()>& yield) {
  SplitCheckResult r;
  r.region = task.region;
  const auto [begin, end] = RegionDataRange(task.region);
  std::string candidate;
  size_t seen = 0;
  for (store::Cf cf : store::kAllCfs) {
    uint64_t cf_size = 0;
    auto it = task.snapshot->NewIterator(cf);
    for (it->Seek(begin); it->Valid() && it->key() < end; it->Next()) {
      const uint64_t bytes = it->key().size() + it->value().size();
      r.size += bytes;
      cf_size += bytes;
      if (cf == store::Cf::kDefault && candidate.empty() && cf_size > split_size) {
        if (auto data_key = OriginKey(it->key())) {
          std::string cut = split_key_of ? split_key_of(*data_key) : std::string(*data_key);
          if (cut > task.region.start_key()) candidate = std::move(cut);
        }
      }
      if (yield && yield_every != 0 && ++seen % yield_every == 0) yield();
    }
  }
  if (r.size > max_size) r.split_key = std::move(candidate);
  return r;
}

void RunSplitChecker(sim::Channel<SplitCheckTask>& tasks, uint64_t max_size, uint64_t split_size,
                     const store::SplitKeyOf& split_key_of,
                     const std::function<void(SplitCheckResult)>& done) {
  while (auto task = tasks.Recv()) {
    done(CheckSplit(*task, max_size, split_size, split_key_of, 256, [] { sim::Yield(); }));
  }
}

}  // namespace tinykv::raftstore
