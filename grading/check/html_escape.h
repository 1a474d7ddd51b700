// HtmlEscape: text made safe for HTML element content and quoted attribute values (the checkers'
// HTML reports: grading/check/timeline_html.cc, grading/check/si/html_report.cc). Histories are
// input from outside, so every piece of their text goes through it.
#pragma once

#include <string>
#include <string_view>

namespace tinykv::check {

inline std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace tinykv::check
