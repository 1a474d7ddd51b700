// MvccTxn: one transaction's view of the three column families (TinyKV's mvcc.MvccTxn, lab 4A).
//
// Percolator keeps three kinds of record per user key (txn/mvcc_key.h has the key layout):
//   CF lock     key            -> Lock   (txn/lock.h)   while a transaction holds the key
//   CF default  key @ start_ts -> value                 the value a transaction wrote
//   CF write    key @ commit_ts -> Write (txn/write.h)  a committed put / delete, or a rollback,
//                                                      pointing back at its start_ts
// MvccTxn lowers these into plain engine keys and values. It reads through a StorageReader (one
// consistent snapshot) and *buffers* what it writes: nothing reaches the storage until the caller
// hands writes() to Storage::Write as one batch, so a command's writes land atomically or not at
// all. Reads never see the transaction's own buffered writes.
//
// Visibility (what GetValue returns): the value of the newest write of the key whose commit ts is
// <= the transaction's start ts, skipping rollbacks. A put yields the value stored in CF default
// at that write's start ts; a delete, or no such write, yields nothing.
//
// Errors: read methods return store::Status. A missing lock / value / write is not an error: it is
// OK with an empty optional. A read that fails passes the storage's error on; a stored record that
// does not decode (a bad key in CF write, a bad Write or Lock, a put whose value is missing from CF
// default) is Corruption naming the key. Out-values are meaningful only when the call returns OK.
//
// Ownership and threads: the reader is not owned and must outlive the txn. One fiber uses a txn.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/status.h"
#include "store/storage/storage.h"
#include "txn/lock.h"
#include "txn/write.h"

namespace tinykv::txn {

// A record of CF write with the commit ts it is stored under.
struct CommittedWrite {
  Write write;
  uint64_t commit_ts = 0;

  bool operator==(const CommittedWrite&) const = default;
};
// "{put, start ts 10} at 12" (for GoogleTest failure messages; defined in write.cc).
std::ostream& operator<<(std::ostream& os, const CommittedWrite& w);

class MvccTxn {
 public:
  // REQUIRES: reader != nullptr and outlives this txn.
  MvccTxn(store::StorageReader* reader, uint64_t start_ts) : reader_(reader), start_ts_(start_ts) {}

  uint64_t start_ts() const { return start_ts_; }
  store::StorageReader* reader() const { return reader_; }

  // Every modification buffered so far, in the order the calls were made.
  const std::vector<store::Modify>& writes() const { return writes_; }

  // Buffers a put of `write` into CF write under EncodeKey(key, commit_ts).
  void PutWrite(std::string_view key, uint64_t commit_ts, const Write& write);

  // The lock on `key` (CF lock, raw key), or nullopt when the key is not locked.
  store::Status GetLock(std::string_view key, std::optional<Lock>* lock);
  // Buffers a put of `lock` into CF lock under the raw key.
  void PutLock(std::string_view key, const Lock& lock);
  // Buffers a delete of the lock on `key`.
  void DeleteLock(std::string_view key);

  // The value of `key` visible at start_ts() (see the visibility rule above), or nullopt.
  store::Status GetValue(std::string_view key, std::optional<std::string>* value);
  // Buffers a put of `value` into CF default under EncodeKey(key, start_ts()).
  void PutValue(std::string_view key, std::string_view value);
  // Buffers a delete of CF default's EncodeKey(key, start_ts()).
  void DeleteValue(std::string_view key);

  // The write of *this* transaction on `key`: the one whose Write::start_ts == start_ts(), at
  // whatever commit ts (a rollback's is start_ts() itself), or nullopt when there is none.
  store::Status CurrentWrite(std::string_view key, std::optional<CommittedWrite>* write);

  // The newest write of `key`, whatever its commit ts and whatever start_ts() is, or nullopt when
  // the key has never been written.
  store::Status MostRecentWrite(std::string_view key, std::optional<CommittedWrite>* write);

 private:
  store::StorageReader* reader_;
  uint64_t start_ts_;
  std::vector<store::Modify> writes_;
};

}  // namespace tinykv::txn
