// The HTML report (html_report.h) draws the run's faults behind the timeline on :time: a band per
// fault that overlaps the history, its label escaped and shown on hover, none for a fault outside
// the history's span, and none at all when the history has no :time (the axis is positions).
#include "grading/check/si/html_report.h"

#include <gtest/gtest.h>

#include <string>

#include "grading/check/si/si_test_util.h"

namespace tinykv::check::si {
namespace {

using testing::CheckTxns;
using testing::kSSI;
using testing::Parse;

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

constexpr const char* kTimed = R"(
{:type :invoke, :process 0, :time 100, :value [[:append 1 1]]}
{:type :ok, :process 0, :time 200, :value [[:append 1 1]]}
{:type :invoke, :process 1, :time 300, :value [[:r 1 nil]]}
{:type :ok, :process 1, :time 400, :value [[:r 1 [1]]]}
)";

TEST(HtmlReport, FaultsAreBandsBehindTheTimelineLabelledOnHover) {
  const TxnHistory h = Parse(kTimed);
  HtmlOptions options;
  options.faults = {{.start = 150, .end = 350, .label = "partition {1 2} | {3 <4> 5}"},
                    {.start = 250, .end = 250, .label = "crash 3"},
                    {.start = 900, .end = 950, .label = "after the end"}};
  const std::string html = RenderHtmlReport(h, CheckTxns(h, kSSI), options);
  EXPECT_EQ(Count(html, "class=\"fault\""), 2u) << "the fault after the history is not drawn";
  EXPECT_NE(html.find("<title>partition {1 2} | {3 &lt;4&gt; 5}</title>"), std::string::npos);
  EXPECT_NE(html.find("<title>crash 3</title>"), std::string::npos);
  EXPECT_EQ(html.find("after the end"), std::string::npos);
  EXPECT_NE(html.find("fault (3; hover for what)"), std::string::npos) << "the legend counts them";
}

TEST(HtmlReport, NoFaultBandsOnAPositionAxis) {
  const TxnHistory h = Parse(R"(
{:type :invoke, :process 0, :value [[:append 1 1]]}
{:type :ok, :process 0, :value [[:append 1 1]]}
)");
  HtmlOptions options;
  options.faults = {{.start = 0, .end = 5, .label = "partition"}};
  const std::string html = RenderHtmlReport(h, CheckTxns(h, kSSI), options);
  EXPECT_EQ(Count(html, "class=\"fault\""), 0u) << "fault times cannot be placed on positions";
}

}  // namespace
}  // namespace tinykv::check::si
