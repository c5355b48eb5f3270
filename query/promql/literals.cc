#include "query/promql/literals.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/strings/absl_view.h"
#include "base/strings/utf8.h"
#include "model/labels.h"
#include "query/promql/lexer.h"

namespace vigil::promql {
namespace {

char Lower(char c) { return absl::ascii_tolower(static_cast<unsigned char>(c)); }

// Go's strconv underscoreOK: underscores only between digits (a base prefix counts as a digit).
bool UnderscoreOk(std::string_view s) {
  char saw = '^';
  size_t i = 0;
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' && (Lower(s[1]) == 'b' || Lower(s[1]) == 'o' || Lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = Lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if ((c >= '0' && c <= '9') || (hex && Lower(c) >= 'a' && Lower(c) <= 'f')) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

// Go's strconv.ParseInt(s, 0, 64) for the unsigned forms the lexer produces; false on any error.
bool ParseGoInt(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  unsigned base = 10;
  size_t i = 0;
  if (s.size() >= 2 && s[0] == '0' && Lower(s[1]) == 'x') {
    base = 16;
    i = 2;
  } else if (s.size() >= 2 && s[0] == '0' && Lower(s[1]) == 'o') {
    base = 8;
    i = 2;
  } else if (s.size() >= 2 && s[0] == '0' && Lower(s[1]) == 'b') {
    base = 2;
    i = 2;
  } else if (s.size() >= 2 && s[0] == '0') {
    base = 8;
    i = 1;
  }
  bool underscores = false;
  bool any_digit = false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '_') {
      underscores = true;
      continue;
    }
    unsigned d = 99;
    if (c >= '0' && c <= '9') {
      d = static_cast<unsigned>(c - '0');
    } else if (Lower(c) >= 'a' && Lower(c) <= 'z') {
      d = static_cast<unsigned>(Lower(c) - 'a' + 10);
    }
    if (d >= base) return false;
    if (v > (std::numeric_limits<uint64_t>::max() - d) / base) return false;
    v = v * base + d;
    any_digit = true;
  }
  if (!any_digit) return false;
  if (underscores && !UnderscoreOk(s)) return false;
  if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
  *out = static_cast<int64_t>(v);
  return true;
}

absl::Status FloatError(std::string_view s, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("strconv.ParseFloat: parsing ", QuoteString(s), ": ", AV(why)));
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (Lower(c) >= 'a' && Lower(c) <= 'f') return Lower(c) - 'a' + 10;
  return -1;
}

}  // namespace

absl::StatusOr<double> ParseNumberToken(std::string_view text) {
  if (text.size() == 3) {
    const std::string lower = absl::AsciiStrToLower(std::string(text));
    if (lower == "inf") return std::numeric_limits<double>::infinity();
    if (lower == "nan") return std::numeric_limits<double>::quiet_NaN();
  }
  int64_t i = 0;
  if (ParseGoInt(text, &i)) return static_cast<double>(i);
  if (text.size() >= 2 && text[0] == '0' && Lower(text[1]) == 'x') {
    // Go accepts hexadecimal floats only with a 'p' exponent, which the lexer never produces.
    return FloatError(text, "invalid syntax");
  }
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    if (c == '_') continue;
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
      return FloatError(text, "invalid syntax");
    }
    clean.push_back(c);
  }
  if (clean.size() != text.size() && !UnderscoreOk(text)) return FloatError(text, "invalid syntax");
  if (clean.empty()) return FloatError(text, "invalid syntax");
  double v = 0;
  const auto [ptr, ec] = std::from_chars(clean.data(), clean.data() + clean.size(), v);
  if (ptr != clean.data() + clean.size()) return FloatError(text, "invalid syntax");
  if (ec == std::errc::result_out_of_range) {
    // from_chars reports underflow too; Go only fails on overflow (underflow gives 0 or a denormal).
    errno = 0;
    const double d = std::strtod(clean.c_str(), nullptr);
    if (std::isinf(d)) return FloatError(text, "value out of range");
    return d;
  }
  if (ec != std::errc()) return FloatError(text, "invalid syntax");
  return v;
}

