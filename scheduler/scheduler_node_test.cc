// SchedulerNode in a simulation: requests over the network, error frames for bad payloads, and a
// crash and restart that keep the cluster, the ids and the timestamps going up.
#include "scheduler/scheduler_node.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "sim/rpc_frame.h"

namespace tinykv::scheduler {
namespace {

using namespace std::chrono_literals;

constexpr sim::NodeId kScheduler = 100;
constexpr sim::NodeId kClient = 1;

struct World {
  World() : ex(sim::ExecutorOptions{.seed = 3}), net(ex), node(ex, net, kScheduler) {
    ex.AddNode(kScheduler, "scheduler", [this] { node.Main(); });
    ex.AddNode(kClient, "client", [this] {
      if (client_main) client_main();
    });
    net.AddNode(kScheduler);
    net.AddNode(kClient);
  }
  ~World() { ex.Shutdown(); }

  // One call; nullopt when no answer came within 300 ms or it was an error frame.
  template <class Resp>
  std::optional<Resp> Call(const std::string& method, const google::protobuf::Message& req) {
    auto reply = net.Call(kClient, kScheduler, kSchedulerPort,
                          sim::EncodeRpcFrame(method, req.SerializeAsString()), 300ms);
    if (!reply || sim::IsRpcErrorFrame(*reply, nullptr)) return std::nullopt;
    Resp resp;
    if (!resp.ParseFromString(*reply)) return std::nullopt;
    return resp;
  }

  sim::Executor ex;
  sim::Network net;
  SchedulerNode node;
  std::function<void()> client_main;
};

TEST(SchedulerNode, AnswersOverTheNetworkAndRefusesBadPayloads) {
  World w;
  std::vector<std::string> reasons;
  std::optional<schedulerpb::AllocIDResponse> id;
  w.client_main = [&] {
    for (const std::string& payload : {std::string("no nul"), sim::EncodeRpcFrame("Nope", ""),
                                       sim::EncodeRpcFrame("AllocID", "\xff\xff\xff")}) {
      auto reply = w.net.Call(kClient, kScheduler, kSchedulerPort, payload, 300ms);
      std::string reason;
      if (reply && sim::IsRpcErrorFrame(*reply, &reason)) reasons.push_back(reason);
    }
    id = w.Call<schedulerpb::AllocIDResponse>("AllocID", schedulerpb::AllocIDRequest());
  };
  const sim::RunResult run = w.ex.Run([&] {
    w.ex.Start(kScheduler);
    w.ex.Start(kClient);
    sim::Sleep(5s);
  });
  ASSERT_EQ(run.outcome, sim::RunOutcome::kCompleted) << run.report;
  ASSERT_EQ(reasons.size(), 3u);
  EXPECT_NE(reasons[0].find("malformed request"), std::string::npos) << reasons[0];
  EXPECT_NE(reasons[1].find("unknown method \"Nope\""), std::string::npos) << reasons[1];
  EXPECT_NE(reasons[2].find("does not parse"), std::string::npos) << reasons[2];
  ASSERT_TRUE(id.has_value());
  EXPECT_GT(id->id(), 0u);
  EXPECT_GE(w.node.requests_served(), 4u);
}

TEST(SchedulerNode, ARestartKeepsTheClusterIdsAndTimestamps) {
  World w;
  uint64_t id_before = 0;
  uint64_t id_after = 0;
  uint64_t ts_before = 0;
  uint64_t ts_after = 0;
  int stores_after = 0;
  bool crashed = false;
  bool done = false;
  const auto ts_of = [](const schedulerpb::TsoResponse& r) {
    return ComposeTs(r.timestamp().physical(), static_cast<uint64_t>(r.timestamp().logical()));
  };
  w.client_main = [&] {
    schedulerpb::BootstrapRequest boot;
    boot.mutable_store()->set_id(1);
    ASSERT_TRUE(w.Call<schedulerpb::BootstrapResponse>("Bootstrap", boot).has_value());
    id_before =
        w.Call<schedulerpb::AllocIDResponse>("AllocID", schedulerpb::AllocIDRequest())->id();
    schedulerpb::TsoRequest tso;
    tso.set_count(5);
    ts_before = ts_of(*w.Call<schedulerpb::TsoResponse>("Tso", tso));
    while (!crashed) sim::Sleep(10ms);
    // Retry until the restarted node answers.
    std::optional<schedulerpb::AllocIDResponse> again;
    for (int i = 0; i < 50 && !again; ++i) {
      again = w.Call<schedulerpb::AllocIDResponse>("AllocID", schedulerpb::AllocIDRequest());
    }
    ASSERT_TRUE(again.has_value());
    id_after = again->id();
    ts_after = ts_of(*w.Call<schedulerpb::TsoResponse>("Tso", tso));
    stores_after = w.Call<schedulerpb::GetAllStoresResponse>("GetAllStores",
                                                             schedulerpb::GetAllStoresRequest())
                       ->stores_size();
    done = true;
  };
  const sim::RunResult run = w.ex.Run([&] {
    w.ex.Start(kScheduler);
    w.ex.Start(kClient);
    sim::Sleep(1s);
    w.ex.Crash(kScheduler);
    crashed = true;
    sim::Sleep(1s);
    w.ex.Restart(kScheduler);
    while (!done) sim::Sleep(10ms);
  });
  ASSERT_EQ(run.outcome, sim::RunOutcome::kCompleted) << run.report;
  EXPECT_GT(id_after, id_before);
  EXPECT_GT(ts_after, ts_before);
  EXPECT_EQ(stores_after, 1) << "the bootstrap store survived the restart";
}

}  // namespace
}  // namespace tinykv::scheduler
