#include "sim/time.h"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>

namespace tinykv::sim {

std::string FormatTime(Time t) {
  int64_t ns = t.count();
  const char* sign = "";
  if (ns < 0) {
    sign = "-";
    ns = -ns;
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%" PRId64 ".%06" PRId64 "s", sign, ns / 1000000000,
                (ns % 1000000000) / 1000);
  return buf;
}

bool ParseTime(const std::string& text, Time* out) {
  if (text.empty()) return false;
  // Seconds with a fraction: "1.250000s".
  size_t dot = text.find('.');
  if (dot != std::string::npos) {
    if (text.back() != 's' || text.size() < dot + 3) return false;
    std::string whole = text.substr(0, dot);
    std::string frac = text.substr(dot + 1, text.size() - dot - 2);
    if (whole.empty() || frac.empty() || frac.size() > 9) return false;
    for (char c : whole + frac) {
      if (c < '0' || c > '9') return false;
    }
    while (frac.size() < 9) frac += '0';
    int64_t secs = std::strtoll(whole.c_str(), nullptr, 10);
    int64_t nanos = std::strtoll(frac.c_str(), nullptr, 10);
    if (secs > INT64_MAX / 1000000000 - 1) return false;
    *out = Time(secs * 1000000000 + nanos);
    return true;
  }
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) return false;
  errno = 0;
  int64_t value = std::strtoll(text.substr(0, digits).c_str(), nullptr, 10);
  if (errno != 0) return false;
  std::string unit = text.substr(digits);
  int64_t scale;
  if (unit.empty() || unit == "ns") {
    scale = 1;
  } else if (unit == "us") {
    scale = 1000;
  } else if (unit == "ms") {
    scale = 1000000;
  } else if (unit == "s") {
    scale = 1000000000;
  } else {
    return false;
  }
  if (value > INT64_MAX / scale) return false;
  *out = Time(value * scale);
  return true;
}

}  // namespace tinykv::sim
