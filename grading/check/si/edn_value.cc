#include "grading/check/si/edn_value.h"

#include <array>
#include <cctype>
#include <limits>
#include <utility>

namespace tinykv::check::si {

namespace {

constexpr int kMaxDepth = 64;

// Character classes, by table: std::isspace is a library call per character, and reading is
// mostly skipping characters.
constexpr uint8_t kSpace = 1;      // whitespace or ',' (EDN treats commas as whitespace)
constexpr uint8_t kDelimiter = 2;  // ends an atom

constexpr std::array<uint8_t, 256> MakeClasses() {
  std::array<uint8_t, 256> c{};
  for (unsigned char ch : {' ', '\t', '\n', '\v', '\f', '\r', ','}) c[ch] = kSpace | kDelimiter;
  for (unsigned char ch : {'{', '}', '[', ']', '(', ')', '"', ';'}) c[ch] = kDelimiter;
  return c;
}
constexpr std::array<uint8_t, 256> kClasses = MakeClasses();

bool IsSpace(char c) { return (kClasses[static_cast<unsigned char>(c)] & kSpace) != 0; }
bool IsDelimiter(char c) { return (kClasses[static_cast<unsigned char>(c)] & kDelimiter) != 0; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

class EdnReader::Impl {
 public:
  Impl(std::string_view text, std::string_view source)
      : p_(text.data()), end_(text.data() + text.size()), source_(source) {}
  Impl(std::istream* in, std::string_view source) : in_(in), buf_(kChunk), source_(source) {
    p_ = end_ = buf_.data();
  }

  Status Next(EdnValue* out, bool* done) {
    SkipSpace();
    *done = AtEnd();
    if (*done) return Status::Ok();
    return Read(out, 0);
  }

  Status NextFlattened(EdnValue* out, bool* done) {
    for (;;) {
      SkipSpace();
      if (in_vector_) {
        if (AtEnd())
          return Error(vector_line_, vector_column_, "missing ']' for the form opened here");
        if (*p_ == ']') {
          Advance();
          in_vector_ = false;
          continue;
        }
        *done = false;
        return Read(out, 1);
      }
      *done = AtEnd();
      if (*done) return Status::Ok();
      if (*p_ != '[') return Read(out, 0);
      vector_line_ = line_;
      vector_column_ = column_;
      Advance();
      in_vector_ = true;
    }
  }

  bool stream_failed() const { return in_ != nullptr && in_->bad(); }

 private:
  static constexpr size_t kChunk = 1 << 20;

  Status Error(int line, int column, const std::string& msg) const {
    return Status::DataError(std::string(source_) + ":" + std::to_string(line) + ":" +
                             std::to_string(column) + ": " + msg);
  }
  Status ErrorHere(const std::string& msg) const { return Error(line_, column_, msg); }

  // True at the end of the input; otherwise *p_ is the next character.
  bool AtEnd() { return p_ == end_ && !Refill(); }

  bool Refill() {
    if (in_ == nullptr || !*in_) return false;
    in_->read(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    p_ = buf_.data();
    end_ = p_ + in_->gcount();
    return p_ != end_;
  }

  // REQUIRES: !AtEnd().
  char Advance() {
    char c = *p_++;
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    return c;
  }

  void SkipSpace() {
    for (;;) {
      while (p_ != end_ && IsSpace(*p_)) {
        if (*p_++ == '\n') {
          ++line_;
          column_ = 1;
        } else {
          ++column_;
        }
      }
      if (p_ == end_) {
        if (!Refill()) return;
        continue;
      }
      if (*p_ != ';') return;
      while (!AtEnd() && *p_ != '\n') Advance();
    }
  }

  // Reads into *out, reusing the storage of what it held (a history's ops all have about the same
  // shape, so reading op after op into one EdnValue allocates almost nothing).
  Status Read(EdnValue* out, int depth) {
    out->integer = 0;
    out->text.clear();
    if (depth > kMaxDepth) return ErrorHere("EDN nested too deeply");
    SkipSpace();
    if (AtEnd()) return ErrorHere("unexpected end of input inside a form");
    out->line = line_;
    out->column = column_;
    char c = *p_;
    switch (c) {
      case '{':
        Advance();
        out->kind = EdnValue::Kind::kMap;
        if (Status s = ReadItems(out, '}', depth); !s.ok()) return s;
        if (out->items.size() % 2 != 0) {
          return Error(out->line, out->column, "map has a key without a value");
        }
        return Status::Ok();
      case '[':
        Advance();
        out->kind = EdnValue::Kind::kVector;
        return ReadItems(out, ']', depth);
      case '(':
        Advance();
        out->kind = EdnValue::Kind::kList;
        return ReadItems(out, ')', depth);
      case '}':
      case ']':
      case ')':
        return ErrorHere(std::string("unexpected '") + c + "'");
      case '"':
        out->items.clear();
        return ReadString(out);
      case '#':
        return ErrorHere("'#' forms (sets, tags, discards) are not supported");
      default:
        out->items.clear();
        return ReadAtom(out);
    }
  }

  Status ReadItems(EdnValue* out, char close, int depth) {
    size_t n = 0;  // items read; out->items beyond them are old storage to reuse
    for (;;) {
      SkipSpace();
      if (AtEnd()) {
        out->items.resize(n);
        return Error(out->line, out->column,
                     std::string("missing '") + close + "' for the form opened here");
      }
      if (*p_ == close) {
        Advance();
        out->items.resize(n);
        return Status::Ok();
      }
      if (n == out->items.size()) out->items.emplace_back();
      if (Status s = Read(&out->items[n++], depth + 1); !s.ok()) {
        out->items.resize(n);
        return s;
      }
    }
  }

  Status ReadString(EdnValue* out) {
    Advance();  // opening quote
    out->kind = EdnValue::Kind::kString;
    while (!AtEnd() && *p_ != '"') {
      char c = Advance();
      if (c != '\\') {
        out->text.push_back(c);
        continue;
      }
      if (AtEnd()) break;
      char e = Advance();
      switch (e) {
        case 'n':
          out->text.push_back('\n');
          break;
        case 't':
          out->text.push_back('\t');
          break;
        case 'r':
          out->text.push_back('\r');
          break;
        case '"':
        case '\\':
          out->text.push_back(e);
          break;
        default:
          return Error(line_, column_ - 2, std::string("unknown escape '\\") + e + "' in string");
      }
    }
    if (AtEnd()) return Error(out->line, out->column, "unterminated string");
    Advance();  // closing quote
    return Status::Ok();
  }

  Status ReadAtom(EdnValue* out) {
    // The common case first: a short unsigned integer inside the chunk, parsed while scanned.
    {
      const char* q = p_;
      int64_t v = 0;
      while (q != end_ && IsDigit(*q) && q - p_ < 18) v = v * 10 + (*q++ - '0');
      if (q != p_ && q != end_ && IsDelimiter(*q)) {
        column_ += static_cast<int>(q - p_);
        p_ = q;
        out->kind = EdnValue::Kind::kInteger;
        out->integer = v;
        return Status::Ok();
      }
    }
    // An atom has no newline, so it only moves the column. When it ends inside the current chunk
    // it is parsed where it lies; one cut by the chunk's end is gathered first.
    const char* end = p_;
    while (end != end_ && !IsDelimiter(*end)) ++end;
    std::string_view tok;
    if (end != end_ || in_ == nullptr) {
      tok = std::string_view(p_, static_cast<size_t>(end - p_));
      column_ += static_cast<int>(tok.size());
      p_ = end;
    } else {
      token_.clear();
      while (!AtEnd() && !IsDelimiter(*p_)) token_.push_back(Advance());
      tok = token_;
    }
    if (tok.empty()) return Error(out->line, out->column, "empty token");
    if (tok[0] == ':') {
      if (tok.size() == 1) return Error(out->line, out->column, "keyword without a name");
      out->kind = EdnValue::Kind::kKeyword;
      out->text.assign(tok);
      return Status::Ok();
    }
    const bool signed_number =
        (tok[0] == '-' || tok[0] == '+') && tok.size() > 1 && IsDigit(tok[1]);
    if (IsDigit(tok[0]) || signed_number) return ParseInteger(tok, out);
    if (tok == "nil") {
      out->kind = EdnValue::Kind::kNil;
    } else if (tok == "true" || tok == "false") {
      out->kind = EdnValue::Kind::kBool;
      out->integer = tok == "true" ? 1 : 0;
    } else {
      out->kind = EdnValue::Kind::kSymbol;
      out->text.assign(tok);
    }
    return Status::Ok();
  }

  Status ParseInteger(std::string_view tok, EdnValue* out) const {
    size_t i = (tok[0] == '-' || tok[0] == '+') ? 1 : 0;
    const bool negative = tok[0] == '-';
    // Accumulate as a negative number so INT64_MIN parses.
    int64_t v = 0;
    for (; i < tok.size(); ++i) {
      char c = tok[i];
      if (!IsDigit(c)) {
        return Error(out->line, out->column, "'" + std::string(tok) + "' is not an integer");
      }
      const int d = c - '0';
      if (v < (std::numeric_limits<int64_t>::min() + d) / 10) {
        return Error(out->line, out->column,
                     "integer " + std::string(tok) + " does not fit in 64 bits");
      }
      v = v * 10 - d;
    }
    if (!negative) {
      if (v == std::numeric_limits<int64_t>::min()) {
        return Error(out->line, out->column,
                     "integer " + std::string(tok) + " does not fit in 64 bits");
      }
      v = -v;
    }
    out->kind = EdnValue::Kind::kInteger;
    out->integer = v;
    return Status::Ok();
  }

  std::istream* in_ = nullptr;
  std::vector<char> buf_;  // stream input: the current chunk
  const char* p_ = nullptr;
  const char* end_ = nullptr;
  std::string_view source_;
  std::string token_;  // scratch for ReadAtom
  int line_ = 1;
  int column_ = 1;
  bool in_vector_ = false;  // NextFlattened is inside a top-level vector opened here:
  int vector_line_ = 0;
  int vector_column_ = 0;
};

namespace {

void AppendEdn(const EdnValue& v, std::string* out) {
  switch (v.kind) {
    case EdnValue::Kind::kNil:
      *out += "nil";
      return;
    case EdnValue::Kind::kBool:
      *out += v.integer != 0 ? "true" : "false";
      return;
    case EdnValue::Kind::kInteger:
      *out += std::to_string(v.integer);
      return;
    case EdnValue::Kind::kString:
      out->push_back('"');
      for (char c : v.text) {
        switch (c) {
          case '"':
            *out += "\\\"";
            break;
          case '\\':
            *out += "\\\\";
            break;
          case '\n':
            *out += "\\n";
            break;
          case '\t':
            *out += "\\t";
            break;
          case '\r':
            *out += "\\r";
            break;
          default:
            out->push_back(c);
        }
      }
      out->push_back('"');
      return;
    case EdnValue::Kind::kKeyword:
    case EdnValue::Kind::kSymbol:
      *out += v.text;
      return;
    case EdnValue::Kind::kVector:
    case EdnValue::Kind::kList:
    case EdnValue::Kind::kMap: {
      const char* brackets = v.kind == EdnValue::Kind::kVector ? "[]"
                             : v.kind == EdnValue::Kind::kList ? "()"
                                                               : "{}";
      out->push_back(brackets[0]);
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (i > 0) *out += (v.kind == EdnValue::Kind::kMap && i % 2 == 0) ? ", " : " ";
        AppendEdn(v.items[i], out);
      }
      out->push_back(brackets[1]);
      return;
    }
  }
}

}  // namespace

const EdnValue* EdnValue::Find(std::string_view key) const {
  if (kind != Kind::kMap) return nullptr;
  for (size_t i = 0; i + 1 < items.size(); i += 2) {
    if (items[i].IsKeyword(key)) return &items[i + 1];
  }
  return nullptr;
}

std::string EdnValue::ToString() const {
  std::string out;
  AppendEdn(*this, &out);
  return out;
}

Result<std::vector<EdnValue>> ParseEdnValues(std::string_view text, std::string_view source) {
  std::vector<EdnValue> values;
  EdnReader reader(text, source);
  for (;;) {
    EdnValue v;
    bool done = false;
    if (Status s = reader.Next(&v, &done); !s.ok()) return s;
    if (done) return values;
    values.push_back(std::move(v));
  }
}

EdnReader::EdnReader(std::string_view text, std::string_view source)
    : impl_(std::make_unique<Impl>(text, source)) {}
EdnReader::EdnReader(std::istream* in, std::string_view source)
    : impl_(std::make_unique<Impl>(in, source)) {}
EdnReader::~EdnReader() = default;
Status EdnReader::Next(EdnValue* out, bool* done) { return impl_->Next(out, done); }
Status EdnReader::NextFlattened(EdnValue* out, bool* done) {
  return impl_->NextFlattened(out, done);
}
bool EdnReader::stream_failed() const { return impl_->stream_failed(); }

}  // namespace tinykv::check::si
