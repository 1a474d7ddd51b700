// The HTML report of a transactional check: one self-contained file (inline CSS and SVG, no
// script, no network) that shows why a history is or is not consistent.
//
// Contents, top to bottom:
// - the verdict under each model of the check (valid / invalid / unknown), the one asked for
//   marked, and the notes of searches the budget cut;
// - a timeline of the transactions: one lane per client process (a txn without :process gets a
//   lane of its own), each txn a bar from its invocation to its completion (:info ones run to the
//   right edge, failed ones are grey; hovering shows its micro-ops). The axis is ordinal — every
//   distinct event one step apart, since only order matters — over :time when every drawn txn
//   has both times, else over positions in the history. Transactions in a witness are outlined;
//   a history of more than kMaxOverviewTxns txns draws only the witnesses' txns;
// - each anomaly: its kind, the models that forbid it, its explanation, and for a cycle its own
//   timeline with the cycle's edges drawn as numbered arrows labelled ww / wr / rw / realtime
//   (at most kMaxCycleEdgesDrawn edges; the explanation lists every edge, up to a limit);
// - behind the bars of the timelines on :time, the run's faults (HtmlOptions::faults) as bands.
//
// Pure functions; callable from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "grading/check/si/anomaly.h"
#include "grading/check/si/txn_history.h"
#include "grading/check/status.h"

namespace tinykv::check::si {

struct HtmlOptions {
  std::string title = "Transactional consistency report";  // page title and heading
  // The model the user asked about: marked in the verdict table.
  Consistency model = Consistency::kStrongSnapshotIsolation;
  // The faults of the run (a partition, a crash until its restart), on the history's :time
  // scale: drawn as bands behind the bars of every timeline that uses :time, each labelled on
  // hover, so a reader sees which anomaly happened under which fault.
  struct Fault {
    int64_t start = 0;
    int64_t end = 0;  // == start: an instant (a crash, a restart)
    std::string label;
  };
  std::vector<Fault> faults;
};

inline constexpr size_t kMaxOverviewTxns = 300;
inline constexpr size_t kMaxCycleEdgesDrawn = 60;

std::string RenderHtmlReport(const TxnHistory& history, const CheckResult& result,
                             const HtmlOptions& options = {});

// Writes RenderHtmlReport to `path`; kCantCreate when it cannot.
Status WriteHtmlReport(const std::string& path, const TxnHistory& history,
                       const CheckResult& result, const HtmlOptions& options = {});

}  // namespace tinykv::check::si
