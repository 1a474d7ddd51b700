#include "grading/check/si/list_append.h"

#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>

namespace tinykv::check::si {

namespace {

constexpr size_t kNpos = static_cast<size_t>(-1);

// One append: (key, value) by txn; `next` is the value the same txn appended to the key right
// after this one (kNoId if none), which makes this append an intermediate state.
struct AppendRec {
  uint32_t key;
  uint32_t value;
  uint32_t txn;
  uint32_t next;
};

struct ReadRef {
  uint32_t txn;
  uint32_t mop;  // index into TxnHistory::mops
};

// The position of the first element that repeats an earlier one, or kNpos.
size_t FirstRepeat(std::span<const uint32_t> values,
                   std::vector<std::pair<uint32_t, uint32_t>>* scratch) {
  scratch->clear();
  for (uint32_t i = 0; i < values.size(); ++i) scratch->emplace_back(values[i], i);
  std::sort(scratch->begin(), scratch->end());
  size_t first = kNpos;
  for (size_t i = 1; i < scratch->size(); ++i) {
    if ((*scratch)[i].first == (*scratch)[i - 1].first)
      first = std::min<size_t>(first, (*scratch)[i].second);
  }
  return first;
}

class Inferrer {
 public:
  Inferrer(const TxnHistory& h, Meter* meter, DependencyGraph* graph, std::vector<Anomaly>* out)
      : h_(h), meter_(*meter), graph_(*graph), out_(*out) {}

  Status Run() {
    if (Status s = IndexAppends(); !s.ok() || meter_.stopped()) return s;
    CheckInternal();
    if (meter_.stopped()) return Status::Ok();
    IndexReads();
    graph_.Reserve(graph_.pending_edges() + recs_.size() + 2 * reads_.size());
    for (uint32_t key = 0; key < h_.key_texts.size() && !meter_.stopped(); ++key) Key(key);
    return Status::Ok();
  }

 private:
  std::string List(std::span<const uint32_t> values) const {
    std::string out = "[";
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out += " ";
      out += h_.ValueText(values[i]);
    }
    return out + "]";
  }
  std::string ReadText(uint32_t txn, const Mop& m) const {
    return h_.TxnName(txn) + " read key " + h_.KeyText(m.key) + " = " + List(h_.ReadOf(m));
  }
  void Report(AnomalyType type, std::vector<size_t> txns, std::string line) {
    Anomaly a;
    a.type = type;
    a.txns = std::move(txns);
    a.explanation.push_back(std::move(line));
    out_.push_back(std::move(a));
  }
  TxnStatus StatusOf(uint32_t txn) const { return h_.txns[txn].status; }

  Status IndexAppends() {
    const size_t keys = h_.key_texts.size();
    key_begin_.assign(keys + 1, 0);
    for (const Mop& m : h_.mops) {
      if (m.kind == Mop::Kind::kAppend) ++key_begin_[m.key + 1];
    }
    for (size_t k = 0; k < keys; ++k) key_begin_[k + 1] += key_begin_[k];
    recs_.resize(key_begin_[keys]);
    std::vector<uint32_t> fill(key_begin_.begin(), key_begin_.end() - 1);
    std::vector<uint32_t> last(keys, kNoId);  // key -> this txn's latest append record so far
    std::vector<uint32_t> touched;
    for (uint32_t t = 0; t < h_.txns.size(); ++t) {
      if (meter_.Spend()) return Status::Ok();
      for (const Mop& m : h_.MopsOf(h_.txns[t])) {
        if (m.kind != Mop::Kind::kAppend) continue;
        const uint32_t r = fill[m.key]++;
        recs_[r] = AppendRec{m.key, m.value, t, kNoId};
        if (last[m.key] == kNoId) {
          touched.push_back(m.key);
        } else {
          recs_[last[m.key]].next = m.value;
        }
        last[m.key] = r;
      }
      for (uint32_t k : touched) last[k] = kNoId;
      touched.clear();
    }
    for (size_t k = 0; k < keys; ++k) {
      auto begin = recs_.begin() + key_begin_[k];
      auto end = recs_.begin() + key_begin_[k + 1];
      std::sort(begin, end, [](const AppendRec& a, const AppendRec& b) {
        return std::pair(a.value, a.txn) < std::pair(b.value, b.txn);
      });
      for (auto it = begin; it != end && it + 1 != end; ++it) {
        if (it->value != (it + 1)->value) continue;
        return Status::DataError(h_.TxnName(it->txn) + " and " + h_.TxnName((it + 1)->txn) +
                                 " both append " + h_.ValueText(it->value) + " to key " +
                                 h_.KeyText(static_cast<uint32_t>(k)) +
                                 "; list-append needs each element appended once per key");
      }
    }
    return Status::Ok();
  }

