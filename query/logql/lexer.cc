#include "query/logql/lexer.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "base/strings/absl_view.h"
#include "model/labels.h"
#include "query/logql/go_units.h"
#include "query/promql/literals.h"

namespace vigil::logql {
namespace {

struct Keyword {
  std::string_view word;
  Tok tok;
};

// Keywords whatever follows them.
constexpr Keyword kKeywords[] = {
    {"by", Tok::kBy},
    {"without", Tok::kWithout},
    {"bool", Tok::kBool},
    {"offset", Tok::kOffset},
    {"on", Tok::kOn},
    {"ignoring", Tok::kIgnoring},
    {"group_left", Tok::kGroupLeft},
    {"group_right", Tok::kGroupRight},
    {"or", Tok::kOr},
    {"and", Tok::kAnd},
    {"unless", Tok::kUnless},
    {"json", Tok::kJson},
    {"regexp", Tok::kRegexp},
    {"logfmt", Tok::kLogfmt},
    {"unpack", Tok::kUnpack},
    {"pattern", Tok::kPattern},
    {"line_format", Tok::kLineFormat},
    {"label_format", Tok::kLabelFormat},
    {"decolorize", Tok::kDecolorize},
    {"drop", Tok::kDrop},
    {"keep", Tok::kKeep},
    {"unwrap", Tok::kUnwrap},
};

// Keywords only when a call follows; identifiers otherwise.
constexpr Keyword kFunctions[] = {
    {"ip", Tok::kIp},
    {"label_replace", Tok::kLabelReplace},
    {"vector", Tok::kVector},
    {"bytes", Tok::kBytesConv},
    {"duration", Tok::kDurationConv},
    {"duration_seconds", Tok::kDurationSecondsConv},
    {"count_over_time", Tok::kCountOverTime},
    {"rate", Tok::kRate},
    {"rate_counter", Tok::kRateCounter},
    {"bytes_over_time", Tok::kBytesOverTime},
    {"bytes_rate", Tok::kBytesRate},
    {"avg_over_time", Tok::kAvgOverTime},
    {"sum_over_time", Tok::kSumOverTime},
    {"min_over_time", Tok::kMinOverTime},
    {"max_over_time", Tok::kMaxOverTime},
    {"stdvar_over_time", Tok::kStdvarOverTime},
    {"stddev_over_time", Tok::kStddevOverTime},
    {"quantile_over_time", Tok::kQuantileOverTime},
    {"first_over_time", Tok::kFirstOverTime},
    {"last_over_time", Tok::kLastOverTime},
    {"absent_over_time", Tok::kAbsentOverTime},
    {"sum", Tok::kSum},
    {"avg", Tok::kAvg},
    {"min", Tok::kMin},
    {"max", Tok::kMax},
    {"count", Tok::kCount},
    {"stddev", Tok::kStddev},
    {"stdvar", Tok::kStdvar},
    {"topk", Tok::kTopk},
    {"bottomk", Tok::kBottomk},
    {"sort", Tok::kSort},
    {"sort_desc", Tok::kSortDesc},
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || IsDigit(c) ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsDurationChar(char c) {
  switch (c) {
    case 'n':
    case 'u':
    case 'm':
    case 's':
    case 'h':
    case 'd':
    case 'w':
    case 'y':
    case '.':
    case '\xC2':  // first byte of µ (U+00B5)
    case '\xB5':
      return true;
    default:
      return IsDigit(c);
  }
}
bool IsBytesChar(char c) {
  switch (c) {
    case 'B':
    case 'i':
    case 'k':
    case 'K':
    case 'M':
    case 'G':
    case 'T':
    case 'P':
    case '.':
      return true;
    default:
      return IsDigit(c);
  }
}

}  // namespace

std::string_view TokenName(Tok t) {
  switch (t) {
    case Tok::kEof:
      return "$end";
    case Tok::kError:
      return "error";
    case Tok::kIdentifier:
      return "IDENTIFIER";
    case Tok::kString:
      return "STRING";
    case Tok::kNumber:
      return "NUMBER";
    case Tok::kDuration:
      return "DURATION";
    case Tok::kBytes:
      return "BYTES";
    case Tok::kRange:
      return "RANGE";
    case Tok::kFlag:
      return "FUNCTION_FLAG";
    case Tok::kComma:
      return ",";
    case Tok::kDot:
      return ".";
    case Tok::kOpenBrace:
      return "{";
    case Tok::kCloseBrace:
      return "}";
    case Tok::kOpenParen:
      return "(";
    case Tok::kCloseParen:
      return ")";
    case Tok::kOpenBracket:
      return "[";
    case Tok::kCloseBracket:
      return "]";
    case Tok::kEq:
      return "=";
    case Tok::kNeq:
      return "!=";
    case Tok::kRe:
      return "=~";
    case Tok::kNre:
      return "!~";
    case Tok::kNpa:
      return "!>";
    case Tok::kPipeExact:
      return "|=";
    case Tok::kPipeMatch:
      return "|~";
    case Tok::kPipePattern:
      return "|>";
    case Tok::kPipe:
      return "|";
    case Tok::kOr:
      return "or";
    case Tok::kAnd:
      return "and";
    case Tok::kUnless:
      return "unless";
    case Tok::kAdd:
      return "+";
    case Tok::kSub:
      return "-";
    case Tok::kMul:
      return "*";
    case Tok::kDiv:
      return "/";
    case Tok::kMod:
      return "%";
    case Tok::kPow:
      return "^";
    case Tok::kCmpEq:
      return "==";
    case Tok::kGt:
      return ">";
    case Tok::kGte:
      return ">=";
    case Tok::kLt:
      return "<";
    case Tok::kLte:
      return "<=";
    case Tok::kIp:
      return "ip";
    case Tok::kLabelReplace:
      return "label_replace";
    case Tok::kVector:
      return "VECTOR";
    case Tok::kBytesConv:
      return "BYTES_CONV";
    case Tok::kDurationConv:
      return "DURATION_CONV";
    case Tok::kDurationSecondsConv:
      return "DURATION_SECONDS_CONV";
    case Tok::kSortDesc:
      return "SORT_DESC";
    default:
      break;
  }
  for (const Keyword& k : kKeywords) {
    if (k.tok == t) return k.word;
  }
  // Range and vector operations: the yacc names are the upper-cased words.
  static const std::string* const kUpper = [] {
    static std::string names[256];
    for (const Keyword& k : kFunctions) {
      names[static_cast<int>(k.tok)] = absl::AsciiStrToUpper(AV(k.word));
    }
    return names;
  }();
  return kUpper[static_cast<int>(t)];
}

void ErrorPosition(std::string_view input, int32_t pos, int* line, int* col) {
  *line = 1;
  *col = 1;
  for (int32_t i = 0; i < pos && i < static_cast<int32_t>(input.size()); ++i) {
    const unsigned char c = static_cast<unsigned char>(input[i]);
    if (c == '\n') {
      ++*line;
      *col = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++*col;  // count characters, not UTF-8 continuation bytes
    }
  }
}

Token Lexer::Make(Tok t, int32_t start) {
  Token tok;
  tok.type = t;
  tok.pos = start;
  tok.text = input_.substr(start, pos_ - start);
  return tok;
}

Token Lexer::Error(int32_t start, std::string msg) {
  done_ = true;
  Token tok;
  tok.type = Tok::kError;
  tok.pos = start;
  tok.str = std::move(msg);
  return tok;
}

void Lexer::SkipSpaceAndComments() {
  const int32_t n = static_cast<int32_t>(input_.size());
  while (pos_ < n) {
    const char c = input_[pos_];
    if (IsSpace(c)) {
      ++pos_;
    } else if (c == '#' || (c == '/' && pos_ + 1 < n && input_[pos_ + 1] == '/')) {
      while (pos_ < n && input_[pos_] != '\n') ++pos_;
    } else if (c == '/' && pos_ + 1 < n && input_[pos_ + 1] == '*') {
      const size_t end = input_.find("*/", pos_ + 2);
      pos_ = end == std::string_view::npos ? n : static_cast<int32_t>(end) + 2;
    } else {
      return;
    }
  }
}

bool Lexer::FollowedByCall() const {
  size_t i = pos_;
  const auto skip = [&] {
    while (i < input_.size() && IsSpace(input_[i])) ++i;
  };
  skip();
  if (i < input_.size() && input_[i] == '(') return true;
  for (std::string_view kw : {std::string_view("by"), std::string_view("without")}) {
    if (input_.size() - i >= kw.size() && absl::EqualsIgnoreCase(AV(input_.substr(i, kw.size())), AV(kw))) {
      i += kw.size();
      skip();
      return i < input_.size() && input_[i] == '(';
    }
  }
  return false;
}

Token Lexer::Next() {
  if (done_) return Make(Tok::kEof, static_cast<int32_t>(input_.size()));
  SkipSpaceAndComments();
  const int32_t start = pos_;
  const int32_t n = static_cast<int32_t>(input_.size());
  if (pos_ >= n) {
    done_ = true;
    return Make(Tok::kEof, start);
  }
  const char c = input_[pos_];
  const char next = pos_ + 1 < n ? input_[pos_ + 1] : '\0';
  if (IsDigit(c) || (c == '.' && IsDigit(next))) return LexNumber(start);
  if (c == '"' || c == '`' || c == '\'') return LexString(start);
  if (c == '[') return LexRange(start);
  if (IsIdentChar(c)) return LexWord(start);
  if (c == '-') {
    if (next == '-') {
      int32_t i = pos_ + 1;
      while (i < n && (absl::ascii_isalpha(input_[i]) || input_[i] == '-')) ++i;
      const std::string_view flag = input_.substr(pos_, i - pos_);
      if (flag == "--strict" || flag == "--keep-empty") {
        pos_ = i;
        Token t = Make(Tok::kFlag, start);
        t.str = std::string(flag);
        return t;
      }
    }
    int32_t i = pos_ + 1;
    while (i < n && !IsSpace(input_[i]) && IsDurationChar(input_[i])) ++i;
    if (i > pos_ + 1) {
      absl::StatusOr<int64_t> d = ParseLokiDuration(input_.substr(pos_, i - pos_));
      if (d.ok()) {
        pos_ = i;
        Token t = Make(Tok::kDuration, start);
        t.duration_ns = *d;
        return t;
      }
    }
  }
  // Two-character operators first.
  struct Op {
    std::string_view text;
    Tok tok;
  };
  static constexpr Op kOps[] = {
      {"|=", Tok::kPipeExact},   {"|~", Tok::kPipeMatch}, {"|>", Tok::kPipePattern}, {"!=", Tok::kNeq},
      {"!~", Tok::kNre},         {"!>", Tok::kNpa},       {"=~", Tok::kRe},          {"==", Tok::kCmpEq},
      {">=", Tok::kGte},         {"<=", Tok::kLte},       {",", Tok::kComma},        {".", Tok::kDot},
      {"{", Tok::kOpenBrace},    {"}", Tok::kCloseBrace}, {"(", Tok::kOpenParen},    {")", Tok::kCloseParen},
      {"]", Tok::kCloseBracket}, {"=", Tok::kEq},         {"|", Tok::kPipe},         {"+", Tok::kAdd},
      {"-", Tok::kSub},          {"*", Tok::kMul},        {"/", Tok::kDiv},          {"%", Tok::kMod},
      {"^", Tok::kPow},          {">", Tok::kGt},         {"<", Tok::kLt},
  };
  for (const Op& op : kOps) {
    if (input_.substr(pos_, op.text.size()) == op.text) {
      pos_ += static_cast<int32_t>(op.text.size());
      return Make(op.tok, start);
    }
  }
  // Anything else is an identifier of one character, as Loki's lexer makes it (the grammar then rejects it).
  ++pos_;
  while (pos_ < n && (static_cast<unsigned char>(input_[pos_]) & 0xC0) == 0x80) ++pos_;
  return Make(Tok::kIdentifier, start);
}

Token Lexer::LexNumber(int32_t start) {
  const int32_t n = static_cast<int32_t>(input_.size());
  if (input_[pos_] == '0' && pos_ + 1 < n && (input_[pos_ + 1] == 'x' || input_[pos_ + 1] == 'X')) {
    pos_ += 2;
    while (pos_ < n && (absl::ascii_isxdigit(input_[pos_]) || input_[pos_] == '_')) ++pos_;
    return Make(Tok::kNumber, start);
  }
  while (pos_ < n && (IsDigit(input_[pos_]) || input_[pos_] == '_')) ++pos_;
  if (pos_ < n && input_[pos_] == '.') {
    ++pos_;
    while (pos_ < n && (IsDigit(input_[pos_]) || input_[pos_] == '_')) ++pos_;
  }
  if (pos_ < n && (input_[pos_] == 'e' || input_[pos_] == 'E')) {
    int32_t i = pos_ + 1;
    if (i < n && (input_[i] == '+' || input_[i] == '-')) ++i;
    if (i < n && IsDigit(input_[i])) {
      pos_ = i;
      while (pos_ < n && IsDigit(input_[pos_])) ++pos_;
    }
  }
  // A duration ("5m", "1h30m", "1.5s") or a byte size ("10KB") glued to the number.
  int32_t i = pos_;
  while (i < n && IsDurationChar(input_[i])) ++i;
  if (i > pos_) {
    absl::StatusOr<int64_t> d = ParseLokiDuration(input_.substr(start, i - start));
    if (d.ok()) {
      pos_ = i;
      Token t = Make(Tok::kDuration, start);
      t.duration_ns = *d;
      return t;
    }
  }
  i = pos_;
  while (i < n && IsBytesChar(input_[i])) ++i;
  if (i > pos_) {
    absl::StatusOr<uint64_t> b = ParseHumanizeBytes(input_.substr(start, i - start));
    if (b.ok()) {
      pos_ = i;
      Token t = Make(Tok::kBytes, start);
      t.bytes = *b;
      return t;
    }
  }
  return Make(Tok::kNumber, start);
}

Token Lexer::LexString(int32_t start) {
  const int32_t n = static_cast<int32_t>(input_.size());
  const char quote = input_[pos_++];
  if (quote == '`') {
    while (pos_ < n && input_[pos_] != '`') ++pos_;
    if (pos_ >= n) return Error(start, "literal not terminated");
    ++pos_;
  } else {
    while (true) {
      if (pos_ >= n || input_[pos_] == '\n') return Error(start, "literal not terminated");
      const char ch = input_[pos_];
      if (ch == quote) {
        ++pos_;
        break;
      }
      pos_ += ch == '\\' && pos_ + 1 < n ? 2 : 1;
    }
  }
  Token t = Make(Tok::kString, start);
  if (!IsValidUtf8(t.text)) return Error(start, "invalid UTF-8 encoding");
  if (quote == '\'') {
    // Go's scanner reads '...' as a character literal, which LogQL has no use for.
    absl::StatusOr<std::string> ch = promql::UnquoteStringToken(t.text);
    if (!ch.ok() || ch->empty()) return Error(start, "invalid char literal");
    t.type = Tok::kIdentifier;
    return t;
  }
  absl::StatusOr<std::string> s = promql::UnquoteStringToken(t.text);
  if (!s.ok()) return Error(start, std::string(s.status().message()));
  t.str = *std::move(s);
  return t;
}

Token Lexer::LexRange(int32_t start) {
  const size_t close = input_.find(']', pos_ + 1);
  if (close == std::string_view::npos) {
    pos_ = static_cast<int32_t>(input_.size());
    return Error(start, "missing closing ']' in duration");
  }
  const std::string_view inner = input_.substr(pos_ + 1, close - pos_ - 1);
  pos_ = static_cast<int32_t>(close) + 1;
  absl::StatusOr<int64_t> d = promql::ParseDurationToken(inner);
  if (!d.ok()) return Error(start, std::string(d.status().message()));
  Token t = Make(Tok::kRange, start);
  t.duration_ns = *d;
  return t;
}

Token Lexer::LexWord(int32_t start) {
  const int32_t n = static_cast<int32_t>(input_.size());
  while (pos_ < n && IsIdentChar(input_[pos_])) ++pos_;
  Token t = Make(Tok::kIdentifier, start);
  const std::string lower = absl::AsciiStrToLower(AV(t.text));
  for (const Keyword& k : kFunctions) {
    if (lower == k.word) {
      if (FollowedByCall()) t.type = k.tok;
      return t;
    }
  }
  for (const Keyword& k : kKeywords) {
    if (lower == k.word) {
      t.type = k.tok;
      return t;
    }
  }
  return t;
}

}  // namespace vigil::logql
