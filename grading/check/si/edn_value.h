// A small, general EDN value reader for transactional histories (grading/check/si/).
//
// grading/check/edn.cc keeps its reader private and turns forms straight into KV operations, so
// the snapshot-isolation checker carries its own: it reads any sequence of EDN forms into a tree
// of EdnValue. Supported: maps, vectors, lists, keywords, symbols, integers (64-bit), strings,
// nil, true / false, comments and commas. Not supported (a one-line error): floats, ratios,
// characters, sets and every other '#' dispatch (tagged literals, #_ discard).
//
// ParseEdnValues is a pure function; EdnReader reads forms one at a time from a string or a
// stream. Values are plain data.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "grading/check/status.h"

namespace tinykv::check::si {

struct EdnValue {
  enum class Kind { kNil, kBool, kInteger, kString, kKeyword, kSymbol, kVector, kList, kMap };
  Kind kind = Kind::kNil;
  int64_t integer = 0;          // kInteger; kBool: 1 for true
  std::string text;             // kString: contents (unescaped); kKeyword: name with ':'; kSymbol
  std::vector<EdnValue> items;  // kVector / kList; kMap: alternating key, value
  int line = 0;                 // 1-based position of the value's first character in the source
  int column = 0;

  bool IsKeyword(std::string_view name) const { return kind == Kind::kKeyword && text == name; }
  // kMap only: the value under keyword `key`, or nullptr when absent.
  const EdnValue* Find(std::string_view key) const;
  // The value written back as EDN text: 12, :foo, "a\"b", nil, [1 2], {:a 1}.
  std::string ToString() const;
};

// Parses every top-level form of `text`. On a syntax error returns kDataError with one line
// "SOURCE:LINE:COLUMN: what was wrong".
Result<std::vector<EdnValue>> ParseEdnValues(std::string_view text, std::string_view source);

// Reads forms one at a time, from a string or from a stream read in chunks, so a large file is
// never held whole (a history of a million transactions is hundreds of megabytes of EDN, and its
// tree several times that). Errors as for ParseEdnValues. One thread at a time.
class EdnReader {
 public:
  // `text` and `source` must outlive the reader.
  EdnReader(std::string_view text, std::string_view source);
  // Reads `in` (which must outlive the reader) in chunks of 1 MiB.
  EdnReader(std::istream* in, std::string_view source);
  EdnReader(const EdnReader&) = delete;
  EdnReader& operator=(const EdnReader&) = delete;
  ~EdnReader();

  // Reads the next top-level form into *out (replacing what it held); *done is true, and *out
  // untouched, at the end of the input.
  Status Next(EdnValue* out, bool* done);
  // The same, except that a top-level vector is not returned: its items are, one per call
  // (a Jepsen history is either a sequence of op maps or one vector of them).
  Status NextFlattened(EdnValue* out, bool* done);
  // The stream failed (not end of file) while being read.
  bool stream_failed() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tinykv::check::si