  // The record of `value` appended to `key`, or kNoId.
  uint32_t Find(uint32_t key, uint32_t value) const {
    auto begin = recs_.begin() + key_begin_[key];
    auto end = recs_.begin() + key_begin_[key + 1];
    auto it = std::lower_bound(begin, end, value,
                               [](const AppendRec& r, uint32_t v) { return r.value < v; });
    return it != end && it->value == value ? static_cast<uint32_t>(it - recs_.begin()) : kNoId;
  }
  // The committed-or-possibly-committed appender of record `r`, or kNoId.
  uint32_t Writer(uint32_t r) const {
    if (r == kNoId || StatusOf(recs_[r].txn) == TxnStatus::kFail) return kNoId;
    return recs_[r].txn;
  }

  // A txn's reads must agree with its own earlier read of the key plus its appends since; with no
  // earlier read, they must end with its appends so far.
  void CheckInternal() {
    std::vector<uint32_t> own;
    // Within one txn: last[key] is its latest mop on the key so far, prev[j] the one before mop j
    // on mop j's key, so each read walks back over just its own key's mops.
    std::vector<uint32_t> last(h_.key_texts.size(), kNoId);
    std::vector<uint32_t> prev;
    for (uint32_t t = 0; t < h_.txns.size(); ++t) {
      if (meter_.Spend()) return;
      const Txn& txn = h_.txns[t];
      if (txn.status != TxnStatus::kOk) continue;
      const std::span<const Mop> mops = h_.MopsOf(txn);
      prev.resize(mops.size());
      for (size_t j = 0; j < mops.size(); ++j) {
        const Mop& m = mops[j];
        prev[j] = last[m.key];
        last[m.key] = static_cast<uint32_t>(j);
        if (m.kind != Mop::Kind::kRead) continue;
        own.clear();
        const Mop* before_read = nullptr;
        for (uint32_t i = prev[j]; i != kNoId; i = prev[i]) {
          if (mops[i].kind == Mop::Kind::kRead) {
            before_read = &mops[i];
            break;
          }
          own.push_back(mops[i].value);
        }
        std::reverse(own.begin(), own.end());
        const std::span<const uint32_t> read = h_.ReadOf(m);
        bool ok;
        std::vector<uint32_t> expected;
        if (before_read != nullptr) {
          const std::span<const uint32_t> before = h_.ReadOf(*before_read);
          ok = read.size() == before.size() + own.size() &&
               std::equal(before.begin(), before.end(), read.begin()) &&
               std::equal(own.begin(), own.end(), read.begin() + before.size());
          if (!ok) {
            expected.assign(before.begin(), before.end());
            expected.insert(expected.end(), own.begin(), own.end());
          }
        } else {
          ok = read.size() >= own.size() &&
               std::equal(own.begin(), own.end(), read.end() - own.size());
        }
        if (ok) continue;
        Report(
            AnomalyType::kInternal, {t},
            h_.TxnName(t) + " read key " + h_.KeyText(m.key) + " = " + List(read) +
                " but expected " +
                (before_read != nullptr ? List(expected)
                                        : "a list ending in " + List(own) + " (its own appends)"));
      }
      for (const Mop& m : mops) last[m.key] = kNoId;
    }
  }

