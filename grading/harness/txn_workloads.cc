#include "grading/harness/txn_workloads.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <utility>

#include "sim/executor.h"

namespace tinykv::harness {
namespace {

using namespace std::chrono_literals;

// Every operation of a workload transaction gets this long (virtual) before it gives up.
constexpr sim::Duration kOpDeadline = 5s;

// A stored list "1 5 9" as EDN elements; a token that is not a plain number (damaged data) is
// kept as an EDN string, so the checker reports it as an element nobody appended.
std::vector<std::string> ParseList(const std::optional<std::string>& stored) {
  std::vector<std::string> out;
  if (!stored) return out;
  size_t i = 0;
  while (i < stored->size()) {
    size_t j = stored->find(' ', i);
    if (j == std::string::npos) j = stored->size();
    std::string token = stored->substr(i, j - i);
    bool number = !token.empty();
    for (char ch : token) number = number && ch >= '0' && ch <= '9';
    if (!token.empty()) out.push_back(number ? token : "\"" + token + "\"");
    i = j + 1;
  }
  return out;
}

std::string FormatList(const std::vector<std::string>& list) {
  std::string out;
  for (const std::string& e : list) out += (out.empty() ? "" : " ") + e;
  return out;
}

struct Mop {
  bool append = false;
  int key = 0;
  uint64_t element = 0;                          // append
  std::optional<std::vector<std::string>> read;  // read, once known
};

std::string EdnLine(const char* type, int64_t process, const std::vector<Mop>& mops) {
  std::string value;
  for (const Mop& m : mops) {
    value += value.empty() ? "[" : " [";
    if (m.append) {
      value += ":append " + std::to_string(m.key) + " " + std::to_string(m.element) + "]";
    } else {
      value += ":r " + std::to_string(m.key) + " ";
      value += m.read ? "[" + FormatList(*m.read) + "]]" : "nil]";
    }
  }
  return std::string("{:type ") + type + ", :process " + std::to_string(process) + ", :time " +
         std::to_string(sim::Now().count()) + ", :value [" + value + "]}";
}

}  // namespace

std::string TxnEdnHistory::Text() const {
  std::string out;
  for (const std::string& line : lines_) out += line + "\n";
  return out;
}

// ---- bank ----

BankWorkload::BankWorkload(int accounts, int initial, size_t padding)
    : initial_(initial), padding_(padding == 0 ? "" : "|" + std::string(padding, '.')) {
  for (int i = 0; i < accounts; ++i) accounts_.push_back(Account(i));
}

std::string BankWorkload::Account(int i) const {
  char name[32];
  std::snprintf(name, sizeof name, "account-%04d", i);
  return name;
}

std::string BankWorkload::Balance(int amount) const { return std::to_string(amount) + padding_; }

std::optional<int> BankWorkload::Sum(txn::TxnClient& client, bool by_scan, std::string* balances) {
  txn::Transaction t;
  if (!client.Begin(kOpDeadline, &t).ok()) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> pairs;
  if (by_scan) {
    // "account." is the first key after every "account-...".
    if (!client
             .Scan(t, "account-", "account.", static_cast<uint32_t>(accounts_.size()) + 1,
                   kOpDeadline, &pairs)
             .ok()) {
      return std::nullopt;
    }
  } else {
    for (const std::string& account : accounts_) {
      std::optional<std::string> v;
      if (!client.Get(t, account, kOpDeadline, &v).ok()) return std::nullopt;
      if (v) pairs.emplace_back(account, *v);
    }
  }
  int sum = 0;
  balances->clear();
  for (const auto& [account, value] : pairs) {
    sum += std::atoi(value.c_str());
    *balances +=
        (balances->empty() ? "" : ", ") + account + "=" + std::to_string(std::atoi(value.c_str()));
  }
  if (pairs.size() != accounts_.size()) {
    *balances += " (" + std::to_string(pairs.size()) + " of " + std::to_string(accounts_.size()) +
                 " accounts found)";
  }
  return sum;
}

void BankWorkload::RunOne(txn::TxnClient& client, int64_t process, sim::Rng& rng, TxnTally* tally) {
  const int n = static_cast<int>(accounts_.size());
  if (rng.Below(3) == 0) {
    const bool by_scan = rng.Below(2) == 0;
    std::string balances;
    const std::optional<int> sum = Sum(client, by_scan, &balances);
    if (!sum) {
      ++tally->gave_up;
      return;
    }
    ++tally->sums;
    if (*sum != total()) {
      bad_sums_.push_back("process " + std::to_string(process) + " at " +
                          sim::FormatTime(sim::Now()) + " summed the " + std::to_string(n) +
                          " accounts " + (by_scan ? "by one Scan" : "Get by Get") + " to " +
                          std::to_string(*sum) + ", not " + std::to_string(total()) + ": " +
                          balances);
    }
    return;
  }
  const int from = static_cast<int>(rng.Below(n));
  const int to = (from + 1 + static_cast<int>(rng.Below(n - 1))) % n;
  const int amount = 1 + static_cast<int>(rng.Below(10));
  txn::Transaction t;
  std::optional<std::string> a, b;
  if (!client.Begin(kOpDeadline, &t).ok() ||
      !client.Get(t, accounts_[from], kOpDeadline, &a).ok() ||
      !client.Get(t, accounts_[to], kOpDeadline, &b).ok()) {
    ++tally->gave_up;
    return;
  }
  t.Set(accounts_[from], Balance(std::atoi(a.value_or("0").c_str()) - amount));
  t.Set(accounts_[to], Balance(std::atoi(b.value_or("0").c_str()) + amount));
  switch (client.Commit(t, kOpDeadline)) {
    case txn::TxnOutcome::kCommitted:
      ++tally->committed;
      break;
    case txn::TxnOutcome::kAborted:
      ++tally->aborted;
      break;
    case txn::TxnOutcome::kUnknown:
      ++tally->unknown;
      break;
  }
}

// ---- list-append ----

ListAppendWorkload::ListAppendWorkload(int keys, int active, int writes_per_key)
    : keys_(keys), writes_per_key_(writes_per_key) {
  for (; next_key_ < std::min(active, keys); ++next_key_) window_.push_back(next_key_);
}

int ListAppendWorkload::PickKey(sim::Rng& rng, bool append) {
  const size_t slot = rng.Below(window_.size());
  const int key = window_[slot];
  if (append && next_element_[key] + 1 >= static_cast<uint64_t>(writes_per_key_) &&
      next_key_ < keys_) {
    window_[slot] = next_key_++;  // this append is the key's last
  }
  return key;
}

void ListAppendWorkload::RecordFinalRead(
    const std::vector<std::pair<std::string, std::string>>& pairs, int64_t process,
    TxnEdnHistory* history) const {
  std::map<int, std::vector<std::string>> lists;
  for (const auto& [key, value] : pairs) {
    int k = 0;
    if (std::sscanf(key.c_str(), "list-%d", &k) == 1 && Key(k) == key) lists[k] = ParseList(value);
  }
  // Every key ever appended to, read as a transaction of its own: it began after every other one
  // ended, so under strong snapshot isolation it must see every committed append (the checker's
  // lost-append), also of a key the store no longer has at all.
  std::vector<Mop> reads;
  for (const auto& [k, unused] : next_element_) {
    auto it = lists.find(k);
    reads.push_back(Mop{.append = false,
                        .key = k,
                        .element = 0,
                        .read = it == lists.end() ? std::vector<std::string>() : it->second});
  }
  if (reads.empty()) return;
  std::vector<Mop> invoke = reads;
  for (Mop& m : invoke) m.read.reset();
  history->Add(EdnLine(":invoke", process, invoke));
  history->Add(EdnLine(":ok", process, reads));
}

std::string ListAppendWorkload::Key(int k) {
  char name[32];
  std::snprintf(name, sizeof name, "list-%05d", k);
  return name;
}

bool ListAppendWorkload::RunOne(txn::TxnClient& client, int64_t process, sim::Rng& rng,
                                TxnEdnHistory* history, TxnTally* tally) {
  std::vector<Mop> mops(1 + rng.Below(4));
  for (Mop& m : mops) {
    m.append = rng.Below(2) == 0;
    m.key = PickKey(rng, m.append);
    if (m.append) m.element = ++next_element_[m.key];
  }
  history->Add(EdnLine(":invoke", process, mops));
  auto give_up = [&] {
    for (Mop& m : mops) m.read.reset();
    history->Add(EdnLine(":fail", process, mops));
    ++tally->gave_up;
    return true;
  };
  txn::Transaction t;
  if (!client.Begin(kOpDeadline, &t).ok()) return give_up();
  std::map<int, std::vector<std::string>> lists;  // as this transaction sees them
  for (Mop& m : mops) {
    auto it = lists.find(m.key);
    if (it == lists.end()) {
      std::optional<std::string> stored;
      if (!client.Get(t, Key(m.key), kOpDeadline, &stored).ok()) return give_up();
      it = lists.emplace(m.key, ParseList(stored)).first;
    }
    if (m.append) {
      it->second.push_back(std::to_string(m.element));
      t.Set(Key(m.key), FormatList(it->second));
    } else {
      m.read = it->second;
    }
  }
  switch (client.Commit(t, kOpDeadline)) {
    case txn::TxnOutcome::kCommitted:
      ++tally->committed;
      history->Add(EdnLine(":ok", process, mops));
      return true;
    case txn::TxnOutcome::kAborted:
      ++tally->aborted;
      for (Mop& m : mops) m.read.reset();
      history->Add(EdnLine(":fail", process, mops));
      return true;
    case txn::TxnOutcome::kUnknown:
      break;
  }
  ++tally->unknown;
  for (Mop& m : mops) m.read.reset();
  history->Add(EdnLine(":info", process, mops));
  return false;
}

}  // namespace tinykv::harness
