#include "sim/sync.h"

#include <algorithm>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

namespace tinykv::sim {
namespace {

TEST(Channel, FifoAndCloseDrainsThenEnds) {
  Executor ex;
  std::vector<int> got;
  bool ended = false;
  ex.Run([&] {
    Channel<int> ch("numbers");
    Go("consumer", [&] {
      while (auto v = ch.Recv()) got.push_back(*v);
      ended = true;
    });
    for (int i = 0; i < 5; ++i) ch.Send(i);
    ch.Close();
    EXPECT_FALSE(ch.Send(99));
    Sleep(1ms);
  });
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(ended);
}

TEST(Channel, BoundedSendBlocksUntilReceived) {
  Executor ex;
  std::vector<std::string> log;
  ex.Run([&] {
    Channel<int> ch("bounded", 1);
    Go("producer", [&] {
      ch.Send(1);
      log.push_back("sent1");
      ch.Send(2);  // blocks: capacity 1
      log.push_back("sent2");
    });
    Sleep(1s);
    EXPECT_EQ(log, std::vector<std::string>{"sent1"});
    EXPECT_EQ(ch.Recv().value(), 1);
    Sleep(1s);
    EXPECT_EQ(log.size(), 2u);
    EXPECT_EQ(ch.Recv().value(), 2);
  });
}

TEST(Channel, RecvTimeout) {
  Executor ex;
  ex.Run([&] {
    Channel<int> ch;
    const Time start = Now();
    EXPECT_FALSE(ch.Recv(300ms).has_value());
    EXPECT_EQ(Now() - start, Duration(300ms));
    Executor::Current().After(100ms, [&] { ch.TrySend(5); });
    EXPECT_EQ(ch.Recv(1s).value(), 5);
    EXPECT_EQ(Now() - start, Duration(400ms));
  });
}

TEST(Select, ReturnsReadySourceOrTimesOut) {
  Executor ex;
  ex.Run([&] {
    Channel<int> a("a"), b("b");
    EXPECT_EQ(Select({&a, &b}, 50ms), -1);
    Executor::Current().After(10ms, [&] { b.TrySend(2); });
    EXPECT_EQ(Select({&a, &b}, 1s), 1);
    EXPECT_EQ(b.TryRecv().value(), 2);
    a.Close();
    EXPECT_EQ(Select({&a, &b}), 0);
  });
}

TEST(Select, DoesNotStealWakeupsFromPlainReceivers) {
  Executor ex;
  int received = 0;
  ex.Run([&] {
    Channel<int> a("a"), b("b");
    Go("selector", [&] {
      for (int i = 0; i < 10; ++i) {
        if (Select({&a, &b}) == 1) b.TryRecv();
      }
    });
    Go("receiver", [&] {
      while (a.Recv()) ++received;
    });
    for (int i = 0; i < 10; ++i) {
      a.Send(i);
      b.Send(i);
      Sleep(1ms);
    }
    a.Close();
    Sleep(1ms);
  });
  // Every value sent on `a` is received by someone: the selector only takes from b, the receiver
  // must get each a-value the selector left.
  EXPECT_EQ(received, 10);
}

TEST(Selector, WaitsLikeSelectAcrossRepeatedWaits) {
  Executor ex;
  ex.Run([&] {
    Channel<int> a("a"), b("b");
    Selector selector({&a, &b});
    EXPECT_EQ(selector.Wait(50ms), -1);
    for (int round = 0; round < 3; ++round) {
      Executor::Current().After(10ms, [&] { b.TrySend(round); });
      EXPECT_EQ(selector.Wait(1s), 1);
      EXPECT_EQ(b.TryRecv().value(), round);
    }
    a.Close();
    EXPECT_EQ(selector.Wait(), 0);
  });
}

// The same seed gives the same picks whether a loop waits on one standing Selector or calls Select
// (a fresh Selector) each time: a Selector carries nothing from one wait to the next that could
// change a run, and both pick each source sometimes.
std::vector<int> PicksWhenBothReady(uint64_t seed, bool standing) {
  Executor ex(ExecutorOptions{.seed = seed});
  std::vector<int> picks;
  ex.Run([&] {
    Channel<int> a("a"), b("b");
    Selector selector({&a, &b});
    for (int i = 0; i < 20; ++i) {
      a.TrySend(i);
      b.TrySend(i);
      const int pick = standing ? selector.Wait() : Select({&a, &b});
      picks.push_back(pick);
      (pick == 0 ? a : b).TryRecv();
      (pick == 0 ? b : a).TryRecv();
    }
  });
  return picks;
}

TEST(Selector, DrawsTheSameAsSelect) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const std::vector<int> picks = PicksWhenBothReady(seed, true);
    EXPECT_EQ(picks, PicksWhenBothReady(seed, false));
    EXPECT_NE(std::count(picks.begin(), picks.end(), 0), 0);
    EXPECT_NE(std::count(picks.begin(), picks.end(), 1), 0);
  }
}

TEST(Selector, SourceDestroyedFirstIsNeverReady) {
  Executor ex;
  ex.Run([&] {
    Channel<int> a("a");
    auto b = std::make_unique<Channel<int>>("b");
    Selector selector({&a, b.get()});
    b->TrySend(1);
    b.reset();
    EXPECT_EQ(selector.Wait(10ms), -1);
    a.TrySend(2);
    EXPECT_EQ(selector.Wait(), 0);
  });
}

TEST(Future, DeliversValueOnceAndTimesOut) {
  Executor ex;
  ex.Run([&] {
    Promise<std::string> p;
    Future<std::string> f = p.GetFuture();
    EXPECT_FALSE(f.Get(10ms).has_value());
    Executor::Current().After(5ms, [&] { p.Set("done"); });
    EXPECT_EQ(f.Get().value(), "done");
    EXPECT_FALSE(p.Set("again"));
    EXPECT_EQ(f.Get().value(), "done");
  });
}

TEST(WaitGroup, WaitsForAll) {
  Executor ex;
  int done = 0;
  ex.Run([&] {
    WaitGroup wg;
    for (int i = 1; i <= 4; ++i) {
      wg.Add();
      Go("worker", [&, i] {
        Sleep(Duration(i * 1000));
        ++done;
        wg.Done();
      });
    }
    EXPECT_TRUE(wg.Wait());
    EXPECT_EQ(done, 4);
    EXPECT_EQ(Now(), Time(4000));
  });
}

}  // namespace
}  // namespace tinykv::sim
