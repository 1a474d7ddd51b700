#include "grading/check/si/html_report.h"
#include "grading/check/html_escape.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

namespace tinykv::check::si {

namespace {

constexpr size_t kMaxExplanationLines = 500;
constexpr const char* kCycleColors[] = {"#9467bd", "#e377c2", "#17becf", "#bcbd22", "#8c564b"};

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

const char* EdgeColor(EdgeKind k) {
  switch (k) {
    case EdgeKind::kWW:
      return "#1f77b4";
    case EdgeKind::kWR:
      return "#2ca02c";
    case EdgeKind::kRW:
      return "#d62728";
    case EdgeKind::kRealtime:
      return "#7f7f7f";
  }
  return "#000";
}

const char* StatusName(TxnStatus s) {
  switch (s) {
    case TxnStatus::kOk:
      return "ok";
    case TxnStatus::kFail:
      return "fail";
    case TxnStatus::kInfo:
      return "info";
  }
  return "?";
}

// The micro-ops of a txn as EDN, cut at about 400 characters.
std::string MopsText(const TxnHistory& h, const Txn& t) {
  std::string out = "[";
  for (const Mop& m : h.MopsOf(t)) {
    if (out.size() > 400) {
      out += " ...";
      break;
    }
    if (out.size() > 1) out += " ";
    const std::string& key = h.KeyText(m.key);
    switch (m.kind) {
      case Mop::Kind::kAppend:
        out += "[:append " + key + " " + h.ValueText(m.value) + "]";
        break;
      case Mop::Kind::kWrite:
        out += "[:w " + key + " " + h.ValueText(m.value) + "]";
        break;
      case Mop::Kind::kRead: {
        out += "[:r " + key + " ";
        const auto read = h.ReadOf(m);
        if (h.workload == Workload::kRwRegister) {
          out += read.empty() ? "nil" : h.ValueText(read[0]);
        } else {
          out += "[";
          for (size_t i = 0; i < read.size(); ++i) {
            out += (i > 0 ? " " : "") + h.ValueText(read[i]);
          }
          out += "]";
        }
        out += "]";
        break;
      }
    }
  }
  return out + "]";
}

// One timeline: lanes of txn bars on an ordinal axis, optionally one cycle's edges on top.
class Timeline {
 public:
  // `roomy`: wider steps and lanes, for a cycle's few txns and its arrows.
  Timeline(const TxnHistory& h, std::vector<size_t> txns, bool roomy,
           const std::vector<HtmlOptions::Fault>& faults)
      : h_(h),
        txns_(std::move(txns)),
        faults_(faults),
        step_(roomy ? 90 : 34),
        lane_(roomy ? 76 : 40) {
    use_time_ = !txns_.empty();
    for (size_t t : txns_) {
      const Txn& x = h_.txns[t];
      if ((x.invoke_pos >= 0 && x.invoke_time < 0) ||
          (x.complete_pos != Txn::kNever && x.complete_time < 0)) {
        use_time_ = false;
      }
    }
    std::set<int64_t> events;
    for (size_t t : txns_) {
      const Txn& x = h_.txns[t];
      if (x.invoke_pos >= 0) events.insert(Start(x));
      if (x.complete_pos != Txn::kNever) events.insert(End(x));
    }
    events_.assign(events.begin(), events.end());
    std::map<std::string, std::string> lanes;  // sort key -> name
    for (size_t t : txns_) lanes.emplace(LaneKey(t), LaneName(t));
    std::map<std::string, size_t> lane_index;
    for (const auto& [key, name] : lanes) {
      lane_index.emplace(key, lane_names_.size());
      lane_names_.push_back(name);
    }
    for (size_t t : txns_) lane_of_[t] = lane_index.at(LaneKey(t));
  }

  bool uses_time() const { return use_time_; }

