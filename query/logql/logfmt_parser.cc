#include "query/logql/logfmt_parser.h"

#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "model/labels.h"
#include "query/logql/json_parser.h"

namespace vigil::logql {
namespace {

// go-logfmt's unquoteBytes: a quoted value with \" \\ \/ \b \f \n \r \t \uXXXX escapes.
bool UnquoteLogfmt(std::string_view q, std::string* out) {
  out->clear();
  if (q.size() < 2 || q.front() != '"' || q.back() != '"') return false;
  q = q.substr(1, q.size() - 2);
  for (size_t i = 0; i < q.size(); ++i) {
    const char c = q[i];
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (++i >= q.size()) return false;
    switch (q[i]) {
      case '"':
      case '\\':
      case '/':
      case '\'':
        out->push_back(q[i]);
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
        for (size_t k = i + 1; k <= i + 4; ++k) {
          if (k >= q.size()) return false;
          const char h = q[k];
          r <<= 4;
          if (h >= '0' && h <= '9') {
            r |= static_cast<uint32_t>(h - '0');
          } else if (h >= 'a' && h <= 'f') {
            r |= static_cast<uint32_t>(h - 'a' + 10);
          } else if (h >= 'A' && h <= 'F') {
            r |= static_cast<uint32_t>(h - 'A' + 10);
          } else {
            return false;
          }
        }
        i += 4;
        if (r < 0x80) {
          out->push_back(static_cast<char>(r));
        } else if (r < 0x800) {
          out->push_back(static_cast<char>(0xC0 | (r >> 6)));
          out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
        } else {
          out->push_back(static_cast<char>(0xE0 | (r >> 12)));
          out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
          out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
        }
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

}  // namespace

void LogfmtDecoder::Reset(std::string_view line) {
  line_ = line;
  pos_ = 0;
  error_.clear();
}

void LogfmtDecoder::SyntaxError(std::string_view msg) {
  error_ = absl::StrCat("logfmt syntax error at pos ", pos_ + 1, " : ", AV(msg));
}

void LogfmtDecoder::UnexpectedByte(char c) {
  std::string q = "'";
  if (c == '\'') {
    q += "\\'";
  } else if (c == '\\') {
    q += "\\\\";
  } else {
    q.push_back(c);
  }
  q += "'";
  SyntaxError(absl::StrCat("unexpected ", q));
}

bool LogfmtDecoder::SkipValue() {
  while (pos_ < line_.size()) {
    if (static_cast<unsigned char>(line_[pos_]) <= ' ') return false;
    ++pos_;
  }
  return false;
}

bool LogfmtDecoder::ScanKeyval() {
  key_ = {};
  value_ = {};
  // Skip garbage (spaces and control bytes).
  while (pos_ < line_.size() && static_cast<unsigned char>(line_[pos_]) <= ' ') ++pos_;
  if (pos_ >= line_.size()) return false;
  // Key.
  const size_t start = pos_;
  while (true) {
    if (pos_ >= line_.size()) {
      key_ = line_.substr(start);
      return true;
    }
    const char c = line_[pos_];
    if (c == '=') {
      if (pos_ == start) {
        UnexpectedByte(c);
        return SkipValue();
      }
      key_ = line_.substr(start, pos_ - start);
      break;
    }
    if (c == '"') {
      UnexpectedByte(c);
      return SkipValue();
    }
    if (static_cast<unsigned char>(c) <= ' ') {
      key_ = line_.substr(start, pos_ - start);
      return true;
    }
    ++pos_;
  }
  if (!IsValidUtf8(key_)) {
    SyntaxError("invalid key");
    return SkipValue();
  }
  // '='.
  ++pos_;
  if (pos_ >= line_.size()) return true;
  const char first = line_[pos_];
  if (static_cast<unsigned char>(first) <= ' ') return true;
  if (first == '"') {
    const size_t qstart = pos_;
    bool esc = false;
    bool has_esc = false;
    for (size_t i = pos_ + 1; i < line_.size(); ++i) {
      const char c = line_[i];
      if (esc) {
        esc = false;
      } else if (c == '\\') {
        esc = has_esc = true;
      } else if (c == '"') {
        pos_ = i + 1;
        if (has_esc) {
          if (!UnquoteLogfmt(line_.substr(qstart, pos_ - qstart), &unescaped_)) {
            SyntaxError("invalid quoted value");
            return false;
          }
          value_ = unescaped_;
        } else {
          value_ = line_.substr(qstart + 1, pos_ - qstart - 2);
        }
        return true;
      }
    }
    pos_ = line_.size();
    SyntaxError("unterminated quoted value");
    return false;
  }
  const size_t vstart = pos_;
  while (pos_ < line_.size()) {
    const char c = line_[pos_];
    if (c == '=' || c == '"') {
      UnexpectedByte(c);
      return SkipValue();
    }
    if (static_cast<unsigned char>(c) <= ' ') break;
    ++pos_;
  }
  value_ = line_.substr(vstart, pos_ - vstart);
  return true;
}

absl::StatusOr<LogfmtParser> LogfmtParser::Compile(const LogfmtStage& stage) {
  LogfmtParser p;
  p.strict_ = stage.strict;
  p.keep_empty_ = stage.keep_empty;
  p.extractions_ = stage.extractions;
  for (const LabelExtraction& e : p.extractions_) {
    if (!IsValidLabelName(e.label)) {
      return absl::InvalidArgumentError(absl::StrCat("invalid extracted label name '", e.label, "'"));
    }
  }
  return p;
}

void LogfmtParser::Process(std::string_view line, LineLabels* labels) {
  if (!extractions_.empty()) {
    for (const LabelExtraction& e : extractions_) {
      if (!labels->StreamHas(e.label)) labels->Set(e.label, "");
    }
  }
  dec_.Reset(line);
  while (!dec_.AtEnd()) {
    if (!dec_.ScanKeyval()) {
      if (strict_ && !dec_.error().empty()) break;
      continue;
    }
    name_.clear();
    AppendSanitizedKey(&name_, dec_.key());
    if (name_.empty()) continue;
    value_.assign(dec_.value());
    if (!extractions_.empty()) {
      for (const LabelExtraction& e : extractions_) {
        if (e.path != dec_.key() && e.path != name_) continue;
        std::string label = e.label;
        if (labels->StreamHas(label)) label.append("_extracted");
        labels->Set(label, value_);
      }
      continue;
    }
    if (!keep_empty_ && value_.empty()) continue;
    if (labels->StreamHas(name_)) name_.append("_extracted");
    if (labels->Extracted(name_)) continue;
    labels->Set(name_, value_);
  }
  if (strict_ && !dec_.error().empty()) {
    labels->SetError(kLogfmtParserErr);
    labels->SetErrorDetails(dec_.error());
  }
}

}  // namespace vigil::logql
