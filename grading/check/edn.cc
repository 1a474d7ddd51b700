#include "grading/check/edn.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <tuple>
#include <utility>
#include <vector>

namespace tinykv::check {

namespace {

// ---------------------------------------------------------------------------------------------
// A minimal EDN reader: enough of the grammar for Jepsen histories (maps, vectors, lists, sets,
// strings, keywords, symbols, numbers, nil, booleans, comments, #_ discard and tagged literals).

struct Edn {
  enum class Kind { kNil, kBool, kNumber, kString, kKeyword, kSymbol, kVector, kList, kMap, kSet };
  Kind kind = Kind::kNil;
  std::string text;        // number / keyword (with ':') / symbol text, string contents, "true"
  std::vector<Edn> items;  // collections; maps alternate key, value
};

class EdnReader {
 public:
  EdnReader(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  // Reads the next top-level form. Returns false at end of input. On a syntax error sets
  // `error_` and returns false.
  bool Next(Edn* out, int* line) {
    SkipSpace();
    if (pos_ >= text_.size()) return false;
    *line = line_;
    return Read(out, 0);
  }

  const std::string& error() const { return error_; }

 private:
  bool Fail(const std::string& msg) { return FailAt(line_, msg); }
  bool FailAt(int line, const std::string& msg) {
    if (error_.empty()) error_ = std::string(source_) + ":" + std::to_string(line) + ": " + msg;
    return false;
  }

  void SkipSpace() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
      } else if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if (c == ';') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else {
        break;
      }
    }
  }

  static bool IsDelimiter(char c) {
    return c == ',' || c == '{' || c == '}' || c == '[' || c == ']' || c == '(' || c == ')' ||
           c == '"' || c == ';' || std::isspace(static_cast<unsigned char>(c));
  }

  bool Read(Edn* out, int depth) {
    if (depth > 64) return Fail("EDN nested too deeply");
    SkipSpace();
    if (pos_ >= text_.size()) return Fail("unexpected end of input inside a form");
    char c = text_[pos_];
    switch (c) {
      case '{':
        ++pos_;
        out->kind = Edn::Kind::kMap;
        if (!ReadItems(out, '}', depth)) return false;
        if (out->items.size() % 2 != 0) return Fail("map has a key without a value");
        return true;
      case '[':
        ++pos_;
        out->kind = Edn::Kind::kVector;
        return ReadItems(out, ']', depth);
      case '(':
        ++pos_;
        out->kind = Edn::Kind::kList;
        return ReadItems(out, ')', depth);
      case '}':
      case ']':
      case ')':
        return Fail(std::string("unexpected '") + c + "'");
      case '"':
        return ReadString(out);
      case '#':
        return ReadDispatch(out, depth);
      default:
        return ReadAtom(out);
    }
  }

  bool ReadItems(Edn* out, char close, int depth) {
    const int open_line = line_;
    for (;;) {
      SkipSpace();
      if (pos_ >= text_.size()) return FailAt(open_line, std::string("missing '") + close + "'");
      if (text_[pos_] == close) {
        ++pos_;
        return true;
      }
      if (text_.compare(pos_, 2, "#_") == 0) {  // discard the next form
        pos_ += 2;
        Edn ignored;
        if (!Read(&ignored, depth + 1)) return false;
        continue;
      }
      Edn item;
      if (!Read(&item, depth + 1)) return false;
      out->items.push_back(std::move(item));
    }
  }

  bool ReadDispatch(Edn* out, int depth) {
    ++pos_;  // '#'
    if (pos_ < text_.size() && text_[pos_] == '{') {
      ++pos_;
      out->kind = Edn::Kind::kSet;
      return ReadItems(out, '}', depth);
    }
    if (pos_ < text_.size() && text_[pos_] == '_') {
      ++pos_;
      Edn ignored;
      if (!Read(&ignored, depth + 1)) return false;
      return Read(out, depth);
    }
    // Tagged literal (#inst "...", #jepsen.history.Op{...}): keep the value, drop the tag.
    Edn tag;
    if (!ReadAtom(&tag)) return false;
    return Read(out, depth + 1);
  }

