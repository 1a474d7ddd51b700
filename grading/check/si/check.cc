#include "grading/check/si/check.h"

#include <algorithm>
#include <string>

#include "grading/check/si/cycle_search.h"
#include "grading/check/si/dependency_graph.h"
#include "grading/check/si/list_append.h"
#include "grading/check/si/realtime.h"
#include "grading/check/si/rw_register.h"

namespace tinykv::check::si {

namespace {

void SortAnomalies(CheckResult* r) {
  std::stable_sort(r->anomalies.begin(), r->anomalies.end(),
                   [](const Anomaly& a, const Anomaly& b) { return a.type < b.type; });
}

CheckResult Stopped(CheckResult r, std::string note) {
  r.notes.push_back(std::move(note));
  r.undecided = r.models;
  SortAnomalies(&r);
  return r;
}

}  // namespace

Result<CheckResult> CheckHistory(const TxnHistory& history, const CheckOptions& options) {
  CheckResult result;
  result.models = options.models;
  if (history.truncated) {
    return Stopped(std::move(result), "the budget ran out while reading the history (" +
                                          std::to_string(history.op_count) +
                                          " ops read); nothing was checked");
  }
  Meter meter(options.budget);
  DependencyGraph graph(history.txns.size());
  const bool append = history.workload == Workload::kListAppend;
  Status s = append ? InferListAppend(history, &meter, &graph, &result.anomalies)
                    : InferRwRegister(history, &meter, &graph, &result.anomalies);
  if (!s.ok()) return s;
  const bool realtime = std::any_of(options.models.begin(), options.models.end(), NeedsRealtime);
  if (!realtime) {
    // A lost append is an anomaly of real-time order only, like the real-time cycles, which are
    // not looked for either when no model asked for real time.
    std::erase_if(result.anomalies,
                  [](const Anomaly& a) { return a.type == AnomalyType::kLostAppend; });
  }
  if (realtime && !meter.stopped()) AddRealtimeEdges(history, &graph, &meter);
  if (meter.stopped()) {
    return Stopped(std::move(result),
                   "the budget ran out while inferring dependencies; no cycle was examined");
  }
  graph.Finish();
  const EdgeExplainer explain = [&history, append](const Edge& e) {
    if (e.kind == EdgeKind::kRealtime) return ExplainRealtimeEdge(history, e);
    return append ? ExplainListAppendEdge(history, e) : ExplainRwRegisterEdge(history, e);
  };
  SearchCycles(&graph, explain, options.models, &meter, &result);
  SortAnomalies(&result);
  return result;
}

}  // namespace tinykv::check::si
