#include "scheduler/rpc_dispatch.h"

#include <functional>
#include <map>

#include "sim/rpc_frame.h"

namespace tinykv::scheduler {
namespace {

using Handler = std::function<std::string(SchedulerService&, std::string_view body, Time now)>;

// Parses the body as Req, runs `fn`, serializes its answer.
template <class Req, class Fn>
Handler Method(const char* name, Fn fn) {
  return [name, fn](SchedulerService& s, std::string_view body, Time now) {
    Req req;
    if (!req.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
      return sim::EncodeRpcErrorFrame(std::string(name) + ": request body does not parse as " +
                                      req.GetTypeName());
    }
    return fn(s, req, now).SerializeAsString();
  };
}

using MethodTable = std::map<std::string, Handler, std::less<>>;

template <class Req, class Fn>
void Add(MethodTable& table, const char* name, Fn fn) {
  table.emplace(name, Method<Req>(name, fn));
}

const MethodTable& Methods() {
  namespace pb = schedulerpb;
  using S = SchedulerService;
  static const MethodTable* table = [] {
    auto* t = new MethodTable;
    Add<pb::BootstrapRequest>(*t, "Bootstrap",
                              [](S& s, const auto& r, Time) { return s.Bootstrap(r); });
    Add<pb::IsBootstrappedRequest>(*t, "IsBootstrapped",
                                   [](S& s, const auto& r, Time) { return s.IsBootstrapped(r); });
    Add<pb::AllocIDRequest>(*t, "AllocID", [](S& s, const auto& r, Time) { return s.AllocID(r); });
    Add<pb::TsoRequest>(*t, "Tso", [](S& s, const auto& r, Time t) { return s.Tso(r, t); });
    Add<pb::PutStoreRequest>(*t, "PutStore",
                             [](S& s, const auto& r, Time) { return s.PutStore(r); });
    Add<pb::GetStoreRequest>(*t, "GetStore",
                             [](S& s, const auto& r, Time) { return s.GetStore(r); });
    Add<pb::GetAllStoresRequest>(*t, "GetAllStores",
                                 [](S& s, const auto& r, Time) { return s.GetAllStores(r); });
    Add<pb::StoreHeartbeatRequest>(
        *t, "StoreHeartbeat", [](S& s, const auto& r, Time t) { return s.StoreHeartbeat(r, t); });
    Add<pb::RegionHeartbeatRequest>(
        *t, "RegionHeartbeat", [](S& s, const auto& r, Time t) { return s.RegionHeartbeat(r, t); });
    Add<pb::GetRegionRequest>(*t, "GetRegion",
                              [](S& s, const auto& r, Time) { return s.GetRegion(r); });
    Add<pb::GetRegionRequest>(*t, "GetPrevRegion",
                              [](S& s, const auto& r, Time) { return s.GetPrevRegion(r); });
    Add<pb::GetRegionByIDRequest>(*t, "GetRegionByID",
                                  [](S& s, const auto& r, Time) { return s.GetRegionByID(r); });
    Add<pb::ScanRegionsRequest>(*t, "ScanRegions",
                                [](S& s, const auto& r, Time) { return s.ScanRegions(r); });
    Add<pb::AskSplitRequest>(*t, "AskSplit",
                             [](S& s, const auto& r, Time) { return s.AskSplit(r); });
    Add<pb::ReportSplitRequest>(*t, "ReportSplit",
                                [](S& s, const auto& r, Time) { return s.ReportSplit(r); });
    Add<pb::GetClusterConfigRequest>(
        *t, "GetClusterConfig", [](S& s, const auto& r, Time) { return s.GetClusterConfig(r); });
    Add<pb::PutClusterConfigRequest>(
        *t, "PutClusterConfig", [](S& s, const auto& r, Time) { return s.PutClusterConfig(r); });
    return t;
  }();
  return *table;
}

}  // namespace

std::string HandleSchedulerRpc(SchedulerService& service, std::string_view payload, Time now) {
  std::string_view method;
  std::string_view body;
  if (!sim::DecodeRpc(payload, &method, &body)) {
    return sim::EncodeRpcErrorFrame("malformed request: want \"<method>\\0<body>\"");
  }
  const auto& methods = Methods();
  auto it = methods.find(method);
  if (it == methods.end()) {
    return sim::EncodeRpcErrorFrame("unknown method \"" + std::string(method) + "\"");
  }
  return it->second(service, body, now);
}

}  // namespace tinykv::scheduler
