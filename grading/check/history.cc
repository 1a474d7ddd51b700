#include "grading/check/history.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

namespace tinykv::check {

namespace {

void Complete(History& h, std::vector<bool>& completed, size_t id, int64_t now, OpStatus status) {
  // A double completion is a harness bug that would silently corrupt the verdict.
  if (id >= h.ops.size() || completed[id]) {
    std::fprintf(stderr, "HistoryRecorder: operation %zu completed twice or never invoked\n", id);
    std::abort();
  }
  completed[id] = true;
  h.ops[id].ret = now;
  h.ops[id].status = status;
}

}  // namespace

size_t HistoryRecorder::Invoke(int64_t client, int64_t now, std::string f, std::string key,
                               std::optional<std::string> value,
                               std::optional<std::string> new_value) {
  Operation op;
  op.client = client;
  op.f = std::move(f);
  op.key = std::move(key);
  op.value = std::move(value);
  op.new_value = std::move(new_value);
  op.call = now;
  op.ret = kNoReturn;
  op.status = OpStatus::kInfo;  // until it completes
  history_.ops.push_back(std::move(op));
  completed_.push_back(false);
  return history_.ops.size() - 1;
}

void HistoryRecorder::Ok(size_t id, int64_t now, std::optional<std::string> output) {
  Complete(history_, completed_, id, now, OpStatus::kOk);
  history_.ops[id].output = std::move(output);
}

void HistoryRecorder::Fail(size_t id, int64_t now) {
  Complete(history_, completed_, id, now, OpStatus::kFail);
}

void HistoryRecorder::Info(size_t id, int64_t now) {
  Complete(history_, completed_, id, now, OpStatus::kInfo);
}

size_t HistoryRecorder::Annotate(int64_t time, int64_t end, std::string label) {
  history_.annotations.push_back(Annotation{time, end, std::move(label)});
  return history_.annotations.size() - 1;
}

std::string ClientName(const History& history, int64_t client) {
  auto it = history.client_labels.find(client);
  return it != history.client_labels.end() ? it->second : "client " + std::to_string(client);
}

std::string FormatTime(const History& history, int64_t t) {
  if (t == kNoReturn) return "never";
  if (history.times_are_lines) return "line " + std::to_string(t);
  // Fixed format (like sim::FormatTime) so messages diff cleanly between runs.
  const char* sign = t < 0 ? "-" : "";
  uint64_t abs = t < 0 ? uint64_t(0) - uint64_t(t) : uint64_t(t);
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%s%llu.%06llus", sign,
                static_cast<unsigned long long>(abs / 1000000000ULL),
                static_cast<unsigned long long>((abs % 1000000000ULL) / 1000ULL));
  return buf;
}

std::string QuoteValue(const std::optional<std::string>& v) {
  if (!v) return "nil";
  return "'" + *v + "'";
}

}  // namespace tinykv::check
