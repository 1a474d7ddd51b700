// Report writers on a hand-built GradeReport: escaping, totals, commands for failing seeds.
#include "grading/runner/report.h"

#include <gtest/gtest.h>

#include <sstream>

namespace tinykv::grading::runner {
namespace {

GradeReport SampleReport() {
  GradeReport report;
  PartGrade part;
  part.part.name = "lab2aa";
  part.part.lab = "raft";
  TestGrade good;
  good.test.name = "Lab2AA.Good";
  good.test.points = 5;
  good.seeds.resize(2);
  good.seeds[0].seed = 1;
  good.seeds[1].seed = 2;
  for (SeedResult& s : good.seeds) s.outcome = Outcome::kPassed;
  TestGrade bad = good;
  bad.test.name = "Lab2AA.Bad";
  bad.test.points = 7;
  bad.seeds[1].outcome = Outcome::kCrash;
  bad.seeds[1].reason = "crash: SIGSEGV <&> \"quoted\"";
  bad.seeds[1].details = std::string("binary \x01\xff garbage\n");
  part.tests = {good, bad};
  PartGrade empty;
  empty.part.name = "lab2ab";
  report.parts = {part, empty};
  return report;
}

TEST(Report, Utf8AndEscaping) {
  EXPECT_EQ(ValidUtf8("ok \xc3\xa9 \xff \xe2\x82"), "ok \xc3\xa9 ? ??");
  EXPECT_EQ(ValidUtf8("\xc0\x80"), "??") << "overlong encodings are rejected";
  EXPECT_EQ(JsonString("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_EQ(XmlEscape("<a & 'b'>\x02"), "&lt;a &amp; &apos;b&apos;&gt;?");
}

TEST(Report, TableShowsTotalsNoTestsYetAndCommandsForFailingSeeds) {
  std::ostringstream out;
  WriteTable(SampleReport(), TableOptions(), out);
  const std::string text = out.str();
  EXPECT_NE(text.find("lab2ab: no tests yet"), std::string::npos) << text;
  EXPECT_NE(text.find("5/12"), std::string::npos) << text;
  EXPECT_NE(text.find("Lab2AA.Bad seed 2: crash: SIGSEGV"), std::string::npos) << text;
  EXPECT_NE(text.find("make replay TEST=Lab2AA.Bad SEED=2"), std::string::npos) << text;
  EXPECT_NE(text.find("make debug TEST=Lab2AA.Bad SEED=2"), std::string::npos) << text;
  EXPECT_EQ(text.find("SEED=1"), std::string::npos) << "passing seeds get no commands\n" << text;
}

TEST(Report, IdenticalFailuresAcrossSeedsShowOnceAndTheGradeComesLast) {
  GradeReport report;
  PartGrade part;
  part.part.name = "lab2aa";
  TestGrade stub;
  stub.test.name = "Lab2AA.Stub";
  stub.test.points = 5;
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    SeedResult r;
    r.seed = seed;
    r.outcome = Outcome::kAssertion;
    r.reason = seed == 4 ? "assertion failed at raft.cc:9" : "not implemented: Raft::Step";
    r.details = "line one\nline two\n";
    r.facts["fingerprint"] = "f" + std::to_string(seed);
    stub.seeds.push_back(r);
  }
  part.tests = {stub};
  report.parts = {part};
  std::ostringstream out;
  WriteTable(report, TableOptions(), out);
  const std::string text = out.str();
  EXPECT_NE(text.find("Lab2AA.Stub seeds 1, 2, 3 (same failure): not implemented: Raft::Step"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Lab2AA.Stub seed 4: assertion failed"), std::string::npos) << text;
  size_t shown = 0;
  for (size_t at = text.find("line one"); at != std::string::npos;
       at = text.find("line one", at + 1)) {
    ++shown;
  }
  EXPECT_EQ(shown, 2u) << "one detail block per distinct failure\n" << text;
  // The table, the total and what to run next are the last lines on the screen.
  const size_t table = text.find("part    test");
  const size_t total = text.find("total ");
  const size_t next = text.find("next: make replay TEST=Lab2AA.Stub SEED=1");
  ASSERT_NE(table, std::string::npos) << text;
  ASSERT_NE(next, std::string::npos) << text;
  EXPECT_GT(table, text.rfind("line one")) << text;
  EXPECT_GT(next, total) << text;
  EXPECT_EQ(text.find('\n', next), text.size() - 1) << "the next step is the last line\n" << text;
}

TEST(Report, GradescopeScoresAllOrNothingPerTest) {
  std::ostringstream out;
  WriteGradescope(SampleReport(), out);
  const std::string text = out.str();
  EXPECT_NE(text.find("\"score\": 5,"), std::string::npos) << text;
  EXPECT_NE(text.find("\"max_score\": 12,"), std::string::npos) << text;
  EXPECT_NE(text.find("\"name\": \"lab2aa: Lab2AA.Bad\", \"score\": 0, \"max_score\": 7, "
                      "\"status\": \"failed\""),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace tinykv::grading::runner
