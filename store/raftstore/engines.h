// Engines: the two databases of one store, as in TinyKV.
//
//  * raft: the Raft log entries and RaftLocalState of every peer (written when a Ready is
//    persisted, always with sync: it is the store's write-ahead log);
//  * kv:   user data under 'z' keys, plus each peer's RaftApplyState and RegionLocalState, written
//    together so that applied data and the applied index move atomically.
// The StoreNode opens and owns both for one incarnation of the store; everything else borrows
// them. Used on the store's fibers only.
#pragma once

#include "store/engine/engine.h"

namespace tinykv::raftstore {

struct Engines {
  store::Engine* raft = nullptr;
  store::Engine* kv = nullptr;
};

}  // namespace tinykv::raftstore
