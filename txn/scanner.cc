#include "txn/scanner.h"

#include <string>
#include <utility>

#include "txn/codec.h"
#include "txn/mvcc_key.h"

namespace tinykv::txn {

using store::Status;

// BEGIN SOLUTION(lab4a)
namespace {

// Moves `it` past every version of `user_key`. EncodeKey(user_key, 0) is the key's largest MVCC
// key, so one seek gets there; the loop steps over that version itself when it exists. The
// memcomparable prefix is self-delimiting, so no other user key's MVCC keys start with it.
void SkipVersionsOf(store::Iterator* it, std::string_view user_key) {
  const std::string prefix = EncodeBytes(user_key);
  it->Seek(EncodeKey(user_key, 0));
  while (it->Valid() && it->key().starts_with(prefix)) it->Next();
}

}  // namespace
// END SOLUTION

Scanner::Scanner(MvccTxn* txn, std::string_view start_key, ScanOptions options)
    : txn_(txn), options_(std::move(options)), it_(txn->reader()->IterCF(store::Cf::kWrite)) {
  // EncodeKey(k, kTsMax) is the smallest MVCC key of k: the seek lands on k's newest version, or
  // on the first key after k.
  it_->Seek(EncodeKey(start_key, kTsMax));
}

Status Scanner::Next([[maybe_unused]] std::optional<KvPair>* pair) {
  // BEGIN SOLUTION(lab4a)
  // STUB: return Status::NotSupported("Scanner::Next is not implemented (lab4a)");
  while (returned_ < options_.limit && it_->Valid()) {
    std::string user_key;
    Status s = DecodeUserKey(it_->key(), &user_key);
    if (!s.ok()) return Status::Corruption("scan of CF write: " + s.message());
    if (!options_.end_key.empty() && user_key >= options_.end_key) break;
    // GetValue owns the visibility rule (versions newer than the start ts, rollbacks, deletes);
    // the scanner only has to visit each user key once.
    std::optional<std::string> value;
    s = txn_->GetValue(user_key, &value);
    if (!s.ok()) return s;
    SkipVersionsOf(it_.get(), user_key);
    if (value) {
      ++returned_;
      *pair = KvPair{.key = std::move(user_key), .value = std::move(*value)};
      return Status::OK();
    }
  }
  *pair = std::nullopt;
  return it_->status();
  // END SOLUTION
}

Status ScanAll(Scanner* scanner, std::vector<KvPair>* pairs) {
  for (;;) {
    std::optional<KvPair> pair;
    Status s = scanner->Next(&pair);
    if (!s.ok() || !pair) return s;
    pairs->push_back(std::move(*pair));
  }
}

}  // namespace tinykv::txn
