// TempDir: a fresh directory under /tmp for a test or benchmark that needs a real database,
// removed (with everything in it) when the object dies. Test-only (target tinykv_engine_testutil).
#pragma once

#include <string>

namespace tinykv::store {

class TempDir {
 public:
  // Creates /tmp/<prefix>XXXXXX with mkdtemp. Aborts the test binary with a message naming the
  // path when /tmp is not writable: nothing useful can run without it.
  explicit TempDir(const std::string& prefix = "tinykv-");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace tinykv::store
