// The course catalog: every lab part and its graded tests, loaded from the lab manifests.
//
// LoadCatalog() reads <manifest_root>/<lab>/manifest.textproto for every lab directory (schema:
// grading/runner/manifest.proto), applies the defaults cascade (lab → part → test → built-in
// defaults below), validates everything, and adds the course's known parts (lab1 … lab4c) that no
// manifest defines yet as parts without tests, so `make lab4a` can say "no tests yet" instead of
// failing. The catalog is plain data, owned by the caller; it is read-only once loaded.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinykv::grading::runner {

// Built-in defaults for what no manifest level sets.
inline constexpr uint32_t kDefaultSeedCount = 5;
inline constexpr uint32_t kDefaultTimeoutSeconds = 120;
inline constexpr uint32_t kDefaultMemoryLimitMb = 4096;
// Bounds a manifest must keep (so that sums of points cannot overflow, and a typo such as an
// extra zero is an error rather than a grade or a run that never ends).
inline constexpr uint32_t kMaxPointsPerTest = 1000;
inline constexpr uint32_t kMaxTimeoutSeconds = 3600;
inline constexpr uint32_t kMaxMemoryLimitMb = 1u << 20;  // 1 TiB
inline constexpr uint32_t kMinMemoryLimitMb = 64;        // what a test program needs to start

struct TestPlan {
  std::string part;    // "lab2aa"
  std::string name;    // "Lab2AA.InitialElection"
  std::string binary;  // relative to the build directory: "labs/raft/lab2a_test"
  uint32_t points = 0;
  std::vector<uint64_t> default_seeds;  // non-empty
  uint32_t timeout_seconds = kDefaultTimeoutSeconds;
  uint32_t memory_limit_mb = kDefaultMemoryLimitMb;
  bool scenario = false;
};

struct PartInfo {
  std::string name;   // "lab2aa"
  std::string lab;    // lab directory: "raft"
  std::string title;  // may be empty
  std::vector<std::string> files;
  std::vector<TestPlan> tests;  // empty: "no tests yet"
  bool from_manifest = false;   // false: a known course part no manifest defines
};

struct Catalog {
  std::vector<PartInfo> parts;  // sorted by name (lab1 < lab2aa < … < lab4c)

  // Returns the test called `name` ("Suite.Name"), or nullptr.
  const TestPlan* FindTest(const std::string& name) const;
  // Returns the part called `name`, or nullptr.
  const PartInfo* FindPart(const std::string& name) const;
};

// The course's parts, in order, with the lab directory each belongs to.
struct KnownPart {
  const char* name;
  const char* lab;
};
const std::vector<KnownPart>& KnownParts();

// Parses one manifest's text. `origin` names it in error messages; `lab_dir` is the directory it
// was found in (its `lab` field must match when both are set). On success appends its parts to
// *parts and returns true; otherwise sets *error to one line naming origin, line and problem.
bool ParseLabManifest(const std::string& text, const std::string& origin,
                      const std::string& lab_dir, std::vector<PartInfo>* parts, std::string* error);

// Loads every <manifest_root>/*/manifest.textproto. A root without any manifest is an error
// (most likely a wrong --manifest-root); a lab directory without a manifest is skipped.
bool LoadCatalog(const std::string& manifest_root, Catalog* catalog, std::string* error);

// Resolves selectors ("lab2a", "lab2", "lab2aa", "all") to parts, in catalog order, each part at
// most once. A selector selects every part whose name starts with it ("lab2" → lab2aa … lab2c).
// Unknown selectors are an error listing the valid ones.
bool SelectParts(const Catalog& catalog, const std::vector<std::string>& selectors,
                 std::vector<const PartInfo*>* out, std::string* error);

// Keeps, of `parts`, the tests whose names match one of `patterns` (a full name "Lab2B.Basic",
// or a glob with '*': "Lab2B.Persist*"), and the parts left with any. Empty patterns keep all.
// A pattern that matches no test of `parts` is an error naming the closest test names.
bool FilterTests(const std::vector<const PartInfo*>& parts,
                 const std::vector<std::string>& patterns, std::vector<PartInfo>* out,
                 std::string* error);

// " (did you mean \"X\"?)" naming the candidates closest to `name` (case-insensitive edit
// distance, or containing it), or "" when none is close.
std::string DidYouMean(const std::string& name, const std::vector<std::string>& candidates);

// Does `name` match the glob `pattern` ('*' matches any run of characters, nothing else is
// special)?
bool GlobMatch(const std::string& pattern, const std::string& name);

}  // namespace tinykv::grading::runner
