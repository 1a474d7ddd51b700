// Latches: commands sharing a key run one after the other, disjoint ones do not wait, all of a
// command's keys are taken at once, and CheckWrites catches a write of a key never latched.
#include "txn/latches.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "sim/executor.h"

namespace tinykv::txn {
namespace {

using namespace std::chrono_literals;

TEST(Latches, ACommandOnAnOverlappingKeyWaitsForTheFirstToRelease) {
  sim::Executor ex(sim::ExecutorOptions{.seed = 1});
  Latches latches;
  std::vector<std::string> order;
  ex.Run([&] {
    sim::WaitGroup done("commands");
    done.Add(2);
    sim::Go("first", [&] {
      Latches::Guard g = latches.Acquire({"b", "a"});
      order.push_back("first holds");
      sim::Sleep(10ms);  // reads and writes while holding
      order.push_back("first releases");
      done.Done();
    });
    sim::Go("second", [&] {
      sim::Sleep(1ms);  // arrives while the first holds "a"
      Latches::Guard g = latches.Acquire({"c", "a"});
      order.push_back("second holds");
      done.Done();
    });
    done.Wait();
  });
  EXPECT_EQ(order, (std::vector<std::string>{"first holds", "first releases", "second holds"}));
  EXPECT_EQ(latches.waits(), 1u);
  EXPECT_FALSE(latches.IsLatched("a")) << "both guards are gone";
}

TEST(Latches, DisjointCommandsDoNotWait) {
  sim::Executor ex(sim::ExecutorOptions{.seed = 2});
  Latches latches;
  ex.Run([&] {
    Latches::Guard g1 = latches.Acquire({"a", "b"});
    Latches::Guard g2 = latches.Acquire({"c"});  // would block this fiber for good if it waited
    EXPECT_TRUE(latches.IsLatched("c"));
  });
  EXPECT_EQ(latches.waits(), 0u);
}

TEST(Latches, AWaitingCommandHoldsNoneOfItsKeys) {
  sim::Executor ex(sim::ExecutorOptions{.seed = 3});
  Latches latches;
  bool b_free_while_waiting = false;
  ex.Run([&] {
    Latches::Guard first = latches.Acquire({"a"});
    sim::Go("second", [&] { Latches::Guard g = latches.Acquire({"a", "b"}); });
    sim::Sleep(1ms);
    // The second command waits for "a": it must not sit on "b" meanwhile (all or nothing), or a
    // third command needing "b" and then "a" could deadlock with it.
    b_free_while_waiting = !latches.IsLatched("b");
    first.Release();
    sim::Sleep(1ms);
  });
  EXPECT_TRUE(b_free_while_waiting);
  EXPECT_FALSE(latches.IsLatched("a"));
}

TEST(Latches, DuplicateKeysAreLatchedOnce) {
  sim::Executor ex(sim::ExecutorOptions{.seed = 4});
  Latches latches;
  ex.Run([&] {
    Latches::Guard g = latches.Acquire({"k", "k", "j"});
    EXPECT_EQ(g.keys(), (std::vector<std::string>{"j", "k"}));
  });
}

TEST(Latches, CheckWritesNamesAKeyThatWasNotLatched) {
  sim::Executor ex(sim::ExecutorOptions{.seed = 5});
  Latches latches;
  std::vector<std::string> seen_written;
  latches.set_validation(
      [&](const std::vector<std::string>& latched, const std::vector<std::string>& written) {
        EXPECT_EQ(latched, (std::vector<std::string>{"a", "b"}));
        seen_written = written;
      });
  ex.Run([&] {
    Latches::Guard g = latches.Acquire({"a", "b"});
    EXPECT_TRUE(latches.CheckWrites(g, {"b", "a"}).ok());
    const store::Status s = latches.CheckWrites(g, {"a", "z"});
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.ToString().find("\"z\""), std::string::npos) << s.ToString();
  });
  EXPECT_EQ(seen_written, (std::vector<std::string>{"a", "z"}));
}

TEST(Latches, AMovedGuardReleasesOnce) {
  sim::Executor ex(sim::ExecutorOptions{.seed = 6});
  Latches latches;
  ex.Run([&] {
    Latches::Guard outer;
    {
      Latches::Guard inner = latches.Acquire({"a"});
      outer = std::move(inner);
    }
    EXPECT_TRUE(latches.IsLatched("a")) << "the moved-from guard must not release";
    outer.Release();
    EXPECT_FALSE(latches.IsLatched("a"));
    Latches::Guard again = latches.Acquire({"a"});  // free again: no wait
  });
  EXPECT_EQ(latches.waits(), 0u);
}

}  // namespace
}  // namespace tinykv::txn
