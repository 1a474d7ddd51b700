#include "sim/demo/ping_scenario.h"

#include <string>
#include <vector>

namespace tinykv::sim::demo {
namespace {

constexpr Port kPingPort = 7;

}  // namespace

PingReport RunPingScenario(Executor& ex, const PingOptions& options) {
  PingReport report;
  Network net(ex);
  std::vector<NodeId> ids;
  for (int i = 1; i <= options.nodes; ++i) ids.push_back(static_cast<NodeId>(i));
  const Time heal_at = Time(options.chaos);

  for (NodeId id : ids) {
    ex.AddNode(id, "node" + std::to_string(id), [&, id] {
      Executor& e = Executor::Current();
      Channel<Packet>& inbox = net.Bind(id, kPingPort);
      // Server: answer every ping with a pong naming this node and how many it has served.
      Go("server", [&, id] {
        while (auto packet = inbox.Recv()) {
          const uint64_t n = ++report.served[id];
          net.Reply(*packet, "pong " + std::to_string(id) + " " + std::to_string(n));
        }
      });
      // Client: ping a random peer; each incarnation draws from its own stream.
      Rng rng = e.Stream("node" + std::to_string(id) + "/" + std::to_string(e.node_epoch(id)));
      for (;;) {
        Sleep(options.ping_every);
        NodeId peer = ids[static_cast<size_t>(rng.Below(ids.size()))];
        if (peer == id) continue;
        auto reply = net.Call(id, peer, kPingPort, "ping", options.ping_timeout);
        if (reply && reply->rfind("pong ", 0) == 0) {
          ++report.pings_ok;
          if (Now() >= heal_at) ++report.pings_ok_after_heal;
        } else {
          ++report.pings_timed_out;
        }
      }
    });
  }

  if (options.plan != nullptr) {
    report.plan = *options.plan;
  } else {
    NemesisOptions nemesis;
    nemesis.nodes = ids;
    nemesis.start = Time(0);
    nemesis.end = heal_at;
    nemesis.mean_gap = std::chrono::milliseconds(700);
    nemesis.partitions = true;
    nemesis.crashes = true;
    nemesis.max_down = 2;
    nemesis.pauses = true;
    nemesis.clogging = true;
    nemesis.lossy = true;
    nemesis.drift = true;
    report.plan = GenerateFaultPlan(ex.Stream("nemesis"), nemesis);
  }
  for (const Fault& f : report.plan.faults) {
    if (f.kind == FaultKind::kRestart) ++report.restarts;
  }

  report.run = ex.Run([&] {
    for (NodeId id : ids) ex.Start(id);
    ScheduleFaultPlan(ex, net, report.plan);
    Sleep(options.chaos + options.liveness);
  });
  report.network = net.totals();
  ex.Shutdown();  // before `net` and `report`, which the fibers use, go away
  return report;
}

}  // namespace tinykv::sim::demo
