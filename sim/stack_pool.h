// A pool of guarded fiber stacks.
//
// Every stack is an mmap'd region with a PROT_NONE guard page below it, so a fiber that overflows
// its stack faults at once instead of silently corrupting a neighbour. mmap + mprotect cost tens of
// microseconds, so freed stacks are kept (up to a cap) and handed out again: creating a fiber then
// costs about as much as with an unguarded stack. Only the pages a fiber touched are resident.
//
// Implements Boost.Context's StackAllocator concept through StackPoolRef (a cheap, copyable
// handle). Single-threaded: one pool belongs to one executor.
#pragma once

#include <boost/context/stack_context.hpp>
#include <cstddef>
#include <vector>

namespace tinykv::sim {

class StackPool {
 public:
  static constexpr size_t kDefaultStackSize = 64 * 1024;

  explicit StackPool(size_t stack_size = kDefaultStackSize, size_t max_cached = 1024);
  ~StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  // A usable stack of stack_size() bytes (sp points at its top). Aborts with a message if the
  // system refuses memory: a simulation cannot continue without stacks.
  boost::context::stack_context Allocate();
  void Release(boost::context::stack_context& sctx);

  size_t stack_size() const { return stack_size_; }
  size_t guard_size() const { return page_size_; }  // the PROT_NONE bytes just below each stack
  size_t cached() const { return free_.size(); }

 private:
  size_t stack_size_;
  size_t max_cached_;
  size_t page_size_;
  std::vector<void*> free_;  // base addresses (guard page first)
};

// The StackAllocator handle given to boost::context::fiber.
class StackPoolRef {
 public:
  explicit StackPoolRef(StackPool* pool) : pool_(pool) {}
  boost::context::stack_context allocate() { return pool_->Allocate(); }
  void deallocate(boost::context::stack_context& sctx) noexcept { pool_->Release(sctx); }

 private:
  StackPool* pool_;
};

}  // namespace tinykv::sim