  // The SVG; `outline[t]` (if present) outlines txn t in that color; `cycle` draws its edges.
  std::string Svg(const std::map<size_t, std::string>& outline, const Anomaly* cycle,
                  size_t edges_drawn, const std::string& id) const {
    const double width =
        std::max(480.0, kLeft + static_cast<double>(events_.size() + 1) * step_ + kRight);
    const double height = kTop + static_cast<double>(lane_names_.size()) * lane_ + kBottom;
    std::string s = "<svg width=\"" + Num(width) + "\" height=\"" + Num(height) +
                    "\" class=\"timeline\">\n<defs>";
    for (EdgeKind k : {EdgeKind::kWW, EdgeKind::kWR, EdgeKind::kRW, EdgeKind::kRealtime}) {
      s += "<marker id=\"" + id + "-" + EdgeKindName(k) +
           "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
           "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"" +
           EdgeColor(k) + "\"/></marker>";
    }
    s += "</defs>\n";
    // Lanes and axis.
    for (size_t l = 0; l < lane_names_.size(); ++l) {
      const double y = kTop + static_cast<double>(l) * lane_;
      s += "<line x1=\"" + Num(kLeft) + "\" x2=\"" + Num(width - kRight) + "\" y1=\"" +
           Num(y + lane_ / 2) + "\" y2=\"" + Num(y + lane_ / 2) + "\" class=\"lane\"/>";
      s += "<text x=\"4\" y=\"" + Num(y + lane_ / 2 + 4) + "\" class=\"lanename\">" +
           HtmlEscape(lane_names_[l]) + "</text>\n";
    }
    // Label every k-th event, so that labels (about 6 px a digit) do not run into each other.
    size_t widest = 1;
    for (int64_t e : events_) widest = std::max(widest, std::to_string(e).size());
    const size_t every = std::max<size_t>(
        1, static_cast<size_t>(std::ceil((6.0 * static_cast<double>(widest) + 8) / step_)));
    const double axis_y = kTop + static_cast<double>(lane_names_.size()) * lane_ + 4;
    for (size_t i = 0; i < events_.size(); i += every) {
      const double x = X(i);
      s += "<line x1=\"" + Num(x) + "\" x2=\"" + Num(x) + "\" y1=\"" + Num(axis_y) + "\" y2=\"" +
           Num(axis_y + 5) + "\" class=\"tick\"/><text x=\"" + Num(x) + "\" y=\"" +
           Num(axis_y + 17) + "\" class=\"ticklabel\">" + std::to_string(events_[i]) + "</text>";
    }
    s += "<text x=\"" + Num(kLeft) + "\" y=\"" + Num(axis_y + 32) + "\" class=\"axisname\">" +
         (use_time_ ? ":time (ordinal: each distinct value one step)"
                    : "position in the history (ordinal)") +
         "</text>\n";
    if (use_time_) s += FaultBands(height - kBottom);
    // Bars.
    for (size_t t : txns_) {
      const Txn& x = h_.txns[t];
      const auto [x0, x1] = Extent(t);
      const double y = kTop + static_cast<double>(lane_of_.at(t)) * lane_ + lane_ / 2 - 7;
      std::string cls = std::string("bar ") + StatusName(x.status);
      if (x.complete_pos == Txn::kNever) cls += " open";
      auto it = outline.find(t);
      s += "<g><title>" +
           HtmlEscape(h_.TxnName(t) + " (" + StatusName(x.status) +
                      (x.process != kNoId ? ", process " + h_.processes[x.process] : "") +
                      ", line " + std::to_string(x.line) + ") " + MopsText(h_, x)) +
           "</title><rect x=\"" + Num(x0) + "\" y=\"" + Num(y) + "\" width=\"" +
           Num(std::max(4.0, x1 - x0)) + "\" height=\"14\" rx=\"3\" class=\"" + cls + "\"" +
           (it != outline.end() ? " style=\"stroke:" + it->second + ";stroke-width:3\"" : "") +
           "/><text x=\"" + Num(x0) + "\" y=\"" + Num(y - 2) + "\" class=\"txnname\">" +
           HtmlEscape(h_.TxnName(t)) + "</text></g>\n";
    }
    if (cycle != nullptr) s += Edges(*cycle, edges_drawn, id);
    return s + "</svg>\n";
  }

 private:
  static constexpr double kLeft = 70;
  static constexpr double kRight = 30;
  static constexpr double kTop = 14;
  static constexpr double kBottom = 46;

  // The faults that overlap the drawn span, as translucent bands (an instant fault: a thin one),
  // each with its label on hover; a run of overlapping faults deepens the shade.
  std::string FaultBands(double bottom) const {
    if (events_.empty()) return "";
    std::string s;
    for (const HtmlOptions::Fault& f : faults_) {
      if (f.end < events_.front() || f.start > events_.back()) continue;
      const double x0 = X(Index(f.start)) - step_ / 2;
      const double x1 = std::max(x0 + 3, X(Index(f.end)) - step_ / 2);
      s += "<g><title>" + HtmlEscape(f.label) + "</title><rect x=\"" + Num(x0) + "\" y=\"" +
           Num(kTop) + "\" width=\"" + Num(x1 - x0) + "\" height=\"" + Num(bottom - kTop) +
           "\" class=\"fault\"/></g>\n";
    }
    return s;
  }

