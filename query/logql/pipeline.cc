#include "query/logql/pipeline.h"

#include <charconv>
#include <utility>
#include <variant>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "query/logql/go_units.h"
#include "query/logql/json_parser.h"
#include "query/logql/line_filter.h"
#include "query/logql/logfmt_parser.h"
#include "query/logql/pattern.h"
#include "query/logql/printer.h"
#include "query/logql/template.h"
#include "re2/re2.h"

namespace vigil::logql {
namespace {

// ANSI escape sequences, as Loki's decolorize (github.com/acarl005/stripansi).
constexpr const char* kAnsiPattern =
    "[\\x{1b}\\x{9b}][[\\]()#;?]*(?:(?:(?:[a-zA-Z\\d]*(?:;[a-zA-Z\\d]*)*)?\\x{07})|(?:(?:\\d{1,4}(?:;\\d{0,4})*)?"
    "[\\dA-PRZcf-ntqry=><~]))";

const RE2& AnsiRegex() {
  static const RE2* const re = new RE2(kAnsiPattern);
  return *re;
}

// A float as strconv.ParseFloat reads it; from_chars first so the common case does not allocate.
bool FastFloat(std::string_view s, double* out) {
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, *out);
  if (ec == std::errc() && ptr == end && !s.empty() && s[0] != 'i' && s[0] != 'n' && s[0] != 'I' && s[0] != 'N') {
    return true;
  }
  absl::StatusOr<double> v = ParseGoFloat(s);
  if (!v.ok()) return false;
  *out = *v;
  return true;
}

template <typename T>
bool CompareValues(CompareOp op, T a, T b) {
  switch (op) {
    case CompareOp::kEq:
      return a == b;
    case CompareOp::kNe:
      return a != b;
    case CompareOp::kGt:
      return a > b;
    case CompareOp::kGe:
      return a >= b;
    case CompareOp::kLt:
      return a < b;
    case CompareOp::kLe:
      return a <= b;
  }
  return false;
}

void SetFilterError(LineLabels* labels, std::string_view details) {
  // Don't overwrite what might be a more useful error (Loki).
  if (labels->HasError()) return;
  labels->SetError(kLabelFilterErr);
  labels->SetErrorDetails(details);
}

std::string_view SpecialOrLabel(const LineLabels& labels, const std::string& name) {
  if (name == kErrorLabel) return labels.error();
  if (name == kErrorDetailsLabel) return labels.error_details();
  return labels.GetOrEmpty(name);
}

}  // namespace

struct Pipeline::CompiledStage {
  enum class Kind : uint8_t {
    kLineFilter,
    kJson,
    kJsonPaths,
    kLogfmt,
    kRegexp,
    kPattern,
    kUnpack,
    kLabelFilter,
    kLineFormat,
    kLabelFormat,
    kDrop,
    kKeep,
    kDecolorize,
  };
  Kind kind = Kind::kLineFilter;
  std::optional<LineFilter> line_filter;
  std::unique_ptr<JsonFlattener> json;
  std::unique_ptr<JsonPathExtractor> json_paths;
  std::unique_ptr<LogfmtParser> logfmt;
  std::unique_ptr<RE2> regexp;
  std::vector<std::pair<int, std::string>> regexp_groups;  // capture index, label name
  std::unique_ptr<Pattern> pattern;
  std::unique_ptr<Unpacker> unpack;
  LabelFilterPtr label_filter;
  std::vector<std::optional<Template>> templates;  // line_format: one; label_format: one per non-rename item
  std::vector<LabelFormatItem> label_format;
  std::vector<NamedLabelMatcher> named;
};

Pipeline::Pipeline() = default;
Pipeline::~Pipeline() = default;

