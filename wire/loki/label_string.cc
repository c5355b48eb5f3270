#include "wire/loki/label_string.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "base/strings/utf8.h"

namespace vigil::wire::loki {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends code point `cp` as UTF-8; false for surrogates and values past U+10FFFF.
bool AppendValidUtf8(uint32_t cp, std::string* out) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
  AppendUtf8(cp, out);
  return true;
}

absl::Status ErrorAt(size_t offset, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("at byte ", offset, ": ", AV(what)));
}

// Finds the end of the quoted string starting at text[pos] (a quote character): the index just past the
// closing quote, or npos if it is unterminated.
size_t QuotedEnd(std::string_view text, size_t pos) {
  const char quote = text[pos];
  for (size_t i = pos + 1; i < text.size(); ++i) {
    if (text[i] == '\\' && quote != '`') {
      ++i;
      continue;
    }
    if (text[i] == quote) return i + 1;
  }
  return std::string_view::npos;
}

}  // namespace

absl::StatusOr<std::string> UnquoteString(std::string_view text) {
  if (text.size() < 2 || text.front() != text.back() ||
      (text.front() != '"' && text.front() != '\'' && text.front() != '`')) {
    return absl::InvalidArgumentError("not a quoted string");
  }
  const char quote = text.front();
  std::string_view body = text.substr(1, text.size() - 2);
  if (quote == '`') {
    if (body.find('`') != std::string_view::npos) return ErrorAt(1 + body.find('`'), "unescaped ` in raw string");
    return std::string(body);
  }
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c == quote) return ErrorAt(1 + i, "unescaped quote inside the string");
    if (c == '\n') return ErrorAt(1 + i, "newline inside a quoted string");
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (i + 1 >= body.size()) return ErrorAt(1 + i, "escape at the end of the string");
    const char e = body[++i];
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
      case '"':
      case '\'':
        if (e != quote) return ErrorAt(i, absl::StrCat("unknown escape \\", std::string(1, e)));
        out.push_back(e);
        break;
      case 'x':
      case 'u':
      case 'U': {
        const size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (i + digits >= body.size()) {
          return ErrorAt(i, absl::StrCat("short \\", std::string(1, e), " escape"));
        }
        uint32_t v = 0;
        for (size_t k = 1; k <= digits; ++k) {
          const int h = HexValue(body[i + k]);
          if (h < 0) return ErrorAt(i + k + 1, absl::StrCat("bad hex digit in \\", std::string(1, e), " escape"));
          v = v * 16 + static_cast<uint32_t>(h);
        }
        i += digits;
        if (e == 'x') {
          out.push_back(static_cast<char>(v));
        } else if (!AppendValidUtf8(v, &out)) {
          return ErrorAt(i, "escape names an invalid Unicode code point");
        }
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          if (i + 2 >= body.size()) return ErrorAt(i, "short octal escape");
          uint32_t v = 0;
          for (size_t k = 0; k < 3; ++k) {
            const char d = body[i + k];
            if (d < '0' || d > '7') return ErrorAt(i + k + 1, "bad digit in octal escape");
            v = v * 8 + static_cast<uint32_t>(d - '0');
          }
          if (v > 255) return ErrorAt(i, "octal escape above \\377");
          out.push_back(static_cast<char>(v));
          i += 2;
          break;
        }
        return ErrorAt(i, absl::StrCat("unknown escape \\", std::string(1, e)));
    }
  }
  return out;
}

absl::StatusOr<Labels> ParseLabelString(std::string_view text) {
  size_t pos = 0;
  auto skip_space = [&] {
    while (pos < text.size() && IsSpace(text[pos])) ++pos;
  };
  auto error = [&](std::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid label string ", QuoteLabelValue(text), " at byte ", pos, ": ", AV(what)));
  };
  skip_space();
  if (pos >= text.size() || text[pos] != '{') return error("expected '{'");
  ++pos;
  std::vector<std::pair<std::string, std::string>> pairs;
  while (true) {
    skip_space();
    if (pos < text.size() && text[pos] == '}') {
      ++pos;
      break;
    }
    if (pos >= text.size() || !IsNameStart(text[pos])) return error("expected a label name or '}'");
    const size_t name_begin = pos;
    while (pos < text.size() && IsNameChar(text[pos])) ++pos;
    std::string name(text.substr(name_begin, pos - name_begin));
    skip_space();
    if (pos >= text.size() || text[pos] != '=') return error("expected '='");
    ++pos;
    if (pos < text.size() && (text[pos] == '~' || text[pos] == '=')) {
      return error("only equality matchers (name=\"value\") may name a pushed stream");
    }
    skip_space();
    if (pos >= text.size() || (text[pos] != '"' && text[pos] != '\'' && text[pos] != '`')) {
      return error("expected a quoted label value");
    }
    const size_t end = QuotedEnd(text, pos);
    if (end == std::string_view::npos) return error("unterminated label value");
    absl::StatusOr<std::string> value = UnquoteString(text.substr(pos, end - pos));
    if (!value.ok()) return error(absl::StrCat("label value ", name, ": ", value.status().message()));
    pos = end;
    pairs.emplace_back(std::move(name), std::move(*value));
    skip_space();
    if (pos < text.size() && text[pos] == ',') {
      ++pos;
      continue;
    }
    if (pos < text.size() && text[pos] == '}') {
      ++pos;
      break;
    }
    return error("expected ',' or '}'");
  }
  skip_space();
  if (pos != text.size()) return error("unexpected text after '}'");
  absl::StatusOr<Labels> labels = Labels::FromUnsorted(std::move(pairs));
  if (!labels.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid label string ", QuoteLabelValue(text), ": ", labels.status().message()));
  }
  return labels;
}

absl::Status ValidateStreamLabels(const Labels& labels) {
  if (labels.empty()) return absl::InvalidArgumentError("stream has no labels: at least one label pair is required");
  for (const Label& l : labels) {
    if (!IsValidLabelName(l.name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid label name ", QuoteLabelValue(l.name), " in stream ", labels.ToString()));
    }
    if (!IsValidUtf8(l.value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("label ", AV(l.name), " of stream ", labels.ToString(), " has a value that is not valid UTF-8"));
    }
  }
  return absl::OkStatus();
}

void AppendQuotedLabelValue(std::string_view value, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : value) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '"':
        out->append("\\\"");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out->append("\\x");
          out->push_back(kHex[(static_cast<unsigned char>(c) >> 4) & 0xf]);
          out->push_back(kHex[static_cast<unsigned char>(c) & 0xf]);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

std::string FormatLabelString(const Labels& labels) {
  std::string out = "{";
  bool first = true;
  for (const Label& l : labels) {
    if (!first) out.append(", ");
    first = false;
    out.append(l.name);
    out.push_back('=');
    AppendQuotedLabelValue(l.value, &out);
  }
  out.push_back('}');
  return out;
}

}  // namespace vigil::wire::loki
