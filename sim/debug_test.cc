// Tests of the debugger support in sim/debug.h that need no debugger: the inspector registry
// (what `sim-inspect` prints), the "leader-change" breakpoint alias and lists of breakpoints.
#include "sim/debug.h"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "sim/executor.h"

namespace tinykv::sim {
namespace {

TEST(SimInspect, NothingRegisteredSaysSo) {
  EXPECT_EQ(DescribeInspectors(), "no inspectors registered (this program registers none)\n");
  EXPECT_STREQ(tinykv_sim_inspect(-1), "no inspectors registered (this program registers none)\n");
}

TEST(SimInspect, ShowsEveryNodeInNodeThenNameOrderWithTheWorldLast) {
  // Registered out of order on purpose: the output must not follow registration order.
  InspectorRegistration world = RegisterInspector(kNoNode, "clients", [] { return "2 clients"; });
  InspectorRegistration b = RegisterInspector(2, "raft", [] { return "follower term 3\n"; });
  InspectorRegistration a2 = RegisterInspector(1, "raft", [] { return "leader term 3"; });
  InspectorRegistration a1 = RegisterInspector(1, "disk", [] { return "synced 12 batches"; });
  EXPECT_EQ(DescribeInspectors(),
            "== node 1: disk ==\nsynced 12 batches\n"
            "== node 1: raft ==\nleader term 3\n"
            "== node 2: raft ==\nfollower term 3\n"
            "== world: clients ==\n2 clients\n");
  EXPECT_EQ(DescribeInspectors(1u),
            "== node 1: disk ==\nsynced 12 batches\n== node 1: raft ==\nleader term 3\n");
  EXPECT_STREQ(tinykv_sim_inspect(2), "== node 2: raft ==\nfollower term 3\n");
  EXPECT_STREQ(tinykv_sim_inspect(static_cast<int64_t>(kNoNode)),
               "== world: clients ==\n2 clients\n");
}

TEST(SimInspect, UnknownNodeNamesTheNodesThatHaveInspectors) {
  InspectorRegistration a = RegisterInspector(3, "raft", [] { return "x"; });
  InspectorRegistration b = RegisterInspector(1, "raft", [] { return "y"; });
  EXPECT_EQ(DescribeInspectors(7u),
            "no inspector for node 7; inspectors exist for: node 1, node 3\n");
}

TEST(SimInspect, CallbacksRunEachTimeAndSeeCurrentState) {
  int term = 1;
  InspectorRegistration r =
      RegisterInspector(1, "raft", [&term] { return "term " + std::to_string(term); });
  EXPECT_EQ(DescribeInspectors(1u), "== node 1: raft ==\nterm 1\n");
  term = 4;
  EXPECT_EQ(DescribeInspectors(1u), "== node 1: raft ==\nterm 4\n");
}

TEST(SimInspect, RegistrationEndsWithItsHandle) {
  {
    InspectorRegistration r = RegisterInspector(1, "raft", [] { return "x"; });
    EXPECT_TRUE(r.registered());
    InspectorRegistration moved = std::move(r);
    EXPECT_FALSE(r.registered());  // NOLINT(bugprone-use-after-move): checking the moved-from state
    EXPECT_TRUE(moved.registered());
    EXPECT_NE(DescribeInspectors().find("node 1: raft"), std::string::npos);
  }
  EXPECT_EQ(DescribeInspectors(), "no inspectors registered (this program registers none)\n");

  InspectorRegistration r = RegisterInspector(1, "raft", [] { return "x"; });
  r.Reset();
  r.Reset();  // twice is harmless
  EXPECT_FALSE(r.registered());
  EXPECT_EQ(DescribeInspectors(), "no inspectors registered (this program registers none)\n");

  InspectorRegistration first = RegisterInspector(1, "first", [] { return "1"; });
  InspectorRegistration second = RegisterInspector(2, "second", [] { return "2"; });
  first = std::move(second);  // unregisters "first", keeps "second"
  EXPECT_EQ(DescribeInspectors(), "== node 2: second ==\n2\n");
}

TEST(SimInspect, SameNameTwiceShowsBothInRegistrationOrder) {
  InspectorRegistration a = RegisterInspector(1, "raft", [] { return "old cluster"; });
  InspectorRegistration b = RegisterInspector(1, "raft", [] { return "new cluster"; });
  EXPECT_EQ(DescribeInspectors(1u),
            "== node 1: raft ==\nold cluster\n== node 1: raft ==\nnew cluster\n");
}

TEST(SimInspect, AThrowingInspectorIsReportedNotFatal) {
  InspectorRegistration bad =
      RegisterInspector(1, "raft", []() -> std::string { throw std::runtime_error("peer gone"); });
  InspectorRegistration good = RegisterInspector(2, "raft", [] { return "ok"; });
  EXPECT_EQ(DescribeInspectors(),
            "== node 1: raft ==\n(inspector failed: peer gone)\n== node 2: raft ==\nok\n");
}

TEST(SimBreakSpec, LeaderChangeIsTheRoleChangeBreakpoint) {
  BreakPoints points;
  std::string error;
  ASSERT_TRUE(ParseBreakSpec("on:leader-change", &points, &error)) << error;
  EXPECT_EQ(points.on_kinds, std::set<EventKind>{EventKind::kRoleChange});
  EXPECT_FALSE(ParseBreakSpec("on:leader-changes", &points, &error));
  EXPECT_NE(error.find("leader-change"), std::string::npos) << error;
}

TEST(SimBreakSpec, ACommaSeparatedListSetsEveryBreakpoint) {
  BreakPoints points;
  std::string error;
  ASSERT_TRUE(ParseBreakSpecs("on:partition,on:violation,event:12", &points, &error)) << error;
  EXPECT_EQ(points.on_kinds, (std::set<EventKind>{EventKind::kPartition, EventKind::kViolation}));
  EXPECT_EQ(points.at_events, std::set<uint64_t>{12});
  BreakPoints bad;
  EXPECT_FALSE(ParseBreakSpecs("on:partition,,on:crash", &bad, &error));
  EXPECT_NE(error.find("bad breakpoint ''"), std::string::npos) << error;
  EXPECT_FALSE(ParseBreakSpecs("on:partition,on:nothing", &bad, &error));
  EXPECT_NE(error.find("unknown event kind 'nothing'"), std::string::npos) << error;
}

TEST(SimBreakSpec, EveryTimeAndEventBreakpointOfAListFires) {
  Executor ex;
  BreakPoints points;
  std::string error;
  ASSERT_TRUE(ParseBreakSpecs("time:1s,time:2500ms,event:2", &points, &error)) << error;
  InstallBreakPoints(ex, points);
  ex.AddNode(1, "n1", [] { Sleep(kForever); });
  testing::internal::CaptureStderr();
  ex.Run([&] {
    ex.Start(1);
    for (int i = 0; i < 4; ++i) {
      Sleep(std::chrono::seconds(1));
      ex.Record(EventKind::kNote, "tick " + std::to_string(i));
    }
  });
  const std::string out = testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find("sim: break (time 1.000000s: "), std::string::npos) << out;
  EXPECT_NE(out.find("sim: break (time 2.500000s: "), std::string::npos) << out;
  EXPECT_NE(out.find("sim: break (event 2: "), std::string::npos) << out;
  size_t breaks = 0;
  for (size_t at = out.find("sim: break"); at != std::string::npos;
       at = out.find("sim: break", at + 1)) {
    ++breaks;
  }
  EXPECT_EQ(breaks, 3u) << out;
}

}  // namespace
}  // namespace tinykv::sim
