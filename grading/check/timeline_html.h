// The HTML timeline of a checked history: one self-contained file (inline CSS and JS, no network)
// that a student opens in a browser to see why a history is (not) linearizable.
//
// For each partition: a lane per client, each operation a bar from call to return labelled with
// its input / output (unknown outcomes run to the right edge, failed ones are greyed), its place in
// the chosen linearization order (#k), the operations that could not be placed after the longest
// linearizable prefix outlined, and the first operation that cannot be placed highlighted. Faults
// and other annotations are shaded bands with their labels and virtual times. The time axis is
// ordinal (every distinct event time one step apart), because only the order of events matters
// for linearizability; hovering a bar shows its real times. A history of more than 12 partitions
// (a run over many keys) draws only the partitions that are not linearizable; every other one is
// a closed line with its verdict and operation count, drawn when the reader opens it.
//
// The page is built by inline JavaScript from a JSON blob; when it has rendered, <body> carries
// data-rendered="<number of operation bars>" (the browser test checks it). Pure functions.
#pragma once

#include <string>

#include "grading/check/checker.h"
#include "grading/check/history.h"
#include "grading/check/model.h"
#include "grading/check/status.h"

namespace tinykv::check {

struct TimelineOptions {
  std::string title = "Linearizability timeline";  // page title and heading (e.g. test + seed)
  // Why the run failed although its history may be linearizable (an invariant broken, a
  // liveness budget): shown in red above the verdict. Empty: nothing shown.
  std::string failure;
};

std::string RenderTimelineHtml(const History& history, const Model& model,
                               const CheckResult& result, const TimelineOptions& options = {});

// Writes RenderTimelineHtml to `path`; kCantCreate when it cannot.
Status WriteTimelineHtml(const std::string& path, const History& history, const Model& model,
                         const CheckResult& result, const TimelineOptions& options = {});

}  // namespace tinykv::check
