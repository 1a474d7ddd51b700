#include "scheduler/rpc_header.h"

#include <utility>

namespace tinykv::scheduler {

void SetResponseError(schedulerpb::ResponseHeader* header, schedulerpb::ErrorType type,
                      std::string message) {
  header->mutable_error()->set_type(type);
  header->mutable_error()->set_message(std::move(message));
}

bool CheckRequestHeader(const schedulerpb::RequestHeader& req, schedulerpb::ResponseHeader* resp,
                        uint64_t cluster_id, bool bootstrapped, bool need_bootstrap) {
  resp->set_cluster_id(cluster_id);
  if (req.cluster_id() != 0 && req.cluster_id() != cluster_id) {
    SetResponseError(resp, schedulerpb::UNKNOWN,
                     "request for cluster " + std::to_string(req.cluster_id()) +
                         ", this scheduler serves cluster " + std::to_string(cluster_id));
    return false;
  }
  if (need_bootstrap && !bootstrapped) {
    SetResponseError(resp, schedulerpb::NOT_BOOTSTRAPPED, "the cluster is not bootstrapped");
    return false;
  }
  return true;
}

}  // namespace tinykv::scheduler
