#include "store/engine/rocks_engine.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include <utility>
#include <vector>

namespace tinykv::store {

namespace {

// Shared by every RocksEngine of the process (see the header): block cache and memtable budget.
constexpr size_t kSharedBlockCacheBytes = 32 << 20;
constexpr size_t kSharedWriteBufferBytes = 64 << 20;

const std::shared_ptr<rocksdb::Cache>& SharedBlockCache() {
  static const std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(kSharedBlockCacheBytes);
  return cache;
}

const std::shared_ptr<rocksdb::WriteBufferManager>& SharedWriteBufferManager() {
  static const std::shared_ptr<rocksdb::WriteBufferManager> manager =
      std::make_shared<rocksdb::WriteBufferManager>(kSharedWriteBufferBytes);
  return manager;
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
std::string_view ToView(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

bool ContainsNoCase(std::string_view haystack, std::string_view needle) {
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    bool match = true;
    for (size_t j = 0; j < needle.size() && match; ++j) {
      char a = haystack[i + j];
      if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
      match = a == needle[j];
    }
    if (match) return true;
  }
  return false;
}

// Translates a RocksDB status; `what` names the operation and the database for the message.
Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::OK();
  std::string msg(what);
  msg += ": ";
  msg += s.ToString();
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  if (s.IsNotSupported()) return Status::NotSupported(msg);
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) return Status::Busy(msg);
  return Status::IOError(msg);
}

// Open errors get sharper codes than the generic mapping: a held LOCK file is Busy, a missing
// database NotFound.
Status FromRocksOpen(const rocksdb::Status& s, const std::string& path) {
  std::string text = s.ToString();
  if (s.IsIOError() && ContainsNoCase(text, "lock")) {
    return Status::Busy("database " + path + " is locked: another process or engine has it open (" +
                        text + ")");
  }
  if (s.IsInvalidArgument() && ContainsNoCase(text, "does not exist")) {
    return Status::NotFound("no database at " + path + " (create_if_missing is off): " + text);
  }
  return FromRocks(s, "opening database " + path);
}

// Releases a RocksDB snapshot when the last Snapshot / Iterator reading it goes away.
struct SnapshotHolder {
  SnapshotHolder(rocksdb::DB* db, const rocksdb::Snapshot* snapshot) : db(db), snapshot(snapshot) {}
  ~SnapshotHolder() { db->ReleaseSnapshot(snapshot); }
  SnapshotHolder(const SnapshotHolder&) = delete;
  SnapshotHolder& operator=(const SnapshotHolder&) = delete;

  rocksdb::DB* db;
  const rocksdb::Snapshot* snapshot;
};

class RocksIterator final : public Iterator {
 public:
  // `holder` may be null: RocksDB iterators pin an implicit snapshot of their own.
  RocksIterator(std::shared_ptr<SnapshotHolder> holder, rocksdb::Iterator* it)
      : holder_(std::move(holder)), it_(it) {}
  bool Valid() const override { return it_->Valid(); }
  void SeekToFirst() override { it_->SeekToFirst(); }
  void Seek(std::string_view target) override { it_->Seek(ToSlice(target)); }
  void Next() override { it_->Next(); }
  std::string_view key() const override { return ToView(it_->key()); }
  std::string_view value() const override { return ToView(it_->value()); }
  Status status() const override { return FromRocks(it_->status(), "iterator"); }

 private:
  std::shared_ptr<SnapshotHolder> holder_;  // declared first: outlives it_
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace

struct RocksEngine::Impl {
  rocksdb::DB* db = nullptr;
  // Indexed by Cf.
  std::vector<rocksdb::ColumnFamilyHandle*> handles;

  rocksdb::ColumnFamilyHandle* handle(Cf cf) const { return handles[static_cast<size_t>(cf)]; }

  ~Impl() {
    if (db == nullptr) return;
    for (rocksdb::ColumnFamilyHandle* h : handles) db->DestroyColumnFamilyHandle(h);
    db->Close();  // a non-OK result (e.g. leaked snapshots) leaves nothing for us to do
    delete db;
  }
};

namespace {

class RocksSnapshot final : public Snapshot {
 public:
  RocksSnapshot(const RocksEngine::Impl* impl, std::shared_ptr<SnapshotHolder> holder)
      : impl_(impl), holder_(std::move(holder)) {}

