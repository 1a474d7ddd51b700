#include "grading/check/si/rw_register.h"

#include <algorithm>
#include <cstdint>
#include <span>
#include <tuple>
#include <utility>

namespace tinykv::check::si {

namespace {

struct WriteRec {
  uint32_t key;
  uint32_t value;
  uint32_t txn;
  bool final;  // the txn's last write of the key: the version it installed
};

// An external read (the txn's first mop on the key) by an :ok txn.
struct ReadRec {
  uint32_t key;
  uint32_t value;  // kNoId: nil, the initial state
  uint32_t txn;
  uint32_t then_wrote;  // the txn's final write of the key after the read, or kNoId
};

class Inferrer {
 public:
  Inferrer(const TxnHistory& h, Meter* meter, DependencyGraph* graph, std::vector<Anomaly>* out)
      : h_(h), meter_(*meter), graph_(*graph), out_(*out), observed_(h.txns.size(), 0) {}

  Status Run() {
    if (Status s = IndexWrites(); !s.ok() || meter_.stopped()) return s;
    ScanTxns();
    if (meter_.stopped()) return Status::Ok();
    for (const ReadRec& r : reads_) {
      if (meter_.Spend()) return Status::Ok();
      if (r.value != kNoId) ReadFrom(r);
    }
    std::sort(reads_.begin(), reads_.end(), [](const ReadRec& a, const ReadRec& b) {
      return std::tie(a.key, a.value, a.txn) < std::tie(b.key, b.value, b.txn);
    });
    InitialStateEdges();
    if (meter_.stopped()) return Status::Ok();
    ReadThenWriteEdges();
    return Status::Ok();
  }

 private:
  std::string Val(uint32_t v) const { return v == kNoId ? "nil" : h_.ValueText(v); }
  std::string ReadText(const ReadRec& r) const {
    return h_.TxnName(r.txn) + " read key " + h_.KeyText(r.key) + " = " + Val(r.value);
  }
  void Report(AnomalyType type, std::vector<size_t> txns, std::string line) {
    Anomaly a;
    a.type = type;
    a.txns = std::move(txns);
    a.explanation.push_back(std::move(line));
    out_.push_back(std::move(a));
  }
  bool Committed(uint32_t t) const {
    return h_.txns[t].status == TxnStatus::kOk ||
           (h_.txns[t].status == TxnStatus::kInfo && observed_[t] != 0);
  }
  void AddEdge(uint32_t from, uint32_t to, EdgeKind kind, uint32_t key, uint32_t a, uint32_t b) {
    if (from == to) return;
    Edge e;
    e.from = from;
    e.to = to;
    e.kind = kind;
    e.key = key;
    e.a = a;
    e.b = b;
    graph_.Add(e);
  }

  Status IndexWrites() {
    std::vector<uint32_t> last(h_.key_texts.size(), kNoId);  // key -> this txn's last write record
    for (uint32_t t = 0; t < h_.txns.size(); ++t) {
      if (meter_.Spend()) return Status::Ok();
      const std::span<const Mop> mops = h_.MopsOf(h_.txns[t]);
      for (const Mop& m : mops) {
        if (m.kind != Mop::Kind::kWrite) continue;
        if (last[m.key] != kNoId) writes_[last[m.key]].final = false;
        last[m.key] = static_cast<uint32_t>(writes_.size());
        writes_.push_back(WriteRec{m.key, m.value, t, true});
      }
      for (const Mop& m : mops) last[m.key] = kNoId;
    }
    std::sort(writes_.begin(), writes_.end(), [](const WriteRec& a, const WriteRec& b) {
      return std::tie(a.key, a.value, a.txn) < std::tie(b.key, b.value, b.txn);
    });
    for (size_t i = 0; i + 1 < writes_.size(); ++i) {
      const WriteRec& a = writes_[i];
      const WriteRec& b = writes_[i + 1];
      if (a.key != b.key || a.value != b.value) continue;
      return Status::DataError(h_.TxnName(a.txn) + " and " + h_.TxnName(b.txn) + " both write " +
                               h_.ValueText(a.value) + " to key " + h_.KeyText(a.key) +
                               "; rw-register needs each value written once per key");
    }
    key_begin_.assign(h_.key_texts.size() + 1, 0);
    for (const WriteRec& w : writes_) ++key_begin_[w.key + 1];
    for (size_t k = 0; k + 1 < key_begin_.size(); ++k) key_begin_[k + 1] += key_begin_[k];
    return Status::Ok();
  }

