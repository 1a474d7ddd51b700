#include "sim/network.h"

#include <gtest/gtest.h>

namespace tinykv::sim {
namespace {

constexpr Port kPort = 1;

// A world with nodes 1..n that each run `main(id)`.
struct World {
  explicit World(uint64_t seed = 1, int n = 3) : ex(ExecutorOptions{.seed = seed}), net(ex) {
    for (int i = 1; i <= n; ++i) {
      const NodeId id = static_cast<NodeId>(i);
      ex.AddNode(id, "n" + std::to_string(i), [this, id] {
        if (main) main(id);
      });
      net.AddNode(id);
    }
  }
  ~World() { ex.Shutdown(); }
  RunResult Run(std::function<void()> driver) {
    return ex.Run([this, driver] {
      for (NodeId id : ex.node_ids()) ex.Start(id);
      driver();
    });
  }
  Executor ex;
  Network net;
  std::function<void(NodeId)> main;
  std::map<NodeId, std::vector<std::string>> received;
};

// Every node collects what arrives on kPort.
void Collect(World& w) {
  w.main = [&w](NodeId id) {
    Channel<Packet>& inbox = w.net.Bind(id, kPort);
    while (auto p = inbox.Recv()) w.received[id].push_back(p->payload);
  };
}

TEST(Network, DeliversWithLatencyInConfiguredRange) {
  World w;
  LinkConfig config;
  config.min_latency = std::chrono::milliseconds(10);
  config.max_latency = std::chrono::milliseconds(20);
  w.net.SetDefaultLink(config);
  std::vector<Time> arrivals;
  w.main = [&](NodeId id) {
    Channel<Packet>& inbox = w.net.Bind(id, kPort);
    while (auto p = inbox.Recv()) arrivals.push_back(Now());
  };
  w.Run([&] {
    Sleep(1ms);  // let nodes bind
    const Time sent = Now();
    for (int i = 0; i < 50; ++i) w.net.Send(1, 2, kPort, "x");
    Sleep(1s);
    ASSERT_EQ(arrivals.size(), 50u);
    for (Time t : arrivals) {
      EXPECT_GE(t - sent, Duration(10ms));
      EXPECT_LE(t - sent, Duration(20ms));
    }
  });
}

TEST(Network, FifoLinkKeepsOrderReorderingLinkDoesNot) {
  for (bool reorder : {false, true}) {
    World w(3);
    LinkConfig config;
    config.min_latency = std::chrono::milliseconds(1);
    config.max_latency = std::chrono::milliseconds(50);
    config.reorder = reorder;
    w.net.SetDefaultLink(config);
    Collect(w);
    w.Run([&] {
      Sleep(1ms);
      for (int i = 0; i < 100; ++i) w.net.Send(1, 2, kPort, std::to_string(i));
      Sleep(1s);
    });
    std::vector<std::string> expected;
    for (int i = 0; i < 100; ++i) expected.push_back(std::to_string(i));
    ASSERT_EQ(w.received[2].size(), 100u);
    if (reorder) {
      EXPECT_NE(w.received[2], expected);
    } else {
      EXPECT_EQ(w.received[2], expected);
    }
  }
}

TEST(Network, LossAndDuplicationRatesWithinBounds) {
  World w(17);
  LinkConfig config;
  config.loss = 0.2;
  config.duplicate = 0.1;
  w.net.SetDefaultLink(config);
  Collect(w);
  const int n = 5000;
  w.Run([&] {
    Sleep(1ms);
    for (int i = 0; i < n; ++i) w.net.Send(1, 2, kPort, "m");
    Sleep(1s);
  });
  LinkCounters c = w.net.counters(1, 2);
  EXPECT_EQ(c.sent, static_cast<uint64_t>(n));
  EXPECT_NEAR(static_cast<double>(c.dropped) / n, 0.2, 0.02);
  // Duplication is drawn only for packets that are not lost.
  EXPECT_NEAR(static_cast<double>(c.duplicated) / (n - c.dropped), 0.1, 0.015);
  EXPECT_EQ(w.received[2].size(), n - c.dropped + c.duplicated);
}

TEST(Network, SymmetricPartitionBlocksBothWaysWithinGroupsFlows) {
  World w(1, 4);
  Collect(w);
  w.Run([&] {
    Sleep(1ms);
    w.net.Partition({{1, 2}, {3, 4}});
    w.net.Send(1, 2, kPort, "1->2");
    w.net.Send(1, 3, kPort, "1->3");
    w.net.Send(3, 1, kPort, "3->1");
    w.net.Send(4, 3, kPort, "4->3");
    Sleep(1s);
    w.net.HealAll();
    w.net.Send(1, 3, kPort, "1->3 healed");
    Sleep(1s);
  });
  EXPECT_EQ(w.received[2], std::vector<std::string>{"1->2"});
  EXPECT_EQ(w.received[3], (std::vector<std::string>{"4->3", "1->3 healed"}));
  EXPECT_TRUE(w.received[1].empty());
}

TEST(Network, ABystanderOfAPartitionReachesEveryGroup) {
  World w(1, 4);
  Collect(w);
  w.Run([&] {
    Sleep(1ms);
    // Node 3 takes no side; node 4, in no group and no bystander, is cut off from all but it.
    w.net.Partition({{1}, {2}}, {3});
    w.net.Send(1, 3, kPort, "1->3");
    w.net.Send(3, 1, kPort, "3->1");
    w.net.Send(2, 3, kPort, "2->3");
    w.net.Send(1, 2, kPort, "1->2");
    w.net.Send(4, 3, kPort, "4->3");
    w.net.Send(4, 1, kPort, "4->1");
    Sleep(1s);
  });
  EXPECT_EQ(w.received[3], (std::vector<std::string>{"1->3", "2->3", "4->3"}));
  EXPECT_EQ(w.received[1], std::vector<std::string>{"3->1"});
  EXPECT_TRUE(w.received[2].empty());
}

TEST(Network, OneWayBlockAndIsolation) {
  World w(1, 3);
  Collect(w);
  w.Run([&] {
    Sleep(1ms);
    w.net.BlockOneWay(1, 2);
    w.net.Send(1, 2, kPort, "1->2");
    w.net.Send(2, 1, kPort, "2->1");
    Sleep(1s);
    w.net.HealAll();
    w.net.Isolate(3);
    w.net.Send(3, 1, kPort, "3->1");
    w.net.Send(2, 3, kPort, "2->3");
    w.net.Send(2, 1, kPort, "2->1 again");
    Sleep(1s);
  });
  EXPECT_TRUE(w.received[2].empty());
  EXPECT_EQ(w.received[1], (std::vector<std::string>{"2->1", "2->1 again"}));
  EXPECT_TRUE(w.received[3].empty());
}

TEST(Network, PartitionDropsPacketsInFlight) {
  World w;
  LinkConfig slow;
  slow.min_latency = slow.max_latency = std::chrono::milliseconds(100);
  w.net.SetDefaultLink(slow);
  Collect(w);
  w.Run([&] {
    Sleep(1ms);
    w.net.Send(1, 2, kPort, "in flight");
    Sleep(50ms);
    w.net.Partition({{1}, {2, 3}});
    Sleep(1s);
  });
  EXPECT_TRUE(w.received[2].empty());
  EXPECT_EQ(w.net.counters(1, 2).dropped, 1u);
}

TEST(Network, ClogHoldsPacketsUntilUnclog) {
  World w;
  Collect(w);
  w.Run([&] {
    Sleep(1ms);
    w.net.Clog(1, 2);
    w.net.Send(1, 2, kPort, "held");
    Sleep(5s);
    EXPECT_TRUE(w.received[2].empty());
    w.net.Unclog(1, 2);
    Sleep(1s);
  });
  EXPECT_EQ(w.received[2], std::vector<std::string>{"held"});
}

TEST(Network, FilterDropsTargetedPacket) {
  World w;
  Collect(w);
  int seen_to_2 = 0;
  w.net.AddFilter([&](const Packet& p) {
    FilterVerdict v;
    if (p.to == 2 && ++seen_to_2 == 3) v.drop = true;  // drop the third packet to node 2
    return v;
  });
  w.Run([&] {
    Sleep(1ms);
    for (int i = 1; i <= 5; ++i) {
      w.net.Send(1, 2, kPort, std::to_string(i));
      Sleep(10ms);
    }
    Sleep(1s);
  });
  EXPECT_EQ(w.received[2], (std::vector<std::string>{"1", "2", "4", "5"}));
}

TEST(Network, RpcRoundTripAndTimeoutOnDeadServer) {
  World w;
  w.main = [&w](NodeId id) {
    Channel<Packet>& inbox = w.net.Bind(id, kPort);
    while (auto p = inbox.Recv()) w.net.Reply(*p, "echo " + p->payload);
  };
  w.Run([&] {
    Sleep(1ms);
    EXPECT_EQ(w.net.Call(1, 2, kPort, "hi", 1s).value_or("<none>"), "echo hi");
    w.ex.Crash(2);
    const Time start = Now();
    EXPECT_FALSE(w.net.Call(1, 2, kPort, "hi", 300ms).has_value());
    EXPECT_EQ(Now() - start, Duration(300ms));
    w.ex.Restart(2);
    Sleep(1ms);
    EXPECT_EQ(w.net.Call(1, 2, kPort, "back", 1s).value_or("<none>"), "echo back");
  });
  EXPECT_GE(w.net.counters(1, 2).dropped, 1u);
}

TEST(Network, CrashedNodeLosesItsInboxRestartedNodeGetsAFreshOne) {
  World w;
  Collect(w);
  w.Run([&] {
    Sleep(1ms);
    w.ex.Crash(2);
    w.net.Send(1, 2, kPort, "while down");
    Sleep(100ms);
    w.ex.Restart(2);
    Sleep(1ms);
    w.net.Send(1, 2, kPort, "after restart");
    Sleep(100ms);
  });
  EXPECT_EQ(w.received[2], std::vector<std::string>{"after restart"});
}

}  // namespace
}  // namespace tinykv::sim
