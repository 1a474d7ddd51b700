// Small helpers shared by the graded Raft tests (labs/raft, labs/multiraft). Test code only.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/raft.h"
#include "raft/testing/network.h"

namespace tinykv::labs {

using eraftpb::Entry;
using eraftpb::Message;
using eraftpb::MessageType;
using raft::kNone;
using raft::Raft;
using raft::Role;
using raft::testing::Msg;
using raft::testing::Network;
using raft::testing::PeerSpec;

inline Message Hup(uint64_t id) { return Msg(id, id, MessageType::MsgHup); }
inline Message Beat(uint64_t id) { return Msg(id, id, MessageType::MsgBeat); }
inline Message Prop(uint64_t id, const std::string& data = "somedata") {
  return raft::testing::Propose(id, id, data);
}
inline Message TransferTo(uint64_t transferee, uint64_t to) {
  return Msg(transferee, to, MessageType::MsgTransferLeader);
}

inline Entry E(uint64_t index, uint64_t term, const std::string& data = "") {
  Entry e;
  e.set_index(index);
  e.set_term(term);
  e.set_data(data);
  return e;
}

// (term, data) of every entry in r's log, for whole-log comparisons.
inline std::vector<std::pair<uint64_t, std::string>> LogOf(const Raft& r) {
  std::vector<std::pair<uint64_t, std::string>> out;
  for (const auto& e : r.raft_log().AllEntries()) out.emplace_back(e.term(), e.data());
  return out;
}

inline std::vector<uint64_t> TermsOf(const Raft& r) {
  std::vector<uint64_t> out;
  for (const auto& e : r.raft_log().AllEntries()) out.push_back(e.term());
  return out;
}

inline std::vector<Message> Filter(const std::vector<Message>& msgs, MessageType t) {
  std::vector<Message> out;
  for (const auto& m : msgs) {
    if (m.msg_type() == t) out.push_back(m);
  }
  return out;
}

inline std::vector<uint64_t> Ids(int n) {
  std::vector<uint64_t> ids;
  for (int i = 1; i <= n; ++i) ids.push_back(static_cast<uint64_t>(i));
  return ids;
}

// Safe reads for assertions on what a node holds. A stub (or a bug) leaves logs, message lists and
// progress maps empty; indexing them would crash the test itself, which a student takes for a
// memory bug of their own. These fail the test naming `what` is missing and return a default.
template <class T>
T At(const std::vector<T>& v, size_t i, const std::string& what) {
  if (i < v.size()) return v[i];
  ADD_FAILURE() << what << " has no element " << i << " (it has " << v.size() << ")";
  return T{};
}
template <class T>
T LastOf(const std::vector<T>& v, const std::string& what) {
  if (!v.empty()) return v.back();
  ADD_FAILURE() << what << " is empty";
  return T{};
}
// The leader's progress of peer `id` (a copy), or a failure when it keeps none.
inline raft::Progress ProgressOf(const Raft& r, uint64_t id) {
  if (const raft::Progress* p = r.GetProgress(id)) return *p;
  ADD_FAILURE() << "node " << r.id() << " keeps no progress of peer " << id
                << " (only a leader does: is it one?)";
  return raft::Progress{};
}

}  // namespace tinykv::labs