  const WriteRec* Find(uint32_t key, uint32_t value) const {
    auto begin = writes_.begin() + key_begin_[key];
    auto end = writes_.begin() + key_begin_[key + 1];
    auto it = std::lower_bound(begin, end, value,
                               [](const WriteRec& w, uint32_t v) { return w.value < v; });
    return it != end && it->value == value ? &*it : nullptr;
  }

  // Internal consistency of each :ok txn, and its external reads.
  void ScanTxns() {
    // Within one txn: the value key k must hold by now (after the txn's own read or write of
    // it), and whether it has one; reset per txn through the txn's own mops.
    std::vector<uint32_t> expected(h_.key_texts.size(), kNoId);
    std::vector<uint8_t> known(h_.key_texts.size(), 0);
    std::vector<uint32_t> final_write(h_.key_texts.size(), kNoId);
    for (uint32_t t = 0; t < h_.txns.size(); ++t) {
      if (meter_.Spend()) return;
      const Txn& txn = h_.txns[t];
      if (txn.status != TxnStatus::kOk) continue;
      const std::span<const Mop> mops = h_.MopsOf(txn);
      for (const Mop& m : mops) {
        if (m.kind == Mop::Kind::kWrite) final_write[m.key] = m.value;
      }
      const size_t first_read = reads_.size();
      for (const Mop& m : mops) {
        if (m.kind == Mop::Kind::kWrite) {
          expected[m.key] = m.value;
          known[m.key] = 1;
          continue;
        }
        const uint32_t v = m.read_count == 0 ? kNoId : h_.read_values[m.value];
        if (known[m.key] == 0) {
          reads_.push_back(ReadRec{m.key, v, t, final_write[m.key]});
        } else if (expected[m.key] != v) {
          Report(AnomalyType::kInternal, {t},
                 h_.TxnName(t) + " read key " + h_.KeyText(m.key) + " = " + Val(v) +
                     " but expected " + Val(expected[m.key]));
        }
        expected[m.key] = v;
        known[m.key] = 1;
      }
      for (const Mop& m : mops) {
        known[m.key] = 0;
        final_write[m.key] = kNoId;
      }
      // A first read of a value the txn writes only later saw its own future.
      for (size_t i = first_read; i < reads_.size(); ++i) {
        const ReadRec& r = reads_[i];
        if (r.value == kNoId) continue;
        const WriteRec* w = Find(r.key, r.value);
        if (w != nullptr && w->txn == t) {
          Report(AnomalyType::kInternal, {t},
                 ReadText(r) + " before writing " + Val(r.value) + " to it itself");
        }
      }
    }
  }

  // What the writer of an external read's value tells: G1a, G1b, unknown value, or a wr edge.
  void ReadFrom(const ReadRec& r) {
    const WriteRec* w = Find(r.key, r.value);
    if (w == nullptr) {
      Report(AnomalyType::kUnknownElement, {r.txn},
             ReadText(r) + ", but no transaction wrote " + Val(r.value));
      return;
    }
    if (w->txn == r.txn) return;  // reported by ScanTxns
    if (h_.txns[w->txn].status == TxnStatus::kFail) {
      Report(AnomalyType::kG1a, {r.txn, w->txn},
             ReadText(r) + ", written by " + h_.TxnName(w->txn) + ", a transaction that failed");
      return;
    }
    if (!w->final) {
      Report(AnomalyType::kG1b, {r.txn, w->txn},
             ReadText(r) + ", an intermediate write of " + h_.TxnName(w->txn) +
                 ", which wrote the key again later");
      return;
    }
    observed_[w->txn] = 1;
    AddEdge(w->txn, r.txn, EdgeKind::kWR, r.key, r.value, kNoId);
  }

