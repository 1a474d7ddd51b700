// Virtual time. A Duration is a signed count of nanoseconds; a Time is a Duration since the start
// of the run (virtual time 0). In a simulation the clock only moves when nothing is runnable, and
// then it jumps straight to the next timer.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace tinykv::sim {

using Duration = std::chrono::nanoseconds;
using Time = std::chrono::nanoseconds;  // since the start of the run

using namespace std::chrono_literals;  // NOLINT: 5ms, 2s read best in scenario code

// "1.250000s" — fixed format so traces and fault plans diff cleanly.
std::string FormatTime(Time t);

// Parses what FormatTime prints, plus the unit forms "250ms", "3s", "17us", "5ns" and a bare
// integer meaning nanoseconds. Returns false on anything else.
bool ParseTime(const std::string& text, Time* out);

}  // namespace tinykv::sim