absl::StatusOr<std::unique_ptr<Pipeline>> Pipeline::Compile(const std::vector<Stage>& stages) {
  std::unique_ptr<Pipeline> p(new Pipeline());
  for (const Stage& stage : stages) {
    CompiledStage cs;
    const auto fail = [&](std::string_view msg) {
      return absl::InvalidArgumentError(absl::StrCat("stage '", StageToString(stage), "' : ", AV(msg)));
    };
    if (const auto* lf = std::get_if<LineFilterStage>(&stage)) {
      absl::StatusOr<LineFilter> f = LineFilter::Compile(*lf);
      if (!f.ok()) return fail(SV(f.status().message()));
      cs.line_filter = *std::move(f);
    } else {
      p->only_line_filters_ = false;
    }
    if (const auto* js = std::get_if<JsonStage>(&stage)) {
      if (js->extractions.empty()) {
        cs.kind = CompiledStage::Kind::kJson;
        cs.json = std::make_unique<JsonFlattener>();
      } else {
        cs.kind = CompiledStage::Kind::kJsonPaths;
        absl::StatusOr<JsonPathExtractor> x = JsonPathExtractor::Compile(js->extractions);
        if (!x.ok()) return fail(SV(x.status().message()));
        cs.json_paths = std::make_unique<JsonPathExtractor>(*std::move(x));
      }
    } else if (const auto* lf = std::get_if<LogfmtStage>(&stage)) {
      cs.kind = CompiledStage::Kind::kLogfmt;
      absl::StatusOr<LogfmtParser> x = LogfmtParser::Compile(*lf);
      if (!x.ok()) return fail(SV(x.status().message()));
      cs.logfmt = std::make_unique<LogfmtParser>(*std::move(x));
    } else if (const auto* rs = std::get_if<RegexpStage>(&stage)) {
      cs.kind = CompiledStage::Kind::kRegexp;
      RE2::Options opts;
      opts.set_log_errors(false);
      cs.regexp = std::make_unique<RE2>(rs->pattern, opts);
      if (!cs.regexp->ok()) return fail(absl::StrCat("error parsing regexp: ", cs.regexp->error()));
      for (const auto& [name, index] : cs.regexp->NamedCapturingGroups()) cs.regexp_groups.emplace_back(index, name);
      if (cs.regexp_groups.empty()) return fail("at least one named capture must be supplied");
      std::sort(cs.regexp_groups.begin(), cs.regexp_groups.end());
    } else if (const auto* ps = std::get_if<PatternStage>(&stage)) {
      cs.kind = CompiledStage::Kind::kPattern;
      absl::StatusOr<Pattern> x = Pattern::Parse(ps->pattern);
      if (!x.ok()) return fail(SV(x.status().message()));
      cs.pattern = std::make_unique<Pattern>(*std::move(x));
    } else if (std::holds_alternative<UnpackStage>(stage)) {
      cs.kind = CompiledStage::Kind::kUnpack;
      cs.unpack = std::make_unique<Unpacker>();
    } else if (const auto* fs = std::get_if<LabelFilterStage>(&stage)) {
      cs.kind = CompiledStage::Kind::kLabelFilter;
      cs.label_filter = fs->filter->Clone();
    } else if (const auto* lf = std::get_if<LineFormatStage>(&stage)) {
      cs.kind = CompiledStage::Kind::kLineFormat;
      absl::StatusOr<Template> t = Template::Parse("line", lf->tmpl);
      if (!t.ok()) return fail(absl::StrCat("invalid line template: ", t.status().message()));
      cs.templates.emplace_back(*std::move(t));
    } else if (const auto* lf = std::get_if<LabelFormatStage>(&stage)) {
      cs.kind = CompiledStage::Kind::kLabelFormat;
      absl::flat_hash_set<std::string> seen;
      for (const LabelFormatItem& item : lf->items) {
        if (item.name == kErrorLabel) return fail(absl::StrCat(item.name, " cannot be formatted"));
        if (!seen.insert(item.name).second) {
          return fail(absl::StrCat("multiple label name '", item.name, "' not allowed in a single format operation"));
        }
        if (item.rename) {
          cs.templates.emplace_back(std::nullopt);
        } else {
          absl::StatusOr<Template> t = Template::Parse("label", item.value);
          if (!t.ok()) {
            return fail(absl::StrCat("invalid template for label '", item.name, "': ", t.status().message()));
          }
          cs.templates.emplace_back(*std::move(t));
        }
      }
      cs.label_format = lf->items;
    } else if (const auto* ds = std::get_if<DropStage>(&stage)) {
      cs.kind = CompiledStage::Kind::kDrop;
      cs.named = ds->labels;
    } else if (const auto* ks = std::get_if<KeepStage>(&stage)) {
      cs.kind = CompiledStage::Kind::kKeep;
      cs.named = ks->labels;
    } else if (std::holds_alternative<DecolorizeStage>(stage)) {
      cs.kind = CompiledStage::Kind::kDecolorize;
    }
    p->stages_.push_back(std::move(cs));
  }
  return p;
}

