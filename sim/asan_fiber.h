// AddressSanitizer annotations for stack switches (internal to sim/).
//
// ASan tracks one stack per thread; switching to a fiber's stack without telling it produces false
// reports (and, with GCC 12, real aborts). Debian's Boost.Context does not annotate its switches,
// so the executor does: StartSwitch before every switch (naming the stack it goes to) and
// FinishSwitch first thing after arriving. Without ASan these compile to nothing.
#pragma once

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#define TINYKV_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TINYKV_ASAN 1
#endif
#endif

#ifdef TINYKV_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

namespace tinykv::sim::asan {

// `fake_stack_save` is null when the stack we leave will never be resumed (a finished fiber).
inline void StartSwitch(void** fake_stack_save, const void* bottom, size_t size) {
#ifdef TINYKV_ASAN
  __sanitizer_start_switch_fiber(fake_stack_save, bottom, size);
#else
  (void)fake_stack_save, (void)bottom, (void)size;
#endif
}

inline void FinishSwitch(void* fake_stack_save, const void** old_bottom, size_t* old_size) {
#ifdef TINYKV_ASAN
  __sanitizer_finish_switch_fiber(fake_stack_save, old_bottom, old_size);
#else
  (void)fake_stack_save, (void)old_bottom, (void)old_size;
#endif
}

}  // namespace tinykv::sim::asan
