// TransportWrapper: a hook to decorate a store's transport — a fault, or a planted bug in the
// grading harness's own tests (a store that sends what it should not). Light on purpose: the
// harness's headers name it without pulling in generated protobuf headers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

namespace tinykv::raftstore {

class Transport;  // store/raftstore/transport.h

// Returns a decorator of `inner`, the transport of store `store_id`, or null to leave it alone.
// Called at every start of the store; `inner` outlives the decorator. What the decorator sends is
// what the store sent: observers (StoreObserver) see its output.
using TransportWrapper =
    std::function<std::unique_ptr<Transport>(uint64_t store_id, Transport* inner)>;

}  // namespace tinykv::raftstore