  bool ReadString(Edn* out) {
    ++pos_;  // opening quote
    const int open_line = line_;
    out->kind = Edn::Kind::kString;
    std::string s;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c == '\n') ++line_;
      if (c != '\\') {
        s.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) break;
      char e = text_[pos_++];
      switch (e) {
        case 'n':
          s.push_back('\n');
          break;
        case 't':
          s.push_back('\t');
          break;
        case 'r':
          s.push_back('\r');
          break;
        case '"':
          s.push_back('"');
          break;
        case '\\':
          s.push_back('\\');
          break;
        case 'u': {
          if (pos_ + 4 > text_.size()) return Fail("truncated \\u escape in string");
          unsigned cp = 0;
          for (int i = 0; i < 4; ++i) {
            char h = text_[pos_++];
            if (!std::isxdigit(static_cast<unsigned char>(h))) return Fail("bad \\u escape");
            cp = cp * 16 + unsigned(std::isdigit(static_cast<unsigned char>(h))
                                        ? h - '0'
                                        : std::tolower(static_cast<unsigned char>(h)) - 'a' + 10);
          }
          AppendUtf8(cp, &s);
          break;
        }
        default:
          return Fail(std::string("unknown escape '\\") + e + "' in string");
      }
    }
    if (pos_ >= text_.size()) return FailAt(open_line, "unterminated string");
    ++pos_;  // closing quote
    out->text = std::move(s);
    return true;
  }

  static void AppendUtf8(unsigned cp, std::string* s) {
    if (cp < 0x80) {
      s->push_back(char(cp));
    } else if (cp < 0x800) {
      s->push_back(char(0xC0 | (cp >> 6)));
      s->push_back(char(0x80 | (cp & 0x3F)));
    } else {
      s->push_back(char(0xE0 | (cp >> 12)));
      s->push_back(char(0x80 | ((cp >> 6) & 0x3F)));
      s->push_back(char(0x80 | (cp & 0x3F)));
    }
  }

  bool ReadAtom(Edn* out) {
    size_t start = pos_;
    while (pos_ < text_.size() && !IsDelimiter(text_[pos_])) ++pos_;
    std::string tok(text_.substr(start, pos_ - start));
    if (tok.empty()) {
      if (pos_ >= text_.size()) return Fail("unexpected end of input inside a form");
      return Fail(std::string("unexpected '") + text_[pos_] + "'");
    }
    out->text = tok;
    if (tok == "nil") {
      out->kind = Edn::Kind::kNil;
    } else if (tok == "true" || tok == "false") {
      out->kind = Edn::Kind::kBool;
    } else if (tok[0] == ':') {
      if (tok.size() == 1) return Fail("empty keyword ':'");
      out->kind = Edn::Kind::kKeyword;
    } else if (std::isdigit(static_cast<unsigned char>(tok[0])) ||
               ((tok[0] == '-' || tok[0] == '+') && tok.size() > 1 &&
                std::isdigit(static_cast<unsigned char>(tok[1])))) {
      out->kind = Edn::Kind::kNumber;
    } else if (tok[0] == '\\') {
      out->kind = Edn::Kind::kString;  // character literal \a
      out->text = tok.substr(1);
    } else {
      out->kind = Edn::Kind::kSymbol;
    }
    return true;
  }

  std::string_view text_;
  std::string_view source_;
  size_t pos_ = 0;
  int line_ = 1;
  std::string error_;
};

std::string EdnQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out.push_back(c);
    }
  }
  out += '"';
  return out;
}

// EDN text of a value, for annotations and non-scalar values.
std::string EdnText(const Edn& v) {
  switch (v.kind) {
    case Edn::Kind::kString:
      return EdnQuote(v.text);
    case Edn::Kind::kVector:
    case Edn::Kind::kList:
    case Edn::Kind::kSet:
    case Edn::Kind::kMap: {
      const char* open = v.kind == Edn::Kind::kVector ? "["
                         : v.kind == Edn::Kind::kList ? "("
                         : v.kind == Edn::Kind::kSet  ? "#{"
                                                      : "{";
      const char* close = v.kind == Edn::Kind::kVector ? "]"
                          : v.kind == Edn::Kind::kList ? ")"
                                                       : "}";
      std::string out = open;
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (i) out += ' ';
        out += EdnText(v.items[i]);
      }
      return out + close;
    }
    default:
      return v.text;
  }
}

