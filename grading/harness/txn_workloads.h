// The transactional workloads of the cluster scenarios (txn_scenario.h): one transaction at a
// time, through a txn::TxnClient, recorded for the checks.
//
// Bank: accounts "account-%04d" (8+ bytes: where raw and encoded key orders part ways), each a
// decimal balance (with optional padding). A transfer reads two accounts and moves 1-10 between
// them; a read-only transaction sums every account (Get by Get, or one Scan). The invariant: every
// sum a read-only transaction completes equals the total the bank started with.
//
// List-append (Elle's workload): keys "list-%05d" (rotating, see ListAppendWorkload) hold
// space-separated lists of integers; a
// transaction of 1-4 micro-operations appends unique elements ([:append k v], as a read of the
// list and a write of it extended) or reads whole lists ([:r k [...]]); reads see the
// transaction's own appends. Each transaction is written to the history as Jepsen EDN — an
// :invoke line when it starts, an :ok / :fail / :info line when it ends (none when its client
// crashes: the checker then takes it as :info) — for the snapshot-isolation checker
// (grading/check/si).
//
// Single fiber per client; the shared history and counters belong to the scenario's executor (one
// thread).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/random.h"
#include "txn/txn_client.h"

namespace tinykv::harness {

// One EDN line per event, in the order they happened (virtual time in :time, nanoseconds).
class TxnEdnHistory {
 public:
  void Add(std::string line) { lines_.push_back(std::move(line)); }
  const std::vector<std::string>& lines() const { return lines_; }
  std::string Text() const;

 private:
  std::vector<std::string> lines_;
};

struct TxnTally {
  uint64_t committed = 0;
  uint64_t aborted = 0;
  uint64_t unknown = 0;
  uint64_t gave_up = 0;        // no start ts, or a read that did not complete: nothing was written
  uint64_t sums = 0;           // read-only bank transactions completed
  txn::TxnClientStats client;  // summed over every client incarnation
  void Add(const txn::TxnClientStats& s) {
    client.locks_met += s.locks_met;
    client.locks_resolved += s.locks_resolved;
    client.region_errors += s.region_errors;
  }
};

class BankWorkload {
 public:
  BankWorkload(int accounts, int initial, size_t padding);

  std::string Account(int i) const;
  const std::vector<std::string>& accounts() const { return accounts_; }
  std::string Balance(int amount) const;
  int total() const { return static_cast<int>(accounts_.size()) * initial_; }

  // One transaction by `client`: two of three are transfers, one a read-only sum (every other
  // one by Scan). A sum that does not match total() is recorded in bad_sums().
  void RunOne(txn::TxnClient& client, int64_t process, sim::Rng& rng, TxnTally* tally);

  // "client 2 (start ts 123) summed the 8 accounts to 1010 by Get, not 1000: account-0000=..."
  const std::vector<std::string>& bad_sums() const { return bad_sums_; }
  // The sum of every account by one Scan from a fresh transaction (nullopt: did not complete).
  std::optional<int> Sum(txn::TxnClient& client, bool by_scan, std::string* balances);

 private:
  std::vector<std::string> accounts_;
  int initial_;
  std::string padding_;
  std::vector<std::string> bad_sums_;
};

// Keys rotate as in Elle's generator: transactions pick from a window of `active` keys; a key
// that has been given `writes_per_key` appends leaves the window for good and the next fresh key
// takes its place, until `keys` keys have been used (then the window stays). Contention stays
// high while the history spans many keys (and so many regions).
class ListAppendWorkload {
 public:
  ListAppendWorkload(int keys, int active, int writes_per_key);

  static std::string Key(int k);
  // One transaction by process `process`, recorded in `history`. Returns false when its outcome
  // is unknown (the process must not issue more: Jepsen's rule; take a new process id).
  bool RunOne(txn::TxnClient& client, int64_t process, sim::Rng& rng, TxnEdnHistory* history,
              TxnTally* tally);

  // After every client is done: records the final state of every list, read at one snapshot (the
  // pairs of a Scan of the whole key space, other keys ignored), as one more transaction by
  // `process` — the read the checker holds every acknowledged append against.
  void RecordFinalRead(const std::vector<std::pair<std::string, std::string>>& pairs,
                       int64_t process, TxnEdnHistory* history) const;

 private:
  // A key of the window for the next micro-operation (retiring keys that are full).
  int PickKey(sim::Rng& rng, bool append);

  int keys_;
  int writes_per_key_;
  std::vector<int> window_;
  int next_key_ = 0;
  std::map<int, uint64_t> next_element_;  // per key: elements are unique per key
};

}  // namespace tinykv::harness
