// The HTML timeline of a checked history: one self-contained file (inline CSS and JS, no network)
// that a student opens in a browser to see why a history is (not) linearizable.
//
// One time axis (virtual time, or history lines) shared by every key, with ticks, zoom (buttons,
// keys, Ctrl+wheel) and panning (drag, arrows, an overview of the whole run); the run's faults and
// events in a lane of their own above it, labelled where the label fits and shaded across the
// keys below. Per key: a lane per client, each operation a bar from call to return labelled with
// what it did (unknown outcomes end where the client gave up, a dotted tail after), its place in
// the linearization order (#k); in a key that is not linearizable, the first operation that
// cannot be placed in red, those that could not be placed next outlined, and the write the
// longest linearizable prefix ended with marked. A failing run opens zoomed on those operations;
// keys that failed are drawn first, every other key is one closed line, drawn when opened.
// No label ever overprints another (the browser test measures it).
//
// The page is timeline/page.html with timeline/timeline.css and timeline/timeline.js (embedded
// at build time) around a JSON blob of the history; when it has rendered, <body> carries
// data-rendered="<operation bars drawn>". Pure functions.
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
