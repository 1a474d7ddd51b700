#include "txn/latches.h"

#include <algorithm>
#include <utility>

namespace tinykv::txn {

Latches::Guard::Guard(Guard&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), keys_(std::move(other.keys_)) {}

Latches::Guard& Latches::Guard::operator=(Guard&& other) noexcept {
  if (this != &other) {
    Release();
    owner_ = std::exchange(other.owner_, nullptr);
    keys_ = std::move(other.keys_);
  }
  return *this;
}

void Latches::Guard::Release() {
  if (owner_ == nullptr) return;
  std::exchange(owner_, nullptr)->ReleaseKeys(keys_);
}

Latches::Guard Latches::Acquire(std::vector<std::string> keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  // The first of the keys another command holds, or end.
  auto blocker = [&] {
    return std::find_if(keys.begin(), keys.end(),
                        [&](const std::string& k) { return IsLatched(k); });
  };
  if (blocker() != keys.end()) ++waits_;
  for (auto it = blocker(); it != keys.end(); it = blocker()) {
    const std::string waiting_for = *it;  // shown by sim-fibers: "blocked on latch 'k3'"
    sim::Executor& ex = sim::Executor::Current();
    waiters_.Add(ex.PrepareWait());
    ex.Park("latch", &waiting_for);
  }
  latched_.insert(keys.begin(), keys.end());
  return Guard(this, std::move(keys));
}

void Latches::ReleaseKeys(const std::vector<std::string>& keys) {
  for (const std::string& k : keys) latched_.erase(k);
  waiters_.WakeAll();
}

store::Status Latches::CheckWrites(const Guard& guard,
                                   const std::vector<std::string>& written) const {
  if (validation_) validation_(guard.keys(), written);
  for (const std::string& key : written) {
    if (!std::binary_search(guard.keys().begin(), guard.keys().end(), key)) {
      return store::Status::InvalidArgument("latches: the command writes key \"" + key +
                                            "\", which it did not latch");
    }
  }
  return store::Status::OK();
}

}  // namespace tinykv::txn
