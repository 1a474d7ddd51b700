#include "grading/check/timeline_html.h"
#include "grading/check/html_escape.h"

#include <cstdio>
#include <fstream>
#include <map>

#include "sim/json_escape.h"

namespace tinykv::check {

namespace {

// JSON string literal, safe inside <script> (no "</script>" or comment opener can appear).
std::string Json(const std::string& s) { return sim::JsonQuote(s, /*html_safe=*/true); }

std::string JsonTime(int64_t t) { return t == kNoReturn ? "null" : std::to_string(t); }

const char* StatusName(OpStatus s) {
  switch (s) {
    case OpStatus::kOk:
      return "ok";
    case OpStatus::kFail:
      return "fail";
    case OpStatus::kInfo:
      return "info";
  }
  return "info";
}

std::string DataJson(const History& h, const Model& model, const CheckResult& r,
                     const TimelineOptions& options) {
  std::string j = "{";
  j += "\"title\":" + Json(options.title);
  j += ",\"model\":" + Json(std::string(model.name()));
  j += ",\"verdict\":" + Json(std::string(VerdictName(r.verdict)));
  j += ",\"report\":" + Json(r.report);
  j += ",\"failure\":" + Json(options.failure);
  j += ",\"timesAreLines\":" + std::string(h.times_are_lines ? "true" : "false");
  j += ",\"annotations\":[";
  for (size_t i = 0; i < h.annotations.size(); ++i) {
    const Annotation& a = h.annotations[i];
    if (i) j += ",";
    j += "{\"t0\":" + std::to_string(a.time) + ",\"t1\":" + std::to_string(a.end) +
         ",\"label\":" + Json(a.label) + ",\"when\":" +
         Json(FormatTime(h, a.time) + (a.end != a.time ? " – " + FormatTime(h, a.end) : "")) + "}";
  }
  j += "],\"clientLabels\":{";
  for (auto it = h.client_labels.begin(); it != h.client_labels.end(); ++it) {
    if (it != h.client_labels.begin()) j += ",";
    j += Json(std::to_string(it->first)) + ":" + Json(it->second);
  }
  j += "},\"partitions\":[";
  for (size_t p = 0; p < r.partitions.size(); ++p) {
    const PartitionResult& pr = r.partitions[p];
    std::map<size_t, size_t> rank;
    for (size_t k = 0; k < pr.order.size(); ++k) rank[pr.order[k]] = k + 1;
    std::map<size_t, std::string> stuck;
    for (size_t k = 0; k < pr.stuck.size(); ++k) stuck[pr.stuck[k]] = pr.stuck_reasons[k];
    if (p) j += ",";
    j += "{\"name\":" + Json(pr.name);
    j += ",\"checked\":" + std::string(pr.checked ? "true" : "false");
    j += ",\"verdict\":" + Json(pr.checked ? std::string(VerdictName(pr.verdict)) : "not checked");
    j += ",\"failed\":" + std::string(r.failed_partition == p ? "true" : "false");
    j += ",\"stateAfter\":" + Json(pr.state_after);
    j += ",\"ops\":[";
    for (size_t k = 0; k < pr.ops.size(); ++k) {
      size_t id = pr.ops[k];
      const Operation& op = h.ops[id];
      if (k) j += ",";
      j += "{\"id\":" + std::to_string(id) + ",\"client\":" + std::to_string(op.client) +
           ",\"desc\":" + Json(model.Describe(op)) + ",\"call\":" + std::to_string(op.call) +
           ",\"ret\":" + JsonTime(op.status == OpStatus::kInfo ? kNoReturn : op.ret) +
           ",\"shownRet\":" + JsonTime(op.ret) + ",\"status\":\"" + StatusName(op.status) +
           "\",\"when\":" +
           Json("called " + FormatTime(h, op.call) + ", " +
                (op.status == OpStatus::kInfo
                     ? "outcome unknown (gave up " + FormatTime(h, op.ret) + ")"
                     : "returned " + FormatTime(h, op.ret)));
      auto rk = rank.find(id);
      j += ",\"order\":" + (rk == rank.end() ? std::string("0") : std::to_string(rk->second));
      auto st = stuck.find(id);
      if (st != stuck.end()) j += ",\"stuck\":" + Json(st->second);
      if (pr.first_unplaceable == id) j += ",\"first\":true";
      j += "}";
    }
    j += "]}";
  }
  j += "]}";
  return j;
}

// The page: static CSS and a renderer that builds one SVG per partition from DATA.
constexpr const char* kPageHead = R"HTML(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>%TITLE%</title>
<style>
body { font: 13px/1.4 system-ui, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 18px; margin: 0 0 8px; }
h2 { font-size: 15px; margin: 20px 0 6px; }
div.failure { color: #b71c1c; background: #fdecea; border: 1px solid #e57373; padding: 8px;
              margin-bottom: 8px; white-space: pre-wrap; font-weight: 600; }
pre.report { background: #f6f6f6; border: 1px solid #ddd; padding: 8px; white-space: pre-wrap; }
.verdict-linearizable { color: #1a7f37; }
.verdict-NOT { color: #c62828; }
.verdict-unknown, .verdict-not { color: #8a6d00; }
.scroll { overflow-x: auto; border: 1px solid #ddd; }
svg text { font: 10px monospace; }
.legend span { display: inline-block; margin-right: 14px; }
.swatch { display: inline-block; width: 12px; height: 10px; margin-right: 4px; vertical-align: middle; }
ol.order { columns: 3; font: 11px monospace; }
</style>
</head>
<body>
<h1>%TITLE%</h1>
<div class="failure" id="failure" hidden></div>
<div id="summary"></div>
<pre class="report" id="report"></pre>
<div class="legend">
<span><i class="swatch" style="background:#9ccc9c"></i>linearized (#k = position)</span>
<span><i class="swatch" style="background:#e0e0e0"></i>failed / not placed</span>
<span><i class="swatch" style="background:#ffe0a0"></i>outcome unknown</span>
<span><i class="swatch" style="background:#fff;border:2px solid #e65100"></i>could not be placed next</span>
<span><i class="swatch" style="background:#e53935"></i>first operation that cannot be placed</span>
<span><i class="swatch" style="background:rgba(120,120,255,.25)"></i>fault / annotation</span>
</div>
<div id="partitions"></div>
<script id="data" type="application/json">)HTML";

constexpr const char* kPageTail = R"HTML(</script>
<script>
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("data").textContent);
  var NS = "http://www.w3.org/2000/svg";
  function el(tag, attrs, parent, text) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function html(tag, attrs, parent, text) {
    var e = document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function verdictClass(v) { return "verdict-" + v.split(" ")[0]; }
  function clientName(c) { return DATA.clientLabels[String(c)] || "client " + c; }

  if (DATA.failure) {
    var failure = document.getElementById("failure");
    failure.textContent = "Run failed: " + DATA.failure;
    failure.hidden = false;
  }
  // "3 keys", "1 register": what the checker checks one at a time.
  function units(n) {
    return n + " " + (DATA.model === "kv" ? "key" : "register") + (n === 1 ? "" : "s");
  }
  var summary = document.getElementById("summary");
  html("strong", {"class": verdictClass(DATA.verdict)}, summary, DATA.verdict);
  summary.appendChild(document.createTextNode(
      " — model " + DATA.model + ", " + units(DATA.partitions.length) + ", times " +
      (DATA.timesAreLines ? "are history line numbers" : "are virtual time")));
  document.getElementById("report").textContent = DATA.report;

  var LANE = 22, BAR = 16, STEP = 12, LEFT = 90, TOP = 34, MAX_LABELS = 40, COLLAPSE_ABOVE = 12;
  var rendered = 0;
  var container = document.getElementById("partitions");
  // Draws one partition's timeline and its linearization order into `section`.
  function drawPartition(part, section) {
    // Ordinal time axis over this partition's events and every annotation.
    var times = [];
    part.ops.forEach(function (op) {
      times.push(op.call);
      if (op.ret !== null) times.push(op.ret);
    });
    DATA.annotations.forEach(function (a) { times.push(a.t0, a.t1); });
    times.sort(function (a, b) { return a - b; });
    var uniq = [];
    times.forEach(function (t) { if (!uniq.length || uniq[uniq.length - 1] !== t) uniq.push(t); });
    function x(t) {
      var lo = 0, hi = uniq.length - 1;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (uniq[mid] < t) lo = mid + 1; else hi = mid; }
      return LEFT + lo * STEP + STEP / 2;
    }
    var right = LEFT + uniq.length * STEP + STEP;
    var clients = [];
    part.ops.forEach(function (op) { if (clients.indexOf(op.client) < 0) clients.push(op.client); });
    clients.sort(function (a, b) { return a - b; });
    // Annotation labels go in the first text row where they do not overlap an earlier one
    // (10 px monospace: about 6 px per character); the lanes start below the last row. A run
    // with many faults and events shows them as bands only (the label is the band's tooltip):
    // stacked labels would bury the lanes.
    var rowEnds = [], labelRow = [];
    var labelled = DATA.annotations.length <= MAX_LABELS;
    if (!labelled) {
      html("p", {"class": "note"}, section, DATA.annotations.length +
           " faults and events (blue bands): hover a band for what it was");
    }
    DATA.annotations.forEach(function (a, ai) {
      if (!labelled) { labelRow[ai] = 0; return; }
      var x0 = x(a.t0) + 2, width = (a.label.length + a.when.length + 3) * 6;
      var row = 0;
      while (row < rowEnds.length && rowEnds[row] > x0) row++;
      rowEnds[row] = x0 + width + 4;
      labelRow[ai] = row;
    });
    var top = TOP + Math.max(rowEnds.length - 1, 0) * 11;
    var height = top + clients.length * LANE + 10;
    var wrap = html("div", {"class": "scroll"}, section);
    var svg = el("svg", {"width": right + 20, "height": height, "class": "timeline"}, wrap);
    DATA.annotations.forEach(function (a, ai) {
      var g = el("g", {"class": "annotation"}, svg);
      var x0 = x(a.t0), x1 = Math.max(x(a.t1), x0 + 3);
      el("rect", {"x": x0, "y": 0, "width": x1 - x0, "height": height,
                  "fill": "rgba(120,120,255,.25)"}, g);
      if (labelled) {
        el("text", {"x": x0 + 2, "y": 11 + 11 * labelRow[ai], "fill": "#3333aa"}, g,
           a.label + " @ " + a.when);
      }
      el("title", {}, g, a.label + " @ " + a.when);
    });
    clients.forEach(function (c, i) {
      var y = top + i * LANE;
      el("line", {"x1": LEFT, "x2": right, "y1": y + LANE - 2, "y2": y + LANE - 2,
                  "stroke": "#eee"}, svg);
      el("text", {"x": 4, "y": y + 13, "class": "lane"}, svg, clientName(c));
    });
    part.ops.forEach(function (op) {
      var y = top + clients.indexOf(op.client) * LANE;
      var x0 = x(op.call) - STEP / 2 + 1;
      var x1 = op.ret === null ? right : x(op.ret) + STEP / 2 - 1;
      var cls = "op";
      var fill = op.order > 0 ? "#9ccc9c" : "#e0e0e0";
      if (op.status === "info") fill = op.order > 0 ? "#c5d99a" : "#ffe0a0";
      var stroke = "#777", sw = 1;
      if (op.stuck !== undefined) { cls += " stuck"; stroke = "#e65100"; sw = 2.5; }
      if (op.first) { cls += " first-unplaceable"; fill = "#e53935"; stroke = "#7f0000"; sw = 3; }
      if (op.status === "fail") cls += " failed";
      var g = el("g", {"class": cls, "data-op": op.id, "data-order": op.order}, svg);
      el("rect", {"x": x0, "y": y + 2, "width": Math.max(x1 - x0, 3), "height": BAR, "rx": 3,
                  "fill": fill, "stroke": stroke, "stroke-width": sw,
                  "stroke-dasharray": op.status === "info" ? "4 2" : "none"}, g);
      var label = (op.order > 0 ? "#" + op.order + " " : "") + op.desc;
      var room = Math.max(1, Math.floor((x1 - x0 - 4) / 6));
      el("text", {"x": x0 + 3, "y": y + 14}, g,
         label.length > room ? label.slice(0, Math.max(room - 1, 1)) + "…" : label);
      el("title", {}, g, op.desc + "\n" + clientName(op.client) + ", " + op.when + "\nstatus " +
         op.status + (op.order > 0 ? "\nlinearization position #" + op.order : "") +
         (op.stuck !== undefined ? "\ncannot be placed next: " + op.stuck : ""));
      rendered++;
    });
    // The chosen linearization order (or the longest linearizable prefix) as a list.
    var ordered = part.ops.filter(function (op) { return op.order > 0; });
    ordered.sort(function (a, b) { return a.order - b.order; });
    if (ordered.length) {
      var d = html("details", {}, section);
      html("summary", {}, d, (part.verdict === "linearizable" ? "Linearization order" :
                              "Longest linearizable prefix") + " (" + ordered.length + " operations)" +
                             (part.stateAfter ? "; then " + part.stateAfter : ""));
      var ol = html("ol", {"class": "order"}, d);
      ordered.forEach(function (op) { html("li", {}, ol, op.desc + " (" + clientName(op.client) + ")"); });
    }
  }

  // Many partitions (a run over many keys): the failing ones are drawn, open; every other one is
  // a closed line with its verdict, drawn when opened — a page of a hundred full timelines
  // buries the one that matters and takes seconds to render.
  // With none failing, the busiest partition is drawn, as an example of what the run did.
  var collapse = DATA.partitions.length > COLLAPSE_ABOVE;
  var example = -1;
  if (collapse) {
    var failing = DATA.partitions.filter(function (p) { return p.verdict !== "linearizable"; });
    var text = units(DATA.partitions.length) + ", " + failing.length + " not linearizable" +
               (failing.length ? " (drawn first)" : "");
    if (!failing.length) {
      DATA.partitions.forEach(function (p, pi) {
        if (example < 0 || p.ops.length > DATA.partitions[example].ops.length) example = pi;
      });
      text += "; the busiest, " + DATA.partitions[example].name + ", is drawn";
    }
    html("p", {"class": "note"}, container, text + "; open any other one to draw its timeline");
  }
  // The drawn partitions first, then the closed lines.
  function drawn(part, pi) {
    return !collapse || part.verdict !== "linearizable" || pi === example;
  }
  DATA.partitions.forEach(function (part, pi) {
    if (!drawn(part, pi)) return;
    var section = html("section", {"class": "partition", "id": "partition-" + pi}, container);
    var h = html("h2", {}, section, part.name + " — ");
    html("span", {"class": verdictClass(part.verdict)}, h, part.verdict);
    drawPartition(part, section);
  });
  DATA.partitions.forEach(function (part, pi) {
    if (drawn(part, pi)) return;
    var d = html("details", {"class": "partition", "id": "partition-" + pi}, container);
    var s = html("summary", {}, d, part.name + " — ");
    html("span", {"class": verdictClass(part.verdict)}, s, part.verdict);
    s.appendChild(document.createTextNode(" (" + part.ops.length + " operations)"));
    d.addEventListener("toggle", function () {
      if (!d.open || d.getAttribute("data-drawn")) return;
      d.setAttribute("data-drawn", "1");
      drawPartition(part, d);
    });
  });
  document.body.setAttribute("data-rendered", String(rendered));
})();
</script>
</body>
</html>
)HTML";

}  // namespace

std::string RenderTimelineHtml(const History& history, const Model& model,
                               const CheckResult& result, const TimelineOptions& options) {
  std::string head = kPageHead;
  const std::string title = HtmlEscape(options.title);
  for (size_t pos = 0; (pos = head.find("%TITLE%", pos)) != std::string::npos;) {
    head.replace(pos, 7, title);
    pos += title.size();
  }
  return head + DataJson(history, model, result, options) + kPageTail;
}

Status WriteTimelineHtml(const std::string& path, const History& history, const Model& model,
                         const CheckResult& result, const TimelineOptions& options) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::CantCreate(path + ": cannot create file");
  out << RenderTimelineHtml(history, model, result, options);
  out.close();
  if (!out) return Status::CantCreate(path + ": write error");
  return Status::Ok();
}

}  // namespace tinykv::check
