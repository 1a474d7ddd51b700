#include "sim/rpc_frame.h"

namespace tinykv::sim {

std::string EncodeRpcFrame(std::string_view method, std::string_view body) {
  std::string out(method);
  out.push_back('\0');
  out.append(body);
  return out;
}

bool DecodeRpc(std::string_view payload, std::string_view* method, std::string_view* body) {
  const size_t nul = payload.find('\0');
  if (nul == std::string_view::npos || nul == 0) return false;
  *method = payload.substr(0, nul);
  *body = payload.substr(nul + 1);
  return true;
}

bool IsRpcErrorFrame(std::string_view reply, std::string* reason) {
  if (reply.empty() || reply[0] != '\0') return false;
  if (reason) *reason = std::string(reply.substr(1));
  return true;
}

std::string EncodeRpcErrorFrame(std::string_view reason) {
  std::string out(1, '\0');
  out.append(reason);
  return out;
}

}  // namespace tinykv::sim
