#include "grading/runner/grader.h"

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "grading/runner/seeds.h"

namespace tinykv::grading::runner {

int TestGrade::seeds_passed() const {
  int n = 0;
  for (const SeedResult& seed : seeds) n += seed.passed() ? 1 : 0;
  return n;
}

uint32_t PartGrade::earned() const {
  uint32_t sum = 0;
  for (const TestGrade& test : tests) sum += test.earned();
  return sum;
}

uint32_t PartGrade::max_points() const {
  uint32_t sum = 0;
  for (const TestGrade& test : tests) sum += test.test.points;
  return sum;
}

uint32_t GradeReport::earned() const {
  uint32_t sum = 0;
  for (const PartGrade& part : parts) sum += part.earned();
  return sum;
}

uint32_t GradeReport::max_points() const {
  uint32_t sum = 0;
  for (const PartGrade& part : parts) sum += part.max_points();
  return sum;
}

bool GradeReport::all_passed() const {
  for (const PartGrade& part : parts) {
    for (const TestGrade& test : part.tests) {
      if (!test.passed()) return false;
    }
  }
  return true;
}

namespace {

// What identifies a build of a file: a relink writes a new file (new inode) or rewrites it (new
// size or modification time).
struct FileStamp {
  bool exists = false;
  uint64_t device = 0, inode = 0, size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

FileStamp StampOf(const std::string& path) {
  FileStamp stamp;
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return stamp;
  stamp.exists = true;
  stamp.device = st.st_dev;
  stamp.inode = st.st_ino;
  stamp.size = static_cast<uint64_t>(st.st_size);
  stamp.mtime_ns = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
  return stamp;
}

}  // namespace

GradeReport Grade(const std::vector<const PartInfo*>& parts, const GradeOptions& options,
                  const ProgressFn& progress) {
  const auto start = std::chrono::steady_clock::now();
  GradeReport report;
  report.seed_base = options.seed_base;
  struct Job {
    size_t part;
    size_t test;
    size_t seed;
  };
  std::vector<Job> jobs;
  for (const PartInfo* part : parts) {
    PartGrade part_grade;
    part_grade.part = *part;
    for (const TestPlan& test : part->tests) {
      TestGrade grade;
      grade.test = test;
      for (uint64_t seed :
           SeedsFor(test.name, test.default_seeds, options.seed_count, options.seed_base)) {
        SeedResult pending;
        pending.seed = seed;
        grade.seeds.push_back(pending);
        jobs.push_back({report.parts.size(), part_grade.tests.size(), grade.seeds.size() - 1});
      }
      part_grade.tests.push_back(std::move(grade));
    }
    report.parts.push_back(std::move(part_grade));
  }

  // Every binary as it was when the grade began; checked around each seed.
  std::map<std::string, FileStamp> stamps;
  for (const PartGrade& part : report.parts) {
    for (const TestGrade& test : part.tests) {
      const std::string path =
          (std::filesystem::path(options.build_dir) / test.test.binary).string();
      stamps.emplace(path, StampOf(path));
    }
  }
  std::atomic<size_t> next{0};
  std::mutex mu;  // guards the progress counters, the callback and build_changed
  auto unchanged = [&](const std::string& path) {
    if (StampOf(path) == stamps.at(path)) return true;
    std::lock_guard<std::mutex> lock(mu);
    if (report.build_changed.empty()) report.build_changed = path;
    next.store(jobs.size());  // start nothing more
    return false;
  };
  int done = 0;
  int failed = 0;
  auto worker = [&] {
    for (size_t i = next.fetch_add(1); i < jobs.size(); i = next.fetch_add(1)) {
      const Job& job = jobs[i];
      TestGrade& test = report.parts[job.part].tests[job.test];
      SeedResult& slot = test.seeds[job.seed];
      SeedRunOptions run;
      run.build_dir = options.build_dir;
      run.scratch_root = options.scratch_root;
      if (!options.artifact_root.empty()) {
        run.artifact_dir = (std::filesystem::path(options.artifact_root) / test.test.name /
                            ("seed-" + std::to_string(slot.seed)))
                               .string();
      }
      run.timeout_seconds = options.timeout_seconds;
      run.memory_limit_mb = options.memory_limit_mb;
      run.memory_cap_mb = options.memory_cap_mb;
      run.output_limit_bytes = options.output_limit_bytes;
      const std::string binary =
          (std::filesystem::path(options.build_dir) / test.test.binary).string();
      if (!unchanged(binary)) return;
      // Each job writes only its own slot: no lock needed for the results themselves.
      slot = RunTestSeed(test.test, slot.seed, run);
      if (!unchanged(binary)) return;
      std::lock_guard<std::mutex> lock(mu);
      ++done;
      if (!slot.passed()) ++failed;
      if (progress) {
        progress(done, static_cast<int>(jobs.size()), failed,
                 test.test.name + " seed " + std::to_string(slot.seed));
      }
    }
  };
  const int threads = std::max(1, std::min<int>(options.jobs, static_cast<int>(jobs.size())));
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  report.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace tinykv::grading::runner