bool Pipeline::EvalLabelFilter(const LabelFilterExpr& f, LineLabels* labels) {
  switch (f.kind) {
    case LabelFilterExpr::Kind::kAnd: {
      // Both sides run (they may record errors), as in Loki.
      const bool l = EvalLabelFilter(*f.left, labels);
      const bool r = EvalLabelFilter(*f.right, labels);
      return l && r;
    }
    case LabelFilterExpr::Kind::kOr:
      return EvalLabelFilter(*f.left, labels) || EvalLabelFilter(*f.right, labels);
    case LabelFilterExpr::Kind::kString:
      return f.matcher->Matches(SpecialOrLabel(*labels, f.name));
    case LabelFilterExpr::Kind::kNumber:
    case LabelFilterExpr::Kind::kDuration:
    case LabelFilterExpr::Kind::kBytes:
      break;
  }
  const std::optional<std::string_view> v = labels->Get(f.name);
  if (!v) return false;
  if (f.kind == LabelFilterExpr::Kind::kNumber) {
    double d = 0;
    if (!FastFloat(*v, &d)) {
      SetFilterError(labels, SV(ParseGoFloat(*v).status().message()));
      return true;
    }
    return CompareValues(f.op, d, f.number);
  }
  if (f.kind == LabelFilterExpr::Kind::kDuration) {
    absl::StatusOr<int64_t> d = ParseGoDuration(*v);
    if (!d.ok()) {
      SetFilterError(labels, SV(d.status().message()));
      return true;
    }
    return CompareValues(f.op, *d, f.duration_ns);
  }
  absl::StatusOr<uint64_t> b = ParseHumanizeBytes(*v);
  if (!b.ok()) {
    SetFilterError(labels, SV(b.status().message()));
    return true;
  }
  return CompareValues(f.op, *b, f.bytes);
}

bool Pipeline::Process(int64_t ts_ns, std::string_view line, const Labels& stream) {
  line_ = line;
  labels_.Reset(&stream);
  for (CompiledStage& s : stages_) {
    switch (s.kind) {
      case CompiledStage::Kind::kLineFilter:
        if (!s.line_filter->Keep(line_)) return false;
        break;
      case CompiledStage::Kind::kJson:
        s.json->Process(line_, &labels_);
        break;
      case CompiledStage::Kind::kJsonPaths:
        s.json_paths->Process(line_, &labels_);
        break;
      case CompiledStage::Kind::kLogfmt:
        s.logfmt->Process(line_, &labels_);
        break;
      case CompiledStage::Kind::kRegexp: {
        const int n = s.regexp->NumberOfCapturingGroups() + 1;
        re2::StringPiece groups[64];
        if (n > 64) break;
        if (!s.regexp->Match(re2::StringPiece(line_.data(), line_.size()), 0, line_.size(), RE2::UNANCHORED, groups,
                             n)) {
          break;
        }
        for (const auto& [index, name] : s.regexp_groups) {
          scratch_.assign(name);
          if (labels_.StreamHas(scratch_)) scratch_.append("_extracted");
          if (labels_.Extracted(scratch_)) continue;
          labels_.Set(scratch_, std::string_view(groups[index].data(), groups[index].size()));
        }
        break;
      }
      case CompiledStage::Kind::kPattern: {
        s.pattern->Matches(line_, &caps_);
        for (size_t i = 0; i < caps_.size(); ++i) {
          scratch_.assign(s.pattern->names()[i]);
          if (labels_.StreamHas(scratch_)) scratch_.append("_extracted");
          if (labels_.Extracted(scratch_)) continue;
          labels_.Set(scratch_, caps_[i]);
        }
        break;
      }
      case CompiledStage::Kind::kUnpack:
        line_ = s.unpack->Process(line_, &labels_);
        break;
      case CompiledStage::Kind::kLabelFilter:
        if (!EvalLabelFilter(*s.label_filter, &labels_)) return false;
        break;
      case CompiledStage::Kind::kLineFormat: {
        std::string& out = bufs_[next_buf_];
        out.clear();
        const Template& t = *s.templates[0];
        if (!t.simple_field().empty()) {
          out.append(labels_.GetOrEmpty(t.simple_field()));
        } else if (absl::Status st = t.Execute(labels_, line_, ts_ns, &out); !st.ok()) {
          labels_.SetError(kTemplateFormatErr);
          labels_.SetErrorDetails(SV(st.message()));
          break;
        }
        line_ = out;
        next_buf_ ^= 1;
        break;
      }
      case CompiledStage::Kind::kLabelFormat:
        for (size_t i = 0; i < s.label_format.size(); ++i) {
          const LabelFormatItem& item = s.label_format[i];
          if (item.rename) {
            std::optional<std::string_view> v = labels_.Get(item.value);
            if (!v) continue;
            scratch_.assign(*v);
            labels_.Del(item.value);
            labels_.Set(item.name, scratch_);
            continue;
          }
          scratch_.clear();
          if (absl::Status st = s.templates[i]->Execute(labels_, line_, ts_ns, &scratch_); !st.ok()) {
            labels_.SetError(kTemplateFormatErr);
            labels_.SetErrorDetails(SV(st.message()));
            continue;
          }
          labels_.Set(item.name, scratch_);
        }
        break;
      case CompiledStage::Kind::kDrop:
        for (const NamedLabelMatcher& n : s.named) {
          const std::string& name = n.matcher ? n.matcher->name() : n.name;
          if (n.matcher && !n.matcher->Matches(SpecialOrLabel(labels_, name))) continue;
          if (name == kErrorLabel) {
            labels_.ClearError();
          } else if (name == kErrorDetailsLabel) {
            labels_.ClearErrorDetails();
          } else {
            labels_.Del(name);
          }
        }
        break;
      case CompiledStage::Kind::kKeep: {
        if (s.named.empty()) break;
        size_t count = 0;
        labels_.ForEach([&](std::string_view name, std::string_view value) {
          if (name == kErrorLabel || name == kErrorDetailsLabel) return;
          for (const NamedLabelMatcher& n : s.named) {
            if (n.matcher ? (n.matcher->name() == name && n.matcher->Matches(value)) : n.name == name) return;
          }
          if (count == names_.size()) names_.emplace_back();
          names_[count++].assign(name);
        });
        for (size_t i = 0; i < count; ++i) labels_.Del(names_[i]);
        break;
      }
      case CompiledStage::Kind::kDecolorize: {
        if (line_.find('\x1b') == std::string_view::npos && line_.find("\xc2\x9b") == std::string_view::npos) break;
        std::string& out = bufs_[next_buf_];
        out.assign(line_);
        RE2::GlobalReplace(&out, AnsiRegex(), "");
        line_ = out;
        next_buf_ ^= 1;
        break;
      }
    }
  }
  return true;
}

