#include "txn/mvcc_txn.h"

#include <memory>
#include <string>
#include <utility>

#include "txn/mvcc_key.h"
#include "txn/printable.h"

namespace tinykv::txn {

using store::Cf;
using store::Modify;
using store::Status;

// BEGIN SOLUTION(lab4a)
namespace {

// The versions of one key in CF write, newest first, starting at the newest with commit ts <= a
// given ts. Seeking to EncodeKey(key, ts) lands exactly there, because a key's versions are
// contiguous and sorted by descending commit ts (txn/mvcc_key.h).
class WriteVersions {
 public:
  WriteVersions(store::StorageReader* reader, std::string_view key, uint64_t at_or_below_ts)
      : it_(reader->IterCF(Cf::kWrite)), key_(key) {
    it_->Seek(EncodeKey(key, at_or_below_ts));
  }

  // Sets *version to the next version, or to nullopt once the iterator has left the key's
  // versions (the next entry belongs to another user key, or there is none).
  Status Next(std::optional<CommittedWrite>* version) {
    if (started_ && it_->Valid()) it_->Next();
    started_ = true;
    if (!it_->Valid()) {
      *version = std::nullopt;
      return it_->status();
    }
    std::string user_key;
    uint64_t commit_ts = 0;
    Status s = DecodeKey(it_->key(), &user_key, &commit_ts);
    if (!s.ok()) {
      return Status::Corruption("CF write, reading key " + Printable(key_) + ": " + s.message());
    }
    if (user_key != key_) {
      *version = std::nullopt;
      return Status::OK();
    }
    Write write;
    s = ParseWrite(it_->value(), &write);
    if (!s.ok()) {
      return Status::Corruption("CF write, key " + Printable(key_) + " at commit ts " +
                                std::to_string(commit_ts) + ": " + s.message());
    }
    *version = CommittedWrite{.write = write, .commit_ts = commit_ts};
    return Status::OK();
  }

 private:
  std::unique_ptr<store::Iterator> it_;
  std::string key_;
  bool started_ = false;
};

}  // namespace
// END SOLUTION

void MvccTxn::PutWrite([[maybe_unused]] std::string_view key, [[maybe_unused]] uint64_t commit_ts,
                       [[maybe_unused]] const Write& write) {
  // BEGIN SOLUTION(lab4a)
  writes_.push_back(Modify::Put(Cf::kWrite, EncodeKey(key, commit_ts), write.ToBytes()));
  // END SOLUTION
}

Status MvccTxn::GetLock([[maybe_unused]] std::string_view key,
                        [[maybe_unused]] std::optional<Lock>* lock) {
  // BEGIN SOLUTION(lab4a)
  // STUB: return Status::NotSupported("MvccTxn::GetLock is not implemented (lab4a)");
  std::string bytes;
  Status s = reader_->GetCF(Cf::kLock, key, &bytes);
  if (s.IsNotFound()) {
    *lock = std::nullopt;
    return Status::OK();
  }
  if (!s.ok()) return s;
  Lock parsed;
  s = ParseLock(bytes, &parsed);
  if (!s.ok()) return Status::Corruption("CF lock, key " + Printable(key) + ": " + s.message());
  *lock = std::move(parsed);
  return Status::OK();
  // END SOLUTION
}

void MvccTxn::PutLock([[maybe_unused]] std::string_view key, [[maybe_unused]] const Lock& lock) {
  // BEGIN SOLUTION(lab4a)
  writes_.push_back(Modify::Put(Cf::kLock, key, lock.ToBytes()));
  // END SOLUTION
}

void MvccTxn::DeleteLock([[maybe_unused]] std::string_view key) {
  // BEGIN SOLUTION(lab4a)
  writes_.push_back(Modify::Delete(Cf::kLock, key));
  // END SOLUTION
}

Status MvccTxn::GetValue([[maybe_unused]] std::string_view key,
                         [[maybe_unused]] std::optional<std::string>* value) {
  // BEGIN SOLUTION(lab4a)
  // STUB: return Status::NotSupported("MvccTxn::GetValue is not implemented (lab4a)");
  WriteVersions versions(reader_, key, start_ts_);
  for (;;) {
    std::optional<CommittedWrite> version;
    Status s = versions.Next(&version);
    if (!s.ok()) return s;
    if (!version || version->write.kind == WriteKind::kDelete) {
      *value = std::nullopt;
      return Status::OK();
    }
    // A rollback records that a transaction wrote nothing: the value is whatever came before.
    if (version->write.kind == WriteKind::kRollback) continue;
    std::string bytes;
    s = reader_->GetCF(Cf::kDefault, EncodeKey(key, version->write.start_ts), &bytes);
    if (s.IsNotFound()) {
      return Status::Corruption("key " + Printable(key) + ": the put committed at ts " +
                                std::to_string(version->commit_ts) +
                                " has no value in CF default at its start ts " +
                                std::to_string(version->write.start_ts));
    }
    if (!s.ok()) return s;
    *value = std::move(bytes);
    return Status::OK();
  }
  // END SOLUTION
}

void MvccTxn::PutValue([[maybe_unused]] std::string_view key,
                       [[maybe_unused]] std::string_view value) {
  // BEGIN SOLUTION(lab4a)
  writes_.push_back(Modify::Put(Cf::kDefault, EncodeKey(key, start_ts_), value));
  // END SOLUTION
}

void MvccTxn::DeleteValue([[maybe_unused]] std::string_view key) {
  // BEGIN SOLUTION(lab4a)
  writes_.push_back(Modify::Delete(Cf::kDefault, EncodeKey(key, start_ts_)));
  // END SOLUTION
}

Status MvccTxn::CurrentWrite([[maybe_unused]] std::string_view key,
                             [[maybe_unused]] std::optional<CommittedWrite>* write) {
  // BEGIN SOLUTION(lab4a)
  // STUB: return Status::NotSupported("MvccTxn::CurrentWrite is not implemented (lab4a)");
  WriteVersions versions(reader_, key, kTsMax);
  for (;;) {
    std::optional<CommittedWrite> version;
    Status s = versions.Next(&version);
    if (!s.ok()) return s;
    // A transaction commits (or is rolled back) at or after its start, so once the commit
    // timestamps fall below ours, no older version can be ours.
    if (!version || version->commit_ts < start_ts_) {
      *write = std::nullopt;
      return Status::OK();
    }
    if (version->write.start_ts == start_ts_) {
      *write = version;
      return Status::OK();
    }
  }
  // END SOLUTION
}

Status MvccTxn::MostRecentWrite([[maybe_unused]] std::string_view key,
                                [[maybe_unused]] std::optional<CommittedWrite>* write) {
  // BEGIN SOLUTION(lab4a)
  // STUB: return Status::NotSupported("MvccTxn::MostRecentWrite is not implemented (lab4a)");
  return WriteVersions(reader_, key, kTsMax).Next(write);
  // END SOLUTION
}

}  // namespace tinykv::txn
