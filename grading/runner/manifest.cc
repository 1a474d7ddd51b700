#include "grading/runner/manifest.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "grading/runner/manifest.pb.h"

namespace tinykv::grading::runner {
namespace {

namespace fs = std::filesystem;

// Keeps the first parse error with its position (TextFormat reports 0-based lines).
class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (!error_.empty()) return;
    error_ = "line " + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
  }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

bool IsPartName(const std::string& name) {
  if (name.size() < 4 || name.compare(0, 3, "lab") != 0) return false;
  if (name[3] < '0' || name[3] > '9') return false;
  for (size_t i = 4; i < name.size(); ++i) {
    if (name[i] < 'a' || name[i] > 'z') return false;
  }
  return true;
}

bool IsIdentifier(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// "Suite.Name" with GoogleTest identifier characters, or "Prefix/Suite.Name/Param" forms are not
// allowed: the runner passes the name as a --gtest_filter and must select exactly one test.
bool IsTestName(const std::string& name) {
  size_t dot = name.find('.');
  if (dot == std::string::npos || name.find('.', dot + 1) != std::string::npos) return false;
  return IsIdentifier(name.substr(0, dot)) && IsIdentifier(name.substr(dot + 1));
}

// Merges `over` onto `base`: fields set in `over` win.
RunDefaults Merge(const RunDefaults& base, const RunDefaults& over) {
  RunDefaults out = base;
  if (!over.binary().empty()) out.set_binary(over.binary());
  if (over.seeds_size() > 0 || over.seed_count() > 0) {
    out.clear_seeds();
    out.mutable_seeds()->CopyFrom(over.seeds());
    out.set_seed_count(over.seed_count());
  }
  if (over.timeout_seconds() > 0) out.set_timeout_seconds(over.timeout_seconds());
  if (over.memory_limit_mb() > 0) out.set_memory_limit_mb(over.memory_limit_mb());
  return out;
}

}  // namespace

const std::vector<KnownPart>& KnownParts() {
  static const std::vector<KnownPart> kParts = {
      {"lab1", "standalone"}, {"lab2aa", "raft"}, {"lab2ab", "raft"},     {"lab2ac", "raft"},
      {"lab2b", "raft"},      {"lab2c", "raft"},  {"lab3a", "multiraft"}, {"lab3b", "multiraft"},
      {"lab3c", "multiraft"}, {"lab4a", "txn"},   {"lab4b", "txn"},       {"lab4c", "txn"},
      {"lab4d", "txn"},
  };
  return kParts;
}

const TestPlan* Catalog::FindTest(const std::string& name) const {
  for (const PartInfo& part : parts) {
    for (const TestPlan& test : part.tests) {
      if (test.name == name) return &test;
    }
  }
  return nullptr;
}

const PartInfo* Catalog::FindPart(const std::string& name) const {
  for (const PartInfo& part : parts) {
    if (part.name == name) return &part;
  }
  return nullptr;
}

bool ParseLabManifest(const std::string& text, const std::string& origin,
                      const std::string& lab_dir, std::vector<PartInfo>* parts,
                      std::string* error) {
  LabManifest manifest;
  google::protobuf::TextFormat::Parser parser;
  FirstErrorCollector collector;
  parser.RecordErrorsTo(&collector);
  if (!parser.ParseFromString(text, &manifest)) {
    *error = origin + ": " + (collector.error().empty() ? "parse error" : collector.error());
    return false;
  }
  auto fail = [&](const std::string& what) {
    *error = origin + ": " + what;
    return false;
  };
  std::string lab = manifest.lab().empty() ? lab_dir : manifest.lab();
  if (lab.empty()) return fail("no `lab` name");
  if (!lab_dir.empty() && lab != lab_dir) {
    return fail("lab is \"" + lab + "\" but the manifest sits in directory \"" + lab_dir + "\"");
  }
  if (manifest.parts_size() == 0) return fail("no parts");
  std::set<std::string> seen_tests;
  for (const Part& part : manifest.parts()) {
    if (!IsPartName(part.name())) {
      return fail("part name \"" + part.name() + "\" is not lab<digit><letters> (e.g. lab2aa)");
    }
    PartInfo info;
    info.name = part.name();
    info.lab = lab;
    info.title = part.title();
    info.from_manifest = true;
    info.files.assign(part.files().begin(), part.files().end());
    RunDefaults part_run = Merge(manifest.run(), part.run());
    for (const GradedTest& test : part.tests()) {
      const std::string where = "part " + part.name() + ", test \"" + test.name() + "\": ";
      if (!IsTestName(test.name())) return fail(where + "name must be Suite.Name");
      if (!seen_tests.insert(test.name()).second) return fail(where + "listed twice");
      RunDefaults run = Merge(part_run, test.run());
      TestPlan plan;
      plan.part = part.name();
      plan.name = test.name();
      plan.binary = run.binary();
      if (test.points() > kMaxPointsPerTest) {
        return fail(where + "points " + std::to_string(test.points()) + " above " +
                    std::to_string(kMaxPointsPerTest));
      }
      plan.points = test.points();
      plan.scenario = test.scenario();
      if (plan.binary.empty()) return fail(where + "no test binary (set run { binary: ... })");
      if (plan.binary[0] == '/' || plan.binary.find("..") != std::string::npos) {
        return fail(where + "binary \"" + plan.binary + "\" must be relative to the build dir");
      }
      if (run.seeds_size() > 0 && run.seed_count() > 0) {
        return fail(where + "give either seeds or seed_count, not both");
      }
      if (run.seeds_size() > 0) {
        plan.default_seeds.assign(run.seeds().begin(), run.seeds().end());
        std::set<uint64_t> unique(plan.default_seeds.begin(), plan.default_seeds.end());
        if (unique.size() != plan.default_seeds.size()) return fail(where + "duplicate seeds");
      } else {
        uint32_t count = run.seed_count() > 0 ? run.seed_count() : kDefaultSeedCount;
        if (count > 100000) return fail(where + "seed_count above 100000");
        for (uint32_t i = 1; i <= count; ++i) plan.default_seeds.push_back(i);
      }
      if (run.timeout_seconds() > kMaxTimeoutSeconds) {
        return fail(where + "timeout_seconds " + std::to_string(run.timeout_seconds()) + " above " +
                    std::to_string(kMaxTimeoutSeconds));
      }
      if (run.memory_limit_mb() > kMaxMemoryLimitMb ||
          (run.memory_limit_mb() > 0 && run.memory_limit_mb() < kMinMemoryLimitMb)) {
        return fail(where + "memory_limit_mb " + std::to_string(run.memory_limit_mb()) +
                    " outside [" + std::to_string(kMinMemoryLimitMb) + ", " +
                    std::to_string(kMaxMemoryLimitMb) + "]");
      }
      if (run.timeout_seconds() > 0) plan.timeout_seconds = run.timeout_seconds();
      if (run.memory_limit_mb() > 0) plan.memory_limit_mb = run.memory_limit_mb();
      info.tests.push_back(std::move(plan));
    }
    parts->push_back(std::move(info));
  }
  return true;
}

bool LoadCatalog(const std::string& manifest_root, Catalog* catalog, std::string* error) {
  std::error_code ec;
  if (!fs::is_directory(manifest_root, ec)) {
    *error = "manifest root " + manifest_root + " is not a directory";
    return false;
  }
  std::vector<fs::path> manifests;
  for (const fs::directory_entry& entry : fs::directory_iterator(manifest_root, ec)) {
    fs::path file = entry.path() / "manifest.textproto";
    if (entry.is_directory() && fs::is_regular_file(file)) manifests.push_back(file);
  }
  if (ec) {
    *error = "cannot list " + manifest_root + ": " + ec.message();
    return false;
  }
  if (manifests.empty()) {
    *error = "no */manifest.textproto under " + manifest_root + " (wrong --manifest-root?)";
    return false;
  }
  std::sort(manifests.begin(), manifests.end());
  std::vector<PartInfo> parts;
  for (const fs::path& file : manifests) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      *error = "cannot read " + file.string();
      return false;
    }
    if (!ParseLabManifest(text.str(), file.string(), file.parent_path().filename().string(), &parts,
                          error)) {
      return false;
    }
  }
  std::set<std::string> names;
  std::set<std::string> tests;
  for (const PartInfo& part : parts) {
    if (!names.insert(part.name).second) {
      *error = "part " + part.name + " is defined by more than one manifest under " + manifest_root;
      return false;
    }
    for (const TestPlan& test : part.tests) {
      if (!tests.insert(test.name).second) {
        *error = "test " + test.name + " is listed in more than one part";
        return false;
      }
    }
  }
  for (const KnownPart& known : KnownParts()) {
    if (names.count(known.name) == 0) {
      PartInfo info;
      info.name = known.name;
      info.lab = known.lab;
      parts.push_back(std::move(info));
    }
  }
  std::sort(parts.begin(), parts.end(),
            [](const PartInfo& a, const PartInfo& b) { return a.name < b.name; });
  catalog->parts = std::move(parts);
  return true;
}

