#include "sim/fault_plan.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "sim/demo/ping_scenario.h"
#include "sim/determinism.h"

namespace tinykv::sim {
namespace {

TEST(FaultPlan, TextRoundTrip) {
  const std::string text =
      "# a comment\n"
      "\n"
      "0.500000s partition 1,2 | 3,4,5\n"
      "1.000000s block 1->2\n"
      "1.200000s isolate 3\n"
      "1.500000s clog 2->4\n"
      "2.000000s unclog 2->4\n"
      "2.500000s heal\n"
      "3.000000s crash 2\n"
      "4000ms restart 2\n"
      "4.500000s pause 5\n"
      "5.000000s resume 5\n"
      "5.500000s loss 0.200 dup 0.050\n"
      "6.000000s drift 3 1.250\n";
  FaultPlan plan;
  std::string error;
  ASSERT_TRUE(FaultPlan::Parse(text, "plan.txt", &plan, &error)) << error;
  ASSERT_EQ(plan.faults.size(), 12u);
  EXPECT_EQ(plan.faults[0].groups, (std::vector<std::vector<NodeId>>{{1, 2}, {3, 4, 5}}));
  EXPECT_EQ(plan.faults[7].at, Time(4s));
  EXPECT_EQ(FormatFault(plan.faults[10]), "5.500000s loss 0.200 dup 0.050");
  FaultPlan again;
  ASSERT_TRUE(FaultPlan::Parse(plan.ToText(), "again", &again, &error)) << error;
  EXPECT_EQ(again.ToText(), plan.ToText());
  EXPECT_TRUE(plan.Validate({1, 2, 3, 4, 5}, &error)) << error;
}

TEST(FaultPlan, BadLinesNameFileAndLine) {
  struct Case {
    const char* text;
    const char* expect;
  } cases[] = {
      {"1.0s crash 1\nbogus\n", "plan.txt:2: bad time"},
      {"1s explode 3\n", "plan.txt:1: unknown fault kind 'explode'"},
      {"1s partition 1,2\n", "at least two groups"},
      {"1s partition 1,x | 2\n", "bad node list"},
      {"1s block 1-2\n", "expected a link like 1->2"},
      {"1s crash\n", "expected one node id"},
      {"1s loss 1.5 dup 0\n", "probabilities must be in [0, 1]"},
      {"1s drift 2 -1\n", "drift factor must be in [0.100, 10.000]"},
      // Values a saved plan could not give back, or that no clock can run at.
      {"1s drift 2 0.0004\n", "at most three decimals"},
      {"1s drift 2 inf\n", "at most three decimals"},
      {"1s drift 2 1e300\n", "at most three decimals"},
      {"1s drift 2 1e12\n", "at most three decimals"},
      {"1s drift 2 100\n", "drift factor must be in"},
      {"1s loss nan dup 0\n", "at most three decimals"},
      {"1s loss 0.5 dup 0.0001\n", "at most three decimals"},
      {"2s heal\n1s heal\n", "plan.txt:2: faults must be in time order"},
      {"1s heal now\n", "heal takes no arguments"},
  };
  for (const Case& c : cases) {
    FaultPlan plan;
    std::string error;
    EXPECT_FALSE(FaultPlan::Parse(c.text, "plan.txt", &plan, &error)) << c.text;
    EXPECT_NE(error.find(c.expect), std::string::npos) << "got: " << error;
  }
}

// Lines of whitespace other than spaces and tabs are blank lines, like any other.
TEST(FaultPlan, LinesOfOtherWhitespaceAreBlank) {
  FaultPlan plan;
  std::string error;
  ASSERT_TRUE(FaultPlan::Parse("\v\n\f\n\r\n \v \r\n1s heal\n", "plan.txt", &plan, &error))
      << error;
  ASSERT_EQ(plan.faults.size(), 1u);
  EXPECT_EQ(plan.faults[0].kind, FaultKind::kHeal);
}

// Every number a plan accepts comes back the same from its saved text.
TEST(FaultPlan, AcceptedNumbersSurviveASaveAndLoad) {
  FaultPlan plan;
  std::string error;
  ASSERT_TRUE(FaultPlan::Parse("1s loss 0.125 dup 0.001\n2s drift 3 9.999\n3s drift 3 0.1\n",
                               "plan.txt", &plan, &error))
      << error;
  FaultPlan back;
  ASSERT_TRUE(FaultPlan::Parse(plan.ToText(), "saved.txt", &back, &error)) << error;
  ASSERT_EQ(back.faults.size(), plan.faults.size());
  for (size_t i = 0; i < plan.faults.size(); ++i) {
    EXPECT_EQ(back.faults[i].value, plan.faults[i].value) << i;
    EXPECT_EQ(back.faults[i].value2, plan.faults[i].value2) << i;
  }
}

TEST(FaultPlan, ValidateCatchesImpossibleTransitions) {
  struct Case {
    const char* text;
    const char* expect;
  } cases[] = {
      {"1s restart 1\n", "node is not down"},
      {"1s resume 1\n", "node is not paused"},
      {"1s crash 9\n", "unknown node"},
      {"1s pause 1\n2s crash 1\n", "node is paused"},
  };
  for (const Case& c : cases) {
    FaultPlan plan;
    std::string error;
    ASSERT_TRUE(FaultPlan::Parse(c.text, "p", &plan, &error)) << error;
    EXPECT_FALSE(plan.Validate({1, 2, 3}, &error));
    EXPECT_NE(error.find(c.expect), std::string::npos) << "got: " << error;
  }
}

TEST(FaultPlan, MissingFileIsAClearError) {
  FaultPlan plan;
  std::string error;
  EXPECT_FALSE(FaultPlan::LoadFromFile("/nonexistent/plan.txt", &plan, &error));
  EXPECT_EQ(error, "cannot read fault plan /nonexistent/plan.txt");
}

TEST(FaultPlan, GeneratedPlansAreValidAndEndHealed) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    NemesisOptions o;
    o.nodes = {1, 2, 3, 4, 5};
    o.end = Time(30s);
    o.crashes = o.pauses = o.clogging = o.lossy = o.drift = true;
    o.max_down = 2;
    FaultPlan plan = GenerateFaultPlan(Rng(seed), o);
    std::string error;
    ASSERT_TRUE(plan.Validate(o.nodes, &error)) << "seed " << seed << ": " << error;
    ASSERT_FALSE(plan.faults.empty());
    // Everything after `end` is recovery: nobody left down or paused.
    FaultPlan reparsed;
    ASSERT_TRUE(FaultPlan::Parse(plan.ToText(), "gen", &reparsed, &error)) << error;
    EXPECT_EQ(reparsed.ToText(), plan.ToText());
    std::map<NodeId, int> down;
    for (const Fault& f : plan.faults) {
      if (f.kind == FaultKind::kCrash || f.kind == FaultKind::kPause) down[f.a]++;
      if (f.kind == FaultKind::kRestart || f.kind == FaultKind::kResume) down[f.a]--;
    }
    for (auto& [node, count] : down) EXPECT_EQ(count, 0) << "seed " << seed << " node " << node;
    EXPECT_EQ(plan.faults.back().at, Time(30s));
  }
}

