// KvScan (lab 4C): a snapshot read of up to `limit` keys from start_key at the request's version.
//
// ScanResponse has no top-level KeyError: a region error goes into region_error; any other
// storage failure ends the scan with one last pair, keyless, that carries a `retryable` KeyError
// after the pairs read before it. A lock record that does not parse costs only its key: that
// key's pair carries the `retryable` error, and the scan goes on.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "txn/command_util.h"
#include "txn/commands.h"
#include "txn/scanner.h"

namespace tinykv::txn {
namespace {

// Ends `resp` with `status`: as its region error, or as a last pair with a retryable KeyError.
void FailScan(const store::Status& status, kvrpcpb::ScanResponse* resp) {
  FillErrorInto(status, resp, [resp] { return resp->add_pairs()->mutable_error(); });
}

// BEGIN SOLUTION(lab4c)
// The locks of CF lock, from a start key on, that a read at `version` must report: each as the
// pair (key, KeyError) the key yields instead of its value.
class LockStream {
 public:
  LockStream(store::StorageReader* reader, std::string_view start_key, uint64_t version)
      : it_(reader->IterCF(store::Cf::kLock)), version_(version) {
    it_->Seek(start_key);
  }

  // On OK, *blocked is the next reportable lock, or nullopt when there is none left.
  store::Status Next(std::optional<kvrpcpb::KvPair>* blocked) {
    for (; it_->Valid(); it_->Next()) {
      kvrpcpb::KvPair pair;
      pair.set_key(std::string(it_->key()));
      Lock lock;
      if (store::Status s = ParseLock(it_->value(), &lock); !s.ok()) {
        // The key's lock cannot be read, so neither can the key (the rest of the scan can).
        pair.mutable_error()->set_retryable("scan: the lock of the key does not parse: " +
                                            s.ToString());
      } else if (lock.start_ts <= version_) {
        // As in KvGet: that transaction may commit below our version.
        *pair.mutable_error()->mutable_locked() = LockInfoOf(it_->key(), lock);
      } else {
        continue;  // a later transaction's lock hides nothing we may see
      }
      it_->Next();
      *blocked = std::move(pair);
      return store::Status::OK();
    }
    *blocked = std::nullopt;
    return it_->status();
  }

 private:
  std::unique_ptr<store::Iterator> it_;
  uint64_t version_;
};
// END SOLUTION

}  // namespace

kvrpcpb::ScanResponse KvScan(CommandEnv& env, const kvrpcpb::ScanRequest& req) {
  kvrpcpb::ScanResponse resp;
  std::unique_ptr<store::StorageReader> reader;
  if (store::Status s = env.storage.Reader(req.context(), &reader); !s.ok()) {
    FailScan(s, &resp);
    return resp;
  }
  MvccTxn txn(reader.get(), req.version());
  // BEGIN SOLUTION(lab4c)
  // STUB: resp.add_pairs()->mutable_error()->set_abort("KvScan is not implemented (lab4c)");
  // Two streams in the same (byte) key order, merged: committed values from the Scanner (CF
  // write) and locks from CF lock. The Scanner alone would miss a lock on a key that has no
  // committed value yet, though its transaction may still commit one below our version.
  Scanner values(&txn, req.start_key());
  LockStream locks(reader.get(), req.start_key(), req.version());
  std::optional<KvPair> value;
  std::optional<kvrpcpb::KvPair> lock;
  // Each stream is read only when its last item was used, so nothing past the limit is read.
  bool need_value = true;
  bool need_lock = true;
  while (static_cast<uint64_t>(resp.pairs_size()) < req.limit()) {
    if (need_value) {
      if (store::Status s = values.Next(&value); !s.ok()) {
        FailScan(s, &resp);
        return resp;
      }
      need_value = false;
    }
    if (need_lock) {
      if (store::Status s = locks.Next(&lock); !s.ok()) {
        FailScan(s, &resp);
        return resp;
      }
      need_lock = false;
    }
    if (!value && !lock) break;
    if (lock && (!value || lock->key() <= value->key)) {
      // A locked key yields its lock instead of its value, and counts towards the limit.
      need_value = value && value->key == lock->key();
      *resp.add_pairs() = std::move(*lock);
      need_lock = true;
    } else {
      kvrpcpb::KvPair* pair = resp.add_pairs();
      pair->set_key(std::move(value->key));
      pair->set_value(std::move(value->value));
      need_value = true;
    }
  }
  // END SOLUTION
  return resp;
}

}  // namespace tinykv::txn
