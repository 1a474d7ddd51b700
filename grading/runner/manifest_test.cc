// Manifest parsing, validation, the defaults cascade and lab selection.
#include "grading/runner/manifest.h"

#include <gtest/gtest.h>

namespace tinykv::grading::runner {
namespace {

std::vector<PartInfo> ParseOk(const std::string& text) {
  std::vector<PartInfo> parts;
  std::string error;
  EXPECT_TRUE(ParseLabManifest(text, "m", "raft", &parts, &error)) << error;
  return parts;
}

std::string ParseError(const std::string& text) {
  std::vector<PartInfo> parts;
  std::string error;
  EXPECT_FALSE(ParseLabManifest(text, "m", "raft", &parts, &error));
  return error;
}

constexpr const char* kManifest = R"pb(
  lab: "raft"
  run { binary: "labs/raft/lab2a_test" timeout_seconds: 50 }
  parts {
    name: "lab2aa"
    files: "raft/raft.cc"
    run { seeds: [ 3, 9 ] }
    tests { name: "Lab2AA.A" points: 5 }
    tests {
      name: "Lab2AA.B"
      points: 7
      run { seed_count: 4 memory_limit_mb: 100 }
    }
  }
  parts {
    name: "lab2ab"
    tests {
      name: "Lab2AB.C"
      points: 1
      run { binary: "other" }
    }
  }
  parts { name: "lab2b" }
)pb";

TEST(Manifest, DefaultsCascadeFromLabToPartToTest) {
  std::vector<PartInfo> parts = ParseOk(kManifest);
  ASSERT_EQ(parts.size(), 3u);
  const TestPlan& a = parts[0].tests[0];
  EXPECT_EQ(a.binary, "labs/raft/lab2a_test");
  EXPECT_EQ(a.default_seeds, (std::vector<uint64_t>{3, 9}));
  EXPECT_EQ(a.timeout_seconds, 50u);
  EXPECT_EQ(a.memory_limit_mb, kDefaultMemoryLimitMb);
  const TestPlan& b = parts[0].tests[1];
  EXPECT_EQ(b.default_seeds, (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(b.memory_limit_mb, 100u);
  EXPECT_EQ(parts[1].tests[0].binary, "other");
  EXPECT_EQ(parts[1].tests[0].default_seeds.size(), kDefaultSeedCount);
  EXPECT_TRUE(parts[2].tests.empty());
  EXPECT_EQ(parts[0].files, std::vector<std::string>{"raft/raft.cc"});
}

TEST(Manifest, SyntaxErrorsNameTheLine) {
  std::string error = ParseError("lab: \"raft\"\nparts { name: \"lab2aa\" bogus: 1 }\n");
  EXPECT_NE(error.find("m: line 2:"), std::string::npos) << error;
  EXPECT_NE(error.find("bogus"), std::string::npos) << error;
}

TEST(Manifest, ValidationErrorsSayWhatIsWrong) {
  EXPECT_NE(ParseError("parts { name: \"2aa\" }").find("not lab<digit>"), std::string::npos);
  EXPECT_NE(ParseError("parts { name: \"lab2aa\" tests { name: \"NoDot\" run { binary: \"b\" } } }")
                .find("Suite.Name"),
            std::string::npos);
  EXPECT_NE(ParseError("parts { name: \"lab2aa\" tests { name: \"A.B\" } }").find("no test binary"),
            std::string::npos);
  EXPECT_NE(
      ParseError("parts { name: \"lab2aa\" tests { name: \"A.B\" run { binary: \"/abs\" } } }")
          .find("relative"),
      std::string::npos);
  EXPECT_NE(ParseError("run { binary: \"b\" } parts { name: \"lab2aa\" tests { name: \"A.B\" } "
                       "tests { name: \"A.B\" } }")
                .find("listed twice"),
            std::string::npos);
  EXPECT_NE(ParseError("run { binary: \"b\" seeds: [1, 1] } parts { name: \"lab2aa\" tests { "
                       "name: \"A.B\" } }")
                .find("duplicate seeds"),
            std::string::npos);
  EXPECT_NE(ParseError("lab: \"txn\" parts { name: \"lab4a\" }").find("directory \"raft\""),
            std::string::npos);
  EXPECT_NE(ParseError("lab: \"raft\"").find("no parts"), std::string::npos);
  // Out of range: points that would overflow a sum (4294967295 + 2 graded as 1/1), and limits
  // no run should have.
  EXPECT_NE(ParseError("run { binary: \"b\" } parts { name: \"lab2aa\" tests { name: \"A.B\" "
                       "points: 4294967295 } tests { name: \"A.C\" points: 2 } }")
                .find("test \"A.B\": points 4294967295 above 1000"),
            std::string::npos);
  EXPECT_NE(ParseError("run { binary: \"b\" memory_limit_mb: 8 } parts { name: \"lab2aa\" tests { "
                       "name: \"A.B\" } }")
                .find("memory_limit_mb 8 outside [64, 1048576]"),
            std::string::npos);
  EXPECT_NE(ParseError("run { binary: \"b\" timeout_seconds: 36000 } parts { name: \"lab2aa\" "
                       "tests { name: \"A.B\" } }")
                .find("timeout_seconds 36000 above 3600"),
            std::string::npos);
  EXPECT_NE(ParseError("run { binary: \"b\" memory_limit_mb: 4294967295 } parts { name: "
                       "\"lab2aa\" tests { name: \"A.B\" } }")
                .find("memory_limit_mb 4294967295 outside [64, 1048576]"),
            std::string::npos);
}

TEST(Manifest, CatalogAddsKnownPartsWithoutTests) {
  Catalog catalog;
  std::string error;
  ASSERT_TRUE(LoadCatalog(RUNNER_TESTDATA "/manifests", &catalog, &error)) << error;
  const PartInfo* lab9a = catalog.FindPart("lab9a");
  ASSERT_NE(lab9a, nullptr);
  EXPECT_EQ(lab9a->tests.size(), 3u);
  const PartInfo* lab3b = catalog.FindPart("lab3b");
  ASSERT_NE(lab3b, nullptr);
  EXPECT_TRUE(lab3b->tests.empty());
  EXPECT_EQ(lab3b->lab, "multiraft");
  ASSERT_NE(catalog.FindTest("Broken.Segfault"), nullptr);
  EXPECT_EQ(catalog.FindTest("Broken.Segfault")->part, "lab9b");
  for (size_t i = 1; i < catalog.parts.size(); ++i) {
    EXPECT_LT(catalog.parts[i - 1].name, catalog.parts[i].name);
  }
}

TEST(Manifest, MissingRootIsAnError) {
  Catalog catalog;
  std::string error;
  EXPECT_FALSE(LoadCatalog(RUNNER_TESTDATA "/no-such-dir", &catalog, &error));
  EXPECT_NE(error.find("not a directory"), std::string::npos) << error;
}

std::vector<std::string> Select(const Catalog& catalog, std::vector<std::string> selectors) {
  std::vector<const PartInfo*> parts;
  std::string error;
  EXPECT_TRUE(SelectParts(catalog, selectors, &parts, &error)) << error;
  std::vector<std::string> names;
  for (const PartInfo* part : parts) names.push_back(part->name);
  return names;
}

TEST(Manifest, SelectorsExpandAggregates) {
  Catalog catalog;
  std::string error;
  ASSERT_TRUE(LoadCatalog(RUNNER_TESTDATA "/manifests", &catalog, &error)) << error;
  using V = std::vector<std::string>;
  EXPECT_EQ(Select(catalog, {"lab2a"}), (V{"lab2aa", "lab2ab", "lab2ac"}));
  EXPECT_EQ(Select(catalog, {"lab2"}), (V{"lab2aa", "lab2ab", "lab2ac", "lab2b", "lab2c"}));
  EXPECT_EQ(Select(catalog, {"lab3b", "lab1", "lab3"}), (V{"lab1", "lab3a", "lab3b", "lab3c"}));
  EXPECT_EQ(Select(catalog, {"all"}).size(), 16u);  // 13 course parts + lab9a, lab9b, lab9c
  std::vector<const PartInfo*> parts;
  EXPECT_FALSE(SelectParts(catalog, {"lab5"}, &parts, &error));
  EXPECT_NE(error.find("unknown lab \"lab5\""), std::string::npos) << error;
  EXPECT_FALSE(SelectParts(catalog, {"lab"}, &parts, &error));
  EXPECT_FALSE(SelectParts(catalog, {"lab2x"}, &parts, &error));
  EXPECT_NE(error.find("did you mean"), std::string::npos) << error;
}

TEST(Manifest, GlobsMatchWholeNames) {
  EXPECT_TRUE(GlobMatch("Lab2B.Persist*", "Lab2B.PersistOneClient"));
  EXPECT_TRUE(GlobMatch("Lab2B.Basic", "Lab2B.Basic"));
  EXPECT_FALSE(GlobMatch("Lab2B.Basic", "Lab2B.BasicX")) << "no implicit prefix match";
  EXPECT_TRUE(GlobMatch("*Unreliable*", "Lab2B.PersistConcurrentUnreliable"));
  EXPECT_TRUE(GlobMatch("Lab*.*Snap*Recover", "Lab2C.SnapshotRecover"));
  EXPECT_FALSE(GlobMatch("Lab*.*Snap*Recover", "Lab2C.SnapshotRecoverManyClients"));
  EXPECT_TRUE(GlobMatch("*", ""));
}

TEST(Manifest, DidYouMeanNamesTheClosestNames) {
  const std::vector<std::string> names = {"Lab2B.Unreliable", "Lab2B.Basic",
                                          "Lab4D.BankUnderStoreAndClientCrashes"};
  EXPECT_EQ(DidYouMean("Lab2B.Unrelable", names), " (did you mean \"Lab2B.Unreliable\"?)");
  EXPECT_EQ(DidYouMean("lab2b.basic", names), " (did you mean \"Lab2B.Basic\"?)");
  EXPECT_EQ(DidYouMean("Unreliable", names), " (did you mean \"Lab2B.Unreliable\"?)");
  EXPECT_EQ(DidYouMean("Lab4D.BankUnder", names),
            " (did you mean \"Lab4D.BankUnderStoreAndClientCrashes\"?)");
  EXPECT_EQ(DidYouMean("Completely.Different", names), "");
}

TEST(Manifest, TestFiltersKeepMatchingTestsAndNameTheClosestOnAMiss) {
  Catalog catalog;
  std::string error;
  ASSERT_TRUE(LoadCatalog(RUNNER_TESTDATA "/manifests", &catalog, &error)) << error;
  std::vector<const PartInfo*> all;
  ASSERT_TRUE(SelectParts(catalog, {"all"}, &all, &error)) << error;
  ASSERT_FALSE(all.empty());
  // The first test of the first part with tests: kept alone, in its own part.
  const PartInfo* part = nullptr;
  for (const PartInfo* p : all) {
    if (!p->tests.empty() && part == nullptr) part = p;
  }
  ASSERT_NE(part, nullptr);
  const std::string name = part->tests.front().name;
  std::vector<PartInfo> kept;
  ASSERT_TRUE(FilterTests(all, {name}, &kept, &error)) << error;
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].name, part->name);
  ASSERT_EQ(kept[0].tests.size(), 1u);
  EXPECT_EQ(kept[0].tests[0].name, name);
  ASSERT_TRUE(FilterTests(all, {}, &kept, &error));
  EXPECT_EQ(kept.size(), all.size()) << "no pattern keeps everything";
  const std::string typo = name.substr(0, name.size() - 1) + "x";
  EXPECT_FALSE(FilterTests(all, {typo}, &kept, &error));
  EXPECT_NE(error.find("did you mean \"" + name + "\""), std::string::npos) << error;
}

}  // namespace
}  // namespace tinykv::grading::runner
