#include "query/promql/lexer.h"

#include <array>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/strings/utf8.h"
#include "model/labels.h"

namespace vigil::promql {
namespace {

constexpr int32_t kEofRune = -1;
constexpr int32_t kRuneError = 0xFFFD;

bool IsSpace(int32_t r) { return r == ' ' || r == '\t' || r == '\n' || r == '\r'; }
bool IsDigit(int32_t r) { return r >= '0' && r <= '9'; }
bool IsAlpha(int32_t r) { return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'); }
bool IsAlphaNumeric(int32_t r) { return IsAlpha(r) || IsDigit(r); }

int DigitVal(int32_t ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return 16;
}

// Go's %#U: "U+0063 'c'".
std::string FormatRuneU(int32_t r) {
  std::string out = absl::StrFormat("U+%04X", r);
  if (IsPrintRune(r)) {
    out += " '";
    AppendUtf8(static_cast<uint32_t>(r), &out);
    out += "'";
  }
  return out;
}

struct Keyword {
  std::string_view word;
  TokenType type;
};

constexpr std::array<Keyword, 42> kKeywords = {{
    {"and", TokenType::kLand},
    {"or", TokenType::kLor},
    {"unless", TokenType::kLunless},
    {"atan2", TokenType::kAtan2},
    {"sum", TokenType::kSum},
    {"avg", TokenType::kAvg},
    {"count", TokenType::kCount},
    {"min", TokenType::kMin},
    {"max", TokenType::kMax},
    {"group", TokenType::kGroup},
    {"stddev", TokenType::kStddev},
    {"stdvar", TokenType::kStdvar},
    {"topk", TokenType::kTopk},
    {"bottomk", TokenType::kBottomk},
    {"count_values", TokenType::kCountValues},
    {"quantile", TokenType::kQuantile},
    {"limitk", TokenType::kLimitk},
    {"limit_ratio", TokenType::kLimitRatio},
    {"offset", TokenType::kOffset},
    {"smoothed", TokenType::kSmoothed},
    {"anchored", TokenType::kAnchored},
    {"by", TokenType::kBy},
    {"without", TokenType::kWithout},
    {"on", TokenType::kOn},
    {"ignoring", TokenType::kIgnoring},
    {"group_left", TokenType::kGroupLeft},
    {"group_right", TokenType::kGroupRight},
    {"fill", TokenType::kFill},
    {"fill_left", TokenType::kFillLeft},
    {"fill_right", TokenType::kFillRight},
    {"bool", TokenType::kBool},
    {"start", TokenType::kStart},
    {"end", TokenType::kEnd},
    {"step", TokenType::kStep},
    {"range", TokenType::kRange},
    {"max_of", TokenType::kMaxOf},
    {"min_of", TokenType::kMinOf},
    {"inf", TokenType::kNumber},
    {"nan", TokenType::kNumber},
    // Padding entries never match a lowercased word.
    {"", TokenType::kEof},
    {"", TokenType::kEof},
    {"", TokenType::kEof},
}};

// Case-insensitive keyword lookup without allocating.
bool LookupKeyword(std::string_view word, TokenType* type) {
  if (word.empty() || word.size() > 12) return false;
  char lower[16];
  for (size_t i = 0; i < word.size(); ++i) lower[i] = absl::ascii_tolower(static_cast<unsigned char>(word[i]));
  const std::string_view w(lower, word.size());
  for (const Keyword& k : kKeywords) {
    if (!k.word.empty() && k.word == w) {
      *type = k.type;
      return true;
    }
  }
  return false;
}

bool IsDurationKeywordStart(int32_t r) {
  const int32_t l = (r >= 'A' && r <= 'Z') ? r + 32 : r;
  return l == 's' || l == 'r' || l == 'm';
}

}  // namespace

int32_t Lexer::NextRune() {
  if (pos_ >= static_cast<int32_t>(input_.size())) {
    width_ = 0;
    return kEofRune;
  }
  int32_t w = 1;
  const int32_t r = DecodeRune(input_, pos_, &w);
  width_ = w;
  pos_ += w;
  return r;
}

int32_t Lexer::PeekRune() {
  const int32_t r = NextRune();
  Backup();
  return r;
}

bool Lexer::Accept(std::string_view valid) {
  const int32_t r = NextRune();
  if (r >= 0 && r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos) return true;
  Backup();
  return false;
}

bool Lexer::Is(std::string_view valid) {
  const int32_t r = PeekRune();
  return r >= 0 && r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos;
}

void Lexer::AcceptRun(std::string_view valid) {
  while (Accept(valid)) {
  }
}

Token Lexer::Emit(TokenType t) {
  Token tok;
  tok.type = t;
  tok.pos = start_;
  tok.text = input_.substr(static_cast<size_t>(start_), static_cast<size_t>(pos_ - start_));
  start_ = pos_;
  return tok;
}

Token Lexer::Error(std::string msg) {
  Token tok;
  tok.type = TokenType::kError;
  tok.pos = start_;
  tok.error = std::move(msg);
  state_ = State::kDone;
  return tok;
}

void Lexer::SkipSpaces() {
  while (IsSpace(PeekRune())) NextRune();
  start_ = pos_;
}

void Lexer::SkipComment() {
  pos_ += 1;
  for (int32_t r = NextRune(); r != '\n' && r != '\r' && r != kEofRune;) r = NextRune();
  Backup();
  start_ = pos_;
}

bool Lexer::FollowedByLeftParen() const {
  for (size_t p = static_cast<size_t>(pos_); p < input_.size(); ++p) {
    const char c = input_[p];
    if (!IsSpace(c)) return c == '(';
  }
  return false;
}

Token Lexer::Next() {
  Token out;
  for (;;) {
    switch (state_) {
      case State::kDone:
        out.type = TokenType::kEof;
        out.pos = static_cast<int32_t>(input_.size());
        return out;
      case State::kStatements:
        if (LexStatements(&out)) return out;
        break;
      case State::kInsideBraces:
        if (LexInsideBraces(&out)) return out;
        break;
      case State::kDurationExpr:
        if (LexDurationExpr(&out)) return out;
        break;
    }
  }
}

bool Lexer::LexStatements(Token* out) {
  if (brace_open_) {
    state_ = State::kInsideBraces;
    return false;
  }
  if (pos_ < static_cast<int32_t>(input_.size()) && input_[pos_] == '#') {
    SkipComment();
    return false;
  }
  const int32_t r = NextRune();
  switch (r) {
    case kEofRune:
      if (paren_depth_ != 0) {
        *out = Error("unclosed left parenthesis");
      } else if (bracket_open_) {
        *out = Error("unclosed left bracket");
      } else {
        *out = Emit(TokenType::kEof);
        state_ = State::kDone;
      }
      return true;
    case ',':
      *out = Emit(TokenType::kComma);
      return true;
    case '*':
      *out = Emit(TokenType::kMul);
      return true;
    case '/':
      *out = Emit(TokenType::kDiv);
      return true;
    case '%':
      *out = Emit(TokenType::kMod);
      return true;
    case '+':
      *out = Emit(TokenType::kAdd);
      return true;
    case '-':
      *out = Emit(TokenType::kSub);
      return true;
    case '^':
      *out = Emit(TokenType::kPow);
      return true;
    case '@':
      *out = Emit(TokenType::kAt);
      return true;
    case '=': {
      const int32_t t = PeekRune();
      if (t == '=') {
        NextRune();
        *out = Emit(TokenType::kEqlc);
      } else if (t == '~') {
        *out = Error(absl::StrCat("unexpected character after '=': ", QuoteRune(t)));
      } else {
        *out = Emit(TokenType::kEql);
      }
      return true;
    }
    case '!': {
      const int32_t t = NextRune();
      if (t != '=') {
        *out = Error(absl::StrCat("unexpected character after '!': ", QuoteRune(t)));
      } else {
        *out = Emit(TokenType::kNeq);
      }
      return true;
    }
    case '<':
    case '>': {
      const int32_t t = PeekRune();
      if (t == '=') {
        NextRune();
        *out = Emit(r == '<' ? TokenType::kLte : TokenType::kGte);
      } else if (t == '/') {
        NextRune();
        *out = Emit(r == '<' ? TokenType::kTrimUpper : TokenType::kTrimLower);
      } else {
        *out = Emit(r == '<' ? TokenType::kLss : TokenType::kGtr);
      }
      return true;
    }
    case '"':
    case '\'':
      *out = LexString(r);
      return true;
    case '`':
      *out = LexRawString();
      return true;
    case '(':
      *out = Emit(TokenType::kLeftParen);
      ++paren_depth_;
      return true;
    case ')':
      *out = Emit(TokenType::kRightParen);
      if (--paren_depth_ < 0) *out = Error(absl::StrCat("unexpected right parenthesis ", QuoteRune(r)));
      return true;
    case '{':
      *out = Emit(TokenType::kLeftBrace);
      brace_open_ = true;
      state_ = State::kInsideBraces;
      return true;
    case '[':
      if (bracket_open_) {
        *out = Error(absl::StrCat("unexpected left bracket ", QuoteRune(r)));
        return true;
      }
      got_colon_ = false;
      *out = Emit(TokenType::kLeftBracket);
      SkipSpaces();
      bracket_open_ = true;
      state_ = State::kDurationExpr;
      return true;
    case ']':
      if (!bracket_open_) {
        *out = Error(absl::StrCat("unexpected right bracket ", QuoteRune(r)));
        return true;
      }
      *out = Emit(TokenType::kRightBracket);
      bracket_open_ = false;
      return true;
    default:
      break;
  }
  if (IsSpace(r)) {
    SkipSpaces();
    return false;
  }
  if (IsDigit(r) || (r == '.' && IsDigit(PeekRune()))) {
    Backup();
    *out = LexNumberOrDuration();
    return true;
  }
  if (IsAlpha(r) || r == ':') {
    if (!bracket_open_) {
      Backup();
      *out = LexKeywordOrIdentifier();
      return true;
    }
    if (r == ':') {
      if (got_colon_) {
        *out = Error(absl::StrCat("unexpected colon ", QuoteRune(r)));
        return true;
      }
      *out = Emit(TokenType::kColon);
      got_colon_ = true;
      return true;
    }
    if (IsDurationKeywordStart(r) && ScanDurationKeyword(out)) return true;
    *out = Error(absl::StrCat("unexpected character: ", QuoteRune(r), ", expected ", QuoteRune(':')));
    return true;
  }
  *out = Error(absl::StrCat("unexpected character: ", QuoteRune(r)));
  return true;
}

bool Lexer::LexInsideBraces(Token* out) {
  if (pos_ < static_cast<int32_t>(input_.size()) && input_[pos_] == '#') {
    SkipComment();
    return false;
  }
  const int32_t r = NextRune();
  if (r == kEofRune) {
    *out = Error("unexpected end of input inside braces");
    return true;
  }
  if (IsSpace(r)) {
    SkipSpaces();
    return false;
  }
  if (IsAlpha(r)) {
    while (IsAlphaNumeric(NextRune())) {
    }
    Backup();
    *out = Emit(TokenType::kIdentifier);
    return true;
  }
  switch (r) {
    case ',':
      *out = Emit(TokenType::kComma);
      return true;
    case '"':
    case '\'':
      *out = LexString(r);
      return true;
    case '`':
      *out = LexRawString();
      return true;
    case '=':
      if (NextRune() == '~') {
        *out = Emit(TokenType::kEqlRegex);
        return true;
      }
      Backup();
      *out = Emit(TokenType::kEql);
      return true;
    case '!': {
      const int32_t nr = NextRune();
      if (nr == '~') {
        *out = Emit(TokenType::kNeqRegex);
      } else if (nr == '=') {
        *out = Emit(TokenType::kNeq);
      } else {
        *out = Error(absl::StrCat("unexpected character after '!' inside braces: ", QuoteRune(nr)));
      }
      return true;
    }
    case '{':
      *out = Error(absl::StrCat("unexpected left brace ", QuoteRune(r)));
      return true;
    case '}':
      *out = Emit(TokenType::kRightBrace);
      brace_open_ = false;
      state_ = State::kStatements;
      return true;
    default:
      *out = Error(absl::StrCat("unexpected character inside braces: ", QuoteRune(r)));
      return true;
  }
}

bool Lexer::LexDurationExpr(Token* out) {
  const int32_t r = NextRune();
  switch (r) {
    case kEofRune:
      *out = Error("unexpected end of input in duration expression");
      return true;
    case ']':
      *out = Emit(TokenType::kRightBracket);
      bracket_open_ = false;
      got_colon_ = false;
      state_ = State::kStatements;
      return true;
    case ':':
      *out = Emit(TokenType::kColon);
      if (!got_duration_) {
        *out = Error("unexpected colon before duration in duration expression");
      } else if (got_colon_) {
        *out = Error("unexpected repeated colon in duration expression");
      }
      got_colon_ = true;
      return true;
    case '(':
      *out = Emit(TokenType::kLeftParen);
      ++paren_depth_;
      return true;
    case ')':
      *out = Emit(TokenType::kRightParen);
      if (--paren_depth_ < 0) *out = Error(absl::StrCat("unexpected right parenthesis ", QuoteRune(r)));
      return true;
    case '+':
      *out = Emit(TokenType::kAdd);
      return true;
    case '-':
      *out = Emit(TokenType::kSub);
      return true;
    case '*':
      *out = Emit(TokenType::kMul);
      return true;
    case '/':
      *out = Emit(TokenType::kDiv);
      return true;
    case '%':
      *out = Emit(TokenType::kMod);
      return true;
    case '^':
      *out = Emit(TokenType::kPow);
      return true;
    case ',':
      *out = Emit(TokenType::kComma);
      return true;
    default:
      break;
  }
  if (IsSpace(r)) {
    SkipSpaces();
    return false;
  }
  if (IsDurationKeywordStart(r)) {
    if (ScanDurationKeyword(out)) return true;
    *out = Error(absl::StrCat("unexpected character in duration expression: ", QuoteRune(r)));
    return true;
  }
  if (IsDigit(r) || (r == '.' && IsDigit(PeekRune()))) {
    Backup();
    got_duration_ = true;
    state_ = State::kStatements;
    *out = LexNumberOrDuration();
    return true;
  }
  *out = Error(absl::StrCat("unexpected character in duration expression: ", QuoteRune(r)));
  return true;
}

bool Lexer::ScanDurationKeyword(Token* out) {
  while (IsAlpha(NextRune())) {
  }
  Backup();
  const std::string_view word = input_.substr(static_cast<size_t>(start_), static_cast<size_t>(pos_ - start_));
  TokenType t = TokenType::kEof;
  if (LookupKeyword(word, &t) &&
      (t == TokenType::kStep || t == TokenType::kRange || t == TokenType::kMaxOf || t == TokenType::kMinOf)) {
    *out = Emit(t);
    return true;
  }
  return false;
}

Token Lexer::LexNumberOrDuration() {
  if (ScanNumber()) return Emit(TokenType::kNumber);
  if (AcceptRemainingDuration()) {
    Backup();
    return Emit(TokenType::kDuration);
  }
  return Error(
      absl::StrCat("bad number or duration syntax: ",
                   QuoteLabelValue(input_.substr(static_cast<size_t>(start_), static_cast<size_t>(pos_ - start_)))));
}

bool Lexer::AcceptRemainingDuration() {
  if (!Accept("smhdwy")) return false;
  Accept("s");
  while (Accept("0123456789")) {
    while (Accept("0123456789")) {
    }
    if (!Accept("smhdw")) return false;
    Accept("s");
  }
  return !IsAlphaNumeric(NextRune());
}

bool Lexer::ScanNumber() {
  const int32_t initial = pos_;
  std::string_view digits = "0123456789";
  if (Accept("0") && Accept("xX")) {
    Accept("_");
    digits = "0123456789abcdefABCDEF";
  }
  const bool hex = digits.size() > 10;
  Accept(".");
  Accept(digits);
  bool dot_consumed = false;
  bool exponent_consumed = false;
  for (;;) {
    const int32_t p = PeekRune();
    const bool in_digits = p >= 0 && p < 0x80 && digits.find(static_cast<char>(p)) != std::string_view::npos;
    if (!(in_digits || p == '.' || p == '_' || p == 'e' || p == 'E')) break;
    if (p == '.' && dot_consumed) {
      Accept(".");
      return false;
    }
    if ((p == 'e' || p == 'E') && exponent_consumed) {
      Accept("eE");
      return false;
    }
    if (Accept(".")) {
      dot_consumed = true;
      if (Accept("_.")) return false;
      if (hex) return false;
      continue;
    }
    if (Accept("eE")) {
      exponent_consumed = true;
      Accept("+-");
      if (Accept("._eE") || PeekRune() == kEofRune) return false;
      continue;
    }
    if (Accept("_")) {
      if (Accept("._eE") || PeekRune() == kEofRune) return false;
      continue;
    }
    AcceptRun(digits);
  }
  if (pos_ == initial) return false;
  return !IsAlphaNumeric(PeekRune());
}

std::string Lexer::LexEscape(int32_t quote) {
  int32_t ch = NextRune();
  int n = 0;
  uint32_t base = 0, max_val = 0;
  switch (ch) {
    case 'a':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
    case 'v':
    case '\\':
      return "";
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
      n = 3, base = 8, max_val = 255;
      break;
    case 'x':
      ch = NextRune();
      n = 2, base = 16, max_val = 255;
      break;
    case 'u':
      ch = NextRune();
      n = 4, base = 16, max_val = 0x10FFFF;
      break;
    case 'U':
      ch = NextRune();
      n = 8, base = 16, max_val = 0x10FFFF;
      break;
    case kEofRune:
      return "escape sequence not terminated";
    default:
      if (ch == quote) return "";
      return absl::StrCat("unknown escape sequence ", FormatRuneU(ch));
  }
  uint32_t x = 0;
  while (n > 0) {
    const auto d = static_cast<uint32_t>(DigitVal(ch));
    if (d >= base) {
      if (ch == kEofRune) return "escape sequence not terminated";
      return absl::StrCat("illegal character ", FormatRuneU(ch), " in escape sequence");
    }
    x = x * base + d;
    if (--n > 0) ch = NextRune();
  }
  if (x > max_val || (x >= 0xD800 && x < 0xE000)) return "escape sequence is an invalid Unicode code point";
  return "";
}

Token Lexer::LexString(int32_t quote) {
  for (;;) {
    const int32_t r = NextRune();
    if (r == '\\') {
      std::string err = LexEscape(quote);
      if (!err.empty()) return Error(std::move(err));
      continue;
    }
    if (r == kRuneError) return Error("invalid UTF-8 rune");
    if (r == kEofRune || r == '\n') return Error("unterminated quoted string");
    if (r == quote) break;
  }
  return Emit(TokenType::kString);
}

Token Lexer::LexRawString() {
  for (;;) {
    const int32_t r = NextRune();
    if (r == kRuneError) return Error("invalid UTF-8 rune");
    if (r == kEofRune) return Error("unterminated raw string");
    if (r == '`') break;
  }
  return Emit(TokenType::kString);
}

Token Lexer::LexKeywordOrIdentifier() {
  bool has_colon = false;
  for (;;) {
    const int32_t r = NextRune();
    if (r == ':') {
      has_colon = true;
    } else if (!IsAlphaNumeric(r)) {
      break;
    }
  }
  Backup();
  const std::string_view word = input_.substr(static_cast<size_t>(start_), static_cast<size_t>(pos_ - start_));
  TokenType kw = TokenType::kEof;
  if (LookupKeyword(word, &kw)) {
    if ((kw == TokenType::kFill || kw == TokenType::kFillLeft || kw == TokenType::kFillRight) &&
        !FollowedByLeftParen()) {
      return Emit(TokenType::kIdentifier);
    }
    return Emit(kw);
  }
  return Emit(has_colon ? TokenType::kMetricIdentifier : TokenType::kIdentifier);
}

}  // namespace vigil::promql