TEST(FaultPlan, SameSeedSamePlanDifferentSeedsDiffer) {
  NemesisOptions o;
  o.nodes = {1, 2, 3};
  o.end = Time(10s);
  o.crashes = true;
  EXPECT_EQ(GenerateFaultPlan(Rng(5), o).ToText(), GenerateFaultPlan(Rng(5), o).ToText());
  EXPECT_NE(GenerateFaultPlan(Rng(5), o).ToText(), GenerateFaultPlan(Rng(6), o).ToText());
}

// The fingerprint of a seeded run equals that of a replay from its saved plan file.
TEST(FaultPlan, ReplayFromSavedPlanGivesTheSameFingerprint) {
  for (uint64_t seed : {3u, 11u, 29u}) {
    Executor first(ExecutorOptions{.seed = seed});
    demo::PingReport seeded = demo::RunPingScenario(first, demo::PingOptions{});
    ASSERT_FALSE(seeded.plan.faults.empty());
    char path[] = "/tmp/tinykv-plan-XXXXXX";
    const int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    std::string error;
    ASSERT_TRUE(seeded.plan.SaveToFile(path, &error)) << error;
    FaultPlan loaded;
    ASSERT_TRUE(FaultPlan::LoadFromFile(path, &loaded, &error)) << error;
    std::remove(path);
    demo::PingOptions replay_options;
    replay_options.plan = &loaded;
    Executor second(ExecutorOptions{.seed = seed});
    demo::RunPingScenario(second, replay_options);
    EXPECT_EQ(first.trace().fingerprint(), second.trace().fingerprint()) << "seed " << seed;
  }
}

TEST(Determinism, TwoRunsOfOneSeedAreIdentical) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    DeterminismReport r =
        CheckDeterminism([](Executor& ex) { demo::RunPingScenario(ex, demo::PingOptions{}); },
                         ExecutorOptions{.seed = seed});
    EXPECT_TRUE(r.identical) << "seed " << seed << ": " << r.Describe();
    EXPECT_GT(r.events[0], 1000u);
  }
}

TEST(Determinism, DifferentSeedsGiveDifferentFingerprints) {
  std::set<uint64_t> prints;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    Executor ex(ExecutorOptions{.seed = seed});
    demo::RunPingScenario(ex, demo::PingOptions{});
    prints.insert(ex.trace().fingerprint());
  }
  EXPECT_EQ(prints.size(), 10u);
}

// A scenario that reads something outside the simulation must be caught, and the report must
// point at the first event where the runs diverge.
TEST(Determinism, ReportsFirstDifferingEvent) {
  int run = 0;
  DeterminismReport r = CheckDeterminism(
      [&run](Executor& ex) {
        ++run;
        ex.Run([&] {
          Executor& e = Executor::Current();
          e.Record(EventKind::kNote, "same");
          e.Record(EventKind::kNote, run == 1 ? "left" : "right");
        });
      },
      ExecutorOptions{.seed = 1});
  EXPECT_FALSE(r.identical);
  EXPECT_EQ(r.diff.first_difference, 3u);  // spawn, "same", then the divergence
  EXPECT_NE(r.diff.left.find("left"), std::string::npos) << r.Describe();
  EXPECT_NE(r.diff.right.find("right"), std::string::npos) << r.Describe();
  EXPECT_NE(r.Describe().find("diverge at event #3"), std::string::npos);
}

}  // namespace
}  // namespace tinykv::sim