// A scalar operation value: strings as their contents, numbers / keywords / booleans as their
// text, nil as no value; collections as their EDN text.
std::optional<std::string> ScalarValue(const Edn& v) {
  if (v.kind == Edn::Kind::kNil) return std::nullopt;
  if (v.kind == Edn::Kind::kString || v.kind == Edn::Kind::kNumber ||
      v.kind == Edn::Kind::kKeyword || v.kind == Edn::Kind::kBool || v.kind == Edn::Kind::kSymbol) {
    return v.text;
  }
  return EdnText(v);
}

const Edn* Lookup(const Edn& map, std::string_view keyword) {
  for (size_t i = 0; i + 1 < map.items.size(); i += 2) {
    if (map.items[i].kind == Edn::Kind::kKeyword && map.items[i].text == keyword) {
      return &map.items[i + 1];
    }
  }
  return nullptr;
}

// Builds the History from the event maps, pairing each completion with its process's invoke.
class HistoryBuilder {
 public:
  HistoryBuilder(std::string_view source, const EdnReadOptions& options)
      : source_(source), options_(options) {}

  Status Add(const Edn& event, int line) {
    line_ = line;
    if (event.kind != Edn::Kind::kMap) return Error("expected a map {...} per event");
    const Edn* process = Lookup(event, ":process");
    const Edn* type = Lookup(event, ":type");
    const Edn* f = Lookup(event, ":f");
    const Edn* time = Lookup(event, ":time");
    if (!process) return Error("missing :process");
    if (!type) return Error("missing :type");
    if (type->kind != Edn::Kind::kKeyword || (type->text != ":invoke" && type->text != ":ok" &&
                                              type->text != ":fail" && type->text != ":info")) {
      return Error(":type must be :invoke, :ok, :fail or :info, got " + EdnText(*type));
    }

    // All-or-nothing :time, so times from two sources never mix.
    bool has_time = time != nullptr;
    if (events_ == 0) {
      timed_ = has_time;
    } else if (has_time != timed_) {
      return Error(has_time ? ":time given here but missing on earlier events"
                            : ":time missing here but given on earlier events");
    }
    ++events_;
    int64_t t = line;
    if (has_time) {
      if (time->kind != Edn::Kind::kNumber || !ParseInt(time->text, &t)) {
        return Error(":time must be an integer (nanoseconds), got " + EdnText(*time));
      }
    }

    if (process->kind == Edn::Kind::kKeyword && process->text == ":nemesis") {
      return AddNemesis(event, *type, f, t);
    }
    int64_t client = 0;
    if (process->kind != Edn::Kind::kNumber || !ParseInt(process->text, &client)) {
      return Error(":process must be an integer or :nemesis, got " + EdnText(*process));
    }
    if (!f) return Error("missing :f");
    std::optional<std::string> fname = ScalarValue(*f);
    if (!fname || fname->empty()) return Error(":f must name the operation, got " + EdnText(*f));
    if (!fname->empty() && (*fname)[0] == ':') fname->erase(0, 1);
    const Edn* value = Lookup(event, ":value");

    if (type->text == ":invoke") {
      auto it = pending_.find(client);
      if (it != pending_.end()) {
        return Error("process " + std::to_string(client) +
                     " invokes again while its :invoke at line " +
                     std::to_string(history_.ops[it->second].line) + " is still pending");
      }
      Operation op;
      op.client = client;
      op.f = *fname;
      const Edn* key = Lookup(event, ":key");
      if (key) {
        std::optional<std::string> k = ScalarValue(*key);
        if (!k) return Error(":key must not be nil");
        op.key = *k;
      } else if (options_.require_key) {
        return Error("missing :key");
      }
      if (value) {
        if (op.f == "cas") {
          if ((value->kind != Edn::Kind::kVector && value->kind != Edn::Kind::kList) ||
              value->items.size() != 2) {
            return Error("cas :value must be [expected new], got " + EdnText(*value));
          }
          op.value = ScalarValue(value->items[0]);
          op.new_value = ScalarValue(value->items[1]);
        } else {
          op.value = ScalarValue(*value);
        }
      }
      op.call = t;
      op.ret = kNoReturn;
      op.status = OpStatus::kInfo;
      op.line = line;
      pending_[client] = history_.ops.size();
      history_.ops.push_back(std::move(op));
      return Status::Ok();
    }

    auto it = pending_.find(client);
    if (it == pending_.end()) {
      return Error(type->text + " for process " + std::to_string(client) +
                   " which has no pending :invoke");
    }
    Operation& op = history_.ops[it->second];
    if (op.f != *fname) {
      return Error(type->text + " of :" + *fname + " completes process " + std::to_string(client) +
                   "'s pending :" + op.f + " (line " + std::to_string(op.line) + ")");
    }
    if (t < op.call) return Error("completion at :time " + std::to_string(t) + " before its call");
    op.ret = t;
    if (type->text == ":ok") {
      op.status = OpStatus::kOk;
      if (value && op.f != "cas") op.output = ScalarValue(*value);
    } else if (type->text == ":fail") {
      op.status = OpStatus::kFail;
    } else {
      op.status = OpStatus::kInfo;
    }
    pending_.erase(it);
    return Status::Ok();
  }

