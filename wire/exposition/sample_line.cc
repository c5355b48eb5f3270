#include "wire/exposition/sample_line.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "wire/exposition/number.h"

namespace vigil::exposition::internal {
namespace {

enum : uint8_t { kMetricStart = 1, kMetricChar = 2, kLabelStart = 4, kLabelChar = 8 };

constexpr std::array<uint8_t, 256> MakeCharTable() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    uint8_t bits = 0;
    if (letter || c == ':') bits |= kMetricStart | kMetricChar;
    if (digit) bits |= kMetricChar | kLabelChar;
    if (letter) bits |= kLabelStart | kLabelChar;
    t[static_cast<size_t>(c)] = bits;
  }
  return t;
}
constexpr std::array<uint8_t, 256> kCharTable = MakeCharTable();

inline bool Is(char c, uint8_t cls) { return (kCharTable[static_cast<unsigned char>(c)] & cls) != 0; }

bool IsAscii(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t acc = 0;
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    acc |= w;
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    acc |= static_cast<unsigned char>(*p++);
    --n;
  }
  return (acc & 0x8080808080808080ULL) == 0;
}

// A token quoted for an error message, cut to a readable length.
std::string QuoteForMessage(std::string_view s) {
  constexpr size_t kMax = 64;
  if (s.size() <= kMax) return QuoteLabelValue(s);
  return Cat(QuoteLabelValue(s.substr(0, kMax)), "...");
}

