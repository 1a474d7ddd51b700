// bench_sim: the simulator core's budgets (issue "Foundation", DESIGN.md §9).
//   fiber switch through the executor ≤ 50 ns, ≥ 5 M timer events/s, ≥ 2 M messages/s,
//   fiber create+destroy rate, idle fiber ≤ 16 KiB resident.
// Wall-clock timing is fine here: this is a benchmark, not simulated code.
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <string>

#include "sim/executor.h"
#include "sim/network.h"
#include "sim/sync.h"

using namespace tinykv::sim;
#include <time.h>

namespace {

// CPU time of this (single-threaded) process: the machine may be busy with other work, and the
// simulator's cost is what we measure, not the scheduler's mood.
struct Clock {
  using time_point = double;
  static double now() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  }
};

double Seconds(double start) { return Clock::now() - start; }

size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

void Report(const char* name, double value, const char* unit, const char* budget, bool ok) {
  std::printf("%-34s %14.1f %-10s budget %-12s %s\n", name, value, unit, budget,
              ok ? "ok" : "OVER BUDGET");
}

// Two fibers yielding to each other: each Yield is one switch out and one switch in.
void BenchSwitch() {
  const int kYields = 2'000'000;
  Executor ex;
  Clock::time_point start;
  double secs = 0;
  ex.Run([&] {
    WaitGroup wg;
    wg.Add(2);
    start = Clock::now();
    for (int f = 0; f < 2; ++f) {
      Go("yielder", [&] {
        for (int i = 0; i < kYields / 2; ++i) Yield();
        wg.Done();
      });
    }
    wg.Wait();
    secs = Seconds(start);
  });
  const double ns = secs * 1e9 / kYields;
  Report("fiber switch (yield round trip)", ns, "ns", "<= 50 ns", ns <= 50);
}

// Many fibers sleeping random short intervals: every wake-up is one timer event.
void BenchTimers() {
  const int kFibers = 1000;
  const int kSleeps = 5000;
  Executor ex;
  double secs = 0;
  ex.Run([&] {
    WaitGroup wg;
    wg.Add(kFibers);
    const Clock::time_point start = Clock::now();
    for (int f = 0; f < kFibers; ++f) {
      Go("sleeper", [&, f] {
        Rng rng(static_cast<uint64_t>(f));
        for (int i = 0; i < kSleeps; ++i)
          Sleep(Duration(1 + static_cast<int64_t>(rng.Below(1000))));
        wg.Done();
      });
    }
    wg.Wait();
    secs = Seconds(start);
  });
  const double rate = kFibers * static_cast<double>(kSleeps) / secs / 1e6;
  Report("timer events (sleep wake-ups)", rate, "M/s", ">= 5 M/s", rate >= 5);
}

// Callback timers (network deliveries and fault-plan entries use these).
void BenchCallbackTimers() {
  const int kTimers = 5'000'000;
  Executor ex;
  double secs = 0;
  ex.Run([&] {
    Executor& e = Executor::Current();
    int fired = 0;
    const Clock::time_point start = Clock::now();
    // Each chain re-arms itself: a self-contained functor, no captured locals.
    struct Chain {
      Executor* e;
      int* fired;
      int total;
      void operator()() const {
        if (++*fired < total) e->After(Duration(1 + *fired % 97), *this);
      }
    };
    for (int chain = 0; chain < 100; ++chain) e.After(Duration(chain), Chain{&e, &fired, kTimers});
    while (fired < kTimers) Sleep(1ms);
    secs = Seconds(start);
  });
  const double rate = kTimers / secs / 1e6;
  Report("timer events (callbacks)", rate, "M/s", ">= 5 M/s", rate >= 5);
}

// One-way messages through sim::Network with latency: send → delivery timer → inbox → receiver.
void BenchMessages() {
  const int kMessages = 2'000'000;
  Executor ex;
  Network net(ex);
  double secs = 0;
  ex.AddNode(1, "sender", [] { Sleep(kForever); });
  ex.AddNode(2, "receiver", [&] {
    Channel<Packet>& inbox = net.Bind(2, 1);
    int got = 0;
    const Clock::time_point start = Clock::now();
    Go("receiver", [&] {
      while (got < kMessages && inbox.Recv()) ++got;
      secs = Seconds(start);
      Executor::Current().RequestStop();
    });
    for (int i = 0; i < kMessages; ++i) {
      net.Send(1, 2, 1, "0123456789abcdef0123456789abcdef");
      // Bursts of 16 every 50 µs with 1–5 ms latency keep ~1,000 packets in flight, about what a
      // busy five-store cluster has.
      if (i % 16 == 15) Sleep(50us);
    }
    Sleep(kForever);
  });
  ex.Run([&] {
    ex.Start(1);
    ex.Start(2);
    Sleep(kForever);
  });
  ex.Shutdown();
  const double rate = kMessages / secs / 1e6;
  Report("network messages (send->deliver)", rate, "M/s", ">= 2 M/s", rate >= 2);
}

void BenchSpawn() {
  const int kFibers = 1'000'000;
  Executor ex;
  double secs = 0;
  ex.Run([&] {
    const Clock::time_point start = Clock::now();
    int done = 0;
    for (int i = 0; i < kFibers; ++i) {
      Go("short", [&] { ++done; });
      if (i % 256 == 255) Yield();  // let them run and exit, so stacks recycle
    }
    while (done < kFibers) Yield();
    secs = Seconds(start);
  });
  const double rate = kFibers / secs / 1e6;
  Report("fiber create+run+destroy", rate, "M/s", "(report)", true);
}

void BenchIdleFiberMemory() {
  const int kFibers = 20'000;
  Executor ex;
  double per_fiber = 0;
  ex.Run([&] {
    const size_t before = ResidentBytes();
    for (int i = 0; i < kFibers; ++i) Go("idle", [] { Sleep(kForever); });
    Sleep(1ms);  // every fiber starts and parks
    per_fiber = static_cast<double>(ResidentBytes() - before) / kFibers;
    Executor::Current().RequestStop();
  });
  Report("resident bytes per idle fiber", per_fiber / 1024, "KiB", "<= 16 KiB",
         per_fiber <= 16 * 1024);
}

}  // namespace

int main() {
  std::printf("%-34s %14s %-10s\n", "benchmark", "result", "unit");
  BenchSwitch();
  BenchTimers();
  BenchCallbackTimers();
  BenchMessages();
  BenchSpawn();
  BenchIdleFiberMemory();
  return 0;
}