  void IndexReads() {
    const size_t keys = h_.key_texts.size();
    read_begin_.assign(keys + 1, 0);
    for (const Txn& txn : h_.txns) {
      if (txn.status != TxnStatus::kOk) continue;
      for (const Mop& m : h_.MopsOf(txn)) {
        if (m.kind == Mop::Kind::kRead) ++read_begin_[m.key + 1];
      }
    }
    for (size_t k = 0; k < keys; ++k) read_begin_[k + 1] += read_begin_[k];
    reads_.resize(read_begin_[keys]);
    std::vector<uint32_t> fill(read_begin_.begin(), read_begin_.end() - 1);
    for (uint32_t t = 0; t < h_.txns.size(); ++t) {
      const Txn& txn = h_.txns[t];
      if (txn.status != TxnStatus::kOk) continue;
      for (uint32_t i = 0; i < txn.mop_count; ++i) {
        const Mop& m = h_.mops[txn.first_mop + i];
        if (m.kind == Mop::Kind::kRead) reads_[fill[m.key]++] = ReadRef{t, txn.first_mop + i};
      }
    }
  }

  void AddEdge(uint32_t from, uint32_t to, EdgeKind kind, uint32_t key, uint32_t a, uint32_t b) {
    if (from == kNoId || to == kNoId || from == to) return;
    Edge e;
    e.from = from;
    e.to = to;
    e.kind = kind;
    e.key = key;
    e.a = a;
    e.b = b;
    graph_.Add(e);
  }

  // Facts about one read that need no version order: duplicates, unknown elements, G1a, G1b.
  // The slow path, for reads that are not a prefix of the key's order.
  void CheckReadAlone(const ReadRef& r) {
    const Mop& m = h_.mops[r.mop];
    const std::span<const uint32_t> read = h_.ReadOf(m);
    if (size_t d = FirstRepeat(read, &pairs_); d != kNpos) {
      Report(AnomalyType::kDuplicateElements, {r.txn},
             ReadText(r.txn, m) + ", which holds " + h_.ValueText(read[d]) + " more than once");
    }
    bool unknown = false;
    bool aborted = false;
    for (uint32_t e : read) {
      const uint32_t rec = Find(m.key, e);
      if (rec == kNoId && !unknown) {
        unknown = true;
        Report(AnomalyType::kUnknownElement, {r.txn},
               ReadText(r.txn, m) + ", but no transaction appended " + h_.ValueText(e));
      } else if (rec != kNoId && StatusOf(recs_[rec].txn) == TxnStatus::kFail && !aborted) {
        aborted = true;
        ReportAborted(r, m, rec);
      }
    }
    if (!read.empty()) CheckIntermediate(r, m, Find(m.key, read.back()));
  }
  void ReportAborted(const ReadRef& r, const Mop& m, uint32_t rec) {
    Report(AnomalyType::kG1a, {r.txn, recs_[rec].txn},
           ReadText(r.txn, m) + ", which holds " + h_.ValueText(recs_[rec].value) +
               " appended by " + h_.TxnName(recs_[rec].txn) + ", a transaction that failed");
  }
  // G1b: the read ended at `rec`, an append its writer followed with another to the same key.
  void CheckIntermediate(const ReadRef& r, const Mop& m, uint32_t rec) {
    if (rec == kNoId) return;
    const AppendRec& w = recs_[rec];
    if (w.txn == r.txn || w.next == kNoId || StatusOf(w.txn) == TxnStatus::kFail) return;
    Report(AnomalyType::kG1b, {r.txn, w.txn},
           ReadText(r.txn, m) + ", ending at " + h_.ValueText(w.value) +
               ", an intermediate append of " + h_.TxnName(w.txn) + ", which appended " +
               h_.ValueText(w.next) + " to the key after it");
  }

