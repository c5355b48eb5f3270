// The LogQL tokenizer, with the rules of Loki's lexer (pkg/logql/syntax/lex.go over Go's text/scanner):
//
//  - keywords are case-insensitive; function names (rate, sum, vector, bytes, duration, ip, label_replace, ...) are
//    keywords only when followed by `(` or by `by (`/`without (`, otherwise identifiers;
//  - a number directly followed by duration units is a DURATION ("5m", "1.5s"), by byte units a BYTES ("1KiB");
//  - `[...]` is one RANGE token whose text must be a Prometheus duration;
//  - `--strict` / `--keep-empty` are parser flags; `#`, `//` and `/* */` start comments;
//  - strings are "..." (Go escapes) or `...` (raw).
//
// Positions are byte offsets; ErrorPosition() turns one into Loki's 1-based line and (rune) column.
#ifndef VIGIL_QUERY_LOGQL_LEXER_H_
#define VIGIL_QUERY_LOGQL_LEXER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::logql {

enum class Tok : uint8_t {
  kEof,
  kError,
  kIdentifier,
  kString,
  kNumber,
  kDuration,
  kBytes,
  kRange,
  kFlag,
  // Punctuation.
  kComma,
  kDot,
  kOpenBrace,
  kCloseBrace,
  kOpenParen,
  kCloseParen,
  kOpenBracket,  // only for error names; `[` always starts a RANGE
  kCloseBracket,
  kEq,           // =
  kNeq,          // !=
  kRe,           // =~
  kNre,          // !~
  kNpa,          // !>
  kPipeExact,    // |=
  kPipeMatch,    // |~
  kPipePattern,  // |>
  kPipe,         // |
  // Binary operators.
  kOr,
  kAnd,
  kUnless,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kCmpEq,  // ==
  kGt,
  kGte,
  kLt,
  kLte,
  // Keywords.
  kBy,
  kWithout,
  kBool,
  kOffset,
  kOn,
  kIgnoring,
  kGroupLeft,
  kGroupRight,
  kJson,
  kRegexp,
  kLogfmt,
  kUnpack,
  kPattern,
  kLineFormat,
  kLabelFormat,
  kDecolorize,
  kDrop,
  kKeep,
  kUnwrap,
  // Function keywords (only before `(`).
  kIp,
  kLabelReplace,
  kVector,
  kBytesConv,
  kDurationConv,
  kDurationSecondsConv,
  kCountOverTime,
  kRate,
  kRateCounter,
  kBytesOverTime,
  kBytesRate,
  kAvgOverTime,
  kSumOverTime,
  kMinOverTime,
  kMaxOverTime,
  kStdvarOverTime,
  kStddevOverTime,
  kQuantileOverTime,
  kFirstOverTime,
  kLastOverTime,
  kAbsentOverTime,
  kSum,
  kAvg,
  kMin,
  kMax,
  kCount,
  kStddev,
  kStdvar,
  kTopk,
  kBottomk,
  kSort,
  kSortDesc,
};

struct Token {
  Tok type = Tok::kEof;
  int32_t pos = 0;          // byte offset of the first character
  std::string_view text;    // the characters as written
  std::string str;          // kString: unquoted value; kFlag: the flag; kError: the message
  int64_t duration_ns = 0;  // kDuration, kRange
  uint64_t bytes = 0;       // kBytes
};

// How Loki's yacc grammar names a token in "unexpected ..." errors: IDENTIFIER, STRING, NUMBER, RANGE, $end, and
// the literal spelling for punctuation and keywords ("}", "|=", "by", "json"); function keywords in upper case
// (RATE, SUM, COUNT_OVER_TIME).
std::string_view TokenName(Tok t);

// Loki's 1-based line and column (in characters) of byte offset `pos` in `input`.
void ErrorPosition(std::string_view input, int32_t pos, int* line, int* col);

class Lexer {
 public:
  explicit Lexer(std::string_view input) : input_(input) {}

  // The next token. After kEof or kError it keeps returning kEof.
  Token Next();

 private:
  void SkipSpaceAndComments();
  Token Make(Tok t, int32_t start);
  Token Error(int32_t start, std::string msg);
  Token LexNumber(int32_t start);
  Token LexString(int32_t start);
  Token LexRange(int32_t start);
  Token LexWord(int32_t start);
  // Whether the text after pos_ starts (after spaces) with `(` or `by (`/`without (`.
  bool FollowedByCall() const;

  std::string_view input_;
  int32_t pos_ = 0;
  bool done_ = false;
};

}  // namespace vigil::logql

#endif  // VIGIL_QUERY_LOGQL_LEXER_H_