absl::StatusOr<double> ConvertUnwrapped(std::string_view value, UnwrapConversion conversion) {
  switch (conversion) {
    case UnwrapConversion::kNone: {
      double d = 0;
      if (FastFloat(value, &d)) return d;
      return ParseGoFloat(value).status();
    }
    case UnwrapConversion::kDuration:
    case UnwrapConversion::kDurationSeconds: {
      absl::StatusOr<int64_t> ns = ParseGoDuration(value);
      if (!ns.ok()) return ns.status();
      return static_cast<double>(*ns) / 1e9;
    }
    case UnwrapConversion::kBytes: {
      absl::StatusOr<uint64_t> b = ParseHumanizeBytes(value);
      if (!b.ok()) return b.status();
      return static_cast<double>(*b);
    }
  }
  return absl::InvalidArgumentError("unknown conversion");
}

absl::StatusOr<std::unique_ptr<SampleExtractor>> SampleExtractor::Compile(const RangeAggregationExpr& expr) {
  std::unique_ptr<SampleExtractor> x(new SampleExtractor());
  absl::StatusOr<std::unique_ptr<Pipeline>> p = Pipeline::Compile(expr.selector->stages);
  if (!p.ok()) return p.status();
  x->pipeline_ = *std::move(p);
  x->op_ = expr.op;
  if (expr.unwrap) {
    Unwrap u;
    u.label = expr.unwrap->label;
    u.conversion = expr.unwrap->conversion;
    for (const LabelFilterPtr& f : expr.unwrap->post_filters) u.post_filters.push_back(f->Clone());
    x->unwrap_ = std::move(u);
  }
  x->drop_unwrapped_ = !(expr.grouping && !expr.grouping->without);
  return x;
}

bool SampleExtractor::Process(int64_t ts_ns, std::string_view line, const Labels& stream, double* value) {
  if (!pipeline_->Process(ts_ns, line, stream)) return false;
  if (!unwrap_) {
    const bool bytes = op_ == RangeOp::kBytesOverTime || op_ == RangeOp::kBytesRate;
    *value = bytes ? static_cast<double>(pipeline_->line().size()) : 1.0;
    return true;
  }
  LineLabels* labels = pipeline_->mutable_labels();
  const std::optional<std::string_view> v = labels->Get(unwrap_->label);
  if (!v || v->empty()) return false;
  value_.assign(*v);
  absl::StatusOr<double> d = ConvertUnwrapped(value_, unwrap_->conversion);
  *value = 0;
  if (d.ok()) {
    *value = *d;
  } else {
    labels->SetError(kSampleExtractionErr);
    labels->SetErrorDetails(SV(d.status().message()));
  }
  for (const LabelFilterPtr& f : unwrap_->post_filters) {
    if (!Pipeline::EvalLabelFilter(*f, labels)) return false;
  }
  if (drop_unwrapped_) labels->Del(unwrap_->label);
  return true;
}

}  // namespace vigil::logql
