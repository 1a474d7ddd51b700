#include "scheduler/id_allocator.h"

#include <string>

#include "scheduler/meta_codec.h"

namespace tinykv::scheduler {
namespace {

constexpr std::string_view kIdKey = "id/alloc_end";

}  // namespace

IdAllocator::IdAllocator(MetaStore* store, uint64_t step) : store_(store), step_(step) {}

Status IdAllocator::Reserve() {
  uint64_t end = end_;
  if (!loaded_) {
    std::string raw;
    if (Status s = store_->Load(kIdKey, &raw); s.ok()) {
      if (!DecodeU64(raw, &end)) return Status::IoError("the saved id allocator end is corrupted");
    } else if (!s.IsNotFound()) {
      return s;
    }
  }
  const uint64_t new_end = end + step_;
  if (Status s = store_->Save(kIdKey, EncodeU64(new_end)); !s.ok()) return s;
  if (!loaded_) next_ = end;  // a restart skips whatever the last range had left
  loaded_ = true;
  end_ = new_end;
  return Status::OK();
}

Status IdAllocator::Alloc(uint64_t* id) {
  if (!loaded_ || next_ == end_) {
    if (Status s = Reserve(); !s.ok()) return s;
  }
  *id = ++next_;
  return Status::OK();
}

}  // namespace tinykv::scheduler
