#include "store/engine/engine.h"

#include <ostream>

#include <utility>

namespace tinykv::store {

std::string_view CfName(Cf cf) {
  switch (cf) {
    case Cf::kDefault:
      return "default";
    case Cf::kLock:
      return "lock";
    case Cf::kWrite:
      return "write";
  }
  return "unknown";
}

std::optional<Cf> CfFromName(std::string_view name) {
  for (Cf cf : kAllCfs) {
    if (CfName(cf) == name) return cf;
  }
  return std::nullopt;
}

void WriteBatch::Put(Cf cf, std::string_view key, std::string_view value) {
  Put(cf, KeyValue{std::string(key), std::string(value)});
}

void WriteBatch::Put(Cf cf, KeyValue kv) {
  bytes_ += kv.key.size() + kv.value.size();
  ops_.push_back(Op{OpType::kPut, cf, std::make_shared<const KeyValue>(std::move(kv))});
}

void WriteBatch::Delete(Cf cf, std::string_view key) {
  ops_.push_back(
      Op{OpType::kDelete, cf, std::make_shared<const KeyValue>(KeyValue{std::string(key), {}})});
  bytes_ += key.size();
}

void WriteBatch::DeleteRange(Cf cf, std::string_view begin, std::string_view end) {
  ops_.push_back(
      Op{OpType::kDeleteRange, cf,
         std::make_shared<const KeyValue>(KeyValue{std::string(begin), std::string(end)})});
  bytes_ += begin.size() + end.size();
}

void WriteBatch::Append(const WriteBatch& other) {
  ops_.insert(ops_.end(), other.ops_.begin(), other.ops_.end());
  bytes_ += other.bytes_;
}

void WriteBatch::Clear() {
  ops_.clear();
  bytes_ = 0;
}

Status Engine::Put(Cf cf, std::string_view key, std::string_view value, bool sync) {
  WriteBatch batch;
  batch.Put(cf, key, value);
  return Write(WriteOptions{.sync = sync}, batch);
}

Status Engine::Delete(Cf cf, std::string_view key, bool sync) {
  WriteBatch batch;
  batch.Delete(cf, key);
  return Write(WriteOptions{.sync = sync}, batch);
}

namespace {

class ErrorIterator final : public Iterator {
 public:
  explicit ErrorIterator(Status status) : status_(std::move(status)) {}
  bool Valid() const override { return false; }
  void SeekToFirst() override {}
  void Seek(std::string_view) override {}
  void Next() override {}
  std::string_view key() const override { return {}; }
  std::string_view value() const override { return {}; }
  Status status() const override { return status_; }

 private:
  Status status_;
};

}  // namespace

std::unique_ptr<Iterator> NewErrorIterator(Status status) {
  return std::make_unique<ErrorIterator>(std::move(status));
}

std::ostream& operator<<(std::ostream& os, Cf cf) { return os << CfName(cf); }

}  // namespace tinykv::store
