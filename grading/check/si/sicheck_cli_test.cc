// The contract of the tinykv-sicheck binary (DESIGN.md §6): exit 0 valid / 1 invalid, 64+ for
// usage and input errors, one-line errors naming the file and position.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "grading/check/cli_run.h"

#ifndef TINYKV_SICHECK_BIN
#error "TINYKV_SICHECK_BIN must name the built tinykv-sicheck"
#endif

namespace {

using tinykv::check::CliRun;

CliRun Sicheck(const std::string& args) { return tinykv::check::RunCli(TINYKV_SICHECK_BIN, args); }

// A history file named after the running test, removed when the test ends.
class TempHistory {
 public:
  explicit TempHistory(const std::string& text) {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    path_ =
        (std::filesystem::temp_directory_path() / (std::string("sicheck_") + info->name() + ".edn"))
            .string();
    std::ofstream(path_) << text;
  }
  ~TempHistory() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Write skew: allowed by snapshot isolation, not by serializability.
constexpr const char* kWriteSkew =
    "{:type :ok, :value [[:r 1 []] [:r 2 []] [:append 1 1]]}\n"
    "{:type :ok, :value [[:r 1 []] [:r 2 []] [:append 2 1]]}\n"
    "{:type :ok, :value [[:r 1 [1]] [:r 2 [1]]]}\n";

TEST(SicheckCli, WriteSkewValidUnderSnapshotIsolation) {
  TempHistory h(kWriteSkew);
  CliRun run = Sicheck(h.path());
  EXPECT_EQ(run.code, 0) << run.output;
  EXPECT_NE(run.output.find("valid under snapshot-isolation"), std::string::npos) << run.output;
}

TEST(SicheckCli, WriteSkewInvalidUnderSerializable) {
  TempHistory h(kWriteSkew);
  CliRun run = Sicheck("--consistency serializable " + h.path());
  EXPECT_EQ(run.code, 1) << run.output;
  EXPECT_NE(run.output.find("invalid under serializable: G2-item"), std::string::npos)
      << run.output;
}

TEST(SicheckCli, MalformedHistoryIsDataError) {
  TempHistory h("{:type :ok, :value [[:append 1]]}\n");
  CliRun run = Sicheck(h.path());
  EXPECT_EQ(run.code, 65) << run.output;
  EXPECT_EQ(run.output, "tinykv-sicheck: " + h.path() +
                            ":1:21: micro-op must be [:append k v] or [:r k [v ...]], not "
                            "[:append 1]\n");
}

TEST(SicheckCli, MissingFileIsNoInput) { EXPECT_EQ(Sicheck("/nonexistent/h.edn").code, 66); }

TEST(SicheckCli, BadFlagIsUsage) {
  EXPECT_EQ(Sicheck("--consistency linearizable x.edn").code, 64);
  EXPECT_EQ(Sicheck("").code, 64);
}

}  // namespace
