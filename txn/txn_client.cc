#include "txn/txn_client.h"

#include <algorithm>
#include <ostream>
#include <set>

#include "store/server/sim_rpc.h"
#include "txn/printable.h"
#include "txn/region_keys.h"

namespace tinykv::txn {
namespace {

constexpr sim::Duration kBackoff = std::chrono::milliseconds(10);

bool Has(const metapb::Region& r, uint64_t store) {
  for (const auto& p : r.peers()) {
    if (p.store_id() == store) return true;
  }
  return false;
}

raftstore::SimSchedulerClientOptions SchedulerOptions(const TxnClientOptions& options) {
  raftstore::SimSchedulerClientOptions o;
  o.self = options.self;
  o.scheduler = options.scheduler;
  o.timeout = options.rpc_timeout;
  return o;
}

}  // namespace

const char* TxnOutcomeName(TxnOutcome outcome) {
  switch (outcome) {
    case TxnOutcome::kCommitted:
      return "committed";
    case TxnOutcome::kAborted:
      return "aborted";
    case TxnOutcome::kUnknown:
      return "unknown";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, TxnOutcome outcome) {
  return os << TxnOutcomeName(outcome);
}

TxnClient::TxnClient(sim::Network& net, TxnClientOptions options)
    : net_(net), options_(options), scheduler_(net, SchedulerOptions(options)) {}

std::optional<uint64_t> TxnClient::Timestamp(sim::Time give_up) {
  while (sim::Now() < give_up) {
    uint64_t ts = 0;
    if (scheduler_.Tso(1, &ts).ok()) return ts;
    sim::Sleep(kBackoff);
  }
  return std::nullopt;
}

store::Status TxnClient::Begin(sim::Duration deadline, Transaction* txn) {
  const std::optional<uint64_t> ts = Timestamp(sim::Now() + deadline);
  if (!ts) return store::Status::IOError("begin: no timestamp from the scheduler in time");
  *txn = Transaction();
  txn->start_ts = *ts;
  return store::Status::OK();
}

const metapb::Region* TxnClient::CachedRegion(const std::string& key) const {
  return cache_.Find(RegionKey(key));
}

sim::NodeId TxnClient::Route(const std::string& key, kvrpcpb::Context* ctx) {
  const metapb::Region* region = CachedRegion(key);
  if (region == nullptr) {
    metapb::Region r;
    metapb::Peer leader;
    if (!scheduler_.GetRegion(RegionKey(key), &r, &leader).ok()) return 0;
    cache_.Learn(r);
    if (leader.id() != 0) cache_.SetLeader(r.id(), leader.store_id());
    region = CachedRegion(key);
  }
  if (region == nullptr || region->peers_size() == 0) return 0;
  ctx->set_region_id(region->id());
  *ctx->mutable_region_epoch() = region->region_epoch();
  const metapb::Peer* peer = &region->peers(static_cast<int>(next_peer_++ % region->peers_size()));
  if (const uint64_t leader = cache_.Leader(region->id()); leader != 0) {
    for (const auto& p : region->peers()) {
      if (p.store_id() == leader) peer = &p;
    }
  }
  *ctx->mutable_peer() = *peer;
  return static_cast<sim::NodeId>(peer->store_id());
}

void TxnClient::OnRegionError(const errorpb::Error& e, const std::string& key) {
  ++stats_.region_errors;
  const metapb::Region* r = CachedRegion(key);
  if (e.has_not_leader()) {
    // Follow the hint, unless it names a peer the cached region does not list (the membership
    // changed since): then ask the scheduler again.
    const uint64_t hint = e.not_leader().has_leader() ? e.not_leader().leader().store_id() : 0;
    if (r != nullptr && hint != 0 && !Has(*r, hint)) {
      cache_.Forget(r->id());
    } else if (r != nullptr) {
      cache_.SetLeader(r->id(), hint);
    }
    if (hint == 0) sim::Sleep(kBackoff);  // an election is on
    return;
  }
  for (const auto& region : e.epoch_not_match().current_regions()) cache_.Learn(region);
  if (r != nullptr && !e.has_epoch_not_match()) cache_.Forget(r->id());
  sim::Sleep(kBackoff);  // the scheduler may not know the new regions yet either
}

template <class Resp, class Req>
std::optional<Resp> TxnClient::CallRegion(const std::string& key, const char* method, Req req,
                                          sim::Time give_up) {
  while (sim::Now() < give_up) {
    const sim::NodeId store = Route(key, req.mutable_context());
    if (store == 0) {
      sim::Sleep(kBackoff);
      continue;
    }
    auto resp = store::CallKv<Resp>(net_, options_.self, store, method, req,
                                    std::min(options_.rpc_timeout, give_up - sim::Now()));
    if (!resp) {  // lost, or that store is down or cut off: try another peer
      if (const metapb::Region* r = CachedRegion(key)) cache_.SetLeader(r->id(), 0);
      continue;
    }
    if (resp->has_region_error()) {
      OnRegionError(resp->region_error(), key);
      continue;
    }
    return resp;
  }
  return std::nullopt;
}

bool TxnClient::ResolveLock(const kvrpcpb::LockInfo& lock, sim::Time give_up) {
  const std::optional<uint64_t> now = Timestamp(give_up);
  if (!now) return false;
  kvrpcpb::CheckTxnStatusRequest check;
  check.set_primary_key(lock.primary_lock());
  check.set_lock_ts(lock.lock_version());
  check.set_current_ts(*now);
  auto status = CallRegion<kvrpcpb::CheckTxnStatusResponse>(lock.primary_lock(), "KvCheckTxnStatus",
                                                            check, give_up);
  if (!status || (status->lock_ttl() != 0 && status->commit_version() == 0)) return false;
  kvrpcpb::ResolveLockRequest resolve;
  resolve.set_start_version(lock.lock_version());
  resolve.set_commit_version(status->commit_version());  // 0: rolled back
  auto done =
      CallRegion<kvrpcpb::ResolveLockResponse>(lock.key(), "KvResolveLock", resolve, give_up);
  if (!done || done->has_error()) return false;
  ++stats_.locks_resolved;
  return true;
}

void TxnClient::MeetLock(const kvrpcpb::LockInfo& lock, sim::Time give_up,
                         std::optional<kvrpcpb::LockInfo>* blocked) {
  ++stats_.locks_met;
  *blocked = lock;
  if (!ResolveLock(lock, give_up)) sim::Sleep(kBackoff);  // alive (or unreachable): wait
}

std::string TxnClient::BlockedBy(const std::optional<kvrpcpb::LockInfo>& lock) {
  if (!lock) return "";
  return " (last blocked by the lock of " + Printable(lock->key()) + ": start ts " +
         std::to_string(lock->lock_version()) + ", primary " + Printable(lock->primary_lock()) +
         ", ttl " + std::to_string(lock->lock_ttl()) + " ms)";
}

store::Status TxnClient::Get(const Transaction& txn, const std::string& key, sim::Duration deadline,
                             std::optional<std::string>* value) {
  const sim::Time give_up = sim::Now() + deadline;
  kvrpcpb::GetRequest req;
  req.set_key(key);
  req.set_version(txn.start_ts);
  std::optional<kvrpcpb::LockInfo> blocked;  // the last lock met
  while (sim::Now() < give_up) {
    auto resp = CallRegion<kvrpcpb::GetResponse>(key, "KvGet", req, give_up);
    if (!resp) break;
    if (resp->error().has_locked()) {
      MeetLock(resp->error().locked(), give_up, &blocked);
      continue;
    }
    if (resp->has_error()) {
      sim::Sleep(kBackoff);  // retryable (a storage failure): nothing was read
      continue;
    }
    *value = resp->not_found() ? std::nullopt : std::optional<std::string>(resp->value());
    return store::Status::OK();
  }
  return store::Status::Busy("get " + Printable(key) + ": no answer within the deadline" +
                             BlockedBy(blocked));
}

template <class Resp>
TxnClient::Step TxnClient::Settle(const std::optional<Resp>& resp, const kvrpcpb::Context& ctx,
                                  const std::vector<std::string>& group) {
  if (!resp) {  // lost, or the store is down or cut off: another peer next time
    cache_.SetLeader(ctx.region_id(), 0);
    return Step::kRetry;
  }
  if (resp->has_region_error()) {
    OnRegionError(resp->region_error(), group.front());
    return Step::kRetry;
  }
  return Step::kDone;
}

void TxnClient::Reached(CommitPoint point) {
  if (options_.at) options_.at(point);
}

store::Status TxnClient::Scan(const Transaction& txn, const std::string& start,
                              const std::string& end, uint32_t limit, sim::Duration deadline,
                              std::vector<std::pair<std::string, std::string>>* pairs) {
  const sim::Time give_up = sim::Now() + deadline;
  pairs->clear();
  std::string cursor = start;
  std::optional<kvrpcpb::LockInfo> blocked;  // the last lock met
  while (pairs->size() < limit && (end.empty() || cursor < end)) {
    kvrpcpb::ScanRequest req;
    req.set_start_key(cursor);
    req.set_limit(limit - static_cast<uint32_t>(pairs->size()));
    req.set_version(txn.start_ts);
    auto resp = CallRegion<kvrpcpb::ScanResponse>(cursor, "KvScan", req, give_up);
    const metapb::Region* region = CachedRegion(cursor);
    if (!resp || region == nullptr) break;
    const std::string region_end = region->end_key();
    bool again = false;  // a lock or a failed read: this region again, from that key
    for (const kvrpcpb::KvPair& pair : resp->pairs()) {
      if (!end.empty() && pair.key() >= end) return store::Status::OK();
      if (pair.has_error()) {
        if (pair.error().has_locked()) {
          MeetLock(pair.error().locked(), give_up, &blocked);
        } else {
          sim::Sleep(kBackoff);
        }
        if (!pair.key().empty()) cursor = pair.key();
        again = true;
        break;
      }
      pairs->emplace_back(pair.key(), pair.value());
    }
    if (again) continue;
    if (pairs->size() >= limit) break;
    // The region is exhausted: on to the next one, from the first user key it can hold.
    if (region_end.empty()) return store::Status::OK();
    std::optional<std::string> next = UserKeyOfBound(region_end);
    if (!next) return store::Status::Corruption("scan: region end is not a region key");
    cursor = std::move(*next);
  }
  if (pairs->size() >= limit || (!end.empty() && cursor >= end)) return store::Status::OK();
  return store::Status::Busy("scan from " + Printable(start) + ": no answer within the deadline" +
                             BlockedBy(blocked));
}

bool TxnClient::Rollback(const Transaction& txn, sim::Duration deadline) {
  const sim::Time give_up = sim::Now() + deadline;
  std::vector<std::string> keys;
  for (const auto& [key, value] : txn.writes) keys.push_back(key);
  return ForEachRegion(
      keys, give_up,
      [&](const std::vector<std::string>& group, const kvrpcpb::Context& ctx, sim::NodeId store) {
        kvrpcpb::BatchRollbackRequest req;
        *req.mutable_context() = ctx;
        req.set_start_version(txn.start_ts);
        for (const std::string& k : group) req.add_keys(k);
        auto resp = store::CallKv<kvrpcpb::BatchRollbackResponse>(
            net_, options_.self, store, "KvBatchRollback", req,
            std::min(options_.rpc_timeout, give_up - sim::Now()));
        return Settle(resp, ctx, group);
      });
}

bool TxnClient::ForEachRegion(
    const std::vector<std::string>& keys, sim::Time give_up,
    const std::function<Step(const std::vector<std::string>&, const kvrpcpb::Context&,
                             sim::NodeId)>& send) {
  std::vector<std::string> left = keys;
  while (!left.empty()) {
    if (sim::Now() >= give_up) return false;
    kvrpcpb::Context ctx;
    const sim::NodeId store = Route(left.front(), &ctx);
    if (store == 0) {
      sim::Sleep(kBackoff);
      continue;
    }
    // The keys of the same region as the first one left.
    std::vector<std::string> group;
    std::vector<std::string> rest;
    for (const std::string& k : left) {
      const metapb::Region* r = CachedRegion(k);
      (r != nullptr && r->id() == ctx.region_id() ? group : rest).push_back(k);
    }
    switch (send(group, ctx, store)) {
      case Step::kDone:
        left = std::move(rest);
        break;
      case Step::kRetry:
        break;
      case Step::kFailed:
        return false;
    }
  }
  return true;
}

TxnOutcome TxnClient::Commit(const Transaction& txn, sim::Duration deadline) {
  if (txn.writes.empty()) return TxnOutcome::kCommitted;
  const sim::Time give_up = sim::Now() + deadline;
  const std::string& primary = txn.writes.begin()->first;
  std::vector<std::string> keys;  // the primary first: its region is prewritten first
  for (const auto& [key, value] : txn.writes) keys.push_back(key);

  // Phase one. A failed prewrite (a conflict, a lock that stays) aborts: roll back what was
  // locked, best effort — a resolver would otherwise roll it back once the TTL runs out.
  auto prewrite = [&](const std::vector<std::string>& group, const kvrpcpb::Context& ctx,
                      sim::NodeId store) {
    kvrpcpb::PrewriteRequest req;
    *req.mutable_context() = ctx;
    for (const std::string& k : group) {
      kvrpcpb::Mutation* m = req.add_mutations();
      m->set_key(k);
      const std::optional<std::string>& v = txn.writes.at(k);
      m->set_op(v ? kvrpcpb::Put : kvrpcpb::Del);
      if (v) m->set_value(*v);
    }
    req.set_primary_lock(primary);
    req.set_start_version(txn.start_ts);
    req.set_lock_ttl(options_.lock_ttl_ms);
    auto resp = store::CallKv<kvrpcpb::PrewriteResponse>(
        net_, options_.self, store, "KvPrewrite", req,
        std::min(options_.rpc_timeout, give_up - sim::Now()));
    // (A retried prewrite meets its own locks: safe.)
    const Step step = Settle(resp, ctx, group);
    if (step != Step::kDone) return step;
    if (resp->errors_size() != 0) return Step::kFailed;
    if (group.front() == primary) Reached(CommitPoint::kPrimaryPrewritten);
    return Step::kDone;
  };
  if (!ForEachRegion(keys, give_up, prewrite)) {
    (void)Rollback(txn, options_.rpc_timeout);
    return TxnOutcome::kAborted;
  }
  Reached(CommitPoint::kAllPrewritten);

  // Phase two: the primary decides.
  const std::optional<uint64_t> commit_ts = Timestamp(give_up);
  if (!commit_ts) return TxnOutcome::kAborted;  // nothing committed; the locks expire
  kvrpcpb::CommitRequest commit;
  commit.set_start_version(txn.start_ts);
  commit.set_commit_version(*commit_ts);
  commit.add_keys(primary);
  auto primary_resp = CallRegion<kvrpcpb::CommitResponse>(primary, "KvCommit", commit, give_up);
  if (!primary_resp) return TxnOutcome::kUnknown;
  if (primary_resp->has_error()) return TxnOutcome::kAborted;  // rolled back by a resolver
  Reached(CommitPoint::kPrimaryCommitted);
  // Committed. The secondaries follow; any left behind are rolled forward by resolvers.
  std::vector<std::string> secondaries(keys.begin() + 1, keys.end());
  (void)ForEachRegion(
      secondaries, give_up,
      [&](const std::vector<std::string>& group, const kvrpcpb::Context& ctx, sim::NodeId store) {
        kvrpcpb::CommitRequest req = commit;
        *req.mutable_context() = ctx;
        req.clear_keys();
        for (const std::string& k : group) req.add_keys(k);
        auto resp = store::CallKv<kvrpcpb::CommitResponse>(
            net_, options_.self, store, "KvCommit", req,
            std::min(options_.rpc_timeout, give_up - sim::Now()));
        return Settle(resp, ctx, group);
      });
  return TxnOutcome::kCommitted;
}

}  // namespace tinykv::txn