bool SelectParts(const Catalog& catalog, const std::vector<std::string>& selectors,
                 std::vector<const PartInfo*>* out, std::string* error) {
  std::set<std::string> chosen;
  for (const std::string& selector : selectors) {
    bool matched = false;
    for (const PartInfo& part : catalog.parts) {
      if (selector == "all" || part.name.compare(0, selector.size(), selector) == 0) {
        chosen.insert(part.name);
        matched = true;
      }
    }
    if (!matched || (selector != "all" && !IsPartName(selector))) {
      std::string valid = "all";
      std::set<std::string> prefixes;
      for (const PartInfo& part : catalog.parts) {
        // Every proper prefix that is itself a lab name (lab2, lab2a) is an aggregate.
        for (size_t len = 4; len <= part.name.size(); ++len)
          prefixes.insert(part.name.substr(0, len));
      }
      for (const std::string& p : prefixes) valid += " " + p;
      std::vector<std::string> names(prefixes.begin(), prefixes.end());
      *error =
          "unknown lab \"" + selector + "\"" + DidYouMean(selector, names) + "; valid: " + valid;
      return false;
    }
  }
  out->clear();
  for (const PartInfo& part : catalog.parts) {
    if (chosen.count(part.name) > 0) out->push_back(&part);
  }
  return true;
}

