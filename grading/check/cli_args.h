// Command-line parsing shared by the checkers' binaries (tinykv-lincheck, tinykv-sicheck):
// CLI11's parse with the project's contract — help exits 0, any usage error prints one
// "PROGRAM: what" line plus the usage line and exits with the usage code. Includes CLI11: only
// the binaries' main files include this header.
#pragma once

#include <CLI/CLI.hpp>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "grading/check/status.h"

namespace tinykv::check {

// nullopt: the arguments parsed, go on; otherwise the code `main` returns now.
inline std::optional<int> ParseArgs(CLI::App& app, int argc, char** argv,
                                    const std::string& program, const std::string& usage,
                                    int usage_code) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << program << ": " << e.what() << "\n"
              << "usage: " << usage << "\n";
    return usage_code;
  }
  return std::nullopt;
}

// A CLI11 validator for a time budget: a number of seconds above 0 and at most 10^9 (so the
// error reads "must be a number of seconds above 0", not CLI11's range of doubles).
inline CLI::Validator Seconds() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || *end != '\0' || !std::isfinite(v) || v <= 0 || v > 1e9) {
          return "must be a number of seconds above 0 (at most 1e9), not \"" + text + "\"";
        }
        return "";
      },
      "SECONDS", "Seconds");
}

// A history file argument that can be checked: it exists, is a regular file, and is not empty
// (an empty history says nothing; "valid: 0 operations" would be a check that cannot fail).
inline Status CheckHistoryFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::NoInput(path + ": is a directory, not a history file");
  }
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::NoInput(path + ": no such history file");
  }
  if (std::filesystem::file_size(path, ec) == 0 && !ec) {
    return Status::DataError(path + ": the history is empty (no operations to check)");
  }
  return Status::Ok();
}

}  // namespace tinykv::check
