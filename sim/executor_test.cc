#include "sim/executor.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/sync.h"

namespace tinykv::sim {
namespace {

// Runs 6 fibers that each append their name three times, yielding in between.
std::string Interleaving(uint64_t seed) {
  Executor ex(ExecutorOptions{.seed = seed});
  std::string order;
  ex.Run([&] {
    WaitGroup wg;
    for (char c = 'a'; c < 'g'; ++c) {
      wg.Add();
      Go(std::string(1, c), [&, c] {
        for (int i = 0; i < 3; ++i) {
          order += c;
          Yield();
        }
        wg.Done();
      });
    }
    wg.Wait();
  });
  return order;
}

TEST(Executor, SameSeedSameInterleaving) {
  EXPECT_EQ(Interleaving(7), Interleaving(7));
  EXPECT_EQ(Interleaving(8), Interleaving(8));
}

TEST(Executor, SeedsExploreDifferentInterleavings) {
  std::set<std::string> seen;
  for (uint64_t seed = 1; seed <= 20; ++seed) seen.insert(Interleaving(seed));
  EXPECT_GT(seen.size(), 10u);
}

TEST(Executor, ClockJumpsToNextTimer) {
  Executor ex;
  std::vector<int64_t> wakes;
  RunResult r = ex.Run([&] {
    Sleep(5s);
    wakes.push_back(Now().count());
    Sleep(250ms);
    wakes.push_back(Now().count());
  });
  EXPECT_EQ(r.outcome, RunOutcome::kCompleted);
  EXPECT_EQ(wakes, (std::vector<int64_t>{5'000'000'000, 5'250'000'000}));
}

std::string TimerTieOrder(uint64_t seed) {
  Executor ex(ExecutorOptions{.seed = seed});
  std::string order;
  ex.Run([&] {
    for (char c = 'a'; c < 'i'; ++c) {
      Executor::Current().After(10ms, [&order, c] { order += c; });
    }
    Sleep(20ms);
  });
  return order;
}

TEST(Executor, TimerTiesBrokenBySeed) {
  EXPECT_EQ(TimerTieOrder(3), TimerTieOrder(3));
  std::set<std::string> seen;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    std::string order = TimerTieOrder(seed);
    EXPECT_EQ(order.size(), 8u);
    seen.insert(order);
  }
  EXPECT_GT(seen.size(), 5u);
}

TEST(Executor, CancelledTimerDoesNotFire) {
  Executor ex;
  int fired = 0;
  ex.Run([&] {
    Executor& e = Executor::Current();
    TimerId t = e.After(10ms, [&] { fired += 1; });
    e.After(20ms, [&] { fired += 10; });
    e.CancelTimer(t);
    Sleep(30ms);
  });
  EXPECT_EQ(fired, 10);
}

TEST(Executor, ManyTimersWithCancelsFireInTimeOrderExactlyOnce) {
  // Enough timers and cancellations to exercise the queue's heap mode and its purge of cancelled
  // entries; every live timer fires once, at its time, and no cancelled one fires.
  Executor ex(ExecutorOptions{.seed = 7});
  std::vector<int> fired_at;  // by timer index, -1 = not fired
  std::vector<bool> cancelled;
  ex.Run([&] {
    Executor& e = Executor::Current();
    Rng rng(11);
    std::vector<TimerId> ids;
    for (int i = 0; i < 2000; ++i) {
      const int delay_ms = 1 + static_cast<int>(rng.Below(100));
      fired_at.push_back(-1);
      cancelled.push_back(false);
      ids.push_back(e.After(std::chrono::milliseconds(delay_ms), [&, i, delay_ms] {
        EXPECT_EQ(fired_at[i], -1);
        fired_at[i] = delay_ms;
        EXPECT_EQ(Now(), Time(std::chrono::milliseconds(delay_ms)));
      }));
      if (i % 3 == 0) {
        const size_t victim = static_cast<size_t>(rng.Below(ids.size()));
        if (fired_at[victim] == -1) {
          e.CancelTimer(ids[victim]);
          cancelled[victim] = true;
        }
      }
    }
    Sleep(200ms);
  });
  int fired = 0;
  for (size_t i = 0; i < fired_at.size(); ++i) {
    EXPECT_EQ(fired_at[i] != -1, !cancelled[i]) << "timer " << i;
    fired += fired_at[i] != -1 ? 1 : 0;
  }
  EXPECT_GT(fired, 1000);
}

struct Flag {
  bool* set;
  ~Flag() { *set = true; }
};

TEST(Executor, CrashUnwindsFibersRunningDestructors) {
  Executor ex;
  bool destroyed = false;
  bool reached_after_sleep = false;
  int crash_hooks = 0;
  ex.AddNode(1, "n1", [&] {
    Flag flag{&destroyed};
    Sleep(10s);
    reached_after_sleep = true;
  });
  ex.AddCrashHook(1, [&] { ++crash_hooks; });
  RunResult r = ex.Run([&] {
    Executor& e = Executor::Current();
    e.Start(1);
    Sleep(1s);
    EXPECT_FALSE(destroyed);
    e.Crash(1);
    Sleep(1ms);  // the killed fiber unwinds when the driver blocks
    EXPECT_TRUE(destroyed);
    EXPECT_EQ(e.node_state(1), NodeState::kDown);
    Sleep(20s);
  });
  EXPECT_EQ(r.outcome, RunOutcome::kCompleted);
  EXPECT_TRUE(destroyed);
  EXPECT_FALSE(reached_after_sleep);
  EXPECT_EQ(crash_hooks, 1);
}

TEST(Executor, CrashDropsNodeTimersAndRestartRunsMainAgain) {
  Executor ex;
  int starts = 0;
  int timer_fires = 0;
  ex.AddNode(2, "n2", [&] {
    ++starts;
    Executor::Current().After(
        5s, [&] { ++timer_fires; }, 2);
    Sleep(kForever);
  });
  ex.Run([&] {
    Executor& e = Executor::Current();
    e.Start(2);
    Sleep(1s);
    e.Crash(2);
    EXPECT_EQ(e.node_epoch(2), 1u);
    Sleep(10s);
    EXPECT_EQ(timer_fires, 0);
    e.Restart(2);
    Sleep(10s);
    EXPECT_EQ(timer_fires, 1);
  });
  EXPECT_EQ(starts, 2);
}

TEST(Executor, NodeCrashingItselfUnwindsTheCaller) {
  Executor ex;
  bool destroyed = false;
  bool after = false;
  ex.AddNode(1, "n1", [&] {
    Flag flag{&destroyed};
    Executor::Current().Crash(1);
    after = true;
  });
  ex.Run([&] {
    Executor::Current().Start(1);
    Sleep(1s);
  });
  EXPECT_TRUE(destroyed);
  EXPECT_FALSE(after);
}

TEST(Executor, PauseHoldsFibersAndTimersUntilResume) {
  Executor ex;
  std::vector<int64_t> ticks;
  ex.AddNode(1, "n1", [&] {
    for (;;) {
      Sleep(1s);
      ticks.push_back(Now().count() / 1'000'000'000);
    }
  });
  ex.Run([&] {
    Executor& e = Executor::Current();
    e.Start(1);
    Sleep(2500ms);
    e.Pause(1);
    Sleep(5s);
    EXPECT_EQ(ticks.size(), 2u);
    e.Resume(1);
    Sleep(1700ms);
  });
  // Ticks at 1 and 2, then paused 2.5 .. 7.5 (the 3 s tick is held), resumed at 7.5.
  ASSERT_EQ(ticks.size(), 4u);
  EXPECT_EQ(ticks[2], 7);
  EXPECT_EQ(ticks[3], 8);
}

TEST(Executor, DriftStretchesNodeSleeps) {
  Executor ex;
  int64_t woke = 0;
  ex.AddNode(1, "n1", [&] {
    Sleep(1s);
    woke = Now().count();
  });
  ex.SetDrift(1, 1.5);
  ex.Run([&] {
    Executor::Current().Start(1);
    Sleep(5s);
  });
  EXPECT_EQ(woke, 1'500'000'000);
}

TEST(Executor, DeadlockReportNamesBlockedFibers) {
  Executor ex;
  Channel<int> never("never-filled");
  RunResult r = ex.Run([&] {
    Go("consumer", [&] { never.Recv(); });
    never.Recv();
  });
  EXPECT_EQ(r.outcome, RunOutcome::kDeadlock);
  EXPECT_NE(r.report.find("'consumer'"), std::string::npos) << r.report;
  EXPECT_NE(r.report.find("'driver'"), std::string::npos) << r.report;
  EXPECT_NE(r.report.find("chan recv 'never-filled'"), std::string::npos) << r.report;
}

TEST(Executor, TimeAndStepLimits) {
  {
    Executor ex(ExecutorOptions{.time_limit = Time(10s)});
    RunResult r = ex.Run([] {
      for (;;) Sleep(1s);
    });
    EXPECT_EQ(r.outcome, RunOutcome::kTimeLimit);
    EXPECT_LE(r.end_time, Time(10s));
  }
  {
    Executor ex(ExecutorOptions{.step_limit = 100});
    RunResult r = ex.Run([] {
      for (;;) Yield();
    });
    EXPECT_EQ(r.outcome, RunOutcome::kStepLimit);
    EXPECT_EQ(r.steps, 100u);
  }
}

TEST(Executor, RequestStopEndsRun) {
  Executor ex;
  RunResult r = ex.Run([] {
    Go("spinner", [] {
      for (;;) Sleep(1ms);
    });
    Sleep(1s);
    Executor::Current().RequestStop();
    Sleep(1s);
  });
  EXPECT_EQ(r.outcome, RunOutcome::kStopped);
  EXPECT_EQ(r.end_time, Time(1s));
}

TEST(Executor, DestructorUnwindsSuspendedFibers) {
  bool destroyed = false;
  {
    Executor ex;
    ex.Run([&] {
      Go("sleeper", [&] {
        Flag flag{&destroyed};
        Sleep(kForever);
      });
      Sleep(1s);
      Executor::Current().RequestStop();
    });
    EXPECT_FALSE(destroyed);
  }
  EXPECT_TRUE(destroyed);
}

}  // namespace
}  // namespace tinykv::sim
