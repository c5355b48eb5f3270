// The PromQL tokenizer: query text -> tokens, with Prometheus 3's lexing rules and error texts.
//
//   Lexer lex("rate(x[5m])");
//   for (Token t = lex.Next(); t.type != TokenType::kEof && t.type != TokenType::kError; t = lex.Next()) ...
//
// Like Prometheus' state-machine lexer, it is context-sensitive: inside braces keywords are plain identifiers,
// inside brackets only durations, numbers, `:` and duration-arithmetic tokens are accepted, and a `fill` keyword
// is one only when a `(` follows. It never allocates per token except for the text of an error.
#ifndef VIGIL_QUERY_PROMQL_LEXER_H_
#define VIGIL_QUERY_PROMQL_LEXER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::promql {

enum class TokenType : uint8_t {
  kEof,
  kError,  // Token::error holds the message
  kIdentifier,
  kMetricIdentifier,  // an identifier with a ':'
  kNumber,
  kDuration,
  kString,  // text still quoted
  kLeftParen,
  kRightParen,
  kLeftBrace,
  kRightBrace,
  kLeftBracket,
  kRightBracket,
  kComma,
  kEql,  // = (matchers)
  kColon,
  // Operators.
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kEqlc,  // ==
  kNeq,
  kLss,
  kLte,
  kGtr,
  kGte,
  kTrimUpper,  // </
  kTrimLower,  // >/
  kEqlRegex,
  kNeqRegex,
  kAt,
  kLand,
  kLor,
  kLunless,
  kAtan2,
  // Aggregators.
  kAvg,
  kBottomk,
  kCount,
  kCountValues,
  kGroup,
  kMax,
  kMin,
  kQuantile,
  kStddev,
  kStdvar,
  kSum,
  kTopk,
  kLimitk,
  kLimitRatio,
  // Keywords.
  kBool,
  kBy,
  kGroupLeft,
  kGroupRight,
  kFill,
  kFillLeft,
  kFillRight,
  kIgnoring,
  kOffset,
  kSmoothed,
  kAnchored,
  kOn,
  kWithout,
  // Preprocessors (function-like keywords).
  kStart,
  kEnd,
  kStep,
  kRange,
  kMaxOf,
  kMinOf,
};

// Whether the token is one of the operator tokens (kAdd..kAtan2).
bool IsOperatorToken(TokenType t);
// Whether the token is an aggregation keyword (kAvg..kLimitRatio).
bool IsAggregatorToken(TokenType t);
// Whether the token is a modifier keyword (kBool..kWithout).
bool IsKeywordToken(TokenType t);

struct Token {
  TokenType type = TokenType::kEof;
  int32_t pos = 0;        // byte offset of the first character
  std::string_view text;  // the characters, a view into the query
  std::string error;      // for kError
};

// How Prometheus names a token in "unexpected ..." errors: `end of input`, `identifier "foo"`, `<op:+>`,
// `<aggr:sum>`, `<by>`, `","`, `number "5"`, `string "\"a\""`.
std::string DescribeToken(const Token& t);

// Go's %q of a rune: 'a', '\n', '\x00', '"'.
std::string QuoteRune(int32_t r);

// Decodes the UTF-8 rune at byte `pos` of `s` as Go's utf8.DecodeRuneInString: invalid or truncated input is
// U+FFFD with *width 1. `pos` must be inside `s`.
int32_t DecodeRune(std::string_view s, int32_t pos, int32_t* width);

// Go's unicode.IsPrint, approximated: ASCII graphic characters and space, and any other valid code point outside
// the C1 controls and surrogates.
bool IsPrintRune(int32_t r);

class Lexer {
 public:
  explicit Lexer(std::string_view input) : input_(input) {}

  // The next token (comments skipped). After kEof or kError it keeps returning kEof.
  Token Next();

 private:
  enum class State : uint8_t { kStatements, kInsideBraces, kDurationExpr, kDone };

  int32_t NextRune();
  int32_t PeekRune();
  void Backup() { pos_ -= width_; }
  bool Accept(std::string_view valid);
  bool Is(std::string_view valid);
  void AcceptRun(std::string_view valid);

  Token Emit(TokenType t);
  Token Error(std::string msg);

  // Each returns true when it produced *out (false: skipped input, call again).
  bool LexStatements(Token* out);
  bool LexInsideBraces(Token* out);
  bool LexDurationExpr(Token* out);
  Token LexNumberOrDuration();
  Token LexString(int32_t quote);
  Token LexRawString();
  Token LexKeywordOrIdentifier();
  // Scans step/range/max_of/min_of after its first letter; returns false when the word is not one.
  bool ScanDurationKeyword(Token* out);
  bool ScanNumber();
  bool AcceptRemainingDuration();
  // Returns an error message for a bad escape, or "" when it is well-formed.
  std::string LexEscape(int32_t quote);
  void SkipSpaces();
  void SkipComment();
  bool FollowedByLeftParen() const;

  std::string_view input_;
  State state_ = State::kStatements;
  int32_t pos_ = 0;
  int32_t start_ = 0;
  int32_t width_ = 0;
  int paren_depth_ = 0;
  bool brace_open_ = false;
  bool bracket_open_ = false;
  bool got_colon_ = false;
  bool got_duration_ = false;
};

}  // namespace vigil::promql

#endif  // VIGIL_QUERY_PROMQL_LEXER_H_
