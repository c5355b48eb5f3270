#include "query/api/json.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "base/strings/json_escape.h"

namespace vigil::query::api {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Bytes of a UTF-8 sequence starting at s[i] if it is valid (shortest form, no surrogates, <= U+10FFFF); 0 if
// not. `cp` receives the code point.
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  uint32_t c = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
    c = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    c = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    c = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    c = (c << 6) | (b & 0x3F);
  }
  if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  *cp = c;
  return n;
}

// The digits and decimal exponent of the shortest decimal that round-trips `abs` (finite, > 0): abs equals
// 0.d1d2...dn * 10^(exp + 1).
struct ShortestDigits {
  char digits[20];
  int num_digits = 0;
  int exp = 0;
};

ShortestDigits Shortest(double abs) {
  char buf[40];
  std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), abs, std::chars_format::scientific);
  ShortestDigits d;
  const char* p = buf;
  for (; p < r.ptr && *p != 'e'; ++p) {
    if (*p != '.') d.digits[d.num_digits++] = *p;
  }
  // p points at 'e'; the exponent follows with its sign.
  int exp = 0;
  bool negative = p + 1 < r.ptr && p[1] == '-';
  for (const char* q = p + 2; q < r.ptr; ++q) exp = exp * 10 + (*q - '0');
  d.exp = negative ? -exp : exp;
  return d;
}

// Go's 'f' and 'e' formats of a finite, non-zero value without its sign.
void AppendFixed(double abs, std::string* out) {
  ShortestDigits d = Shortest(abs);
  if (d.exp >= 0) {
    int int_digits = d.exp + 1;
    if (d.num_digits <= int_digits) {
      out->append(d.digits, d.num_digits);
      out->append(static_cast<size_t>(int_digits - d.num_digits), '0');
    } else {
      out->append(d.digits, int_digits);
      out->push_back('.');
      out->append(d.digits + int_digits, d.num_digits - int_digits);
    }
  } else {
    out->append("0.");
    out->append(static_cast<size_t>(-d.exp - 1), '0');
    out->append(d.digits, d.num_digits);
  }
}

void AppendExponent(double abs, std::string* out) {
  char buf[40];
  std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), abs, std::chars_format::scientific);
  // C++ writes at least two exponent digits ("1e-07", "1.5e+300"), as Go does.
  out->append(buf, r.ptr);
}

// Go's strconv.AppendFloat(v, fmt, -1, 64) for fmt 'f' or 'e'.
void AppendGo(double v, bool exponent, std::string* out) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  if (std::signbit(v)) out->push_back('-');
  double abs = std::fabs(v);
  if (abs == 0) {
    out->append(exponent ? "0e+00" : "0");
    return;
  }
  if (exponent) {
    AppendExponent(abs, out);
  } else {
    AppendFixed(abs, out);
  }
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  size_t start = 0;
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      if (b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&') {
        ++i;
        continue;
      }
      out->append(s.data() + start, i - start);
      AppendJsonEscapedByte(b, out);
      start = ++i;
      continue;
    }
    uint32_t cp = 0;
    size_t n = DecodeUtf8(s, i, &cp);
    if (n == 0) {
      out->append(s.data() + start, i - start);
      out->append("\\ufffd");
      start = ++i;
      continue;
    }
    if (cp == 0x2028 || cp == 0x2029) {
      out->append(s.data() + start, i - start);
      out->append(cp == 0x2028 ? "\\u2028" : "\\u2029");
      i += n;
      start = i;
      continue;
    }
    i += n;
  }
  out->append(s.data() + start, s.size() - start);
  out->push_back('"');
}

void AppendSampleValue(double v, std::string* out) {
  out->push_back('"');
  double abs = std::fabs(v);
  AppendGo(v, abs != 0 && (abs < 1e-6 || abs >= 1e21), out);
  out->push_back('"');
}

void AppendScalarValue(double v, std::string* out) {
  out->push_back('"');
  AppendGo(v, false, out);
  out->push_back('"');
}

void AppendTimestamp(int64_t t_ms, std::string* out) {
  uint64_t abs = static_cast<uint64_t>(t_ms);
  if (t_ms < 0) {
    out->push_back('-');
    abs = 0 - abs;
  }
  char buf[24];
  std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), abs / 1000);
  out->append(buf, r.ptr);
  unsigned fraction = static_cast<unsigned>(abs % 1000);
  if (fraction != 0) {
    out->push_back('.');
    out->push_back(static_cast<char>('0' + fraction / 100));
    out->push_back(static_cast<char>('0' + fraction / 10 % 10));
    out->push_back(static_cast<char>('0' + fraction % 10));
  }
}

void AppendJsonNumber(double v, std::string* out) {
  if (!std::isfinite(v)) v = 0;  // encoding/json refuses them; never reached with timestamps
  double abs = std::fabs(v);
  bool exponent = abs != 0 && (abs < 1e-6 || abs >= 1e21);
  AppendGo(v, exponent, out);
  // encoding/json shortens a two-digit negative exponent: "1e-07" becomes "1e-7".
  size_t n = out->size();
  if (exponent && n >= 4 && (*out)[n - 4] == 'e' && (*out)[n - 3] == '-' && (*out)[n - 2] == '0') {
    (*out)[n - 2] = (*out)[n - 1];
    out->pop_back();
  }
}

void AppendFloatSeconds(int64_t t_ms, std::string* out) { AppendJsonNumber(static_cast<double>(t_ms) / 1000, out); }

// Writes `s` quoted as jsoniter's Stream.WriteString does, which is how Prometheus writes label names and
// values: control characters, `"` and `\` escaped, every other byte as it is (no HTML escaping, no UTF-8 repair).
void AppendPlainJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b >= 0x20 && b != '"' && b != '\\') continue;
    out->append(s.data() + start, i - start);
    AppendJsonEscapedByte(b, out);
    start = i + 1;
  }
  out->append(s.data() + start, s.size() - start);
  out->push_back('"');
}

void AppendLabelsObject(const Labels& labels, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const Label& l : labels) {
    if (!first) out->push_back(',');
    first = false;
    AppendPlainJsonString(l.name, out);
    out->push_back(':');
    AppendPlainJsonString(l.value, out);
  }
  out->push_back('}');
}

void AppendGoFloatF(double v, std::string* out) { AppendGo(v, false, out); }

void AppendGoFloatE(double v, std::string* out) { AppendGo(v, true, out); }

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto b = static_cast<unsigned char>(ch);
    switch (b) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\r':
        out.append("\\r");
        break;
      default:
        if (b < 0x20 || b == 0x7F) {
          out.append("\\x");
          out.push_back(kHex[b >> 4]);
          out.push_back(kHex[b & 0xF]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace vigil::query::api
