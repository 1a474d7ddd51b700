// MetaStore: where the scheduler keeps what must survive a restart (the TSO window, the id
// allocator's end, the cluster's stores and regions). The core only sees this interface; the
// node adapts an engine to it (MemEngine in simulation, RocksDB for real).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "scheduler/status.h"

namespace tinykv::scheduler {

class MetaStore {
 public:
  virtual ~MetaStore() = default;
  // The value saved at `key`: NotFound when nothing is, IoError when it cannot be read.
  virtual Status Load(std::string_view key, std::string* value) = 0;
  // Durable when it returns OK; IoError otherwise (and then nothing may be assumed saved).
  virtual Status Save(std::string_view key, std::string_view value) = 0;
  // Calls fn(key, value) for every saved key starting with `prefix`, in key order, until fn
  // returns a non-OK status (returned). IoError when the store cannot be read.
  virtual Status Scan(std::string_view prefix,
                      const std::function<Status(std::string_view, std::string_view)>& fn) = 0;
};

// In memory, for tests: counts saves and can be told to fail them.
class MemMetaStore final : public MetaStore {
 public:
  Status Load(std::string_view key, std::string* value) override;
  Status Save(std::string_view key, std::string_view value) override;
  Status Scan(std::string_view prefix,
              const std::function<Status(std::string_view, std::string_view)>& fn) override;

  void set_fail_saves(bool fail) { fail_saves_ = fail; }
  int saves() const { return saves_; }

 private:
  std::map<std::string, std::string, std::less<>> values_;
  bool fail_saves_ = false;
  int saves_ = 0;
};

}  // namespace tinykv::scheduler