  // Lost appends of `key` (seen_ marks the appends its longest read holds): a committed append
  // outside every read, although the read of the key that began last began after the append's
  // transaction completed. (One such append is also the key's last version, which makes the miss
  // a real-time cycle too; with two or more, no order exists and only this check sees them.)
  void CheckLostAppends(uint32_t key, std::span<const ReadRef> reads) {
    const ReadRef* last = &reads.front();
    for (const ReadRef& r : reads) {
      if (h_.txns[r.txn].invoke_pos > h_.txns[last->txn].invoke_pos) last = &r;
    }
    const int64_t began = h_.txns[last->txn].invoke_pos;
    if (began < 0) return;  // no :invoke order in this history
    for (uint32_t rec = key_begin_[key]; rec < key_begin_[key + 1]; ++rec) {
      const Txn& writer = h_.txns[recs_[rec].txn];
      if (seen_[rec] != 0 || writer.status != TxnStatus::kOk || writer.complete_pos >= began ||
          recs_[rec].txn == last->txn) {
        continue;
      }
      Report(AnomalyType::kLostAppend, {recs_[rec].txn, last->txn},
             h_.TxnName(recs_[rec].txn) + " appended " + h_.ValueText(recs_[rec].value) +
                 " to key " + h_.KeyText(key) + " and committed before " + h_.TxnName(last->txn) +
                 " began, but no read of the key holds it (" +
                 ReadText(last->txn, h_.mops[last->mop]) + ")");
      meter_.Spend();
    }
  }

  void Key(uint32_t key) {
    const std::span<const ReadRef> reads(reads_.data() + read_begin_[key],
                                         reads_.data() + read_begin_[key + 1]);
    if (reads.empty()) return;  // no read, no version order
    const ReadRef* longest = &reads.front();
    for (const ReadRef& r : reads) {
      if (h_.mops[r.mop].read_count > h_.mops[longest->mop].read_count) longest = &r;
    }
    const std::span<const uint32_t> seen = h_.ReadOf(h_.mops[longest->mop]);

    // The version order: the longest read, then the single committed append no read saw, if
    // there is exactly one (lists only grow at the end, so it came after all of them; Elle infers
    // a key's final, unread append the same way). Possibly committed appends count as unseen
    // too: with two candidates the order is not known.
    order_.assign(seen.begin(), seen.end());
    rec_at_.clear();
    for (uint32_t e : seen) {
      const uint32_t rec = Find(key, e);
      rec_at_.push_back(rec);
      if (rec != kNoId) marked_.push_back(rec);
    }
    if (seen_.size() != recs_.size()) seen_.assign(recs_.size(), 0);
    for (uint32_t rec : marked_) seen_[rec] = 1;
    uint32_t unseen = kNoId;
    size_t unseen_count = 0;
    for (uint32_t rec = key_begin_[key]; rec < key_begin_[key + 1]; ++rec) {
      if (seen_[rec] == 0 && StatusOf(recs_[rec].txn) != TxnStatus::kFail) {
        ++unseen_count;
        unseen = rec;
      }
    }
    CheckLostAppends(key, reads);
    for (uint32_t rec : marked_) seen_[rec] = 0;
    marked_.clear();
    if (unseen_count == 1 && StatusOf(recs_[unseen].txn) == TxnStatus::kOk) {
      order_.push_back(recs_[unseen].value);
      rec_at_.push_back(unseen);
    }

    // Facts about every read that is a prefix of the order, computed once for the order.
    size_t first_unknown = kNpos;
    size_t first_failed = kNpos;
    for (size_t i = 0; i < rec_at_.size(); ++i) {
      if (rec_at_[i] == kNoId) {
        first_unknown = std::min(first_unknown, i);
      } else if (StatusOf(recs_[rec_at_[i]].txn) == TxnStatus::kFail) {
        first_failed = std::min(first_failed, i);
      }
    }
    const size_t first_repeat = FirstRepeat(order_, &pairs_);
    auto writer_at = [this](size_t i) { return Writer(rec_at_[i]); };

    for (size_t i = 0; i + 1 < order_.size(); ++i) {
      AddEdge(writer_at(i), writer_at(i + 1), EdgeKind::kWW, key, order_[i], order_[i + 1]);
    }
    bool incompatible = false;
    for (const ReadRef& r : reads) {
      if (meter_.Spend()) return;
      const Mop& m = h_.mops[r.mop];
      const std::span<const uint32_t> read = h_.ReadOf(m);
      const size_t n = read.size();
      if (!std::equal(read.begin(), read.end(), seen.begin(),
                      seen.begin() + std::min(n, seen.size()))) {
        CheckReadAlone(r);
        if (!incompatible) {
          incompatible = true;
          Report(AnomalyType::kIncompatibleOrder, {r.txn, longest->txn},
                 ReadText(r.txn, m) + " but " + ReadText(longest->txn, h_.mops[longest->mop]) +
                     "; neither is a prefix of the other");
        }
        continue;  // no safe inference from it
      }
      if (first_repeat < n) {
        Report(AnomalyType::kDuplicateElements, {r.txn},
               ReadText(r.txn, m) + ", which holds " + h_.ValueText(order_[first_repeat]) +
                   " more than once");
      }
      if (first_unknown < n) {
        Report(AnomalyType::kUnknownElement, {r.txn},
               ReadText(r.txn, m) + ", but no transaction appended " +
                   h_.ValueText(order_[first_unknown]));
      }
      if (first_failed < n) ReportAborted(r, m, rec_at_[first_failed]);
      if (n > 0) {
        CheckIntermediate(r, m, rec_at_[n - 1]);
        AddEdge(writer_at(n - 1), r.txn, EdgeKind::kWR, key, order_[n - 1], kNoId);
      }
      // The next element's writer, unless it also wrote the last element seen: the read saw that
      // txn's intermediate state (G1b, reported), not a version before it.
      if (n < order_.size() && (n == 0 || writer_at(n) != writer_at(n - 1))) {
        AddEdge(r.txn, writer_at(n), EdgeKind::kRW, key, n == 0 ? kNoId : order_[n - 1], order_[n]);
      }
    }
  }

