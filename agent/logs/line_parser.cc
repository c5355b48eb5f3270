#include "agent/logs/line_parser.h"

#include <cstring>

#include "base/strings/utf8.h"

namespace vigil::agent::logs {
namespace {

// Digits at s[pos, pos+n) as a number; false if any is not a digit.
bool Digits(std::string_view s, size_t pos, size_t n, int* v) {
  if (pos + n > s.size()) return false;
  int r = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    const unsigned d = static_cast<unsigned char>(s[i]) - '0';
    if (d > 9) return false;
    r = r * 10 + static_cast<int>(d);
  }
  *v = r;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads 4 hex digits at s[pos].
bool Hex4(std::string_view s, size_t pos, uint32_t* v) {
  if (pos + 4 > s.size()) return false;
  uint32_t r = 0;
  for (size_t i = pos; i < pos + 4; ++i) {
    const int h = HexDigit(s[i]);
    if (h < 0) return false;
    r = (r << 4) | static_cast<uint32_t>(h);
  }
  *v = r;
  return true;
}

// Parses the JSON string starting at s[*pos] == '"'. Appends its unescaped bytes to *out when out is non-null;
// sets *pos past the closing quote. Bytes that are not escapes are copied as they are (invalid UTF-8 kept).
bool JsonString(std::string_view s, size_t* pos, std::string* out) {
  size_t i = *pos;
  if (i >= s.size() || s[i] != '"') return false;
  ++i;
  while (true) {
    // Copy the run up to the next quote or backslash at once.
    size_t j = i;
    while (j < s.size() && s[j] != '"' && s[j] != '\\') ++j;
    if (j >= s.size()) return false;
    if (out != nullptr) out->append(s.data() + i, j - i);
    if (s[j] == '"') {
      *pos = j + 1;
      return true;
    }
    if (j + 1 >= s.size()) return false;
    const char e = s[j + 1];
    i = j + 2;
    char c = 0;
    switch (e) {
      case '"':
      case '\\':
      case '/':
        c = e;
        break;
      case 'b':
        c = '\b';
        break;
      case 'f':
        c = '\f';
        break;
      case 'n':
        c = '\n';
        break;
      case 'r':
        c = '\r';
        break;
      case 't':
        c = '\t';
        break;
      case 'u': {
        uint32_t cp = 0;
        if (!Hex4(s, i, &cp)) return false;
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= s.size() && s[i] == '\\' && s[i + 1] == 'u') {
          uint32_t lo = 0;
          if (Hex4(s, i + 2, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          }
        }
        // A lone surrogate becomes U+FFFD, as Go's decoder makes it.
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
        if (out != nullptr) AppendUtf8(cp, out);
        continue;
      }
      default:
        return false;
    }
    if (out != nullptr) out->push_back(c);
  }
}

void SkipSpace(std::string_view s, size_t* pos) {
  while (*pos < s.size() && (s[*pos] == ' ' || s[*pos] == '\t' || s[*pos] == '\r')) ++*pos;
}

// Skips a JSON value that is not a string we want (Docker adds "attrs":{...} with --log-opt labels).
bool SkipValue(std::string_view s, size_t* pos) {
  SkipSpace(s, pos);
  if (*pos >= s.size()) return false;
  if (s[*pos] == '"') return JsonString(s, pos, nullptr);
  int depth = 0;
  while (*pos < s.size()) {
    const char c = s[*pos];
    if (c == '"') {
      if (!JsonString(s, pos, nullptr)) return false;
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') {
      if (depth == 0) return true;
      --depth;
    }
    if (c == ',' && depth == 0) return true;
    ++*pos;
  }
  return depth == 0;
}

}  // namespace

std::string_view LogStreamName(LogStream s) {
  switch (s) {
    case LogStream::kStdout:
      return "stdout";
    case LogStream::kStderr:
      return "stderr";
    case LogStream::kUnknown:
      break;
  }
  return "";
}

bool ParseRfc3339Nano(std::string_view s, int64_t* ns) {
  int year = 0, mon = 0, day = 0, hour = 0, min = 0, sec = 0;
  if (!Digits(s, 0, 4, &year) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, &mon) || s[7] != '-' ||
      !Digits(s, 8, 2, &day) || (s[10] != 'T' && s[10] != 't') || !Digits(s, 11, 2, &hour) || s[13] != ':' ||
      !Digits(s, 14, 2, &min) || s[16] != ':' || !Digits(s, 17, 2, &sec)) {
    return false;
  }
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) return false;
  size_t i = 19;
  int64_t frac = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (digits < 9) {
        frac = frac * 10 + (s[i] - '0');
        ++digits;
      }
      ++i;
    }
    if (digits == 0) return false;
    for (int d = digits; d < 9; ++d) frac *= 10;
  }
  int64_t offset_s = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh = 0, om = 0;
    if (!Digits(s, i + 1, 2, &oh) || i + 3 >= s.size() || s[i + 3] != ':' || !Digits(s, i + 4, 2, &om)) return false;
    offset_s = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return false;
  }
  if (i != s.size()) return false;
  const int64_t days = DaysFromCivil(year, static_cast<unsigned>(mon), static_cast<unsigned>(day));
  const int64_t secs = days * 86400 + hour * 3600 + min * 60 + sec - offset_s;
  *ns = secs * 1000000000 + frac;
  return true;
}