  int64_t Start(const Txn& x) const { return use_time_ ? x.invoke_time : x.invoke_pos; }
  int64_t End(const Txn& x) const { return use_time_ ? x.complete_time : x.complete_pos; }
  // Lanes sort by this key: process lanes first — integer processes by value, then the others
  // by text — then the lanes of single txns without a process, in history order.
  std::string LaneKey(size_t t) const {
    const Txn& x = h_.txns[t];
    char buf[48];
    if (x.process == kNoId) {
      std::snprintf(buf, sizeof(buf), "2%019zu", t);
      return buf;
    }
    const std::string& p = h_.processes[x.process];
    const bool number = !p.empty() && p.size() < 19 && std::all_of(p.begin(), p.end(), [](char c) {
      return c >= '0' && c <= '9';
    });
    if (!number) return "1" + p;
    std::snprintf(buf, sizeof(buf), "0%019lld", std::atoll(p.c_str()));
    return buf;
  }
  std::string LaneName(size_t t) const {
    const Txn& x = h_.txns[t];
    return x.process == kNoId ? h_.TxnName(t) : "process " + h_.processes[x.process];
  }
  size_t Index(int64_t v) const {
    return static_cast<size_t>(std::lower_bound(events_.begin(), events_.end(), v) -
                               events_.begin());
  }
  double X(size_t i) const { return kLeft + (static_cast<double>(i) + 0.5) * step_; }
  std::pair<double, double> Extent(size_t t) const {
    const Txn& x = h_.txns[t];
    const double end = x.complete_pos == Txn::kNever ? X(events_.size()) : X(Index(End(x)));
    const double start = x.invoke_pos >= 0 ? X(Index(Start(x))) : end - 10;
    return {start, end};
  }

  std::string Edges(const Anomaly& cycle, size_t edges_drawn, const std::string& id) const {
    std::string s;
    for (size_t i = 0; i < edges_drawn; ++i) {
      const size_t a = cycle.txns[i];
      const size_t b = cycle.txns[(i + 1) % cycle.txns.size()];
      const auto [a0, a1] = Extent(a);
      const auto [b0, b1] = Extent(b);
      const double ax = (a0 + a1) / 2;
      const double bx = (b0 + b1) / 2;
      const double ay = kTop + static_cast<double>(lane_of_.at(a)) * lane_ + lane_ / 2;
      const double by = kTop + static_cast<double>(lane_of_.at(b)) * lane_ + lane_ / 2;
      // A curve bowed to one side, alternating, so that a pair of opposite edges stays apart.
      const double dx = bx - ax;
      const double dy = by - ay;
      const double len = std::max(1.0, std::sqrt(dx * dx + dy * dy));
      const double bow = (i % 2 == 0 ? 1 : -1) * (26 + 6 * static_cast<double>(i % 3));
      const double cx = (ax + bx) / 2 - dy / len * bow;
      const double cy = (ay + by) / 2 + dx / len * bow;
      const EdgeKind k = cycle.edges[i];
      s += "<path d=\"M" + Num(ax) + "," + Num(ay) + " Q" + Num(cx) + "," + Num(cy) + " " +
           Num(bx) + "," + Num(by) + "\" class=\"edge\" stroke=\"" + EdgeColor(k) +
           "\" marker-end=\"url(#" + id + "-" + EdgeKindName(k) + ")\"/>";
      const double lx = 0.25 * ax + 0.5 * cx + 0.25 * bx;
      const double ly = 0.25 * ay + 0.5 * cy + 0.25 * by;
      s += "<text x=\"" + Num(lx) + "\" y=\"" + Num(ly + 4) + "\" class=\"edgelabel\" fill=\"" +
           EdgeColor(k) + "\">" + std::to_string(i + 1) + " " + EdgeKindName(k) + "</text>\n";
    }
    return s;
  }

