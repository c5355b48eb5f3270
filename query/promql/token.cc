#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/strings/utf8.h"
#include "model/labels.h"
#include "query/promql/lexer.h"

namespace vigil::promql {
namespace {

constexpr int32_t kRuneError = 0xFFFD;

std::string GoQuote(std::string_view s) { return QuoteLabelValue(s); }

// Go's %.10q: the first 10 runes, quoted.
std::string GoQuoteTruncated(std::string_view s) {
  int32_t pos = 0;
  int runes = 0;
  while (pos < static_cast<int32_t>(s.size()) && runes < 10) {
    int32_t w = 1;
    DecodeRune(s, pos, &w);
    pos += w;
    ++runes;
  }
  return GoQuote(s.substr(0, static_cast<size_t>(pos)));
}

}  // namespace

int32_t DecodeRune(std::string_view s, int32_t pos, int32_t* width) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  const size_t left = s.size() - static_cast<size_t>(pos);
  *width = 1;
  if (b0 < 0x80) return b0;
  auto cont = [&](size_t i) -> int32_t {
    if (i >= left) return -1;
    const auto b = static_cast<unsigned char>(s[pos + i]);
    return (b & 0xC0) == 0x80 ? (b & 0x3F) : -1;
  };
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    const int32_t c1 = cont(1);
    if (c1 < 0) return kRuneError;
    *width = 2;
    return ((b0 & 0x1F) << 6) | c1;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    const int32_t c1 = cont(1), c2 = cont(2);
    if (c1 < 0 || c2 < 0) return kRuneError;
    const int32_t r = ((b0 & 0x0F) << 12) | (c1 << 6) | c2;
    if (r < 0x800 || (r >= 0xD800 && r <= 0xDFFF)) return kRuneError;
    *width = 3;
    return r;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    const int32_t c1 = cont(1), c2 = cont(2), c3 = cont(3);
    if (c1 < 0 || c2 < 0 || c3 < 0) return kRuneError;
    const int32_t r = ((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
    if (r < 0x10000 || r > 0x10FFFF) return kRuneError;
    *width = 4;
    return r;
  }
  return kRuneError;
}

bool IsPrintRune(int32_t r) {
  if (r < 0x80) return r >= 0x20 && r < 0x7F;
  return r >= 0xA0 && r <= 0x10FFFF && !(r >= 0xD800 && r <= 0xDFFF);
}

bool IsOperatorToken(TokenType t) { return t >= TokenType::kAdd && t <= TokenType::kAtan2; }
bool IsAggregatorToken(TokenType t) { return t >= TokenType::kAvg && t <= TokenType::kLimitRatio; }
bool IsKeywordToken(TokenType t) { return t >= TokenType::kBool && t <= TokenType::kWithout; }

std::string QuoteRune(int32_t r) {
  if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = kRuneError;
  switch (r) {
    case '\a':
      return "'\\a'";
    case '\b':
      return "'\\b'";
    case '\f':
      return "'\\f'";
    case '\n':
      return "'\\n'";
    case '\r':
      return "'\\r'";
    case '\t':
      return "'\\t'";
    case '\v':
      return "'\\v'";
    case '\'':
      return "'\\''";
    case '\\':
      return "'\\\\'";
    default:
      break;
  }
  if (IsPrintRune(r)) {
    std::string out = "'";
    AppendUtf8(static_cast<uint32_t>(r), &out);
    out += "'";
    return out;
  }
  if (r < 0x80) return absl::StrFormat("'\\x%02x'", r);
  if (r < 0x10000) return absl::StrFormat("'\\u%04x'", r);
  return absl::StrFormat("'\\U%08x'", r);
}

std::string DescribeToken(const Token& t) {
  switch (t.type) {
    case TokenType::kEof:
      return "end of input";
    case TokenType::kError:
      return t.error;
    case TokenType::kIdentifier:
      return absl::StrCat("identifier ", GoQuote(t.text));
    case TokenType::kMetricIdentifier:
      return absl::StrCat("metric identifier ", GoQuote(t.text));
    case TokenType::kNumber:
    case TokenType::kDuration:
    case TokenType::kString: {
      const char* kind =
          t.type == TokenType::kNumber ? "number " : (t.type == TokenType::kDuration ? "duration " : "string ");
      if (t.text.size() > 10) return absl::StrCat(kind, GoQuoteTruncated(t.text), "...");
      return absl::StrCat(kind, GoQuote(t.text));
    }
    default:
      break;
  }
  if (IsKeywordToken(t.type)) return absl::StrCat("<", std::string(t.text), ">");
  if (IsOperatorToken(t.type)) return absl::StrCat("<op:", std::string(t.text), ">");
  if (IsAggregatorToken(t.type)) return absl::StrCat("<aggr:", std::string(t.text), ">");
  if (t.text.size() > 10) return absl::StrCat(GoQuoteTruncated(t.text), "...");
  return GoQuote(t.text);
}

}  // namespace vigil::promql
