// Scratch directories of the grading runner: `<root>/tinykv-<kind>-XXXXXX`, one per seed run
// (and per replay or determinism check), removed however the run ends.
//
// - Normally the ScratchDir object removes its directory when it goes out of scope.
// - When the runner is interrupted (SIGINT / SIGTERM / SIGHUP) or killed (kill -9), each seed's
//   supervisor, told by a signal (or its parent-death signal), removes the seed's scratch
//   directory itself after killing the test (grading/runner/supervisor.h).
// - Whatever is still left — a supervisor that was killed outright — is removed by the next run:
//   each directory holds a lock file locked (flock) by the process that made it for as long as it
//   lives, so a directory whose lock can be taken belongs to a process that is gone.
#pragma once

#include <string>

namespace tinykv::grading::runner {

class ScratchDir {
 public:
  // `kind`: "grade", "replay", "determinism". path() is empty when it could not be made.
  ScratchDir(const std::string& root, const std::string& kind);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int lock_fd_ = -1;
};

// Removes a directory tree, making read-only directories the test left writable first.
void RemoveScratchTree(const std::string& path);

// Removes the scratch directories under `root` that a process now gone left behind. Returns how
// many it removed.
int RemoveStaleScratch(const std::string& root);

}  // namespace tinykv::grading::runner
