#include "grading/runner/run_facts.h"

#include <filesystem>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace tinykv::grading {

bool ReportRunFact(std::string_view key, std::string_view value) {
  const char* path = std::getenv(kResultFileEnvVar);
  if (path == nullptr || *path == '\0') return true;
  std::string line(key);
  line += ' ';
  for (char c : value) line += (c == '\n' || c == '\r') ? ' ' : c;
  line += '\n';
  // One fwrite in append mode: facts from several threads of one test stay whole lines.
  std::FILE* f = std::fopen(path, "a");
  if (f == nullptr) return false;
  bool ok = std::fwrite(line.data(), 1, line.size(), f) == line.size();
  ok = (std::fclose(f) == 0) && ok;
  return ok;
}

std::map<std::string, std::string> ReadRunFacts(const std::string& path) {
  std::map<std::string, std::string> facts;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    size_t space = line.find(' ');
    if (space == std::string::npos || space == 0) continue;
    facts[line.substr(0, space)] = line.substr(space + 1);
  }
  return facts;
}

std::string ArtifactPath(const std::string& name, uint64_t seed, const std::string& ext) {
  const char* dir = std::getenv(kArtifactDirEnvVar);
  std::filesystem::path base =
      dir != nullptr && *dir != '\0'
          ? std::filesystem::path(dir)
          : std::filesystem::path("tinykv-artifacts") / name / ("seed-" + std::to_string(seed));
  std::error_code ec;
  std::filesystem::create_directories(base, ec);  // a failure shows when the file is written
  return (base / (name + "-seed" + std::to_string(seed) + ext)).string();
}

}  // namespace tinykv::grading
