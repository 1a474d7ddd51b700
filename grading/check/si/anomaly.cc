#include "grading/check/si/anomaly.h"

#include <algorithm>
#include <set>

namespace tinykv::check::si {

std::string_view AnomalyName(AnomalyType type) {
  switch (type) {
    case AnomalyType::kInternal:
      return "internal";
    case AnomalyType::kDuplicateElements:
      return "duplicate-elements";
    case AnomalyType::kIncompatibleOrder:
      return "incompatible-order";
    case AnomalyType::kUnknownElement:
      return "unknown-element";
    case AnomalyType::kLostAppend:
      return "lost-append";
    case AnomalyType::kG1a:
      return "G1a";
    case AnomalyType::kG1b:
      return "G1b";
    case AnomalyType::kG0:
      return "G0";
    case AnomalyType::kG1c:
      return "G1c";
    case AnomalyType::kGSingle:
      return "G-single";
    case AnomalyType::kGNonadjacent:
      return "G-nonadjacent";
    case AnomalyType::kG2Item:
      return "G2-item";
    case AnomalyType::kG0Realtime:
      return "G0-realtime";
    case AnomalyType::kG1cRealtime:
      return "G1c-realtime";
    case AnomalyType::kGSingleRealtime:
      return "G-single-realtime";
    case AnomalyType::kGNonadjacentRealtime:
      return "G-nonadjacent-realtime";
    case AnomalyType::kG2ItemRealtime:
      return "G2-item-realtime";
  }
  return "?";
}

std::string_view ConsistencyName(Consistency model) {
  switch (model) {
    case Consistency::kReadCommitted:
      return "read-committed";
    case Consistency::kSnapshotIsolation:
      return "snapshot-isolation";
    case Consistency::kStrongSnapshotIsolation:
      return "strong-snapshot-isolation";
    case Consistency::kSerializable:
      return "serializable";
    case Consistency::kStrictSerializable:
      return "strict-serializable";
  }
  return "?";
}

std::optional<Consistency> ParseConsistency(std::string_view name) {
  for (Consistency m : kAllConsistencies) {
    if (ConsistencyName(m) == name) return m;
  }
  return std::nullopt;
}

bool NeedsRealtime(Consistency model) {
  return model == Consistency::kStrongSnapshotIsolation ||
         model == Consistency::kStrictSerializable;
}

bool Forbids(Consistency model, AnomalyType type) {
  const bool si_or_stronger = model != Consistency::kReadCommitted;
  const bool serializable =
      model == Consistency::kSerializable || model == Consistency::kStrictSerializable;
  switch (type) {
    case AnomalyType::kGSingle:
    case AnomalyType::kGNonadjacent:
      return si_or_stronger;
    case AnomalyType::kG2Item:
      return serializable;
    case AnomalyType::kLostAppend:  // without real time, the read may come "before" the append
    case AnomalyType::kG0Realtime:
    case AnomalyType::kG1cRealtime:
    case AnomalyType::kGSingleRealtime:
    case AnomalyType::kGNonadjacentRealtime:
      return NeedsRealtime(model);
    case AnomalyType::kG2ItemRealtime:
      return model == Consistency::kStrictSerializable;
    default:
      return true;  // G0, G1a-c and the non-cycle anomalies break every model checked here
  }
}

AnomalyType ClassifyCycle(const std::vector<EdgeKind>& kinds) {
  size_t rw = 0;
  bool wr = false;
  bool realtime = false;
  bool adjacent = false;
  for (size_t i = 0; i < kinds.size(); ++i) {
    if (kinds[i] == EdgeKind::kRW) {
      ++rw;
      if (kinds[(i + 1) % kinds.size()] == EdgeKind::kRW) adjacent = true;
    }
    wr = wr || kinds[i] == EdgeKind::kWR;
    realtime = realtime || kinds[i] == EdgeKind::kRealtime;
  }
  if (rw == 0 && !wr) return realtime ? AnomalyType::kG0Realtime : AnomalyType::kG0;
  if (rw == 0) return realtime ? AnomalyType::kG1cRealtime : AnomalyType::kG1c;
  if (rw == 1) return realtime ? AnomalyType::kGSingleRealtime : AnomalyType::kGSingle;
  if (!adjacent) return realtime ? AnomalyType::kGNonadjacentRealtime : AnomalyType::kGNonadjacent;
  return realtime ? AnomalyType::kG2ItemRealtime : AnomalyType::kG2Item;
}

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kValid:
      return "valid";
    case Verdict::kInvalid:
      return "invalid";
    case Verdict::kUnknown:
      return "unknown";
  }
  return "?";
}

Verdict CheckResult::VerdictFor(Consistency model) const {
  for (const Anomaly& a : anomalies) {
    if (Forbids(model, a.type)) return Verdict::kInvalid;
  }
  if (std::find(models.begin(), models.end(), model) == models.end()) return Verdict::kUnknown;
  if (std::find(undecided.begin(), undecided.end(), model) != undecided.end()) {
    return Verdict::kUnknown;
  }
  return Verdict::kValid;
}

std::string CheckResult::Summary(Consistency model) const {
  const Verdict verdict = VerdictFor(model);
  std::string out =
      std::string(VerdictName(verdict)) + " under " + std::string(ConsistencyName(model));
  std::set<std::string_view> forbidden;
  for (const Anomaly& a : anomalies) {
    if (Forbids(model, a.type)) forbidden.insert(AnomalyName(a.type));
  }
  if (!forbidden.empty()) {
    out += ":";
    for (std::string_view name : forbidden) out += " " + std::string(name);
  } else if (verdict == Verdict::kUnknown) {
    out += ": the check did not finish";
  }
  out += "\n";
  for (const Anomaly& a : anomalies) {
    out += std::string(AnomalyName(a.type)) +
           (Forbids(model, a.type) ? " (forbidden)" : " (allowed)") + "\n";
    for (const std::string& line : a.explanation) out += "  " + line + "\n";
  }
  for (const std::string& note : notes) out += "note: " + note + "\n";
  return out;
}

}  // namespace tinykv::check::si
