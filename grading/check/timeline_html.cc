#include "grading/check/timeline_html.h"
#include "grading/check/html_escape.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <optional>

#include "grading/check/timeline/assets.h"
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
    // The write the longest linearizable prefix ends its key's value with: the value a stuck
    // read should have seen, the second operation of most explanations.
    std::optional<size_t> wrote;
    if (pr.checked && pr.verdict == Verdict::kNotLinearizable) {
      for (size_t id : pr.order) {
        if (model.Spec(h.ops[id]).kind != StepKind::kRead) wrote = id;
      }
    }
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
           ",\"desc\":" + Json(model.Describe(op)) +
           ",\"short\":" + Json(model.DescribeInRegister(op)) +
           ",\"call\":" + std::to_string(op.call) +
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
      if (wrote == id) j += ",\"wrote\":true";
      j += "}";
    }
    j += "]}";
  }
  j += "]}";
  return j;
}

}  // namespace

std::string RenderTimelineHtml(const History& history, const Model& model,
                               const CheckResult& result, const TimelineOptions& options) {
  // The template's placeholders, in the order the template has them, each once; the search goes
  // on after the text just put in, so a value in the data can never be taken for a placeholder.
  std::string page = kTimelinePage;
  size_t from = 0;
  auto fill = [&page, &from](const std::string& placeholder, const std::string& text) {
    const size_t pos = page.find(placeholder, from);
    if (pos == std::string::npos) return;
    page.replace(pos, placeholder.size(), text);
    from = pos + text.size();
  };
  fill("%TITLE%", HtmlEscape(options.title));  // the <title>; the script writes the heading
  fill("%CSS%", kTimelineCss);
  fill("%DATA%", DataJson(history, model, result, options));
  fill("%SCRIPT%", kTimelineScript);
  return page;
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
