// The HTML timeline as text: self-contained, carrying the data the renderer needs, safe to embed.
#include "grading/check/timeline_html.h"

#include <gtest/gtest.h>

#include <string>

namespace tinykv::check {
namespace {

History StaleRead() {
  HistoryRecorder rec;
  size_t w = rec.Invoke(1, 0, "put", "k", "</script><b>x");
  rec.Ok(w, 10);
  rec.Annotate(12, 14, "crash n2");
  size_t r = rec.Invoke(2, 20, "get", "k");
  rec.Ok(r, 30, "");
  return rec.history();
}

TEST(LincheckTimeline, IsSelfContainedAndCarriesTheVerdict) {
  History h = StaleRead();
  auto result = Check(h, KvModel());
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->verdict, Verdict::kNotLinearizable);
  TimelineOptions options;
  options.title = "Lab2B.Test seed 7";
  std::string page = RenderTimelineHtml(h, KvModel(), *result, options);
  EXPECT_EQ(page.find("<script src"), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_NE(page.find("<title>Lab2B.Test seed 7</title>"), std::string::npos);
  EXPECT_NE(page.find("\"first\":true"), std::string::npos);
  EXPECT_NE(page.find("crash n2"), std::string::npos);
  // A value can never close the data <script> element early.
  EXPECT_EQ(page.find("</script><b>"), std::string::npos);
  EXPECT_NE(page.find("\\u003c/script\\u003e\\u003cb\\u003ex"), std::string::npos);
}

}  // namespace
}  // namespace tinykv::check
