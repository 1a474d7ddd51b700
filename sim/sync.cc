#include "sim/sync.h"

#include <algorithm>
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
  // Wake only marks fibers ready (none runs before this returns), so the list cannot change
  // under the loop; clearing in place keeps the vector's capacity for the next waits.
  Executor& ex = Executor::Current();
  for (const WaitToken& t : tokens_) ex.Wake(t);
  tokens_.clear();
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
  // A one-off Selector: one wait loop and one draw rule for both.
  Selector selector(sources);
  return selector.Wait(timeout);
}

Selectable::~Selectable() {
  for (Selector* selector : selectors_) selector->Forget(this);
}

void Selectable::NotifyReceivers() {
  receivers_.WakeAll();
  for (Selector* selector : selectors_) selector->Notify();
}

Selector::Selector(std::initializer_list<Selectable*> sources)
    : ex_(Executor::Current()), sources_(sources) {
  for (Selectable* source : sources_) source->selectors_.push_back(this);
}

Selector::~Selector() {
  for (Selectable* source : sources_) {
    if (source != nullptr) std::erase(source->selectors_, this);
  }
}

void Selector::Forget(Selectable* source) {
  std::replace(sources_.begin(), sources_.end(), source, static_cast<Selectable*>(nullptr));
}

void Selector::Notify() {
  if (!waiting_) return;
  waiting_ = false;
  ex_.Wake(token_);
}

int Selector::Wait(Duration timeout) {
  const Time deadline = timeout == kForever ? Time::max() : ex_.Now() + timeout;
  static const std::string kSelector = "select";
  auto ready = [](const Selectable* s) { return s != nullptr && s->ReadyToReceive(); };
  for (;;) {
    size_t ready_count = 0;
    int last_ready = -1;
    for (size_t i = 0; i < sources_.size(); ++i) {
      if (ready(sources_[i])) {
        ++ready_count;
        last_ready = static_cast<int>(i);
      }
    }
    // The same draw as Select: none for a lone ready source, else the k-th ready one.
    if (ready_count == 1) return last_ready;
    if (ready_count > 1) {
      size_t pick = static_cast<size_t>(ex_.rng().Below(ready_count));
      for (size_t i = 0; i < sources_.size(); ++i) {
        if (ready(sources_[i]) && pick-- == 0) return static_cast<int>(i);
      }
    }
    token_ = ex_.PrepareWait();
    waiting_ = true;
    const WakeReason reason = ex_.Park("select", &kSelector, deadline);
    waiting_ = false;
    if (reason == WakeReason::kTimeout) return -1;
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
