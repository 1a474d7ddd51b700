// Command-line parsing shared by the checkers' binaries (tinykv-lincheck, tinykv-sicheck):
// CLI11's parse with the project's contract — help exits 0, any usage error prints one
// "PROGRAM: what" line plus the usage line and exits with the usage code. Includes CLI11: only
// the binaries' main files include this header.
#pragma once

#include <CLI/CLI.hpp>

#include <iostream>
#include <optional>
#include <string>

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

}  // namespace tinykv::check