bool ParseCriLine(std::string_view line, ParsedLine* out) {
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || !ParseRfc3339Nano(line.substr(0, sp1), &out->timestamp_ns)) return false;
  std::string_view rest = line.substr(sp1 + 1);
  if (rest.size() >= 7 && std::memcmp(rest.data(), "stdout ", 7) == 0) {
    out->stream = LogStream::kStdout;
  } else if (rest.size() >= 7 && std::memcmp(rest.data(), "stderr ", 7) == 0) {
    out->stream = LogStream::kStderr;
  } else {
    return false;
  }
  rest.remove_prefix(7);
  // Tags: colon-separated, the first is P or F. The message follows one space; an empty message may lack it.
  const size_t sp3 = rest.find(' ');
  const std::string_view tags = rest.substr(0, sp3);
  if (tags.empty() || (tags[0] != 'P' && tags[0] != 'F') || (tags.size() > 1 && tags[1] != ':')) return false;
  out->partial = tags[0] == 'P';
  out->message = sp3 == std::string_view::npos ? std::string_view() : rest.substr(sp3 + 1);
  return true;
}

bool ParseDockerLine(std::string_view line, std::string* scratch, ParsedLine* out) {
  scratch->clear();
  size_t i = 0;
  SkipSpace(line, &i);
  if (i >= line.size() || line[i] != '{') return false;
  ++i;
  bool have_log = false;
  bool have_time = false;
  out->stream = LogStream::kUnknown;
  while (true) {
    SkipSpace(line, &i);
    if (i < line.size() && line[i] == '}') break;
    const size_t key_start = i;
    if (!JsonString(line, &i, nullptr)) return false;
    const std::string_view key = line.substr(key_start + 1, i - key_start - 2);
    SkipSpace(line, &i);
    if (i >= line.size() || line[i] != ':') return false;
    ++i;
    SkipSpace(line, &i);
    if (key == "log") {
      if (!JsonString(line, &i, scratch)) return false;
      have_log = true;
    } else if (key == "stream" || key == "time") {
      const size_t v_start = i;
      if (!JsonString(line, &i, nullptr)) return false;
      const std::string_view v = line.substr(v_start + 1, i - v_start - 2);
      if (key == "stream") {
        out->stream = v == "stdout" ? LogStream::kStdout : v == "stderr" ? LogStream::kStderr : LogStream::kUnknown;
      } else {
        if (!ParseRfc3339Nano(v, &out->timestamp_ns)) return false;
        have_time = true;
      }
    } else if (!SkipValue(line, &i)) {
      return false;
    }
    SkipSpace(line, &i);
    if (i < line.size() && line[i] == ',') {
      ++i;
      continue;
    }
    if (i < line.size() && line[i] == '}') break;
    return false;
  }
  if (!have_log || !have_time) return false;
  out->partial = scratch->empty() || scratch->back() != '\n';
  out->message = std::string_view(*scratch);
  if (!out->partial) out->message.remove_suffix(1);
  return true;
}

}  // namespace vigil::agent::logs
