#include "grading/runner/scratch.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <filesystem>

namespace tinykv::grading::runner {
namespace {

namespace fs = std::filesystem;

constexpr const char* kLockFile = ".tinykv-owner.lock";
constexpr const char* kPrefix = "tinykv-";
// A directory without its lock file may be one another runner has just made: only one this old
// is taken for abandoned.
constexpr auto kUnlockedGrace = std::chrono::hours(1);

// "tinykv-<kind>-XXXXXX" as mkdtemp makes it, for a kind of ours: nothing else is touched.
bool IsScratchName(const std::string& name) {
  for (const char* kind : {"grade", "replay", "determinism"}) {
    const std::string head = std::string(kPrefix) + kind + "-";
    if (name.size() != head.size() + 6 || name.rfind(head, 0) != 0) continue;
    bool suffix_ok = true;
    for (size_t i = head.size(); i < name.size(); ++i) {
      suffix_ok &= std::isalnum(static_cast<unsigned char>(name[i])) != 0;
    }
    if (suffix_ok) return true;
  }
  return false;
}

}  // namespace

ScratchDir::ScratchDir(const std::string& root, const std::string& kind) {
  std::string pattern =
      (root.empty() ? std::string("/tmp") : root) + "/" + kPrefix + kind + "-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return;
  path_ = pattern;
  // Held, and locked, for as long as this object lives; close-on-exec, so no child holds it.
  lock_fd_ = open((path_ + "/" + kLockFile).c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (lock_fd_ >= 0) flock(lock_fd_, LOCK_EX | LOCK_NB);
}

ScratchDir::~ScratchDir() {
  if (path_.empty()) return;
  RemoveScratchTree(path_);
  if (lock_fd_ >= 0) close(lock_fd_);
}

void RemoveScratchTree(const std::string& path) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(
           path, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec))
      fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
  }
  fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
  fs::remove_all(path, ec);
}

int RemoveStaleScratch(const std::string& root) {
  int removed = 0;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(root, ec)) {
    if (!IsScratchName(entry.path().filename().string()) || !entry.is_directory(ec)) continue;
    struct stat st;
    if (lstat(entry.path().c_str(), &st) != 0 || st.st_uid != getuid()) continue;
    const fs::path lock = entry.path() / kLockFile;
    bool stale = false;
    const int fd = open(lock.c_str(), O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
      stale = flock(fd, LOCK_EX | LOCK_NB) == 0;  // its owner no longer holds it
      close(fd);
    } else {
      // Directories of older runners, or one that is being made right now.
      const auto age = fs::file_time_type::clock::now() - fs::last_write_time(entry.path(), ec);
      stale = !ec && age > kUnlockedGrace;
    }
    if (stale) {
      RemoveScratchTree(entry.path().string());
      ++removed;
    }
  }
  return removed;
}

}  // namespace tinykv::grading::runner