absl::StatusOr<int64_t> ParseDurationToken(std::string_view text) {
  if (text == "0") return 0;
  if (text.empty()) return absl::InvalidArgumentError("empty duration string");
  struct Unit {
    std::string_view name;
    uint64_t mult_ns;
    int pos;
  };
  static constexpr Unit kUnits[] = {
      {"y", 365ULL * 24 * 3600 * 1000000000ULL, 1},
      {"w", 7ULL * 24 * 3600 * 1000000000ULL, 2},
      {"d", 24ULL * 3600 * 1000000000ULL, 3},
      {"h", 3600ULL * 1000000000ULL, 4},
      {"m", 60ULL * 1000000000ULL, 5},
      {"s", 1000000000ULL, 6},
      {"ms", 1000000ULL, 7},
  };
  const auto invalid = [&] {
    return absl::InvalidArgumentError(absl::StrCat("not a valid duration string: ", QuoteString(text)));
  };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  std::string_view s = text;
  uint64_t dur = 0;
  int last_unit_pos = 0;
  while (!s.empty()) {
    if (!is_digit(s[0])) return invalid();
    size_t i = 0;
    uint64_t v = 0;
    bool overflow = false;
    for (; i < s.size() && is_digit(s[i]); ++i) {
      const auto d = static_cast<uint64_t>(s[i] - '0');
      if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) overflow = true;
      v = v * 10 + d;
    }
    if (overflow) return invalid();
    s.remove_prefix(i);
    for (i = 0; i < s.size() && !is_digit(s[i]); ++i) {
    }
    if (i == 0) return invalid();
    const std::string_view u = s.substr(0, i);
    s.remove_prefix(i);
    const Unit* unit = nullptr;
    for (const Unit& c : kUnits) {
      if (c.name == u) unit = &c;
    }
    if (unit == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown unit ", QuoteString(u), " in duration ", QuoteString(text)));
    }
    if (unit->pos <= last_unit_pos) return invalid();
    last_unit_pos = unit->pos;
    if (v > (1ULL << 63) / unit->mult_ns) return absl::InvalidArgumentError("duration out of range");
    dur += v * unit->mult_ns;
    if (dur > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return absl::InvalidArgumentError("duration out of range");
    }
  }
  return static_cast<int64_t>(dur);
}

absl::StatusOr<std::string> UnquoteStringToken(std::string_view quoted) {
  const auto bad = [] { return absl::InvalidArgumentError("invalid syntax"); };
  if (quoted.size() < 2) return bad();
  const char quote = quoted.front();
  if (quoted.back() != quote) return bad();
  std::string_view s = quoted.substr(1, quoted.size() - 2);
  if (quote == '`') {
    if (s.find('`') != std::string_view::npos) return bad();
    return std::string(s);
  }
  if (quote != '"' && quote != '\'') return bad();
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == quote || c == '\n') return bad();
    if (c != '\\') {
      out.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= s.size()) return bad();
    const char e = s[i + 1];
    i += 2;
    switch (e) {
      case 'a':
        out.push_back('\a');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'v':
        out.push_back('\v');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '\'':
      case '"':
        if (e != quote) return bad();
        out.push_back(e);
        break;
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        if (i + 2 > s.size()) return bad();
        uint32_t v = static_cast<uint32_t>(e - '0');
        for (int k = 0; k < 2; ++k) {
          const char d = s[i++];
          if (d < '0' || d > '7') return bad();
          v = v * 8 + static_cast<uint32_t>(d - '0');
        }
        if (v > 255) return bad();
        out.push_back(static_cast<char>(v));
        break;
      }
      case 'x':
      case 'u':
      case 'U': {
        const int n = e == 'x' ? 2 : (e == 'u' ? 4 : 8);
        if (i + static_cast<size_t>(n) > s.size()) return bad();
        uint32_t v = 0;
        for (int k = 0; k < n; ++k) {
          const int d = HexVal(s[i++]);
          if (d < 0) return bad();
          v = v * 16 + static_cast<uint32_t>(d);
        }
        if (e == 'x') {
          out.push_back(static_cast<char>(v));
        } else {
          if (v > 0x10FFFF || (v >= 0xD800 && v < 0xE000)) return bad();
          AppendUtf8(v, &out);
        }
        break;
      }
      default:
        return bad();
    }
  }
  return out;
}

std::string QuoteString(std::string_view s) { return QuoteLabelValue(s); }

std::string FormatNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  if (ec != std::errc()) return absl::StrFormat("%f", v);
  return std::string(buf, ptr);
}

std::string FormatFloatF(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return absl::StrFormat("%f", v);
}

}  // namespace vigil::promql
