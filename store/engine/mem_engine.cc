#include "store/engine/mem_engine.h"

#include <algorithm>
#include <utility>

namespace tinykv::store {

namespace {

size_t Index(Cf cf) { return static_cast<size_t>(cf); }

class MemIterator final : public Iterator {
 public:
  explicit MemIterator(const PersistentMap& map) : cursor_(map) {}
  bool Valid() const override { return cursor_.Valid(); }
  void SeekToFirst() override { cursor_.SeekToFirst(); }
  void Seek(std::string_view target) override { cursor_.Seek(target); }
  void Next() override { cursor_.Next(); }
  std::string_view key() const override { return cursor_.key(); }
  std::string_view value() const override { return cursor_.value(); }
  Status status() const override { return Status::OK(); }

 private:
  PersistentMap::Cursor cursor_;
};

class MemSnapshot final : public Snapshot {
 public:
  explicit MemSnapshot(MemState state) : state_(std::move(state)) {}
  Status Get(Cf cf, std::string_view key, std::string* value) const override {
    if (!state_[Index(cf)].Get(key, value)) return Status::NotFound("key not found");
    return Status::OK();
  }
  std::unique_ptr<Iterator> NewIterator(Cf cf) const override {
    return std::make_unique<MemIterator>(state_[Index(cf)]);
  }

 private:
  MemState state_;
};

// The snapshot of a closed engine: every read fails with the reason it is closed.
class ClosedSnapshot final : public Snapshot {
 public:
  explicit ClosedSnapshot(Status status) : status_(std::move(status)) {}
  Status Get(Cf, std::string_view, std::string*) const override { return status_; }
  std::unique_ptr<Iterator> NewIterator(Cf) const override { return NewErrorIterator(status_); }

 private:
  Status status_;
};

}  // namespace

MemState ApplyBatch(MemState state, const WriteBatch& batch) {
  for (const WriteBatch::Op& op : batch.ops()) {
    PersistentMap& map = state[Index(op.cf)];
    switch (op.type) {
      case WriteBatch::OpType::kPut:
        map = std::move(map).Put(op.kv);
        break;
      case WriteBatch::OpType::kDelete:
        map = std::move(map).Delete(op.key());
        break;
      case WriteBatch::OpType::kDeleteRange:
        map = map.DeleteRange(op.key(), op.arg());
        break;
    }
  }
  return state;
}

void MemDisk::Crash(size_t keep_unsynced) {
  size_t keep = std::min(keep_unsynced, unsynced_.size());
  // The live version is replaced below: dropping it first lets the replay change the nodes only
  // the durable version holds in place instead of path-copying them (as Write does for a sync).
  live_ = MemState{};
  for (size_t i = 0; i < keep; ++i) durable_ = ApplyBatch(std::move(durable_), unsynced_[i]);
  unsynced_.clear();
  live_ = durable_;
  engine_open_ = false;
  ++generation_;
}

Status MemEngine::Open(std::shared_ptr<MemDisk> disk, std::unique_ptr<MemEngine>* engine) {
  if (disk->engine_open_) {
    return Status::Busy("MemDisk already has an open MemEngine (close or crash it first)");
  }
  disk->engine_open_ = true;
  uint64_t generation = ++disk->generation_;
  engine->reset(new MemEngine(std::move(disk), generation));
  return Status::OK();
}

std::unique_ptr<MemEngine> MemEngine::OpenFresh() {
  std::unique_ptr<MemEngine> engine;
  Status s = Open(std::make_shared<MemDisk>(), &engine);
  (void)s;  // a fresh disk has no open engine
  return engine;
}

MemEngine::~MemEngine() {
  if (is_open()) disk_->engine_open_ = false;
}

bool MemEngine::is_open() const { return disk_->generation_ == generation_; }

Status MemEngine::CheckOpen() const {
  if (!is_open()) return Status::IOError("MemEngine is closed: its disk crashed");
  return Status::OK();
}

Status MemEngine::Get(Cf cf, std::string_view key, std::string* value) {
  if (Status s = CheckOpen(); !s.ok()) return s;
  if (!disk_->live_[Index(cf)].Get(key, value)) return Status::NotFound("key not found");
  return Status::OK();
}

Status MemEngine::Write(const WriteOptions& options, const WriteBatch& batch) {
  if (Status s = CheckOpen(); !s.ok()) return s;
  // Nothing here can fail half-way, and nothing yields: the new version replaces the old whole.
  // A synced write replaces the durable version too, so let go of it first: then the nodes only
  // the live version holds are updated in place (PersistentMap) instead of path-copied.
  if (options.sync) disk_->durable_ = MemState{};
  disk_->live_ = ApplyBatch(std::move(disk_->live_), batch);
  if (options.sync) {
    disk_->durable_ = disk_->live_;
    disk_->unsynced_.clear();
  } else if (!batch.Empty()) {
    disk_->unsynced_.push_back(batch);
  }
  return Status::OK();
}

std::unique_ptr<Snapshot> MemEngine::GetSnapshot() {
  if (Status s = CheckOpen(); !s.ok()) return std::make_unique<ClosedSnapshot>(s);
  return std::make_unique<MemSnapshot>(disk_->live_);
}

std::unique_ptr<Iterator> MemEngine::NewIterator(Cf cf) {
  if (Status s = CheckOpen(); !s.ok()) return NewErrorIterator(s);
  return std::make_unique<MemIterator>(disk_->live_[Index(cf)]);
}

}  // namespace tinykv::store
