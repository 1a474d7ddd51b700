// The contract of the tinykv-lincheck binary (DESIGN.md §6): verdict exit codes on the
// conformance histories, 64+ for usage and input errors, messages naming file and line.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "grading/check/cli_run.h"

#ifndef TINYKV_LINCHECK_BIN
#error "TINYKV_LINCHECK_BIN must name the built tinykv-lincheck"
#endif
#ifndef TINYKV_CONFORMANCE_DIR
#error "TINYKV_CONFORMANCE_DIR must name the porcupine-kv conformance directory"
#endif

namespace {

using tinykv::check::CliRun;

CliRun Lincheck(const std::string& args) {
  return tinykv::check::RunCli(TINYKV_LINCHECK_BIN, args);
}

std::string Conformance(const char* file) {
  return std::string(TINYKV_CONFORMANCE_DIR) + "/" + file;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/lincheck-cli-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name, const std::string& text) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p) << text;
    return p;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(LincheckCli, ExitsZeroOnLinearizableConformanceHistories) {
  for (const char* f : {"c01-ok.edn", "c10-ok.edn", "c50-ok.edn"}) {
    CliRun r = Lincheck("--model kv " + Conformance(f));
    EXPECT_EQ(r.code, 0) << f << "\n" << r.output;
    EXPECT_NE(r.output.find("linearizable"), std::string::npos);
  }
}

TEST(LincheckCli, ExitsOneOnNonLinearizableConformanceHistories) {
  for (const char* f : {"c01-bad.edn", "c10-bad.edn", "c50-bad.edn"}) {
    CliRun r = Lincheck("--model kv " + Conformance(f));
    EXPECT_EQ(r.code, 1) << f << "\n" << r.output;
    EXPECT_NE(r.output.find("NOT linearizable"), std::string::npos);
    EXPECT_NE(r.output.find("had to be placed"), std::string::npos) << r.output;
  }
}

TEST(LincheckCli, UsageErrorsExit64) {
  EXPECT_EQ(Lincheck("").code, 64);
  EXPECT_EQ(Lincheck("--model kv").code, 64);  // no history
  CliRun bad_model = Lincheck("--model queue " + Conformance("c01-ok.edn"));
  EXPECT_EQ(bad_model.code, 64);
  EXPECT_NE(bad_model.output.find("queue"), std::string::npos) << bad_model.output;
  EXPECT_EQ(Lincheck("--model kv --timeout -3 " + Conformance("c01-ok.edn")).code, 64);
  EXPECT_EQ(Lincheck("--model kv --timeout soon " + Conformance("c01-ok.edn")).code, 64);
  EXPECT_EQ(Lincheck("--model kv --frobnicate " + Conformance("c01-ok.edn")).code, 64);
  EXPECT_EQ(Lincheck("--help").code, 0);
}

TEST(LincheckCli, ATimeoutOfZeroIsAOneLineUsageError) {
  CliRun r = Lincheck("--model kv --timeout 0 " + Conformance("c01-ok.edn"));
  EXPECT_EQ(r.code, 64);
  EXPECT_NE(r.output.find("--timeout: must be a number of seconds above 0"), std::string::npos)
      << r.output;
  EXPECT_LT(r.output.size(), 300u) << "no 310-digit range in the message:\n" << r.output;
}

TEST(LincheckCli, ADirectoryOrAnEmptyFileIsNoHistory) {
  TempDir dir;
  CliRun on_dir = Lincheck("--model kv " + dir.path());
  EXPECT_EQ(on_dir.code, 66) << on_dir.output;
  EXPECT_NE(on_dir.output.find("is a directory"), std::string::npos) << on_dir.output;
  CliRun empty = Lincheck("--model kv " + dir.File("empty.edn", ""));
  EXPECT_EQ(empty.code, 65) << "\"linearizable: 0 operations\" would be a check that cannot fail\n"
                            << empty.output;
  EXPECT_NE(empty.output.find("the history is empty"), std::string::npos) << empty.output;
}

TEST(LincheckCli, MissingFileExits66) {
  CliRun r = Lincheck("--model kv /nonexistent/history.edn");
  EXPECT_EQ(r.code, 66);
  EXPECT_NE(r.output.find("/nonexistent/history.edn"), std::string::npos) << r.output;
}

TEST(LincheckCli, MalformedFileExits65NamingFileAndLine) {
  TempDir dir;
  std::string path = dir.File("bad.edn",
                              "{:process 0, :type :invoke, :f :get, :key \"k\", :value nil}\n"
                              "{:process 0, :type :ok, :f :get, :key \"k\", :value \"\"}\n"
                              "{:process 0, :type :whatever, :f :get, :key \"k\"}\n");
  CliRun r = Lincheck("--model kv " + path);
  EXPECT_EQ(r.code, 65);
  EXPECT_NE(r.output.find(path + ":3:"), std::string::npos) << r.output;

  std::string wrong_model = dir.File("reg.edn",
                                     "{:process 0, :type :invoke, :f :write, :value 1}\n"
                                     "{:process 0, :type :ok, :f :write, :value 1}\n");
  CliRun r2 = Lincheck("--model kv " + wrong_model);
  EXPECT_EQ(r2.code, 65);
  EXPECT_NE(r2.output.find(wrong_model + ":1: missing :key"), std::string::npos) << r2.output;
  CliRun r3 = Lincheck("--model register " + wrong_model);
  EXPECT_EQ(r3.code, 0) << r3.output;
}

TEST(LincheckCli, WritesTheHtmlTimeline) {
  TempDir dir;
  std::string html = dir.path() + "/t.html";
  CliRun r = Lincheck("--model kv --html " + html + " " + Conformance("c10-bad.edn"));
  EXPECT_EQ(r.code, 1) << r.output;
  std::ifstream in(html);
  std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(page.find("<!DOCTYPE html>"), std::string::npos);
  EXPECT_NE(page.find("first"), std::string::npos);
  CliRun unwritable =
      Lincheck("--model kv --html /nonexistent/dir/t.html " + Conformance("c01-ok.edn"));
  EXPECT_EQ(unwritable.code, 73) << unwritable.output;
}

}  // namespace