  History Finish() {
    for (auto& [client, index] : nemesis_open_) history_.annotations[index].end = last_time_;
    for (auto& [label, index] : fault_open_) history_.annotations[index].end = last_time_;
    history_.times_are_lines = !timed_;
    return std::move(history_);
  }

 private:
  Status AddNemesis(const Edn& event, const Edn& type, const Edn* f, int64_t t) {
    last_time_ = std::max(last_time_, t);
    const Edn* value = Lookup(event, ":value");
    // Our own annotations (WriteEdnHistory): `:f :fault, :value "label"`, an :invoke at the start
    // and an :info at the end, overlapping freely; an end belongs to the open one of its label.
    if (f && f->kind == Edn::Kind::kKeyword && f->text == ":fault" && value &&
        value->kind == Edn::Kind::kString) {
      if (type.text == ":invoke") {
        fault_open_.emplace(value->text, history_.annotations.size());
        history_.annotations.push_back(Annotation{t, t, value->text});
        return Status::Ok();
      }
      auto it = fault_open_.find(value->text);
      if (it != fault_open_.end()) {
        history_.annotations[it->second].end = t;
        fault_open_.erase(it);
      } else {
        history_.annotations.push_back(Annotation{t, t, value->text});
      }
      return Status::Ok();
    }
    // Jepsen's nemesis: one process, so a completion ends the invocation before it.
    std::string label = f ? EdnText(*f) : std::string(":nemesis");
    if (!label.empty() && label[0] == ':') label.erase(0, 1);
    if (value && value->kind != Edn::Kind::kNil) label += " " + EdnText(*value);
    if (type.text == ":invoke") {
      nemesis_open_[0] = history_.annotations.size();
      history_.annotations.push_back(Annotation{t, t, label});
      return Status::Ok();
    }
    auto it = nemesis_open_.find(0);
    if (it != nemesis_open_.end()) {
      Annotation& a = history_.annotations[it->second];
      a.end = t;
      a.label = label;  // the completion says what actually happened
      nemesis_open_.erase(it);
    } else {
      history_.annotations.push_back(Annotation{t, t, label});
    }
    return Status::Ok();
  }

  static bool ParseInt(const std::string& s, int64_t* out) {
    if (s.empty()) return false;
    size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (i == s.size()) return false;
    // The magnitude in 64 unsigned bits: every int64, down to its minimum, fits exactly.
    const bool negative = s[0] == '-';
    const uint64_t limit = negative ? uint64_t{1} << 63 : uint64_t{INT64_MAX};
    uint64_t v = 0;
    for (; i < s.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
      const uint64_t digit = static_cast<uint64_t>(s[i] - '0');
      if (v > (limit - digit) / 10) return false;
      v = v * 10 + digit;
    }
    *out = negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
    return true;
  }

  Status Error(const std::string& msg) const {
    return Status::DataError(std::string(source_) + ":" + std::to_string(line_) + ": " + msg);
  }