  Status Get(Cf cf, std::string_view key, std::string* value) const override {
    rocksdb::ReadOptions ro;
    ro.snapshot = holder_->snapshot;
    std::string out;
    rocksdb::Status s = impl_->db->Get(ro, impl_->handle(cf), ToSlice(key), &out);
    if (s.IsNotFound()) return Status::NotFound("key not found");
    if (!s.ok()) return FromRocks(s, "snapshot get");
    *value = std::move(out);
    return Status::OK();
  }

  std::unique_ptr<Iterator> NewIterator(Cf cf) const override {
    rocksdb::ReadOptions ro;
    ro.snapshot = holder_->snapshot;
    return std::make_unique<RocksIterator>(holder_, impl_->db->NewIterator(ro, impl_->handle(cf)));
  }

 private:
  const RocksEngine::Impl* impl_;
  std::shared_ptr<SnapshotHolder> holder_;
};

}  // namespace

Status RocksEngine::Open(const std::string& path, const RocksEngineOptions& options,
                         std::unique_ptr<RocksEngine>* engine) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = options.create_if_missing;
  db_options.write_buffer_manager = SharedWriteBufferManager();
  db_options.keep_log_file_num = 2;
  db_options.max_open_files = 256;

  rocksdb::BlockBasedTableOptions table_options;
  table_options.block_cache = SharedBlockCache();
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.write_buffer_size = options.write_buffer_size;
  cf_options.max_write_buffer_number = 2;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (Cf cf : kAllCfs) {
    // RocksDB's own default CF is named "default", which is also ours.
    descriptors.emplace_back(std::string(CfName(cf)), cf_options);
  }

  auto impl = std::make_unique<Impl>();
  rocksdb::Status s = rocksdb::DB::Open(db_options, path, descriptors, &impl->handles, &impl->db);
  if (!s.ok()) {
    impl->handles.clear();
    impl->db = nullptr;
    return FromRocksOpen(s, path);
  }
  engine->reset(new RocksEngine(path, std::move(impl)));
  return Status::OK();
}

RocksEngine::RocksEngine(std::string path, std::unique_ptr<Impl> impl)
    : path_(std::move(path)), impl_(std::move(impl)) {}

RocksEngine::~RocksEngine() = default;

Status RocksEngine::Get(Cf cf, std::string_view key, std::string* value) {
  std::string out;
  rocksdb::Status s = impl_->db->Get(rocksdb::ReadOptions(), impl_->handle(cf), ToSlice(key), &out);
  if (s.IsNotFound()) return Status::NotFound("key not found");
  if (!s.ok()) return FromRocks(s, "get from " + path_);
  *value = std::move(out);
  return Status::OK();
}

Status RocksEngine::Write(const WriteOptions& options, const WriteBatch& batch) {
  if (batch.Empty()) {
    if (!options.sync) return Status::OK();
    return FromRocks(impl_->db->SyncWAL(), "syncing the WAL of " + path_);
  }
  rocksdb::WriteBatch rb;
  for (const WriteBatch::Op& op : batch.ops()) {
    rocksdb::ColumnFamilyHandle* h = impl_->handle(op.cf);
    rocksdb::Status s;
    switch (op.type) {
      case WriteBatch::OpType::kPut:
        s = rb.Put(h, ToSlice(op.key()), ToSlice(op.arg()));
        break;
      case WriteBatch::OpType::kDelete:
        s = rb.Delete(h, ToSlice(op.key()));
        break;
      case WriteBatch::OpType::kDeleteRange:
        // An empty or inverted range is a no-op by our contract; RocksDB may reject it.
        if (op.key() < op.arg()) s = rb.DeleteRange(h, ToSlice(op.key()), ToSlice(op.arg()));
        break;
    }
    if (!s.ok()) return FromRocks(s, "building a write batch for " + path_);
  }
  rocksdb::WriteOptions wo;
  wo.sync = options.sync;
  return FromRocks(impl_->db->Write(wo, &rb), "write to " + path_);
}

std::unique_ptr<Snapshot> RocksEngine::GetSnapshot() {
  auto holder = std::make_shared<SnapshotHolder>(impl_->db, impl_->db->GetSnapshot());
  return std::make_unique<RocksSnapshot>(impl_.get(), std::move(holder));
}

std::unique_ptr<Iterator> RocksEngine::NewIterator(Cf cf) {
  return std::make_unique<RocksIterator>(
      nullptr, impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->handle(cf)));
}

}  // namespace tinykv::store