  const TxnHistory& h_;
  std::vector<size_t> txns_;
  const std::vector<HtmlOptions::Fault>& faults_;
  double step_;  // px between two events
  double lane_;  // px per lane
  bool use_time_ = false;
  std::vector<int64_t> events_;  // the distinct coordinates, sorted
  std::map<size_t, size_t> lane_of_;
  std::vector<std::string> lane_names_;
};

const char* kStyle = R"css(
body { font-family: sans-serif; margin: 20px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table.verdicts { border-collapse: collapse; }
table.verdicts td, table.verdicts th { border: 1px solid #ccc; padding: 4px 10px; text-align: left; }
.valid { background: #d4edda; } .invalid { background: #f8d7da; } .unknown { background: #e2e3e5; }
tr.asked td { font-weight: bold; }
.scroll { overflow-x: auto; border: 1px solid #ddd; padding: 4px; background: #fcfcfc; }
svg.timeline { font-size: 11px; }
.lane { stroke: #eee; } .lanename { fill: #555; }
.tick { stroke: #999; } .ticklabel { fill: #777; text-anchor: middle; font-size: 10px; }
.axisname { fill: #777; font-size: 11px; }
.bar.ok { fill: #4c78a8; } .bar.info { fill: #f2a541; } .bar.fail { fill: #c7c7c7; }
.bar.open { stroke-dasharray: 4 2; stroke: #a65e00; }
.fault { fill: #d62728; fill-opacity: 0.08; stroke: #d62728; stroke-opacity: 0.25; }
.txnname { fill: #333; font-size: 10px; }
.edge { fill: none; stroke-width: 2; }
.edgelabel { font-size: 11px; font-weight: bold; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: middle; }
ol.explanation li, ul.explanation li { font-family: monospace; font-size: 12px; margin: 2px 0; }
.legend span { margin-right: 14px; font-size: 12px; }
)css";

}  // namespace

std::string RenderHtmlReport(const TxnHistory& h, const CheckResult& result,
                             const HtmlOptions& options) {
  std::string s =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + HtmlEscape(options.title) +
      "</title><style>" + kStyle + "</style></head>\n<body data-anomalies=\"" +
      std::to_string(result.anomalies.size()) + "\">\n<h1>" + HtmlEscape(options.title) + "</h1>\n";
  s += "<p>" + std::to_string(h.txns.size()) + " transactions, " +
       std::string(WorkloadName(h.workload)) + ", " + std::to_string(result.anomalies.size()) +
       " anomalies found.</p>\n";

  s += "<h2>Verdicts</h2>\n<table class=\"verdicts\"><tr><th>model</th><th>verdict</th>"
       "<th>forbidden anomalies found</th></tr>\n";
  for (Consistency m : kAllConsistencies) {
    const bool checked =
        std::find(result.models.begin(), result.models.end(), m) != result.models.end();
    const Verdict v = result.VerdictFor(m);
    std::set<std::string_view> forbidden;
    for (const Anomaly& a : result.anomalies) {
      if (Forbids(m, a.type)) forbidden.insert(AnomalyName(a.type));
    }
    std::string names;
    for (std::string_view n : forbidden) names += (names.empty() ? "" : ", ") + std::string(n);
    s += std::string("<tr") + (m == options.model ? " class=\"asked\"" : "") + "><td>" +
         std::string(ConsistencyName(m)) + (m == options.model ? " (asked)" : "") +
         "</td><td class=\"" + std::string(VerdictName(v)) + "\">" +
         (checked || v == Verdict::kInvalid ? std::string(VerdictName(v)) : "not checked") +
         "</td><td>" + HtmlEscape(names) + "</td></tr>\n";
  }
  s += "</table>\n";
  if (!result.notes.empty()) {
    s += "<ul class=\"notes\">";
    for (const std::string& n : result.notes) s += "<li>" + HtmlEscape(n) + "</li>";
    s += "</ul>\n";
  }

  // Which txn each anomaly outlines, in its color.
  std::map<size_t, std::string> outline;
  std::vector<size_t> in_anomalies;
  for (size_t i = 0; i < result.anomalies.size(); ++i) {
    for (size_t t : result.anomalies[i].txns) {
      outline.emplace(t, kCycleColors[i % std::size(kCycleColors)]);
      in_anomalies.push_back(t);
    }
  }
  std::sort(in_anomalies.begin(), in_anomalies.end());
  in_anomalies.erase(std::unique(in_anomalies.begin(), in_anomalies.end()), in_anomalies.end());
  std::vector<size_t> overview;
  std::string caption;
  if (h.txns.size() <= kMaxOverviewTxns) {
    for (size_t t = 0; t < h.txns.size(); ++t) overview.push_back(t);
  } else if (!in_anomalies.empty()) {
    overview.assign(
        in_anomalies.begin(),
        in_anomalies.begin() + static_cast<long>(std::min(kMaxOverviewTxns, in_anomalies.size())));
    caption = "Showing the " + std::to_string(overview.size()) + " of " +
              std::to_string(h.txns.size()) + " transactions that take part in anomalies.";
  } else {
    for (size_t t = 0; t < kMaxOverviewTxns; ++t) overview.push_back(t);
    caption = "Showing the first " + std::to_string(kMaxOverviewTxns) + " of " +
              std::to_string(h.txns.size()) + " transactions.";
  }
  s += "<h2>Timeline</h2>\n";
  if (!caption.empty()) s += "<p>" + HtmlEscape(caption) + "</p>\n";
  s += "<p class=\"legend\"><span><span class=\"swatch\" style=\"background:#4c78a8\"></span>ok"
       "</span><span><span class=\"swatch\" style=\"background:#f2a541\"></span>info (unknown "
       "outcome)</span><span><span class=\"swatch\" style=\"background:#c7c7c7\"></span>fail"
       "</span>";
  for (EdgeKind k : {EdgeKind::kWW, EdgeKind::kWR, EdgeKind::kRW, EdgeKind::kRealtime}) {
    s += std::string("<span style=\"color:") + EdgeColor(k) + "\">&rarr; " + EdgeKindName(k) +
         "</span>";
  }
  if (!options.faults.empty()) {
    s += "<span><span class=\"swatch\" style=\"background:#f6d6d6\"></span>fault (" +
         std::to_string(options.faults.size()) + "; hover for what)</span>";
  }
  s += "</p>\n<div class=\"scroll\">" +
       Timeline(h, overview, false, options.faults).Svg(outline, nullptr, 0, "ov") + "</div>\n";

  s += "<h2>Anomalies</h2>\n";
  if (result.anomalies.empty()) s += "<p>None found.</p>\n";
  for (size_t i = 0; i < result.anomalies.size(); ++i) {
    const Anomaly& a = result.anomalies[i];
    std::string models;
    for (Consistency m : kAllConsistencies) {
      if (Forbids(m, a.type))
        models += (models.empty() ? "" : ", ") + std::string(ConsistencyName(m));
    }
    const std::string color = kCycleColors[i % std::size(kCycleColors)];
    s += "<div class=\"anomaly\" id=\"anomaly-" + std::to_string(i + 1) + "\"><h3><span " +
         "class=\"swatch\" style=\"background:" + color + "\"></span>" + std::to_string(i + 1) +
         ". " + std::string(AnomalyName(a.type)) + "</h3>\n<p>Forbidden by " +
         (models.empty() ? "none of the models" : HtmlEscape(models)) + ".</p>\n";
    const bool is_cycle = !a.edges.empty();
    s += is_cycle ? "<ol class=\"explanation\">" : "<ul class=\"explanation\">";
    for (size_t j = 0; j < a.explanation.size() && j < kMaxExplanationLines; ++j) {
      s += "<li>" + HtmlEscape(a.explanation[j]) + "</li>";
    }
    if (a.explanation.size() > kMaxExplanationLines) {
      s += "<li>... and " + std::to_string(a.explanation.size() - kMaxExplanationLines) +
           " more</li>";
    }
    s += is_cycle ? "</ol>\n" : "</ul>\n";
    if (is_cycle) {
      const size_t drawn = std::min(kMaxCycleEdgesDrawn, a.edges.size());
      std::vector<size_t> txns;
      for (size_t j = 0; j <= drawn && j < a.txns.size(); ++j) txns.push_back(a.txns[j]);
      if (drawn == a.edges.size()) txns.push_back(a.txns[0]);
      std::sort(txns.begin(), txns.end());
      txns.erase(std::unique(txns.begin(), txns.end()), txns.end());
      std::map<size_t, std::string> mine;
      for (size_t t : txns) mine.emplace(t, color);
      if (drawn < a.edges.size()) {
        s += "<p>The first " + std::to_string(drawn) + " of " + std::to_string(a.edges.size()) +
             " edges are drawn.</p>\n";
      }
      s += "<div class=\"scroll\">" +
           Timeline(h, txns, true, options.faults)
               .Svg(mine, &a, drawn, "c" + std::to_string(i + 1)) +
           "</div>\n";
    }
    s += "</div>\n";
  }
  return s + "</body></html>\n";
}

Status WriteHtmlReport(const std::string& path, const TxnHistory& history,
                       const CheckResult& result, const HtmlOptions& options) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::CantCreate(path + ": cannot write the HTML report");
  out << RenderHtmlReport(history, result, options);
  out.close();
  if (!out) return Status::CantCreate(path + ": cannot write the HTML report");
  return Status::Ok();
}

}  // namespace tinykv::check::si