  std::string_view source_;
  EdnReadOptions options_;
  History history_;
  std::map<int64_t, size_t> pending_;              // client → index of its in-flight op
  std::map<int, size_t> nemesis_open_;             // 0 → index of the open nemesis annotation
  std::multimap<std::string, size_t> fault_open_;  // label → index of an open :fault annotation
  int line_ = 0;
  size_t events_ = 0;
  bool timed_ = false;
  int64_t last_time_ = 0;
};

}  // namespace

Result<History> ParseEdnHistory(std::string_view text, std::string_view source,
                                const EdnReadOptions& options) {
  EdnReader reader(text, source);
  HistoryBuilder builder(source, options);
  Edn event;
  int line = 0;
  for (;;) {
    event = Edn();
    if (!reader.Next(&event, &line)) break;
    Status s = builder.Add(event, line);
    if (!s.ok()) return s;
  }
  if (!reader.error().empty()) return Status::DataError(reader.error());
  return builder.Finish();
}

Result<History> ReadEdnHistoryFile(const std::string& path, const EdnReadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NoInput(path + ": cannot open history file");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return Status::NoInput(path + ": read error");
  return ParseEdnHistory(buf.str(), path, options);
}

std::string FormatEdnHistory(const History& history, const EdnWriteOptions& options) {
  // Order at equal times: a completion whose client invokes again at that instant first (a
  // process has one operation in flight), then invocations, then the other completions — so that,
  // read back by line order, operations that touched at an instant stay concurrent.
  struct Event {
    int64_t time;
    int phase;  // 1 invoke, 0 / 2 completion (see above)
    int kind;   // 0 operation, 1 annotation
    size_t index;
  };
  std::multiset<std::pair<int64_t, int64_t>> invokes;  // (client, time)
  for (const Operation& op : history.ops) invokes.emplace(op.client, op.call);
  std::vector<Event> events;
  for (size_t i = 0; i < history.ops.size(); ++i) {
    const Operation& op = history.ops[i];
    events.push_back({op.call, 1, 0, i});
    if (op.ret != kNoReturn) {
      size_t own = op.call == op.ret ? 1 : 0;  // its own invocation does not count
      events.push_back({op.ret, invokes.count({op.client, op.ret}) > own ? 0 : 2, 0, i});
    }
  }
  for (size_t i = 0; i < history.annotations.size(); ++i) {
    events.push_back({history.annotations[i].time, 1, 1, i});
    events.push_back({history.annotations[i].end, 2, 1, i});
  }
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return std::tie(a.time, a.phase, a.kind, a.index) < std::tie(b.time, b.phase, b.kind, b.index);
  });

  auto value_text = [](const std::optional<std::string>& v) {
    return v ? EdnQuote(*v) : std::string("nil");
  };
  std::string out;
  for (const Event& e : events) {
    std::string line;
    if (e.kind == 1) {
      const Annotation& a = history.annotations[e.index];
      line = std::string("{:process :nemesis, :type ") + (e.phase == 1 ? ":invoke" : ":info") +
             ", :f :fault, :value " + EdnQuote(a.label);
    } else {
      const Operation& op = history.ops[e.index];
      const char* type = e.phase == 1                   ? ":invoke"
                         : op.status == OpStatus::kOk   ? ":ok"
                         : op.status == OpStatus::kFail ? ":fail"
                                                        : ":info";
      line = "{:process " + std::to_string(op.client) + ", :type " + type + ", :f :" + op.f +
             ", :key " + EdnQuote(op.key) + ", :value ";
      if (op.f == "cas") {
        line += "[" + value_text(op.value) + " " + value_text(op.new_value) + "]";
      } else if (e.phase != 1 && op.status == OpStatus::kOk && op.output) {
        line += value_text(op.output);
      } else {
        line += value_text(op.value);
      }
    }
    if (options.times) line += ", :time " + std::to_string(e.time);
    out += line + "}\n";
  }
  return out;
}

Status WriteEdnHistoryFile(const std::string& path, const History& history,
                           const EdnWriteOptions& options) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::CantCreate(path + ": cannot create file");
  out << FormatEdnHistory(history, options);
  out.close();
  if (!out) return Status::CantCreate(path + ": write error");
  return Status::Ok();
}

}  // namespace tinykv::check
