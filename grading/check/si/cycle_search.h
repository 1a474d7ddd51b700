// Finding and classifying the cycles of a dependency graph (grading/check/si/).
//
// Every cycle lies inside one strongly connected component of the whole graph, so the search
// looks at each nontrivial component (in order of its smallest txn) on its own. In a component it
// runs steps in severity order; each either finds a witness (a shortest cycle of its kind from a
// fixed start) or proves that kind absent:
//   1 G0             a cycle over ww edges                    (SCCs of that subgraph)
//   2 G1c            over ww + wr
//   3 G-single /     a closed walk whose rw edges are pairwise non-adjacent, over ww + wr + rw
//     G-nonadjacent  (SCCs of the product traversal, dependency_graph.h)
//   4 G2-item        over ww + wr + rw
//   5-8              the same four with realtime edges added, when the graph has them.
// Each step is linear in the component's size, so every verdict is reached in linear time. Only
// the witness of step 3 costs more: when a nonadjacent walk exists, it first looks for a cycle
// with a single rw edge (a G-single, which forbids no more than a G-nonadjacent but is the
// clearer witness): one breadth-first search per distinct rw target that could close one. If
// the budget runs out there, the walk is reported and a note says the witness may not be the
// weakest.
//
// A step runs while no anomaly has been found in the component (so the weakest cycle is always
// reported, allowed or not), and after that only while some model of the check that forbids the
// step's kinds has no forbidden anomaly yet.
//
// Why steps prove absence: step k's search is complete, and any cycle it could find that is of an
// earlier kind would have been found by that earlier step; a found cycle is classified by its
// own edges anyway (ClassifyCycle). Snapshot isolation is defined by closed walks (Cerone &
// Gotsman: no cycle of (ww ∪ wr);rw? steps), and the walk step 3 finds may pass a txn twice. Cut
// there into two loops: at most one of them has rw edges meeting at the cut, so the other's ends
// are not both rw, and it is again a closed walk with no two adjacent rw edges — shorter, and
// (earlier kinds being absent) a G-single or G-nonadjacent. Repeating this makes every witness a
// simple cycle.
//
// Deterministic: results depend on the graph only (and on where the budget stopped, if it did).
#pragma once

#include <functional>
#include <span>
#include <string>

#include "grading/check/si/anomaly.h"
#include "grading/check/si/budget.h"
#include "grading/check/si/dependency_graph.h"

namespace tinykv::check::si {

// One line explaining why an edge exists.
using EdgeExplainer = std::function<std::string(const Edge&)>;

// Searches `graph` (Finished) for the cycle anomalies that decide `models`, appending anomalies,
// notes and undecided models to *out.
void SearchCycles(DependencyGraph* graph, const EdgeExplainer& explain,
                  std::span<const Consistency> models, Meter* meter, CheckResult* out);

}  // namespace tinykv::check::si
