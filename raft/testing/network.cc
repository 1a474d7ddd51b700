#include "raft/testing/network.h"

#include <cstdio>
#include <cstdlib>
#include <deque>

namespace tinykv::raft::testing {

using eraftpb::Message;
using eraftpb::MessageType;

std::unique_ptr<MemoryStorage> StorageWithTerms(const std::vector<uint64_t>& terms) {
  auto s = std::make_unique<MemoryStorage>();
  std::vector<eraftpb::Entry> ents;
  for (size_t i = 0; i < terms.size(); ++i) {
    eraftpb::Entry e;
    e.set_index(i + 1);
    e.set_term(terms[i]);
    ents.push_back(e);
  }
  (void)s->Append(ents);
  eraftpb::HardState hs;
  hs.set_term(terms.empty() ? 0 : terms.back());
  s->SetHardState(hs);
  return s;
}

std::unique_ptr<MemoryStorage> StorageWithVote(uint64_t vote, uint64_t term) {
  auto s = std::make_unique<MemoryStorage>();
  eraftpb::HardState hs;
  hs.set_term(term);
  hs.set_vote(vote);
  s->SetHardState(hs);
  return s;
}

Config TestConfig(uint64_t id, std::vector<uint64_t> peers, int election, int heartbeat,
                  Storage* storage, uint64_t seed) {
  Config c;
  c.id = id;
  c.peers = std::move(peers);
  c.election_tick = election;
  c.heartbeat_tick = heartbeat;
  c.storage = storage;
  auto gen = std::make_shared<SplitMix64>(seed * 0x9e3779b97f4a7c15ULL + id);
  c.rng = [gen] { return gen->Next(); };
  return c;
}

std::unique_ptr<Raft> NewTestRaft(uint64_t id, std::vector<uint64_t> peers, int election,
                                  int heartbeat, Storage* storage, uint64_t seed) {
  auto r = Raft::Create(TestConfig(id, std::move(peers), election, heartbeat, storage, seed));
  if (!r.ok()) {
    std::fprintf(stderr, "NewTestRaft(%llu): %s\n", static_cast<unsigned long long>(id),
                 r.status().ToString().c_str());
    std::abort();
  }
  return std::move(r).value();
}

Message Msg(uint64_t from, uint64_t to, MessageType type, uint64_t term) {
  Message m;
  m.set_from(from);
  m.set_to(to);
  m.set_msg_type(type);
  m.set_term(term);
  return m;
}

Message Propose(uint64_t from, uint64_t to, const std::string& data) {
  Message m = Msg(from, to, MessageType::MsgPropose);
  m.add_entries()->set_data(data);
  return m;
}

void MakeCandidate(Raft& r) {
  (void)r.Step(Msg(r.id(), r.id(), MessageType::MsgHup));
  r.ReadMessages();
}

void MakeLeader(Raft& r) {
  (void)r.Step(Msg(r.id(), r.id(), MessageType::MsgHup));
  for (uint64_t p : r.Nodes()) {
    if (p == r.id() || r.role() == Role::kLeader) continue;
    Message v = Msg(p, r.id(), MessageType::MsgRequestVoteResponse, r.term());
    (void)r.Step(v);
  }
  r.ReadMessages();
}

void MakeFollower(Raft& r, uint64_t term, uint64_t lead) {
  if (lead != kNone) {
    (void)r.Step(Msg(lead, r.id(), MessageType::MsgHeartbeat, term));
  } else if (term > r.term()) {
    // Any message of a newer term demotes; a heartbeat response carries no other effect.
    (void)r.Step(Msg(kNone, r.id(), MessageType::MsgHeartbeatResponse, term));
  }
  r.ReadMessages();
}

namespace {
std::vector<PeerSpec> FreshPeers(int n) {
  std::vector<PeerSpec> peers;
  for (int i = 0; i < n; ++i) peers.push_back(PeerSpec::Fresh());
  return peers;
}
}  // namespace

Network::Network(int n, Options options) : Network(FreshPeers(n), options) {}

Network::Network(std::vector<PeerSpec> peers, Options options)
    : options_(options), rng_(options.seed) {
  std::vector<uint64_t> ids;
  for (size_t i = 0; i < peers.size(); ++i) ids.push_back(i + 1);
  ids_ = ids;
  for (size_t i = 0; i < peers.size(); ++i) {
    const uint64_t id = ids[i];
    PeerSpec& spec = peers[i];
    if (spec.kind == PeerSpec::Kind::kBlackHole) continue;
    storages_[id] = spec.storage ? std::move(spec.storage) : std::make_unique<MemoryStorage>();
    rafts_[id] = NewTestRaft(id, ids, options_.election_tick, options_.heartbeat_tick,
                             storages_[id].get(), options_.seed);
  }
}

void Network::Send(std::vector<Message> msgs, int max_steps) {
  std::deque<Message> queue(std::make_move_iterator(msgs.begin()),
                            std::make_move_iterator(msgs.end()));
  int steps = 0;
  while (!queue.empty()) {
    if (++steps > max_steps) {
      std::fprintf(stderr, "Network::Send: still busy after %d deliveries\n", max_steps);
      std::abort();
    }
    Message m = std::move(queue.front());
    queue.pop_front();
    auto it = rafts_.find(m.to());
    if (it == rafts_.end()) continue;  // black hole or unknown node
    ++delivered_;
    (void)it->second->Step(m);
    for (Message& out : Filter(it->second->ReadMessages())) queue.push_back(std::move(out));
  }
}

std::vector<Message> Network::Filter(std::vector<Message> msgs) {
  std::vector<Message> out;
  out.reserve(msgs.size());
  for (Message& m : msgs) {
    if (m.msg_type() == MessageType::MsgHup || m.msg_type() == MessageType::MsgBeat) {
      std::fprintf(stderr, "Network: local message type %d on the wire\n", m.msg_type());
      std::abort();
    }
    bool drop = ignore_.count(m.msg_type()) != 0;
    if (!drop) {
      auto it = drop_.find({m.from(), m.to()});
      if (it != drop_.end()) {
        const uint64_t kScale = 1000000;
        drop = UniformBelow([this] { return rng_.Next(); }, kScale) <
               static_cast<uint64_t>(it->second * kScale);
      }
    }
    if (!drop && hook_ && !hook_(m)) drop = true;
    if (drop) {
      ++dropped_;
      continue;
    }
    out.push_back(std::move(m));
  }
  return out;
}

void Network::Drop(uint64_t from, uint64_t to, double p) { drop_[{from, to}] = p; }

void Network::Cut(uint64_t a, uint64_t b) {
  Drop(a, b, 1.0);
  Drop(b, a, 1.0);
}

void Network::Isolate(uint64_t id) {
  for (uint64_t other : ids_) {
    if (other != id) Cut(id, other);
  }
}

void Network::Ignore(MessageType type) { ignore_.insert(type); }

void Network::Recover() {
  drop_.clear();
  ignore_.clear();
}

std::vector<eraftpb::Entry> Network::Stabilize(uint64_t id) {
  Raft& r = raft(id);
  RaftLog& log = r.mutable_raft_log();
  auto unstable = log.UnstableEntries();
  if (!unstable.empty()) {
    (void)storage(id).Append(unstable);
    log.StableTo(unstable.back().index(), unstable.back().term());
  }
  auto ents = log.NextEnts();
  if (!ents.empty()) log.AppliedTo(ents.back().index());
  return ents;
}

void Network::SnapshotAndCompact(uint64_t id) {
  Stabilize(id);
  Raft& r = raft(id);
  eraftpb::ConfState cs;
  for (uint64_t n : r.Nodes()) cs.add_nodes(n);
  const uint64_t applied = r.raft_log().applied();
  (void)storage(id).CreateSnapshot(applied, cs, "snapshot@" + std::to_string(applied));
  (void)storage(id).Compact(applied);
}

}  // namespace tinykv::raft::testing