bool GlobMatch(const std::string& pattern, const std::string& name) {
  // Iterative matching with one backtrack point (the last '*'), linear in practice.
  size_t p = 0, n = 0, star = std::string::npos, resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (p < pattern.size() && pattern[p] == name[n]) {
      ++p;
      ++n;
    } else if (star != std::string::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string DidYouMean(const std::string& name, const std::vector<std::string>& candidates) {
  const std::string want = Lower(name);
  size_t best = std::max<size_t>(2, want.size() / 3) + 1;  // closer than this, or nothing
  std::vector<std::string> closest;
  for (const std::string& c : candidates) {
    const std::string have = Lower(c);
    // "Unreliable" for "Lab2B.Unreliable" (the suite left out), "Lab4D.Bank" for
    // "Lab4D.BankUnderStoreAndClientCrashes" (cut short): as close as one typo.
    const bool part_of = have.size() > want.size() && want.size() >= 4 &&
                         (have.compare(have.size() - want.size(), want.size(), want) == 0 ||
                          have.compare(0, want.size(), want) == 0);
    const size_t d = part_of ? 1 : EditDistance(want, have);
    if (d < best) {
      best = d;
      closest = {c};
    } else if (d == best && closest.size() < 3) {
      closest.push_back(c);
    }
  }
  if (closest.empty()) return "";
  std::string out = " (did you mean ";
  for (size_t i = 0; i < closest.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == closest.size() ? " or " : ", ") + ("\"" + closest[i] + "\"");
  }
  return out + "?)";
}

bool FilterTests(const std::vector<const PartInfo*>& parts,
                 const std::vector<std::string>& patterns, std::vector<PartInfo>* out,
                 std::string* error) {
  out->clear();
  std::vector<bool> used(patterns.size(), false);
  for (const PartInfo* part : parts) {
    PartInfo kept = *part;
    if (!patterns.empty()) {
      kept.tests.clear();
      for (const TestPlan& test : part->tests) {
        bool match = false;
        for (size_t i = 0; i < patterns.size(); ++i) {
          if (GlobMatch(patterns[i], test.name)) used[i] = match = true;
        }
        if (match) kept.tests.push_back(test);
      }
      if (kept.tests.empty()) continue;
    }
    out->push_back(std::move(kept));
  }
  for (size_t i = 0; i < patterns.size(); ++i) {
    if (used[i]) continue;
    std::vector<std::string> names;
    for (const PartInfo* part : parts) {
      for (const TestPlan& test : part->tests) names.push_back(test.name);
    }
    *error = "no graded test matches \"" + patterns[i] + "\"" + DidYouMean(patterns[i], names) +
             " (`tinykv-grade list` shows them)";
    return false;
  }
  return true;
}

}  // namespace tinykv::grading::runner
