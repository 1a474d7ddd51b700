// TxnClient: a Percolator client over the simulated network (issue 16's first piece), the
// counterpart of TinySQL's / TiKV's transaction client.
//
// A transaction takes its start ts from the scheduler's TSO (Begin), buffers its writes (Set,
// Delete), reads at its start ts (Get), and commits with two-phase commit: prewrite the primary's
// region first, then the secondaries' regions; a commit ts from the TSO; commit the primary — the
// transaction is committed from that moment — then the secondaries. A read that meets another
// transaction's lock resolves it: it asks the lock's primary (KvCheckTxnStatus), rolls an expired
// or abandoned transaction back or a committed one forward (KvResolveLock), and waits (virtual
// time) while the lock is alive.
//
// Routing: a user key lives in the region holding its RegionKey (txn/region_keys.h); requests go
// to that region's leader as the client last learnt it (store::RegionCache, filled from the
// scheduler's GetRegion); region errors refresh what it knows and the request is
// retried, until the operation's deadline. Retries are safe: a prewrite of the transaction's own
// lock and a repeated commit both succeed again.
//
// Outcomes: Commit ends kCommitted (the primary committed; secondaries may be left for resolvers
// if the deadline passed), kAborted (certainly not committed: a prewrite failed, or the primary's
// lock was gone), or kUnknown (the primary's commit was sent but no answer came). Runs on a fiber
// of the simulation; the network outlives the client.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "proto/kvrpcpb.pb.h"
#include "sim/network.h"
#include "store/raftstore/scheduler_client.h"
#include "store/server/region_cache.h"
#include "store/status.h"

namespace tinykv::txn {

// The moments of a commit at which a test may crash the client (TxnClientOptions::at).
enum class CommitPoint {
  kPrimaryPrewritten,  // the primary's region is prewritten, the secondaries' not yet
  kAllPrewritten,      // every key is locked, nothing committed
  kPrimaryCommitted,   // committed (by its primary); the secondaries still locked
};

struct TxnClientOptions {
  sim::NodeId self = 0;       // the client's node (it sends from it)
  sim::NodeId scheduler = 0;  // the scheduler node: TSO and region lookups
  sim::Duration rpc_timeout = std::chrono::milliseconds(500);
  uint64_t lock_ttl_ms = 3000;
  // Called as each commit passes each point (may be empty). A test crashes the client's node
  // from here to leave a transaction half done; the crash lands at the client's next blocking
  // point.
  std::function<void(CommitPoint)> at;
};

enum class TxnOutcome { kCommitted, kAborted, kUnknown };
const char* TxnOutcomeName(TxnOutcome outcome);
std::ostream& operator<<(std::ostream& os, TxnOutcome outcome);

// What a client went through, for scenarios and reports.
struct TxnClientStats {
  uint64_t locks_met = 0;       // reads that met another transaction's lock
  uint64_t locks_resolved = 0;  // of those, locks settled (rolled back or forward)
  uint64_t region_errors = 0;   // region errors answered (not leader, epoch, key not in region)
};

struct Transaction {
  uint64_t start_ts = 0;
  std::map<std::string, std::optional<std::string>> writes;  // key → value; nullopt: delete
  void Set(const std::string& key, const std::string& value) { writes[key] = value; }
  void Delete(const std::string& key) { writes[key] = std::nullopt; }
};

class TxnClient {
 public:
  TxnClient(sim::Network& net, TxnClientOptions options);

  // A new transaction with a start ts from the TSO; IOError when none came by the deadline.
  store::Status Begin(sim::Duration deadline, Transaction* txn);
  // The value of `key` at the transaction's start ts (nullopt: absent), resolving the locks it
  // meets. Busy when the deadline passed first.
  store::Status Get(const Transaction& txn, const std::string& key, sim::Duration deadline,
                    std::optional<std::string>* value);
  // Up to `limit` pairs (key, value) with start <= key < end (an empty end: no bound) visible at
  // the transaction's start ts, in key order, across regions, resolving the locks it meets. Busy
  // when the deadline passed first (then *pairs holds what was read so far).
  store::Status Scan(const Transaction& txn, const std::string& start, const std::string& end,
                     uint32_t limit, sim::Duration deadline,
                     std::vector<std::pair<std::string, std::string>>* pairs);
  // Two-phase commit of the buffered writes (an empty transaction commits at once).
  TxnOutcome Commit(const Transaction& txn, sim::Duration deadline);
  // Gives the transaction up: its buffered writes are dropped, and every key it may have
  // prewritten gets a rollback record (so a delayed prewrite of it can never land), best effort
  // within the deadline. False when some key's rollback was not acknowledged.
  bool Rollback(const Transaction& txn, sim::Duration deadline);

  const TxnClientStats& stats() const { return stats_; }

 private:
  // Sends `req` (its context filled for the region holding `key`) until a response without a
  // region error comes, or the deadline passes (nullopt).
  template <class Resp, class Req>
  std::optional<Resp> CallRegion(const std::string& key, const char* method, Req req,
                                 sim::Time give_up);
  // The cached region holding user key `key`, or null.
  const metapb::Region* CachedRegion(const std::string& key) const;
  // Fills `ctx` for the region holding `key`; the store to send to, 0 when no region is known.
  sim::NodeId Route(const std::string& key, kvrpcpb::Context* ctx);
  void OnRegionError(const errorpb::Error& e, const std::string& key);
  // A read met `lock`: counts it, records it in *blocked, and settles it or waits a little.
  void MeetLock(const kvrpcpb::LockInfo& lock, sim::Time give_up,
                std::optional<kvrpcpb::LockInfo>* blocked);
  // " (last blocked by the lock of K: start ts …)" for a read that gave up, or "".
  static std::string BlockedBy(const std::optional<kvrpcpb::LockInfo>& lock);
  // Settles the transaction holding `lock` as its primary says; false when it is still alive.
  bool ResolveLock(const kvrpcpb::LockInfo& lock, sim::Time give_up);
  // What sending one region's part of a batch came to.
  enum class Step { kDone, kRetry, kFailed };
  // Prewrites or commits `keys` region by region, in their order of first appearance: `send`
  // sends one region's keys (`ctx` filled for it) to `store` and says how it went (kRetry: a
  // region error, already taken into the cache — the keys are grouped again). False on the first
  // kFailed, or when the deadline passed.
  bool ForEachRegion(const std::vector<std::string>& keys, sim::Time give_up,
                     const std::function<Step(const std::vector<std::string>&,
                                              const kvrpcpb::Context&, sim::NodeId)>& send);
  // How one region's part of a batch went, from its response: kRetry when it was lost (the
  // leader is forgotten) or a region error came (taken into the cache), else kDone.
  template <class Resp>
  Step Settle(const std::optional<Resp>& resp, const kvrpcpb::Context& ctx,
              const std::vector<std::string>& group);
  void Reached(CommitPoint point);
  std::optional<uint64_t> Timestamp(sim::Time give_up);

  sim::Network& net_;
  TxnClientOptions options_;
  raftstore::SimSchedulerClient scheduler_;
  store::RegionCache cache_;
  size_t next_peer_ = 0;
  TxnClientStats stats_;
};

}  // namespace tinykv::txn
