#include "wire/exposition/parser.h"

#include <algorithm>
#include <cstring>
#include <span>
#include <string>

#include "absl/strings/str_join.h"
#include "base/strings/absl_view.h"
#include "wire/exposition/number.h"
#include "wire/exposition/sample_line.h"

namespace vigil::exposition {
namespace {

// The sample-name suffixes a family of `type` has in `format` ("" is the family name itself).
std::span<const std::string_view> AllowedSuffixes(Format format, MetricType type) {
  static constexpr std::string_view kPlain[] = {""};
  static constexpr std::string_view kTextSummary[] = {"", "_sum", "_count"};
  static constexpr std::string_view kTextHistogram[] = {"_bucket", "_sum", "_count"};
  static constexpr std::string_view kCounter[] = {"_total", "_created"};
  static constexpr std::string_view kSummary[] = {"", "_sum", "_count", "_created"};
  static constexpr std::string_view kHistogram[] = {"_bucket", "_sum", "_count", "_created"};
  static constexpr std::string_view kGaugeHistogram[] = {"_bucket", "_gcount", "_gsum"};
  static constexpr std::string_view kInfo[] = {"_info"};
  if (format == Format::kPrometheusText) {
    // The text format names counters with their _total; its TYPE line carries the full sample name.
    switch (type) {
      case MetricType::kSummary:
        return kTextSummary;
      case MetricType::kHistogram:
        return kTextHistogram;
      default:
        return kPlain;
    }
  }
  switch (type) {
    case MetricType::kCounter:
      return kCounter;
    case MetricType::kSummary:
      return kSummary;
    case MetricType::kHistogram:
      return kHistogram;
    case MetricType::kGaugeHistogram:
      return kGaugeHistogram;
    case MetricType::kInfo:
      return kInfo;
    default:
      return kPlain;
  }
}

// Every suffix any family has: a sample's candidate family names are its name minus one of these.
constexpr std::string_view kAllSuffixes[] = {"_total", "_created", "_bucket", "_sum",
                                             "_count", "_gcount",  "_gsum",   "_info"};

bool HasSuffix(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Whether sample `name` belongs to a family `family` of `type`, and with which suffix.
bool BelongsTo(Format format, std::string_view family, MetricType type, std::string_view name) {
  if (name.size() < family.size() || std::memcmp(name.data(), family.data(), family.size()) != 0) return false;
  const std::string_view suffix = name.substr(family.size());
  for (std::string_view s : AllowedSuffixes(format, type)) {
    if (s == suffix) return true;
  }
  return false;
}

std::string ExpectedNames(Format format, std::string_view family, MetricType type) {
  std::vector<std::string> names;
  for (std::string_view s : AllowedSuffixes(format, type)) names.push_back(internal::Cat(family, s));
  return absl::StrJoin(names, ", ");
}

std::string Quote(std::string_view s) { return QuoteLabelValue(s); }

// HELP text unescaping: \\ and \n (and OpenMetrics' \"); other backslashes are kept as written.
std::string UnescapeHelp(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      const char next = text[i + 1];
      if (next == '\\' || next == '"' || next == 'n') {
        out.push_back(next == 'n' ? '\n' : next);
        ++i;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

const Label* FindLabel(std::span<const Label> labels, std::string_view name) {
  for (const Label& l : labels) {
    if (l.name == name) return &l;
  }
  return nullptr;
}

}  // namespace

std::string ParseError::Message() const {
  if (column == 0) return internal::Cat("line ", line, ": ", reason);
  return internal::Cat("line ", line, ", column ", column, ": ", reason);
}

absl::Status ParseError::ToStatus() const { return absl::InvalidArgumentError(Message()); }

void ParsedSample::SortedLabels(std::vector<Label>* out) const {
  out->clear();
  out->push_back(Label{kMetricNameLabel, name});
  for (const Label& l : labels) {
    if (!l.value.empty()) out->push_back(l);
  }
  std::sort(out->begin(), out->end(), [](const Label& a, const Label& b) { return a.name < b.name; });
}

Labels ParsedSample::ToLabels() const {
  // The parser rejected duplicates, so FromPairs' "last one wins" never applies.
  LabelPair pairs[32];
  std::vector<LabelPair> heap;
  std::span<LabelPair> all;
  const size_t n = labels.size() + 1;
  if (n <= std::size(pairs)) {
    all = std::span<LabelPair>(pairs, n);
  } else {
    heap.resize(n);
    all = heap;
  }
  all[0] = LabelPair{kMetricNameLabel, name};
  for (size_t i = 0; i < labels.size(); ++i) all[i + 1] = LabelPair{labels[i].name, labels[i].value};
  return Labels::FromPairs(all);
}

Parser::Parser(Format format, ParserOptions options)
    : format_(format), options_(options), line_parser_(std::make_unique<internal::SampleLineParser>(format)) {}

Parser::~Parser() = default;

bool Parser::NextLine(std::string_view* input, std::string_view* line) {
  if (partial_is_line_) {
    partial_.clear();
    partial_is_line_ = false;
  }
  if (input->empty()) return false;
  const char* nl = static_cast<const char*>(std::memchr(input->data(), '\n', input->size()));
  const size_t len = nl == nullptr ? input->size() : static_cast<size_t>(nl - input->data());
  if (partial_.size() + len > options_.max_line_bytes) {
    Fail(line_no_ + 1, 0, internal::Cat("line longer than ", options_.max_line_bytes, " bytes"));
    return false;
  }
  if (nl == nullptr) {
    partial_.append(*input);
    input->remove_prefix(input->size());
    return false;
  }
  if (partial_.empty()) {
    *line = input->substr(0, len);
  } else {
    partial_.append(input->data(), len);
    *line = partial_;
    partial_is_line_ = true;
  }
  input->remove_prefix(len + 1);
  return true;
}

unsigned Parser::Fail(int64_t line, size_t column, std::string reason) {
  error_ = ParseError{line, column, std::move(reason), /*fatal=*/true};
  status_ = error_.ToStatus();
  return kStop;
}

unsigned Parser::LineError(size_t column, std::string reason) {
  ParseError e{line_no_, column == 0 ? 0 : column + indent_, std::move(reason), /*fatal=*/false};
  if (!options_.skip_bad_lines) {
    error_ = std::move(e);
    status_ = error_.ToStatus();
    return kStop;
  }
  ++skipped_lines_;
  if (skipped_errors_.size() < options_.max_kept_errors) skipped_errors_.push_back(std::move(e));
  return kNone;
}

unsigned Parser::ProcessLine(std::string_view line) {
  ++line_no_;
  indent_ = 0;
  if (eof_seen_) return Fail(line_no_, 0, "unexpected content after \"# EOF\" (it must be the last line)");
  if (!line.empty() && line.back() == '\r') {
    return LineError(line.size(), "carriage return at the end of the line (lines must end with \\n alone)");
  }
  if (format_ == Format::kPrometheusText) {
    while (indent_ < line.size() && (line[indent_] == ' ' || line[indent_] == '\t')) ++indent_;
    line.remove_prefix(indent_);
    if (line.empty()) return kNone;
  } else if (line.empty()) {
    return LineError(0, "empty line (OpenMetrics does not allow empty lines)");
  }
  if (line[0] == '#') return ProcessComment(line);
  return ProcessSample(line);
}

unsigned Parser::ProcessSample(std::string_view line) {
  if (!line_parser_->Parse(line, &sample_)) return LineError(line_parser_->error_column(), line_parser_->error());
  const std::string_view name = sample_.name;
  unsigned emit = kSample;
  const bool same_family = current_ != nullptr && BelongsTo(format_, current_->name, current_->type, name);
  if (same_family) {
    const std::string_view suffix = name.substr(current_->name.size());
    const MetricType type = current_->type;
    if (suffix == "_bucket" && (type == MetricType::kHistogram || type == MetricType::kGaugeHistogram)) {
      const Label* le = FindLabel(sample_.labels, "le");
      double bound = 0;
      if (le == nullptr) return LineError(1, internal::Cat("histogram bucket ", Quote(name), " has no \"le\" label"));
      if (ParseValue(le->value, &bound) != NumberError::kOk) {
        return LineError(1, internal::Cat("invalid \"le\" value ", Quote(le->value), " of ", Quote(name)));
      }
    } else if (suffix.empty() && type == MetricType::kSummary) {
      const Label* q = FindLabel(sample_.labels, "quantile");
      double quantile = 0;
      if (q == nullptr)
        return LineError(1, internal::Cat("summary quantile ", Quote(name), " has no \"quantile\" label"));
      if (ParseValue(q->value, &quantile) != NumberError::kOk) {
        return LineError(1, internal::Cat("invalid \"quantile\" value ", Quote(q->value), " of ", Quote(name)));
      }
    }
    if (sample_.has_exemplar &&
        !((suffix == "_total" && type == MetricType::kCounter) ||
          (suffix == "_bucket" && (type == MetricType::kHistogram || type == MetricType::kGaugeHistogram)))) {
      return LineError(1, internal::Cat("exemplar on ", Quote(name),
                                        " (only counter _total and histogram _bucket samples may have one)"));
    }
  } else {
    if (current_ != nullptr && current_->has_metadata() && name == current_->name) {
      return LineError(1, internal::Cat("sample ", Quote(name), " does not fit ",
                                        MetricTypeName(current_->type, format_), " family ", Quote(current_->name),
                                        " (expected ", ExpectedNames(format_, current_->name, current_->type), ")"));
    }
    if (!seen_.empty()) {
      // A sample of a family with metadata whose lines already ended: its name is the family's, or the
      // family's plus a suffix of its type.
      std::string_view earlier;
      int64_t earlier_line = 0;
      const auto find = [&](std::string_view family, bool suffixed) {
        const auto it = seen_.find(AV(family));
        if (it == seen_.end() || (suffixed && !BelongsTo(format_, family, it->second.type, name))) return false;
        earlier = family;
        earlier_line = it->second.line;
        return true;
      };
      bool found = find(name, false);
      for (size_t i = 0; !found && i < std::size(kAllSuffixes); ++i) {
        if (HasSuffix(name, kAllSuffixes[i])) found = find(name.substr(0, name.size() - kAllSuffixes[i].size()), true);
      }
      if (found) {
        return LineError(1, internal::Cat("sample ", Quote(name), " of family ", Quote(earlier),
                                          " whose lines ended before (the family began at line ", earlier_line,
                                          "); a family's lines must be contiguous"));
      }
    }
    if (sample_.has_exemplar) {
      return LineError(1, internal::Cat("exemplar on ", Quote(name),
                                        " (only counter _total and histogram _bucket samples may have one)"));
    }
    emit |= CloseFamily();
    OpenFamily(name, 0);
  }
  current_->has_samples = true;
  sample_.family = current_->name;
  sample_.type = current_->type;
  sample_.line = line_no_;
  return emit;
}

unsigned Parser::ProcessComment(std::string_view line) {
  char kind = 0;
  size_t pos = 0;
  if (format_ == Format::kOpenMetrics) {
    if (line == "# EOF") {
      eof_seen_ = true;
      return CloseFamily();
    }
    if (line.starts_with("# TYPE ")) {
      kind = 'T';
    } else if (line.starts_with("# HELP ")) {
      kind = 'H';
    } else if (line.starts_with("# UNIT ")) {
      kind = 'U';
    } else if (line.starts_with("# EOF")) {
      return LineError(6, "unexpected text after \"# EOF\"");
    } else {
      return LineError(1, "comment lines are not allowed in OpenMetrics (only # TYPE, # HELP, # UNIT and # EOF)");
    }
    pos = 7;
  } else {
    pos = 1;
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
    const size_t word = pos;
    while (pos < line.size() && line[pos] != ' ' && line[pos] != '\t') ++pos;
    const std::string_view keyword = line.substr(word, pos - word);
    if (keyword == "TYPE") {
      kind = 'T';
    } else if (keyword == "HELP") {
      kind = 'H';
    } else {
      return kNone;  // an ordinary comment
    }
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
  }
  const std::string_view keyword = kind == 'T' ? "TYPE" : kind == 'H' ? "HELP" : "UNIT";
  std::string_view name;
  size_t end = 0;
  if (!line_parser_->ParseName(line, pos, &name, &end)) {
    return LineError(line_parser_->error_column(), internal::Cat(keyword, " line: ", line_parser_->error()));
  }
  // `name` may point into the parser's scratch buffer: copy it before parsing anything else.
  const std::string family(name);
  pos = end;
  if (pos < line.size() && line[pos] != ' ' && line[pos] != '\t') {
    return LineError(pos + 1, internal::Cat("unexpected character ", internal::DescribeChar(line[pos]), " after ",
                                            keyword, " metric name"));
  }
  // OpenMetrics separates with exactly one space; the text format with any run of blanks.
  if (format_ == Format::kOpenMetrics) {
    if (pos < line.size()) ++pos;
  } else {
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
  }
  const std::string_view rest = line.substr(pos);
  if (kind == 'H') {
    const std::string help = UnescapeHelp(rest);
    if (!IsValidUtf8(help)) return LineError(pos + 1, "HELP text is not valid UTF-8");
    return ApplyMetadata('H', family, MetricType::kUnknown, help);
  }
  if (kind == 'T') {
    std::string_view word = rest.substr(0, rest.find_first_of(" \t"));
    size_t after = pos + word.size();
    if (format_ == Format::kPrometheusText) {
      while (after < line.size() && (line[after] == ' ' || line[after] == '\t')) ++after;
    }
    if (after < line.size()) {
      return LineError(
          after + 1, internal::Cat("unexpected text ", Quote(line.substr(after)), " after metric type ", Quote(word)));
    }
    if (word.empty()) return LineError(pos + 1, internal::Cat("TYPE line for ", Quote(family), " has no type"));
    const std::optional<MetricType> type = ParseMetricType(word, format_);
    if (!type.has_value()) {
      return LineError(pos + 1, internal::Cat("unknown metric type ", Quote(word), " (", FormatName(format_),
                                              format_ == Format::kOpenMetrics
                                                  ? " has counter, gauge, histogram, gaugehistogram, summary, info, "
                                                    "stateset and unknown)"
                                                  : " has counter, gauge, histogram, summary and untyped)"));
    }
    return ApplyMetadata('T', family, *type, {});
  }
  // UNIT: empty, or metric-name characters that end the family name after an underscore.
  for (size_t i = 0; i < rest.size(); ++i) {
    const char c = rest[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':')) {
      return LineError(pos + i + 1, internal::Cat("unexpected character ", internal::DescribeChar(c), " in unit"));
    }
  }
  if (!rest.empty() && !HasSuffix(family, internal::Cat("_", rest))) {
    return LineError(pos + 1, internal::Cat("unit ", Quote(rest), " is not a suffix of family name ", Quote(family),
                                            " (expected a name ending in _", rest, ")"));
  }
  return ApplyMetadata('U', family, MetricType::kUnknown, rest);
}

unsigned Parser::ApplyMetadata(char kind, std::string_view name, MetricType type, std::string_view text) {
  const std::string_view keyword = kind == 'T' ? "TYPE" : kind == 'H' ? "HELP" : "UNIT";
  unsigned emit = kNone;
  // A metadata line for the family being read continues it, unless the family's samples have begun: then it
  // starts another block of that name (see below) if the family had metadata, and is an error if it had none.
  if (current_ != nullptr && current_->name == name && !(current_->has_samples && current_->has_metadata())) {
    if (current_->has_samples) {
      return LineError(1, internal::Cat(keyword, " line for ", Quote(name),
                                        " after its samples (a family's metadata must come first)"));
    }
    const bool again = kind == 'T' ? current_->has_type : kind == 'H' ? current_->has_help : current_->has_unit;
    if (again) {
      return LineError(1, internal::Cat("second ", keyword, " line for family ", Quote(name),
                                        " (the first is at or after line ", current_->metadata_line, ")"));
    }
  } else {
    // A name whose family appeared before starts a new family of that name. The specs forbid it, but Go
    // programs' OpenMetrics pages have it (the gauge go_memstats_alloc_bytes and the counter
    // go_memstats_alloc_bytes_total, whose family name is the same) and Prometheus accepts it; each block's
    // metadata is delivered.
    emit = CloseFamily();
    OpenFamily(name, line_no_);
    seen_.insert_or_assign(std::string(name), SeenFamily{MetricType::kUnknown, line_no_});
  }
  switch (kind) {
    case 'T':
      current_->type = type;
      current_->has_type = true;
      seen_.find(AV(name))->second.type = type;
      break;
    case 'H':
      current_->help.assign(text);
      current_->has_help = true;
      break;
    default:
      current_->unit.assign(text);
      current_->has_unit = true;
      break;
  }
  return emit;
}

unsigned Parser::CloseFamily() {
  if (current_ == nullptr) return kNone;
  closed_ = current_;
  current_ = nullptr;
  return closed_->has_metadata() ? kMetadata : kNone;
}

void Parser::OpenFamily(std::string_view name, int64_t metadata_line) {
  Family* f = closed_ == &families_[0] ? &families_[1] : &families_[0];
  f->name.assign(name);
  f->type = MetricType::kUnknown;
  f->has_type = f->has_help = f->has_unit = f->has_samples = false;
  f->help.clear();
  f->unit.clear();
  f->metadata_line = metadata_line;
  current_ = f;
}

void Parser::FillMetadata(FamilyMetadata* m) const {
  m->name = closed_->name;
  m->type = closed_->type;
  m->has_type = closed_->has_type;
  m->help = closed_->help;
  m->has_help = closed_->has_help;
  m->unit = closed_->unit;
  m->has_unit = closed_->has_unit;
  m->line = closed_->metadata_line;
}

unsigned Parser::ProcessEnd() {
  if (format_ == Format::kOpenMetrics && !eof_seen_) {
    return Fail(line_no_ + 1, 0, "missing \"# EOF\" at the end of OpenMetrics input");
  }
  return CloseFamily();
}

}  // namespace vigil::exposition
