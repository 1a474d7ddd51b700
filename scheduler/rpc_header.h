// The request / response headers every schedulerpb call carries: one check and one error
// setter, shared by the scheduler's service and the grading harness's mock scheduler.
#pragma once

#include <cstdint>
#include <string>

#include "proto/schedulerpb.pb.h"

namespace tinykv::scheduler {

void SetResponseError(schedulerpb::ResponseHeader* header, schedulerpb::ErrorType type,
                      std::string message);

// Sets resp's cluster id to `cluster_id`. False, with the error set, for a request naming
// another cluster (0 means "whichever this is": stores send it before they know), or — when
// `need_bootstrap` — before the cluster is bootstrapped.
bool CheckRequestHeader(const schedulerpb::RequestHeader& req, schedulerpb::ResponseHeader* resp,
                        uint64_t cluster_id, bool bootstrapped, bool need_bootstrap);

}  // namespace tinykv::scheduler