  // nil precedes every version: each reader of nil -> each committed writer of the key.
  void InitialStateEdges() {
    for (size_t i = 0; i < reads_.size();) {
      size_t j = i;
      while (j < reads_.size() && reads_[j].key == reads_[i].key) ++j;
      const uint32_t key = reads_[i].key;
      for (size_t r = i; r < j; ++r) {
        if (reads_[r].value != kNoId) continue;
        for (uint32_t wi = key_begin_[key]; wi < key_begin_[key + 1]; ++wi) {
          if (meter_.Spend()) return;
          const WriteRec& w = writes_[wi];
          if (!w.final || !Committed(w.txn)) continue;
          AddEdge(reads_[r].txn, w.txn, EdgeKind::kRW, key, kNoId, w.value);
        }
      }
      i = j;
    }
  }

  // T read v and then wrote u: v's writer -> T (ww), v's other readers -> T (rw).
  void ReadThenWriteEdges() {
    for (const ReadRec& r : reads_) {
      if (r.value == kNoId || r.then_wrote == kNoId) continue;
      if (meter_.Spend()) return;
      const WriteRec* w = Find(r.key, r.value);
      if (w != nullptr && w->final && Committed(w->txn)) {
        AddEdge(w->txn, r.txn, EdgeKind::kWW, r.key, r.value, r.then_wrote);
      }
      auto [begin, end] =
          std::equal_range(reads_.begin(), reads_.end(), r, [](const ReadRec& a, const ReadRec& b) {
            return std::tie(a.key, a.value) < std::tie(b.key, b.value);
          });
      for (auto it = begin; it != end; ++it) {
        AddEdge(it->txn, r.txn, EdgeKind::kRW, r.key, r.value, r.then_wrote);
      }
    }
  }

  const TxnHistory& h_;
  Meter& meter_;
  DependencyGraph& graph_;
  std::vector<Anomaly>& out_;
  std::vector<uint8_t> observed_;    // txn -> some :ok txn read one of its final writes
  std::vector<WriteRec> writes_;     // by (key, value, txn)
  std::vector<uint32_t> key_begin_;  // key -> first of its writes
  std::vector<ReadRec> reads_;       // in txn order, then by (key, value, txn)
};

}  // namespace

Status InferRwRegister(const TxnHistory& history, Meter* meter, DependencyGraph* graph,
                       std::vector<Anomaly>* anomalies) {
  return Inferrer(history, meter, graph, anomalies).Run();
}

std::string ExplainRwRegisterEdge(const TxnHistory& h, const Edge& e) {
  const std::string& key = h.KeyText(e.key);
  switch (e.kind) {
    case EdgeKind::kWR:
      return h.TxnName(e.to) + " read key " + key + " = " + h.ValueText(e.a) + ", which " +
             h.TxnName(e.from) + " wrote (wr)";
    case EdgeKind::kWW:
      return h.TxnName(e.to) + " wrote " + h.ValueText(e.b) + " to key " + key + " after reading " +
             h.ValueText(e.a) + ", which " + h.TxnName(e.from) + " wrote (ww)";
    case EdgeKind::kRW:
      if (e.a == kNoId) {
        return h.TxnName(e.from) + " read key " + key + " = nil, the initial state, and " +
               h.TxnName(e.to) + " wrote " + h.ValueText(e.b) + " (rw)";
      }
      return h.TxnName(e.from) + " read key " + key + " = " + h.ValueText(e.a) + ", and " +
             h.TxnName(e.to) + " read it too and then wrote " + h.ValueText(e.b) + " (rw)";
    case EdgeKind::kRealtime:
      break;
  }
  return "";
}

}  // namespace tinykv::check::si
