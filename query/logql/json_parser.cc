#include "query/logql/json_parser.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "model/labels.h"

namespace vigil::logql {
namespace {

// go-jsonparser's error texts, which Loki puts in __error_details__.
constexpr std::string_view kMalformedObject = "Value looks like object, but can't find closing '}' symbol";
constexpr std::string_view kMalformedString = "Value is string, but can't find closing '\"' symbol";
constexpr std::string_view kMalformedArray = "Value is array, but can't find closing ']' symbol";
constexpr std::string_view kMalformedJson = "Malformed JSON error";
constexpr std::string_view kMalformedValue =
    "Value looks like Number/Boolean/None, but can't find its end: ',' or '}' symbol";
constexpr std::string_view kBadEscape = "Encountered an invalid escape sequence in a string";
constexpr std::string_view kNotObject = "expecting json object(6), but it is not";

// Nested objects deeper than this are skipped rather than flattened (bounds the recursion).
constexpr int kMaxDepth = 64;

struct Cur {
  const char* p;
  const char* end;
  std::string_view err;  // empty while fine

  bool Fail(std::string_view e) {
    if (err.empty()) err = e;
    return false;
  }
  void Ws() {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) ++p;
  }
  bool AtEnd() const { return p >= end; }
  char Peek() const { return p < end ? *p : '\0'; }
};

// At '"': the raw contents (escapes unresolved) and whether there are escapes; moves past the closing quote.
bool ScanString(Cur& c, std::string_view* raw, bool* escaped) {
  ++c.p;
  const char* start = c.p;
  *escaped = false;
  while (c.p < c.end) {
    const char ch = *c.p;
    if (ch == '"') {
      *raw = std::string_view(start, static_cast<size_t>(c.p - start));
      ++c.p;
      return true;
    }
    if (ch == '\\') {
      *escaped = true;
      c.p += 2;
      continue;
    }
    ++c.p;
  }
  return c.Fail(kMalformedString);
}

void AppendUtf8(std::string* out, uint32_t r) {
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (r >> 6)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

bool Hex4(std::string_view s, size_t i, uint32_t* out) {
  if (i + 4 > s.size()) return false;
  uint32_t v = 0;
  for (size_t k = i; k < i + 4; ++k) {
    const char h = s[k];
    v <<= 4;
    if (h >= '0' && h <= '9') {
      v |= static_cast<uint32_t>(h - '0');
    } else if (h >= 'a' && h <= 'f') {
      v |= static_cast<uint32_t>(h - 'a' + 10);
    } else if (h >= 'A' && h <= 'F') {
      v |= static_cast<uint32_t>(h - 'A' + 10);
    } else {
      return false;
    }
  }
  *out = v;
  return true;
}

// Resolves JSON escapes of `raw` into *out.
bool Unescape(std::string_view raw, std::string* out) {
  out->clear();
  for (size_t i = 0; i < raw.size(); ++i) {
    const char ch = raw[i];
    if (ch != '\\') {
      out->push_back(ch);
      continue;
    }
    if (++i >= raw.size()) return false;
    switch (raw[i]) {
      case '"':
      case '\\':
      case '/':
        out->push_back(raw[i]);
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'u': {
        uint32_t r = 0;
        if (!Hex4(raw, i + 1, &r)) return false;
        i += 4;
        if (r >= 0xD800 && r < 0xDC00) {
          uint32_t lo = 0;
          if (i + 2 < raw.size() && raw[i + 1] == '\\' && raw[i + 2] == 'u' && Hex4(raw, i + 3, &lo) && lo >= 0xDC00 &&
              lo < 0xE000) {
            r = 0x10000 + ((r - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          } else {
            r = 0xFFFD;
          }
        } else if (r >= 0xDC00 && r < 0xE000) {
          r = 0xFFFD;
        }
        AppendUtf8(out, r);
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

// Loki replaces what is not valid UTF-8 by spaces (Prometheus refuses such label values).
void ReplaceInvalidUtf8(std::string* s) {
  if (IsValidUtf8(*s)) return;
  std::string out;
  out.reserve(s->size());
  size_t i = 0;
  while (i < s->size()) {
    const unsigned char c = static_cast<unsigned char>((*s)[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len > 0 && i + len <= s->size() && IsValidUtf8(std::string_view(*s).substr(i, len))) {
      out.append(*s, i, len);
      i += len;
    } else {
      out.push_back(' ');
      ++i;
    }
  }
  *s = std::move(out);
}

// Skips any value at c.p (after whitespace), iteratively for nested arrays and objects.
bool SkipValue(Cur& c) {
  c.Ws();
  if (c.AtEnd()) return c.Fail(kMalformedJson);
  const char first = *c.p;
  if (first == '"') {
    std::string_view raw;
    bool esc = false;
    return ScanString(c, &raw, &esc);
  }
  if (first == '{' || first == '[') {
    int depth = 0;
    while (c.p < c.end) {
      const char ch = *c.p;
      if (ch == '"') {
        std::string_view raw;
        bool esc = false;
        if (!ScanString(c, &raw, &esc)) return false;
        continue;
      }
      if (ch == '{' || ch == '[') ++depth;
      if (ch == '}' || ch == ']') {
        --depth;
        if (depth == 0) {
          ++c.p;
          return true;
        }
      }
      ++c.p;
    }
    return c.Fail(first == '{' ? kMalformedObject : kMalformedArray);
  }
  const char* start = c.p;
  while (c.p < c.end && *c.p != ',' && *c.p != '}' && *c.p != ']' && *c.p != ' ' && *c.p != '\t' && *c.p != '\n' &&
         *c.p != '\r') {
    ++c.p;
  }
  if (c.p == start) return c.Fail(kMalformedJson);
  return true;
}

// A scalar's raw text at c.p: a number, true, false or null. *kind is 'n' (number), 'b' (bool), '0' (null).
bool ScanScalar(Cur& c, std::string_view* text, char* kind) {
  const char* start = c.p;
  if (!SkipValue(c)) return false;
  *text = std::string_view(start, static_cast<size_t>(c.p - start));
  if (*text == "true" || *text == "false") {
    *kind = 'b';
  } else if (*text == "null") {
    *kind = '0';
  } else {
    const char f = (*text)[0];
    if (!(f == '-' || (f >= '0' && f <= '9'))) return c.Fail(kMalformedValue);
    *kind = 'n';
  }
  return true;
}

void AddLabel(LineLabels* labels, std::string* name, std::string_view value) {
  if (labels->StreamHas(*name)) name->append("_extracted");
  if (labels->Extracted(*name)) return;
  labels->Set(*name, value);
}

}  // namespace

void AppendSanitizedKey(std::string* out, std::string_view key) {
  while (!key.empty() && (key.front() == ' ' || key.front() == '\t' || key.front() == '\n' || key.front() == '\r')) {
    key.remove_prefix(1);
  }
  while (!key.empty() && (key.back() == ' ' || key.back() == '\t' || key.back() == '\n' || key.back() == '\r')) {
    key.remove_suffix(1);
  }
  if (key.empty()) return;
  if (out->empty() && key[0] >= '0' && key[0] <= '9') out->push_back('_');
  for (size_t i = 0; i < key.size(); ++i) {
    const unsigned char ch = static_cast<unsigned char>(key[i]);
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_') {
      out->push_back(static_cast<char>(ch));
    } else {
      out->push_back('_');
      // One '_' per character: skip the continuation bytes of a multi-byte one.
      while (i + 1 < key.size() && (static_cast<unsigned char>(key[i + 1]) & 0xC0) == 0x80 && ch >= 0x80) ++i;
    }
  }
}

struct JsonFlattener::Scanner {
  JsonFlattener* self;
  LineLabels* labels;
  Cur c;

  // At '{': flattens the object's members under self->name_.
  bool Object(int depth) {
    ++c.p;
    c.Ws();
    if (c.Peek() == '}') {
      ++c.p;
      return true;
    }
    while (true) {
      c.Ws();
      if (c.Peek() != '"') return c.Fail(c.AtEnd() ? kMalformedObject : kMalformedJson);
      std::string_view raw;
      bool esc = false;
      if (!ScanString(c, &raw, &esc)) return false;
      std::string_view key = raw;
      if (esc) {
        if (!Unescape(raw, &self->key_)) return c.Fail(kBadEscape);
        key = self->key_;
      }
      const size_t prefix_len = self->name_.size();
      const size_t before = self->name_.size();
      if (!self->name_.empty()) self->name_.push_back('_');
      AppendSanitizedKey(&self->name_, key);
      if (self->name_.size() == before + 1 && before > 0) self->name_.resize(before);  // blank key part
      c.Ws();
      if (c.Peek() != ':') return c.Fail(kMalformedJson);
      ++c.p;
      c.Ws();
      if (c.AtEnd()) return c.Fail(kMalformedJson);
      const char first = *c.p;
      bool ok = true;
      if (first == '"') {
        std::string_view vraw;
        bool vesc = false;
        ok = ScanString(c, &vraw, &vesc);
        if (ok && !self->name_.empty()) {
          if (vesc) {
            if (!Unescape(vraw, &self->value_)) return c.Fail(kBadEscape);
          } else {
            self->value_.assign(vraw);
          }
          ReplaceInvalidUtf8(&self->value_);
          AddLabel(labels, &self->name_, self->value_);
        }
      } else if (first == '{') {
        ok = depth < kMaxDepth ? Object(depth + 1) : SkipValue(c);
      } else if (first == '[') {
        ok = SkipValue(c);
      } else {
        std::string_view text;
        char kind = 0;
        ok = ScanScalar(c, &text, &kind);
        if (ok && kind != '0' && !self->name_.empty()) AddLabel(labels, &self->name_, text);
      }
      self->name_.resize(prefix_len);
      if (!ok) return false;
      c.Ws();
      if (c.Peek() == ',') {
        ++c.p;
        continue;
      }
      if (c.Peek() == '}') {
        ++c.p;
        return true;
      }
      return c.Fail(c.AtEnd() ? kMalformedObject : kMalformedJson);
    }
  }
};

void JsonFlattener::Process(std::string_view line, LineLabels* labels) {
  Scanner s{this, labels, Cur{line.data(), line.data() + line.size(), {}}};
  name_.clear();
  s.c.Ws();
  if (s.c.Peek() != '{') {
    labels->SetError(kJsonParserErr);
    labels->SetErrorDetails(kMalformedObject);
    return;
  }
  if (!s.Object(0)) {
    labels->SetError(kJsonParserErr);
    labels->SetErrorDetails(s.c.err);
  }
}

absl::StatusOr<JsonPathExtractor> JsonPathExtractor::Compile(const std::vector<LabelExtraction>& extractions) {
  JsonPathExtractor x;
  for (const LabelExtraction& e : extractions) {
    if (!IsValidLabelName(e.label)) {
      return absl::InvalidArgumentError(absl::StrCat("invalid extracted label name '", e.label, "'"));
    }
    Path path;
    path.label = e.label;
    const std::string_view s = e.path;
    const auto bad = [&] {
      return absl::InvalidArgumentError(absl::StrCat("cannot parse expression [", e.path, "]: syntax error"));
    };
    size_t i = 0;
    bool need_field = true;  // at the start or after '.'
    while (i < s.size()) {
      const char ch = s[i];
      if (ch == '[') {
        const size_t close = s.find(']', i);
        if (close == std::string_view::npos) return bad();
        std::string_view inner = s.substr(i + 1, close - i - 1);
        Segment seg;
        if (inner.size() >= 2 && inner.front() == '"' && inner.back() == '"') {
          seg.key = std::string(inner.substr(1, inner.size() - 2));
        } else {
          if (inner.empty()) return bad();
          for (char d : inner) {
            if (d < '0' || d > '9') return bad();
          }
          seg.index = true;
          seg.n = std::stoul(std::string(inner));
        }
        path.segments.push_back(std::move(seg));
        i = close + 1;
        need_field = false;
      } else if (ch == '.') {
        if (need_field) return bad();
        need_field = true;
        ++i;
      } else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_') {
        if (!need_field) return bad();
        size_t j = i;
        while (j < s.size() && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') || s[j] == '_' ||
                                (s[j] >= '0' && s[j] <= '9'))) {
          ++j;
        }
        Segment seg;
        seg.key = std::string(s.substr(i, j - i));
        path.segments.push_back(std::move(seg));
        i = j;
        need_field = false;
      } else {
        return bad();
      }
    }
    if (path.segments.empty() || need_field) return bad();
    x.paths_.push_back(std::move(path));
  }
  return x;
}

void JsonPathExtractor::Process(std::string_view line, LineLabels* labels) {
  if (line.empty()) return;
  if (line[0] != '"' && line[0] != '{' && line[0] != '[') {
    labels->SetError(kJsonParserErr);
    return;
  }
  for (const Path& path : paths_) {
    Cur c{line.data(), line.data() + line.size(), {}};
    bool found = true;
    for (const Segment& seg : path.segments) {
      c.Ws();
      if (seg.index) {
        if (c.Peek() != '[') {
          found = false;
          break;
        }
        ++c.p;
        size_t k = 0;
        bool hit = false;
        while (true) {
          c.Ws();
          if (c.Peek() == ']' || c.AtEnd()) break;
          if (k == seg.n) {
            hit = true;
            break;
          }
          if (!SkipValue(c)) break;
          c.Ws();
          if (c.Peek() == ',') ++c.p;
          ++k;
        }
        if (!hit) {
          found = false;
          break;
        }
      } else {
        if (c.Peek() != '{') {
          found = false;
          break;
        }
        ++c.p;
        bool hit = false;
        while (true) {
          c.Ws();
          if (c.Peek() != '"') break;
          std::string_view raw;
          bool esc = false;
          if (!ScanString(c, &raw, &esc)) break;
          std::string_view key = raw;
          if (esc && Unescape(raw, &value_)) key = value_;
          const bool match = key == seg.key;
          c.Ws();
          if (c.Peek() != ':') break;
          ++c.p;
          c.Ws();
          if (match) {
            hit = true;
            break;
          }
          if (!SkipValue(c)) break;
          c.Ws();
          if (c.Peek() == ',') ++c.p;
        }
        if (!hit) {
          found = false;
          break;
        }
      }
    }
    value_.clear();
    if (found) {
      c.Ws();
      const char* start = c.p;
      if (c.Peek() == '"') {
        std::string_view raw;
        bool esc = false;
        if (ScanString(c, &raw, &esc)) {
          if (!esc || !Unescape(raw, &value_)) value_.assign(raw);
          ReplaceInvalidUtf8(&value_);
        }
      } else if (SkipValue(c)) {
        const std::string_view text(start, static_cast<size_t>(c.p - start));
        if (text != "null") value_.assign(text);
      }
    }
    name_.assign(path.label);
    if (labels->StreamHas(name_)) name_.append("_extracted");
    labels->Set(name_, value_);
  }
}

std::string_view Unpacker::Process(std::string_view line, LineLabels* labels) {
  if (line.empty()) return line;
  if (line[0] != '{') {
    labels->SetError(kJsonParserErr);
    labels->SetErrorDetails(kNotObject);
    return line;
  }
  Cur c{line.data(), line.data() + line.size(), {}};
  ++c.p;
  bool has_entry = false;
  while (true) {
    c.Ws();
    if (c.Peek() == '}') break;
    if (c.Peek() != '"') {
      c.Fail(c.AtEnd() ? kMalformedObject : kMalformedJson);
      break;
    }
    std::string_view raw;
    bool esc = false;
    if (!ScanString(c, &raw, &esc)) break;
    key_.assign(raw);
    if (esc && !Unescape(raw, &key_)) {
      c.Fail(kBadEscape);
      break;
    }
    c.Ws();
    if (c.Peek() != ':') {
      c.Fail(kMalformedJson);
      break;
    }
    ++c.p;
    c.Ws();
    if (c.Peek() == '"') {
      std::string_view vraw;
      bool vesc = false;
      if (!ScanString(c, &vraw, &vesc)) break;
      value_.assign(vraw);
      if (vesc && !Unescape(vraw, &value_)) {
        c.Fail(kBadEscape);
        break;
      }
      if (key_ == "_entry") {
        entry_ = value_;
        has_entry = true;
      } else {
        name_.clear();
        AppendSanitizedKey(&name_, key_);
        if (!name_.empty()) {
          ReplaceInvalidUtf8(&value_);
          AddLabel(labels, &name_, value_);
        }
      }
    } else if (!SkipValue(c)) {
      break;
    }
    c.Ws();
    if (c.Peek() == ',') {
      ++c.p;
      continue;
    }
    if (c.Peek() != '}') c.Fail(c.AtEnd() ? kMalformedObject : kMalformedJson);
    break;
  }
  if (!c.err.empty()) {
    labels->SetError(kJsonParserErr);
    labels->SetErrorDetails(c.err);
    return line;
  }
  return has_entry ? std::string_view(entry_) : line;
}

}  // namespace vigil::logql
