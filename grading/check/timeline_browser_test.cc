// Renders a timeline in a real headless browser (Debian's chromium, installed by
// scripts/install-deps) and checks what it drew, from the DOM the browser dumps after running the
// page's scripts. A page that renders nothing fails, and so does a missing browser.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "grading/check/checker.h"
#include "grading/check/edn.h"
#include "grading/check/timeline_html.h"

#ifndef TINYKV_CHROMIUM
#error "TINYKV_CHROMIUM must name the chromium binary (empty when not found)"
#endif
#ifndef TINYKV_CHECK_TESTDATA
#error "TINYKV_CHECK_TESTDATA must name grading/check/testdata"
#endif
#ifndef TINYKV_CONFORMANCE_DIR
#error "TINYKV_CONFORMANCE_DIR must name the porcupine-kv conformance directory"
#endif

namespace tinykv::check {
namespace {

// Measures the drawn page from inside the browser (appended after the page's own script, so it
// runs on the first render) and writes "name=value" lines into <pre id="probe">: what the layout
// engine says about overlaps and positions, which the DOM's attributes alone cannot show.
constexpr const char* kProbe = R"JS(
<script>
(function () {
  const out = [];
  function put(k, v) { out.push(k + "=" + v); }
  function boxes(svg, selector) {
    return Array.from(svg.querySelectorAll(selector)).map(function (e) {
      return {e: e, r: e.getBoundingClientRect()};
    }).filter(function (b) { return b.r.width > 0 && b.r.height > 0; });
  }
  function overlap(a, b) {
    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    return w > 0.5 && h > 0.5;
  }
  // Pairs of texts that overprint each other, in every svg; texts over another operation's bar.
  function measure(prefix) {
    let texts = 0, overlaps = 0, overBars = 0;
    document.querySelectorAll("svg.tl").forEach(function (svg) {
      const t = boxes(svg, "text");
      texts += t.length;
      for (let i = 0; i < t.length; i++)
        for (let j = i + 1; j < t.length; j++) if (overlap(t[i].r, t[j].r)) overlaps++;
      const bars = boxes(svg, "g.op > rect");
      boxes(svg, "g.op > text").forEach(function (label) {
        bars.forEach(function (bar) {
          if (bar.e.parentNode !== label.e.parentNode && overlap(label.r, bar.r)) overBars++;
        });
      });
    });
    // A fault's band across another fault's label.
    let bandsOverLabels = 0;
    const ruler = document.getElementById("ruler");
    const bands = boxes(ruler, "g.fault > rect");
    boxes(ruler, "text.fault-label").forEach(function (label) {
      bands.forEach(function (band) {
        if (band.e.parentNode.getAttribute("data-annotation") !==
                label.e.getAttribute("data-annotation") && overlap(label.r, band.r)) {
          bandsOverLabels++;
        }
      });
    });
    const views = new Set();
    document.querySelectorAll("svg.tl").forEach(function (svg) {
      views.add(svg.getAttribute("data-v0") + " " + svg.getAttribute("data-v1"));
    });
    const v0 = +ruler.getAttribute("data-v0"), v1 = +ruler.getAttribute("data-v1");
    const ticks = Array.from(ruler.querySelectorAll("text.tick")).map(function (e) {
      return +e.getAttribute("data-t");
    });
    let ticksOk = ticks.length >= 3;
    ticks.forEach(function (t, i) { if (t < v0 || t > v1 || (i && t <= ticks[i - 1])) ticksOk = false; });
    put(prefix + "texts", texts);
    put(prefix + "text_overlaps", overlaps);
    put(prefix + "labels_over_other_bars", overBars);
    put(prefix + "bands_over_fault_labels", bandsOverLabels);
    put(prefix + "views", views.size);
    put(prefix + "span", v1 - v0);
    put(prefix + "ticks", ticks.length);
    put(prefix + "ticks_in_order_inside_view", ticksOk);
    put(prefix + "rendered", document.body.getAttribute("data-rendered"));
    put(prefix + "fault_groups", ruler.querySelectorAll("g.fault").length);
    put(prefix + "faults_in_view", JSON.parse(document.getElementById("data").textContent)
        .annotations.filter(function (a) { return a.t1 >= v0 && a.t0 <= v1; }).length);
  }
  // The first operation that cannot be placed: inside the plot and the window, its label whole.
  const first = document.querySelector("g.op.first-unplaceable");
  if (first) {
    const svg = first.closest("svg");
    const r = first.querySelector("rect").getBoundingClientRect(), s = svg.getBoundingClientRect();
    put("first_in_plot", r.left >= s.left + 100 && r.right <= s.right);
    put("first_in_window", r.top >= 0 && r.bottom <= window.innerHeight);
    const label = first.querySelector("text");
    put("first_label", label ? label.textContent : "");
  }
  const wrote = document.querySelectorAll("g.op.wrote");
  put("wrote", wrote.length);
  if (wrote.length) put("wrote_label", wrote[0].querySelector("text") ? wrote[0].querySelector("text").textContent : "");
  put("stuck", document.querySelectorAll("g.op.stuck").length);
  put("drawn_keys", document.querySelectorAll("section.partition").length);
  put("closed_keys", document.querySelectorAll("details.partition").length);
  measure("open.");
  document.getElementById("zoom-in").click();
  measure("zoomed.");
  document.getElementById("fit").click();
  measure("whole.");
  // A closed key, opened, is drawn in the same view as the others.
  const closed = document.querySelector("details.partition");
  if (closed) {
    closed.open = true;
    closed.dispatchEvent(new Event("toggle"));
    measure("opened.");
  }
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = "\n" + out.join("\n") + "\n";
  document.body.appendChild(pre);
})();
</script>
)JS";

// Writes the timeline with the probe appended, has chromium (window 1400×900) run its scripts and
// dump the DOM into *dom.
void RenderInChromium(const History& history, const CheckResult& result,
                      const TimelineOptions& timeline, std::string* dom) {
  const std::string chromium = TINYKV_CHROMIUM;
  ASSERT_FALSE(chromium.empty() || chromium.find("NOTFOUND") != std::string::npos)
      << "chromium not found: run scripts/install-deps (it installs Debian's chromium)";
  char tmpl[] = "/tmp/lincheck-browser-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  const std::string page = dir + "/timeline.html";
  std::string html = RenderTimelineHtml(history, KvModel(), result, timeline);
  const size_t body_end = html.rfind("</body>");
  ASSERT_NE(body_end, std::string::npos);
  html.insert(body_end, kProbe);
  {
    std::ofstream out(page, std::ios::binary);
    out << html;
    ASSERT_TRUE(out.good());
  }

  // A fresh profile and a hard timeout: the test must never hang on the browser.
  std::string cmd = "timeout 60 " + chromium +
                    " --headless --no-sandbox --disable-gpu --window-size=1400,900"
                    " --user-data-dir=" +
                    dir + "/profile --dump-dom file://" + page + " 2>/dev/null";
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

// The probe's "name=value" lines.
std::map<std::string, std::string> Probe(const std::string& dom) {
  std::map<std::string, std::string> facts;
  const size_t start = dom.find("<pre id=\"probe\">");
  if (start == std::string::npos) return facts;
  std::istringstream in(dom.substr(start, dom.find("</pre>", start) - start));
  std::string line;
  while (std::getline(in, line)) {
    const size_t eq = line.find('=');
    if (eq != std::string::npos) facts[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return facts;
}

std::string Unescape(std::string s) {  // the DOM dump escapes &, <, > in text
  for (auto [from, to] : {std::pair{"&gt;", ">"}, {"&lt;", "<"}, {"&amp;", "&"}}) {
    for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + 1)) {
      s.replace(p, std::string(from).size(), to);
    }
  }
  return s;
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
  auto probe = Probe(dom);
  ASSERT_FALSE(probe.empty()) << "the page's script failed before the probe ran; DOM starts with:\n"
                              << dom.substr(0, 2000);

  // The failing keys are drawn, the others closed; zoomed out to the whole run, every operation of
  // a drawn key has its bar.
  size_t failing = 0, failing_ops = 0;
  for (const PartitionResult& p : result->partitions) {
    if (p.checked && p.verdict != Verdict::kLinearizable) {
      ++failing;
      failing_ops += p.ops.size();
    }
  }
  ASSERT_GE(failing, 1u);
  EXPECT_EQ(probe["drawn_keys"], std::to_string(failing));
  EXPECT_EQ(probe["closed_keys"], std::to_string(result->partitions.size() - failing));
  EXPECT_EQ(probe["whole.rendered"], std::to_string(failing_ops));
  EXPECT_GE(std::stoul(probe["stuck"]), 1u);
  // The three annotations are in the fault lane, their labels (two at one instant) apart.
  EXPECT_EQ(probe["whole.fault_groups"], "3");
  EXPECT_EQ(probe["whole.text_overlaps"], "0");
  EXPECT_EQ(probe["open.text_overlaps"], "0");
  EXPECT_NE(dom.find(">crash n3<"), std::string::npos);
  EXPECT_NE(dom.find(">violation: durability<"), std::string::npos);
  // Why the run failed, above the verdict; the report is there.
  EXPECT_NE(dom.find("Run failed: durability: store 3 lost its vote"), std::string::npos);
  EXPECT_NE(dom.find("NOT linearizable"), std::string::npos);
}

// A real, dense run (testdata/README.md): ten clients, a hundred faults, 20 s of virtual time.
TEST(LincheckBrowser, ADenseRunOpensOnTheViolationOnOneAxisWithoutOverprint) {
  auto history = ReadEdnHistoryFile(
      std::string(TINYKV_CHECK_TESTDATA) + "/lab2b-acks-without-term-check.edn", {});
  ASSERT_TRUE(history.ok()) << history.status().message();
  ASSERT_GE(history->annotations.size(), 100u);
  auto result = Check(*history, KvModel(), CheckOptions{});
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->verdict, Verdict::kNotLinearizable);
  const PartitionResult& failed = result->partitions[result->failed_partition.value()];
  ASSERT_TRUE(failed.first_unplaceable.has_value());

  std::string dom;
  ASSERT_NO_FATAL_FAILURE(RenderInChromium(*history, *result, TimelineOptions{}, &dom));
  auto probe = Probe(dom);
  ASSERT_FALSE(probe.empty()) << dom.substr(0, 2000);

  // It opens on the violation: the first operation that cannot be placed is on screen, in the
  // plot, its value readable in full; the write the prefix ended with is marked.
  EXPECT_EQ(probe["first_in_plot"], "true");
  EXPECT_EQ(probe["first_in_window"], "true") << "the failing key must be on the first screen";
  EXPECT_EQ(Unescape(probe["first_label"]),
            KvModel().DescribeInRegister(history->ops[*failed.first_unplaceable]));
  EXPECT_EQ(probe["wrote"], "1");
  EXPECT_NE(
      failed.state_after.find(probe["wrote_label"].substr(probe["wrote_label"].rfind(' ') + 1)),
      std::string::npos)
      << "the marked write (" << probe["wrote_label"] << ") must be the one the key holds after "
      << "the prefix: " << failed.state_after;
  EXPECT_LT(std::stod(probe["open.span"]), 0.1 * 20e9)
      << "it opens zoomed in, not on the whole run";
  // Key k0 passed: one closed line; opened, it is drawn in the same view.
  EXPECT_EQ(probe["drawn_keys"], "1");
  EXPECT_EQ(probe["closed_keys"], "1");
  // At every zoom: one view for every svg, an axis with ticks, no label over another or over
  // another operation's bar, and every fault in view in the fault lane.
  for (const char* at : {"open.", "zoomed.", "whole.", "opened."}) {
    SCOPED_TRACE(at);
    auto fact = [&](const char* name) { return probe[std::string(at) + name]; };
    EXPECT_EQ(fact("views"), "1");
    EXPECT_EQ(fact("ticks_in_order_inside_view"), "true") << fact("ticks") << " ticks";
    EXPECT_GT(std::stoul(fact("texts")), 20u);
    EXPECT_EQ(fact("text_overlaps"), "0");
    EXPECT_EQ(fact("labels_over_other_bars"), "0");
    EXPECT_EQ(fact("bands_over_fault_labels"), "0");
    EXPECT_EQ(fact("fault_groups"), fact("faults_in_view"));
  }
  EXPECT_NEAR(std::stod(probe["zoomed.span"]), std::stod(probe["open.span"]) / 2,
              std::stod(probe["open.span"]) * 0.01);
  EXPECT_EQ(probe["whole.rendered"], std::to_string(failed.ops.size()));
  EXPECT_EQ(probe["opened.rendered"], std::to_string(history->ops.size()));
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
  auto probe = Probe(dom);
  ASSERT_FALSE(probe.empty()) << dom.substr(0, 2000);

  EXPECT_EQ(probe["open.rendered"], "2");  // the failing key's put and get
  EXPECT_EQ(probe["drawn_keys"], "1");
  EXPECT_EQ(probe["closed_keys"], "19");
  EXPECT_NE(dom.find("20 keys, 1 not linearizable (drawn above)"), std::string::npos)
      << "the checker's partitions are keys to its user";
}

}  // namespace
}  // namespace tinykv::check
