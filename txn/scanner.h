// Scanner: the committed key/value pairs a transaction sees, in key order (TinyKV's
// mvcc.Scanner; KvScan is built on it).
//
// A scanner walks CF write from a start key and yields, for each user key, the value GetValue
// would return at the transaction's start ts (txn/mvcc_txn.h): one pair per user key, however
// many versions it has; keys whose visible write is a delete, or that have only rollbacks or only
// versions newer than the start ts, yield nothing. Locks are not consulted: deciding whether a
// locked key may be read is the caller's job (KvScan reads CF lock beside the scanner: a
// lock on a key with no committed value matters too).
//
// The scan is over when the data ends, when the next user key is >= ScanOptions::end_key (if
// one is set), or when `limit` pairs have been returned. Keys compare as unsigned bytes.
//
// Errors: Next returns the storage's error, or Corruption for a record that does not decode.
// After an error, the scanner must not be used again.
//
// Ownership and threads: the txn (and its reader) is not owned and must outlive the scanner. One
// fiber uses a scanner.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/engine/engine.h"
#include "store/status.h"
#include "txn/mvcc_txn.h"

namespace tinykv::txn {

struct KvPair {
  std::string key;
  std::string value;

  bool operator==(const KvPair&) const = default;
};

struct ScanOptions {
  // Stop before the first user key >= end_key; empty means no end.
  std::string end_key = {};
  // At most this many pairs (0: none).
  uint64_t limit = std::numeric_limits<uint64_t>::max();
};

class Scanner {
 public:
  // Starts at the first user key >= start_key. REQUIRES: txn != nullptr and outlives the scanner.
  Scanner(MvccTxn* txn, std::string_view start_key, ScanOptions options = {});

  // On OK, *pair is the next visible pair, or nullopt when the scan is over (and stays over).
  store::Status Next(std::optional<KvPair>* pair);

 private:
  MvccTxn* txn_;
  ScanOptions options_;
  // Over CF write of the txn's snapshot; positioned at the next user key to look at.
  std::unique_ptr<store::Iterator> it_;
  uint64_t returned_ = 0;
};

// Runs `scanner` to its end, appending every pair to *pairs (which keeps what it held). On error,
// *pairs holds the pairs read before it.
store::Status ScanAll(Scanner* scanner, std::vector<KvPair>* pairs);

}  // namespace tinykv::txn
