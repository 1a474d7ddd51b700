// The schedulerpb.Scheduler methods by name (sim/rpc_frame.h framing): a request payload in, the
// reply payload out — a serialized response, or an error frame for a payload without a method,
// an unknown method, or a body that does not parse. Never throws or aborts on any input.
#pragma once

#include <string>
#include <string_view>

#include "scheduler/service.h"

namespace tinykv::scheduler {

std::string HandleSchedulerRpc(SchedulerService& service, std::string_view payload, Time now);

}  // namespace tinykv::scheduler
