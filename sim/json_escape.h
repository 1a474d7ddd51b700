// JSON string escaping, for everything that writes JSON by hand: the event trace (JSONL, Chrome
// trace), the grading runner's reports and the data embedded in the HTML timeline.
//
// Header-only, so libraries that do not link the simulator (the checker, the runner) share it.
// Escapes '"' and '\\', \n \r \t by their short forms, other control characters and DEL as
// \u00XX; every other byte is copied, so UTF-8 text stays UTF-8 (validating it is the caller's
// job). With `html_safe`, '<', '>' and '&' become \u003c, \u003e, \u0026 as well, so the literal
// can sit inside a <script> element without closing it or opening a comment.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace tinykv::sim {

// The escaped text, without the surrounding quotes.
inline std::string JsonEscape(std::string_view text, bool html_safe = false) {
  std::string out;
  out.reserve(text.size() + 2);
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == 0x7f || (html_safe && (ch == '<' || ch == '>' || ch == '&'))) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out;
}

// A JSON string literal: the escaped text in double quotes.
inline std::string JsonQuote(std::string_view text, bool html_safe = false) {
  return "\"" + JsonEscape(text, html_safe) + "\"";
}

}  // namespace tinykv::sim