  const TxnHistory& h_;
  Meter& meter_;
  DependencyGraph& graph_;
  std::vector<Anomaly>& out_;
  std::vector<AppendRec> recs_;       // by key, then value
  std::vector<uint32_t> key_begin_;   // key -> first record; key + 1 -> one past its last
  std::vector<ReadRef> reads_;        // :ok reads by key, in history order
  std::vector<uint32_t> read_begin_;  // likewise
  // Scratch for Key().
  std::vector<uint32_t> order_;
  std::vector<uint32_t> rec_at_;  // the record of each order element, kNoId: never appended
  std::vector<uint32_t> marked_;  // records the longest read saw ...
  std::vector<uint8_t> seen_;     // ... flagged here, by record, while Key() runs
  std::vector<std::pair<uint32_t, uint32_t>> pairs_;
};

}  // namespace

Status InferListAppend(const TxnHistory& history, Meter* meter, DependencyGraph* graph,
                       std::vector<Anomaly>* anomalies) {
  return Inferrer(history, meter, graph, anomalies).Run();
}

std::string ExplainListAppendEdge(const TxnHistory& h, const Edge& e) {
  const std::string& key = h.KeyText(e.key);
  switch (e.kind) {
    case EdgeKind::kWW:
      return h.TxnName(e.to) + " appended " + h.ValueText(e.b) + " to key " + key + " after " +
             h.TxnName(e.from) + " appended " + h.ValueText(e.a) + " (ww)";
    case EdgeKind::kWR:
      return h.TxnName(e.to) + " read key " + key + " up to " + h.ValueText(e.a) + ", which " +
             h.TxnName(e.from) + " appended (wr)";
    case EdgeKind::kRW:
      return h.TxnName(e.from) + " read key " + key +
             (e.a == kNoId ? " as empty" : " up to " + h.ValueText(e.a)) + " and missed " +
             h.ValueText(e.b) + ", which " + h.TxnName(e.to) + " appended next (rw)";
    case EdgeKind::kRealtime:
      break;
  }
  return "";
}

}  // namespace tinykv::check::si