std::string NumberProblem(NumberError e, std::string_view what, std::string_view token) {
  switch (e) {
    case NumberError::kRange:
      return Cat(what, " ", QuoteForMessage(token), " out of range");
    case NumberError::kNotFinite:
      return Cat(what, " ", QuoteForMessage(token), " is not finite");
    default:
      return Cat("invalid ", what, " ", QuoteForMessage(token));
  }
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string DescribeChar(char c) {
  switch (c) {
    case '\t':
      return "'\\t'";
    case '\r':
      return "'\\r'";
    case '\'':
      return "'\\''";
    default:
      break;
  }
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string{'\'', c, '\''};
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string{'\'', '\\', 'x', kHex[u >> 4], kHex[u & 15], '\''};
}

bool SampleLineParser::Fail(const char* at, std::string reason) {
  error_column_ = static_cast<size_t>(at - begin_) + 1;
  error_ = std::move(reason);
  return false;
}

void SampleLineParser::ReserveScratch(size_t n) {
  scratch_used_ = 0;
  if (n <= scratch_capacity_) return;
  scratch_capacity_ = std::max(n, 2 * scratch_capacity_);
  scratch_ = std::make_unique_for_overwrite<char[]>(scratch_capacity_);
}

std::string_view SampleLineParser::Token(const char*& p) {
  const char* start = p;
  while (p < end_ && *p != ' ' && *p != '\t') ++p;
  return std::string_view(start, static_cast<size_t>(p - start));
}

bool SampleLineParser::ParseQuoted(const char*& p, std::string_view what, std::string_view* out) {
  const char* open = p;
  const char* start = p + 1;
  const auto unterminated = [&] { return Fail(open, Cat("unterminated ", what, " (missing closing '\"')")); };
  const char* close = static_cast<const char*>(std::memchr(start, '"', static_cast<size_t>(end_ - start)));
  const char* limit = close != nullptr ? close : end_;
  const char* backslash = static_cast<const char*>(std::memchr(start, '\\', static_cast<size_t>(limit - start)));
  if (backslash == nullptr) {
    if (close == nullptr) return unterminated();
    *out = std::string_view(start, static_cast<size_t>(close - start));
    p = close + 1;
  } else {
    // Unescape into the scratch buffer, which Parse sized to the line: it never reallocates under a view.
    char* const dst = scratch_.get() + scratch_used_;
    char* d = dst;
    std::memcpy(d, start, static_cast<size_t>(backslash - start));
    d += backslash - start;
    const char* s = backslash;
    for (;;) {
      if (s == end_) return unterminated();
      const char c = *s;
      if (c == '"') break;
      if (c != '\\') {
        *d++ = c;
        ++s;
        continue;
      }
      if (s + 1 == end_) return unterminated();
      switch (s[1]) {
        case '\\':
          *d++ = '\\';
          break;
        case '"':
          *d++ = '"';
          break;
        case 'n':
          *d++ = '\n';
          break;
        default:
          return Fail(s, Cat("invalid escape sequence '\\", std::string_view(s + 1, 1), "' in ", what,
                             " (only \\\\, \\\" and \\n are allowed)"));
      }
      s += 2;
    }
    *out = std::string_view(dst, static_cast<size_t>(d - dst));
    scratch_used_ += static_cast<size_t>(d - dst);
    p = s + 1;
  }
  if (!IsAscii(*out) && !IsValidUtf8(*out)) return Fail(open, Cat(what, " is not valid UTF-8"));
  return true;
}

bool SampleLineParser::ParseLabelSet(const char*& p, bool allow_metric_name, std::string_view* metric_name,
                                     std::vector<Label>* labels) {
  const auto end_of_line = [&] { return Fail(p, "unexpected end of line in label set (missing '}')"); };
  ++p;  // '{'
  SkipBlanks(p);
  if (p < end_ && *p == '}') {
    ++p;
    return true;
  }
  bool first = true;
  for (;;) {
    if (p == end_) return end_of_line();
    const char* item = p;
    std::string_view name;
    bool bare_name = false;
    if (*p == '"') {
      if (!ParseQuoted(p, "quoted name", &name)) return false;
      SkipBlanks(p);
      if (p == end_) return end_of_line();
      if (*p == ',' || *p == '}') {
        // {"my.metric", ...}: the UTF-8 spelling of the metric name.
        if (metric_name == nullptr) {
          return Fail(item, "unexpected bare string in exemplar labels (expected name=\"value\")");
        }
        if (!allow_metric_name) {
          return Fail(item, Cat("metric name given twice: ", QuoteForMessage(*metric_name), " before the braces and ",
                                QuoteForMessage(name), " inside"));
        }
        if (!first) return Fail(item, "a quoted metric name must be the first item in the braces");
        if (name.empty()) return Fail(item, "empty metric name");
        *metric_name = name;
        bare_name = true;
      } else if (*p != '=') {
        return Fail(p, Cat("unexpected character ", DescribeChar(*p), " after quoted name ", QuoteForMessage(name),
                           " (expected '=')"));
      } else if (name.empty()) {
        return Fail(item, "empty label name");
      }
    } else if (Is(*p, kLabelStart)) {
      ++p;
      while (p < end_ && Is(*p, kLabelChar)) ++p;
      name = std::string_view(item, static_cast<size_t>(p - item));
      SkipBlanks(p);
      if (p == end_) return end_of_line();
      if (*p != '=') {
        return Fail(p, Cat("unexpected character ", DescribeChar(*p), " after label name ", QuoteForMessage(name),
                           " (expected '=')"));
      }
    } else {
      return Fail(p, Cat("unexpected character ", DescribeChar(*p), " in label set (expected a label name",
                         first ? " or '}')" : ")"));
    }
    if (!bare_name) {
      ++p;  // '='
      SkipBlanks(p);
      if (p == end_) return end_of_line();
      if (*p != '"') {
        return Fail(p, Cat("unexpected character ", DescribeChar(*p),
                           " after '=' (expected '\"' to start the value of label ", QuoteForMessage(name), ")"));
      }
      std::string_view value;
      if (!ParseQuoted(p, "label value", &value)) return false;
      if (name == kMetricNameLabel) {
        return Fail(item, "label name \"__name__\" is not allowed (write the metric name before the braces)");
      }
      labels->push_back(Label{name, value});
      positions_.push_back(item);
    }
    first = false;
    SkipBlanks(p);
    if (p == end_) return end_of_line();
    if (*p == '}') {
      ++p;
      return true;
    }
    if (*p != ',') {
      return Fail(p, Cat("unexpected character ", DescribeChar(*p), " after ",
                         bare_name ? "metric name" : "label value", " (expected ',' or '}')"));
    }
    ++p;
    SkipBlanks(p);
    if (p < end_ && *p == '}') {  // a trailing comma
      ++p;
      return true;
    }
  }
}

bool SampleLineParser::CheckLabels(const std::vector<Label>& labels, size_t first_position) {
  const size_t n = labels.size();
  const auto duplicate = [&](size_t i) {
    return Fail(positions_[first_position + i], Cat("duplicate label name ", QuoteForMessage(labels[i].name)));
  };
  if (n <= 16) {
    for (size_t j = 1; j < n; ++j) {
      for (size_t i = 0; i < j; ++i) {
        if (labels[i].name == labels[j].name) return duplicate(j);
      }
    }
    return true;
  }
  order_.resize(n);
  for (size_t i = 0; i < n; ++i) order_[i] = i;
  std::sort(order_.begin(), order_.end(), [&](size_t a, size_t b) {
    return labels[a].name != labels[b].name ? labels[a].name < labels[b].name : a < b;
  });
  for (size_t k = 1; k < n; ++k) {
    if (labels[order_[k]].name == labels[order_[k - 1]].name) return duplicate(order_[k]);
  }
  return true;
}

bool SampleLineParser::ParseExemplar(const char*& p, ParsedSample* out) {
  ++p;  // '#'
  if (p == end_ || *p != ' ') return Fail(p, "expected a space after the '#' that starts an exemplar");
  SkipBlanks(p);
  if (p == end_ || *p != '{') {
    return Fail(p, "expected '{' to start the exemplar's labels after '#'");
  }
  exemplar_labels_.clear();
  const size_t first_position = positions_.size();
  if (!ParseLabelSet(p, false, nullptr, &exemplar_labels_)) return false;
  if (!CheckLabels(exemplar_labels_, first_position)) return false;
  size_t runes = 0;
  for (const Label& l : exemplar_labels_) runes += CodePoints(l.name) + CodePoints(l.value);
  if (runes > 128) {
    return Fail(p - 1, Cat("exemplar labels have ", runes, " characters (at most 128 are allowed)"));
  }
  if (p == end_ || (*p != ' ' && *p != '\t')) return Fail(p, "expected a space and the exemplar's value");
  SkipBlanks(p);
  const char* at = p;
  std::string_view token = Token(p);
  if (token.empty()) return Fail(at, "missing exemplar value");
  if (NumberError e = ParseValue(token, &out->exemplar_value); e != NumberError::kOk) {
    return Fail(at, NumberProblem(e, "exemplar value", token));
  }
  out->exemplar_has_timestamp = false;
  SkipBlanks(p);
  if (p < end_) {
    at = p;
    token = Token(p);
    if (NumberError e = ParseTimestampSeconds(token, &out->exemplar_timestamp_ms); e != NumberError::kOk) {
      return Fail(at, NumberProblem(e, "exemplar timestamp", token));
    }
    out->exemplar_has_timestamp = true;
  }
  out->has_exemplar = true;
  out->exemplar_labels = exemplar_labels_;
  return true;
}

bool SampleLineParser::Parse(std::string_view line, ParsedSample* out) {
  begin_ = line.data();
  end_ = begin_ + line.size();
  ReserveScratch(line.size());
  labels_.clear();
  positions_.clear();
  out->has_exemplar = false;
  out->exemplar_labels = {};
  const char* p = begin_;
  std::string_view name;
  if (p < end_ && Is(*p, kMetricStart)) {
    ++p;
    while (p < end_ && Is(*p, kMetricChar)) ++p;
    name = std::string_view(begin_, static_cast<size_t>(p - begin_));
    if (p < end_ && *p != '{' && *p != ' ' && *p != '\t') {
      return Fail(p, Cat("unexpected character ", DescribeChar(*p), " in metric name"));
    }
  } else if (p == end_) {
    return Fail(p, "empty line");
  } else if (*p != '{') {
    return Fail(p, Cat("unexpected character ", DescribeChar(*p),
                       " at the start of a sample line (expected a metric name or '{')"));
  }
  bool has_braces = false;
  if (p < end_ && *p == '{') {
    has_braces = true;
    if (!ParseLabelSet(p, name.empty(), &name, &labels_)) return false;
  }
  if (name.empty()) return Fail(begin_, "missing metric name (put it before the braces or quoted first inside)");
  if (p == end_) return Fail(p, "missing value");
  if (*p != ' ' && *p != '\t') {
    return Fail(p, Cat("unexpected character ", DescribeChar(*p), " after ",
                       has_braces ? "the label set" : "the metric name", " (expected a space)"));
  }
  SkipBlanks(p);
  if (p == end_) return Fail(p, "missing value");
  const char* at = p;
  std::string_view token = Token(p);
  if (NumberError e = ParseValue(token, &out->value); e != NumberError::kOk) {
    return Fail(at, NumberProblem(e, "value", token));
  }
  out->has_timestamp = false;
  SkipBlanks(p);
  if (p < end_ && *p != '#') {
    at = p;
    token = Token(p);
    const NumberError e = format_ == Format::kOpenMetrics ? ParseTimestampSeconds(token, &out->timestamp_ms)
                                                          : ParseTimestampMs(token, &out->timestamp_ms);
    if (e != NumberError::kOk) return Fail(at, NumberProblem(e, "timestamp", token));
    out->has_timestamp = true;
    SkipBlanks(p);
  }
  if (p < end_ && *p == '#') {
    if (format_ != Format::kOpenMetrics) {
      return Fail(p, "unexpected '#' after the value (exemplars are OpenMetrics only)");
    }
    if (!ParseExemplar(p, out)) return false;
    SkipBlanks(p);
  }
  if (p < end_) {
    return Fail(p, Cat("unexpected text ", QuoteForMessage(std::string_view(p, end_ - p)), " after the ",
                       out->has_exemplar ? "exemplar" : "timestamp"));
  }
  if (!CheckLabels(labels_, 0)) return false;
  out->name = name;
  out->labels = labels_;
  return true;
}

bool SampleLineParser::ParseName(std::string_view line, size_t pos, std::string_view* name, size_t* end) {
  begin_ = line.data();
  end_ = begin_ + line.size();
  ReserveScratch(line.size());
  const char* p = begin_ + pos;
  if (p < end_ && *p == '"') {
    const char* open = p;
    if (!ParseQuoted(p, "quoted metric name", name)) return false;
    if (name->empty()) return Fail(open, "empty metric name");
  } else if (p < end_ && Is(*p, kMetricStart)) {
    const char* start = p++;
    while (p < end_ && Is(*p, kMetricChar)) ++p;
    *name = std::string_view(start, static_cast<size_t>(p - start));
  } else {
    return Fail(p, p == end_ ? std::string("missing metric name")
                             : Cat("unexpected character ", DescribeChar(*p), " (expected a metric name)"));
  }
  *end = static_cast<size_t>(p - begin_);
  return true;
}

}  // namespace vigil::exposition::internal
