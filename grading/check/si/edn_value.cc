#include "grading/check/si/edn_value.h"

#include <cctype>
#include <limits>
#include <utility>

namespace tinykv::check::si {

namespace {

constexpr int kMaxDepth = 64;

class Reader {
 public:
  Reader(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  Status ReadAll(std::vector<EdnValue>* out) {
    for (;;) {
      SkipSpace();
      if (pos_ >= text_.size()) return Status::Ok();
      EdnValue v;
      if (Status s = Read(&v, 0); !s.ok()) return s;
      out->push_back(std::move(v));
    }
  }

 private:
  Status Error(int line, int column, const std::string& msg) const {
    return Status::DataError(std::string(source_) + ":" + std::to_string(line) + ":" +
                             std::to_string(column) + ": " + msg);
  }
  Status ErrorHere(const std::string& msg) const { return Error(line_, column_, msg); }

  char Advance() {
    char c = text_[pos_++];
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    return c;
  }

  void SkipSpace() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
        Advance();
      } else if (c == ';') {
        while (pos_ < text_.size() && text_[pos_] != '\n') Advance();
      } else {
        break;
      }
    }
  }

  static bool IsDelimiter(char c) {
    return c == ',' || c == '{' || c == '}' || c == '[' || c == ']' || c == '(' || c == ')' ||
           c == '"' || c == ';' || std::isspace(static_cast<unsigned char>(c));
  }

  Status Read(EdnValue* out, int depth) {
    if (depth > kMaxDepth) return ErrorHere("EDN nested too deeply");
    SkipSpace();
    if (pos_ >= text_.size()) return ErrorHere("unexpected end of input inside a form");
    out->line = line_;
    out->column = column_;
    char c = text_[pos_];
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
        return ReadString(out);
      case '#':
        return ErrorHere("'#' forms (sets, tags, discards) are not supported");
      default:
        return ReadAtom(out);
    }
  }

  Status ReadItems(EdnValue* out, char close, int depth) {
    for (;;) {
      SkipSpace();
      if (pos_ >= text_.size()) {
        return Error(out->line, out->column,
                     std::string("missing '") + close + "' for the form opened here");
      }
      if (text_[pos_] == close) {
        Advance();
        return Status::Ok();
      }
      EdnValue item;
      if (Status s = Read(&item, depth + 1); !s.ok()) return s;
      out->items.push_back(std::move(item));
    }
  }

  Status ReadString(EdnValue* out) {
    Advance();  // opening quote
    out->kind = EdnValue::Kind::kString;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = Advance();
      if (c != '\\') {
        out->text.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) break;
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
    if (pos_ >= text_.size()) return Error(out->line, out->column, "unterminated string");
    Advance();  // closing quote
    return Status::Ok();
  }

  Status ReadAtom(EdnValue* out) {
    std::string tok;
    while (pos_ < text_.size() && !IsDelimiter(text_[pos_])) tok.push_back(Advance());
    if (tok.empty()) return Error(out->line, out->column, "empty token");
    if (tok[0] == ':') {
      if (tok.size() == 1) return Error(out->line, out->column, "keyword without a name");
      out->kind = EdnValue::Kind::kKeyword;
      out->text = std::move(tok);
      return Status::Ok();
    }
    const bool signed_number =
        (tok[0] == '-' || tok[0] == '+') && tok.size() > 1 && std::isdigit((unsigned char)tok[1]);
    if (std::isdigit(static_cast<unsigned char>(tok[0])) || signed_number) {
      return ParseInteger(tok, out);
    }
    if (tok == "nil") {
      out->kind = EdnValue::Kind::kNil;
    } else if (tok == "true" || tok == "false") {
      out->kind = EdnValue::Kind::kBool;
      out->integer = tok == "true" ? 1 : 0;
    } else {
      out->kind = EdnValue::Kind::kSymbol;
      out->text = std::move(tok);
    }
    return Status::Ok();
  }

  Status ParseInteger(const std::string& tok, EdnValue* out) const {
    size_t i = (tok[0] == '-' || tok[0] == '+') ? 1 : 0;
    const bool negative = tok[0] == '-';
    // Accumulate as a negative number so INT64_MIN parses.
    int64_t v = 0;
    for (; i < tok.size(); ++i) {
      char c = tok[i];
      if (!std::isdigit(static_cast<unsigned char>(c))) {
        return Error(out->line, out->column, "'" + tok + "' is not an integer");
      }
      const int d = c - '0';
      if (v < (std::numeric_limits<int64_t>::min() + d) / 10) {
        return Error(out->line, out->column, "integer " + tok + " does not fit in 64 bits");
      }
      v = v * 10 - d;
    }
    if (!negative) {
      if (v == std::numeric_limits<int64_t>::min()) {
        return Error(out->line, out->column, "integer " + tok + " does not fit in 64 bits");
      }
      v = -v;
    }
    out->kind = EdnValue::Kind::kInteger;
    out->integer = v;
    return Status::Ok();
  }

  std::string_view text_;
  std::string_view source_;
  size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

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
  Reader reader(text, source);
  if (Status s = reader.ReadAll(&values); !s.ok()) return s;
  return values;
}

}  // namespace tinykv::check::si
