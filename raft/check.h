// RAFT_CHECK: abort with a message when an invariant of the Raft library is broken.
//
// Only for states that cannot happen unless raft itself (or a caller violating a REQUIRES) is
// wrong, e.g. a committed entry about to be overwritten. Never for bad input from the network.
#pragma once

#include <cstdio>
#include <cstdlib>

#define RAFT_CHECK(cond, msg)                                                                  \
  do {                                                                                         \
    if (!(cond)) {                                                                             \
      std::fprintf(stderr, "%s:%d: raft invariant broken: %s (%s)\n", __FILE__, __LINE__, msg, \
                   #cond);                                                                     \
      std::abort();                                                                            \
    }                                                                                          \
  } while (0)
