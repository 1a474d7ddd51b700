#include "sim/stack_pool.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace tinykv::sim {

StackPool::StackPool(size_t stack_size, size_t max_cached)
    : max_cached_(max_cached), page_size_(static_cast<size_t>(sysconf(_SC_PAGESIZE))) {
  stack_size_ = (stack_size + page_size_ - 1) / page_size_ * page_size_;
}

StackPool::~StackPool() {
  for (void* base : free_) munmap(base, stack_size_ + page_size_);
}

boost::context::stack_context StackPool::Allocate() {
  void* base;
  if (!free_.empty()) {
    base = free_.back();
    free_.pop_back();
  } else {
    const size_t total = stack_size_ + page_size_;
    base = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                -1, 0);
    if (base == MAP_FAILED) {
      std::fprintf(stderr, "fatal: cannot map a %zu-byte fiber stack\n", total);
      std::abort();
    }
    if (mprotect(base, page_size_, PROT_NONE) != 0) {
      std::fprintf(stderr, "fatal: cannot protect a fiber stack's guard page\n");
      std::abort();
    }
  }
  boost::context::stack_context sctx;
  sctx.size = stack_size_;
  sctx.sp = static_cast<char*>(base) + page_size_ + stack_size_;
  return sctx;
}

void StackPool::Release(boost::context::stack_context& sctx) {
  void* base = static_cast<char*>(sctx.sp) - stack_size_ - page_size_;
  if (free_.size() < max_cached_) {
    free_.push_back(base);
  } else {
    munmap(base, stack_size_ + page_size_);
  }
}

}  // namespace tinykv::sim
