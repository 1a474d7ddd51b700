#include "scheduler/id_allocator.h"

#include <string>

#include "scheduler/meta_codec.h"

namespace tinykv::scheduler {
namespace {

constexpr std::string_view kIdKey = "id/alloc_end";

}  // namespace

IdAllocator::IdAllocator(MetaStore* store, uint64_t step) : store_(store), step_(step) {}

Status IdAllocator::Alloc(uint64_t* id) {
  if (!loaded_) {
    std::string raw;
    if (Status s = store_->Load(kIdKey, &raw); s.ok()) {
      if (!DecodeU64(raw, &end_)) return Status::IoError("the saved id allocator end is corrupted");
    } else if (!s.IsNotFound()) {
      return s;
    }
    next_ = end_;  // a restart skips whatever the last range had left
    loaded_ = true;
  }
  if (next_ < floor_) next_ = floor_;
  if (next_ >= end_) {
    const uint64_t new_end = next_ + step_;
    if (Status s = store_->Save(kIdKey, EncodeU64(new_end)); !s.ok()) return s;
    end_ = new_end;
  }
  *id = ++next_;
  return Status::OK();
}

}  // namespace tinykv::scheduler
