// Renders a timeline in a real headless browser (Debian's chromium, installed by
// scripts/install-deps) and checks what it drew, from the DOM the browser dumps after running the
// page's scripts. A page that renders nothing fails, and so does a missing browser.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <regex>
#include <string>

#include "grading/check/checker.h"
#include "grading/check/edn.h"
#include "grading/check/timeline_html.h"

#ifndef TINYKV_CHROMIUM
#error "TINYKV_CHROMIUM must name the chromium binary (empty when not found)"
#endif
#ifndef TINYKV_CONFORMANCE_DIR
#error "TINYKV_CONFORMANCE_DIR must name the porcupine-kv conformance directory"
#endif

namespace tinykv::check {
namespace {

size_t CountMatches(const std::string& text, const std::string& pattern) {
  std::regex re(pattern);
  return size_t(
      std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

// Writes the timeline, has chromium run its scripts and dump the DOM into *dom.
void RenderInChromium(const History& history, const CheckResult& result,
                      const TimelineOptions& timeline, std::string* dom) {
  const std::string chromium = TINYKV_CHROMIUM;
  ASSERT_FALSE(chromium.empty() || chromium.find("NOTFOUND") != std::string::npos)
      << "chromium not found: run scripts/install-deps (it installs Debian's chromium)";
  char tmpl[] = "/tmp/lincheck-browser-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  const std::string page = dir + "/timeline.html";
  ASSERT_TRUE(WriteTimelineHtml(page, history, KvModel(), result, timeline).ok());

  // A fresh profile and a hard timeout: the test must never hang on the browser.
  std::string cmd = "timeout 60 " + chromium +
                    " --headless --no-sandbox --disable-gpu --user-data-dir=" + dir +
                    "/profile --dump-dom file://" + page + " 2>/dev/null";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) dom->append(buf, n);
  int status = pclose(pipe);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "chromium failed or timed out (status " << status << ")";
}

TEST(LincheckBrowser, ChromiumRendersTheTimeline) {
  auto history = ReadEdnHistoryFile(std::string(TINYKV_CONFORMANCE_DIR) + "/c10-bad.edn",
                                    {.require_key = true});
  ASSERT_TRUE(history.ok()) << history.status().message();
  history->annotations.push_back({100, 140, "partition {n1 n2} | {n3}"});
  history->annotations.push_back({300, 300, "crash n3"});
  history->annotations.push_back({300, 300, "violation: durability"});  // same instant as the crash
  CheckOptions options;
  options.check_all_partitions = true;
  auto result = Check(*history, KvModel(), options);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->verdict, Verdict::kNotLinearizable);

  TimelineOptions timeline;
  timeline.failure = "durability: store 3 lost its vote";
  std::string dom;
  ASSERT_NO_FATAL_FAILURE(RenderInChromium(*history, *result, timeline, &dom));

  // The script ran and drew one bar per operation.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(dom, m, std::regex("data-rendered=\"(\\d+)\"")))
      << "the page's script did not finish rendering; DOM starts with:\n"
      << dom.substr(0, 2000);
  EXPECT_EQ(std::stoul(m[1]), history->ops.size());
  EXPECT_EQ(Count(dom, "<g class=\"op"), history->ops.size());
  EXPECT_EQ(Count(dom, "<svg"), result->partitions.size());
  // In each failing partition, the first operation that cannot be placed is highlighted.
  size_t failing = 0;
  for (const PartitionResult& p : result->partitions) failing += p.first_unplaceable.has_value();
  EXPECT_GE(failing, 1u);
  // (Counted on drawn elements: the page's own script mentions the class names too.)
  EXPECT_EQ(CountMatches(dom, "<g class=\"op[^\"]* first-unplaceable"), failing);
  EXPECT_GE(CountMatches(dom, "<g class=\"op[^\"]* stuck"), failing);
  // Annotations appear on every partition's timeline, with their label.
  EXPECT_EQ(Count(dom, "<g class=\"annotation\""), 3 * result->partitions.size());
  EXPECT_NE(dom.find("partition {n1 n2} | {n3}"), std::string::npos);
  // Labels of annotations at one instant go in different rows instead of over each other.
  EXPECT_GE(CountMatches(dom, "y=\"11\" fill=\"#3333aa\">crash n3"), 1u);
  EXPECT_GE(CountMatches(dom, "y=\"22\" fill=\"#3333aa\">violation: durability"), 1u);
  // Why the run failed, above the verdict.
  EXPECT_NE(dom.find("Run failed: durability: store 3 lost its vote"), std::string::npos);
  // The linearization order is shown (#1 on some bar) and the report is there.
  EXPECT_NE(dom.find(">#1 "), std::string::npos);
  EXPECT_NE(dom.find("NOT linearizable"), std::string::npos);
}

// A run over many keys: only the key that failed is drawn at load; every other one is a closed
// line with its verdict (drawn when opened).
TEST(LincheckBrowser, ManyPartitionsDrawOnlyTheFailingOnes) {
  HistoryRecorder rec;
  int64_t t = 0;
  for (int k = 0; k < 20; ++k) {
    const std::string key = "k" + std::to_string(k);
    size_t w = rec.Invoke(1, t, "put", key, "v" + std::to_string(k));
    rec.Ok(w, t + 10);
    size_t r = rec.Invoke(2, t + 20, "get", key);
    rec.Ok(r, t + 30, k == 7 ? "stale" : "v" + std::to_string(k));
    t += 40;
  }
  const History history = rec.history();
  CheckOptions options;
  options.check_all_partitions = true;
  auto result = Check(history, KvModel(), options);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->partitions.size(), 20u);
  std::string dom;
  ASSERT_NO_FATAL_FAILURE(RenderInChromium(history, *result, TimelineOptions{}, &dom));

  std::smatch m;
  ASSERT_TRUE(std::regex_search(dom, m, std::regex("data-rendered=\"(\\d+)\"")))
      << dom.substr(0, 2000);
  EXPECT_EQ(std::stoul(m[1]), 2u);  // the failing key's put and get
  EXPECT_EQ(Count(dom, "<svg"), 1u);
  EXPECT_EQ(Count(dom, "<details class=\"partition\""), 19u);
  EXPECT_NE(dom.find("20 keys, 1 not linearizable (drawn first)"), std::string::npos)
      << "the checker's partitions are keys to its user";
}

}  // namespace
}  // namespace tinykv::check
