#include "grading/check/si/txn_history.h"

#include <algorithm>
#include <charconv>
#include <utility>

namespace tinykv::check::si {

std::string_view WorkloadName(Workload w) {
  switch (w) {
    case Workload::kListAppend:
      return "list-append";
    case Workload::kRwRegister:
      return "rw-register";
  }
  return "?";
}

TxnHistoryBuilder::TxnHistoryBuilder(Workload workload) { h_.workload = workload; }

uint32_t TxnHistoryBuilder::Intern(std::string_view text, Ids* ids,
                                   std::vector<std::string>* texts) {
  auto it = ids->find(text);
  if (it != ids->end()) return it->second;
  const auto id = static_cast<uint32_t>(texts->size());
  texts->emplace_back(text);
  ids->emplace(std::string(text), id);
  return id;
}

uint32_t TxnHistoryBuilder::InternInteger(int64_t v, Ids* ids, std::vector<std::string>* texts,
                                          std::vector<uint32_t>* small) {
  char digits[24];
  auto text = [&] {
    auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), v);
    return std::string_view(digits, static_cast<size_t>(end - digits));
  };
  if (v < 0 || v >= kSmallIntegers) return Intern(text(), ids, texts);
  const auto i = static_cast<size_t>(v);
  if (i >= small->size()) small->resize(std::max(i + 1, 2 * small->size()), kNoId);
  uint32_t& id = (*small)[i];
  // Through Intern, so an integer id is the same whichever way it was asked for.
  if (id == kNoId) id = Intern(text(), ids, texts);
  return id;
}

Txn& TxnHistoryBuilder::BeginTxn(TxnStatus status, int64_t index) {
  Txn& t = h_.txns.emplace_back();
  t.status = status;
  t.index = index;
  t.first_mop = static_cast<uint32_t>(h_.mops.size());
  return t;
}

void TxnHistoryBuilder::AddMop(Mop::Kind kind, uint32_t key, uint32_t value) {
  Mop m;
  m.kind = kind;
  m.key = key;
  m.value = value;
  h_.mops.push_back(m);
  ++h_.txns.back().mop_count;
}

void TxnHistoryBuilder::AddRead(uint32_t key, std::span<const uint32_t> values) {
  Mop m;
  m.kind = Mop::Kind::kRead;
  m.key = key;
  m.value = static_cast<uint32_t>(h_.read_values.size());
  m.read_count = static_cast<uint32_t>(values.size());
  h_.read_values.insert(h_.read_values.end(), values.begin(), values.end());
  h_.mops.push_back(m);
  ++h_.txns.back().mop_count;
}

void TxnHistoryBuilder::Append(std::string_view key, std::string_view value) {
  AddMop(Mop::Kind::kAppend, KeyId(key), ValueId(value));
}

void TxnHistoryBuilder::Write(std::string_view key, std::string_view value) {
  AddMop(Mop::Kind::kWrite, KeyId(key), ValueId(value));
}

void TxnHistoryBuilder::Read(std::string_view key, const std::vector<std::string>& values) {
  std::vector<uint32_t> ids;
  ids.reserve(values.size());
  for (const std::string& v : values) ids.push_back(ValueId(v));
  AddRead(KeyId(key), ids);
}

TxnHistory TxnHistoryBuilder::Finish() && {
  if (h_.op_count == 0) h_.op_count = static_cast<int64_t>(h_.txns.size());
  // Growth by doubling leaves up to half of each array unused; a checked history lives as long as
  // the check, so give it back.
  h_.txns.shrink_to_fit();
  h_.mops.shrink_to_fit();
  h_.read_values.shrink_to_fit();
  return std::move(h_);
}

}  // namespace tinykv::check::si
