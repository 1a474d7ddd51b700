// Small helpers shared by the graded Raft tests (labs/raft, labs/multiraft). Test code only.
#pragma once

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

}  // namespace tinykv::labs
