#include "sim/sync.h"

#include <cstdio>
#include <cstdlib>

namespace tinykv::sim {

void WaitList::Add(WaitToken token) {
  // Drop entries whose wait is over, so a fiber that keeps timing out does not grow the list.
  if (tokens_.size() >= 8) {
    Executor& ex = Executor::Current();
    std::erase_if(tokens_, [&ex](const WaitToken& t) { return !ex.IsWaiting(t); });
  }
  tokens_.push_back(token);
}

void WaitList::WakeAll() {
  if (tokens_.empty()) return;
  std::vector<WaitToken> tokens = std::move(tokens_);
  tokens_.clear();
  Executor& ex = Executor::Current();
  for (const WaitToken& t : tokens) ex.Wake(t);
}

void WaitList::WakeOne() {
  if (tokens_.empty()) return;
  Executor& ex = Executor::Current();
  size_t i = 0;
  while (i < tokens_.size() && !ex.Wake(tokens_[i])) ++i;
  tokens_.erase(tokens_.begin(),
                tokens_.begin() + static_cast<long>(std::min(i + 1, tokens_.size())));
}

int Select(std::initializer_list<Selectable*> sources, Duration timeout) {
  Executor& ex = Executor::Current();
  const Time deadline = timeout == kForever ? Time::max() : ex.Now() + timeout;
  static const std::string kSelect = "select";
  for (;;) {
    std::vector<int> ready;
    int index = 0;
    for (Selectable* s : sources) {
      if (s->ReadyToReceive()) ready.push_back(index);
      ++index;
    }
    if (!ready.empty()) {
      return ready.size() == 1 ? ready[0]
                               : ready[static_cast<size_t>(ex.rng().Below(ready.size()))];
    }
    const WaitToken token = ex.PrepareWait();
    for (Selectable* s : sources) s->receive_waiters().Add(token);
    if (ex.Park("select", &kSelect, deadline) == WakeReason::kTimeout) return -1;
  }
}

void WaitGroup::Done() {
  if (count_ <= 0) {
    std::fprintf(stderr, "sim: fatal: WaitGroup '%s' Done() without a matching Add()\n",
                 name_.c_str());
    std::abort();
  }
  if (--count_ == 0) waiters_.WakeAll();
}

bool WaitGroup::Wait(Duration timeout) {
  Executor& ex = Executor::Current();
  const Time deadline = timeout == kForever ? Time::max() : ex.Now() + timeout;
  while (count_ > 0) {
    waiters_.Add(ex.PrepareWait());
    if (ex.Park("waitgroup", &name_, deadline) == WakeReason::kTimeout) return count_ == 0;
  }
  return true;
}

}  // namespace tinykv::sim
