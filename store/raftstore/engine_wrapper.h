// EngineWrapper: a hook to decorate a store's engines — a fault, or a planted bug in the grading
// harness's own tests ("faults are decorators": product code has no test branches).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "store/engine/engine.h"

namespace tinykv::raftstore {

enum class DiskKind { kRaft, kKv };

// Returns a decorator of `inner`, the store's `disk` engine. Called at every start of the store;
// `inner` outlives the decorator.
using EngineWrapper = std::function<std::unique_ptr<store::Engine>(uint64_t store_id, DiskKind disk,
                                                                   store::Engine* inner)>;

}  // namespace tinykv::raftstore
