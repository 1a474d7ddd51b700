#include "txn/region_keys.h"

#include <utility>

#include "txn/codec.h"
#include "txn/mvcc_key.h"
#include "txn/printable.h"

namespace tinykv::txn {
namespace {

using store::Cf;
using store::Status;

// The user key whose RegionKey is exactly `key`.
std::optional<std::string> DecodeRegionKey(std::string_view key) {
  std::string user_key;
  std::string_view rest;
  if (!DecodeBytes(key, &user_key, &rest).ok() || !rest.empty()) return std::nullopt;
  return user_key;
}

// Iterates CF lock stored under RegionKeys, showing the user keys.
class UserKeyedLockIterator final : public store::Iterator {
 public:
  explicit UserKeyedLockIterator(std::unique_ptr<store::Iterator> inner)
      : inner_(std::move(inner)) {}

  bool Valid() const override { return status_.ok() && inner_->Valid(); }
  void SeekToFirst() override {
    inner_->SeekToFirst();
    Decode();
  }
  void Seek(std::string_view target) override {
    inner_->Seek(RegionKey(target));
    Decode();
  }
  void Next() override {
    inner_->Next();
    Decode();
  }
  std::string_view key() const override { return user_key_; }
  std::string_view value() const override { return inner_->value(); }
  Status status() const override { return status_.ok() ? inner_->status() : status_; }

 private:
  void Decode() {
    if (!inner_->Valid()) return;
    std::optional<std::string> user_key = DecodeRegionKey(inner_->key());
    if (!user_key) {
      status_ = Status::Corruption("CF lock key " + Printable(inner_->key()) +
                                   " is not the region key of a user key");
      return;
    }
    user_key_ = std::move(*user_key);
  }

  std::unique_ptr<store::Iterator> inner_;
  std::string user_key_;
  Status status_;
};

class RegionKeyedReader final : public store::StorageReader {
 public:
  explicit RegionKeyedReader(std::unique_ptr<store::StorageReader> inner)
      : inner_(std::move(inner)) {}

  Status GetCF(Cf cf, std::string_view key, std::string* value) override {
    return cf == Cf::kLock ? inner_->GetCF(cf, RegionKey(key), value)
                           : inner_->GetCF(cf, key, value);
  }
  std::unique_ptr<store::Iterator> IterCF(Cf cf) override {
    if (cf != Cf::kLock) return inner_->IterCF(cf);
    return std::make_unique<UserKeyedLockIterator>(inner_->IterCF(cf));
  }

 private:
  std::unique_ptr<store::StorageReader> inner_;
};

}  // namespace

std::string RegionKey(std::string_view user_key) { return EncodeBytes(user_key); }

std::optional<std::string> UserKeyOfBound(std::string_view bound) {
  if (bound.empty()) return std::string();
  return DecodeRegionKey(bound);
}

std::string SplitKeyOf(std::string_view data_key) {
  std::string user_key;
  if (!DecodeUserKey(data_key, &user_key).ok()) return std::string(data_key);
  return RegionKey(user_key);
}

Status RegionKeyedStorage::Write(const kvrpcpb::Context& ctx,
                                 const std::vector<store::Modify>& batch) {
  std::vector<store::Modify> rekeyed = batch;
  for (store::Modify& m : rekeyed) {
    if (m.cf == Cf::kLock) m.key = RegionKey(m.key);
  }
  return inner_.Write(ctx, rekeyed);
}

Status RegionKeyedStorage::Reader(const kvrpcpb::Context& ctx,
                                  std::unique_ptr<store::StorageReader>* reader) {
  std::unique_ptr<store::StorageReader> inner;
  if (Status s = inner_.Reader(ctx, &inner); !s.ok()) return s;
  *reader = std::make_unique<RegionKeyedReader>(std::move(inner));
  return Status::OK();
}

}  // namespace tinykv::txn
