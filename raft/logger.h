// Logger: how the Raft library reports what it does, injected through Config.
//
// Raft performs no I/O of its own; it hands one formatted line per event to the Logger the caller
// supplied (the simulator's trace, a real log, or nothing). Implementations are called on the
// node's own fiber only and must not call back into raft.
#pragma once

#include <string_view>

namespace tinykv::raft {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

class Logger {
 public:
  virtual ~Logger() = default;
  // `line` is one event without a trailing newline, e.g. "1 became leader at term 3".
  virtual void Log(LogLevel level, std::string_view line) = 0;
};

// Drops everything. The default when Config::logger is null.
class NoopLogger final : public Logger {
 public:
  void Log(LogLevel, std::string_view) override {}
  static NoopLogger* Instance();
};

}  // namespace tinykv::raft
