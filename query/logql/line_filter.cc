#include "query/logql/line_filter.h"

#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "model/matcher.h"
#include "re2/re2.h"

namespace vigil::logql {
namespace {

// How common a byte is in log text (higher is more common); memchr() should look for a rare one.
int ByteFrequency(unsigned char c) {
  static constexpr std::string_view kByFrequency =
      " etaoinsrhldcumfpgwybvkxjqz0123456789=\":,./-_ETAOINSRHLDCUMFPGWYBVKXJQZ[]{}()";
  const size_t i = kByFrequency.find(static_cast<char>(c));
  return i == std::string_view::npos ? 0 : static_cast<int>(kByFrequency.size() - i);
}

// Splits `re` at top-level '|' (outside groups, classes and escapes); an empty result when it has no alternation.
std::vector<std::string_view> SplitAlternation(std::string_view re) {
  std::vector<std::string_view> parts;
  int depth = 0;
  bool in_class = false;
  size_t start = 0;
  for (size_t i = 0; i < re.size(); ++i) {
    const char c = re[i];
    if (c == '\\') {
      ++i;
    } else if (in_class) {
      if (c == ']') in_class = false;
    } else if (c == '[') {
      in_class = true;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == '|' && depth == 0) {
      parts.push_back(re.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.empty()) return parts;
  parts.push_back(re.substr(start));
  return parts;
}

}  // namespace

SubstringSearcher::SubstringSearcher(std::string needle, bool case_insensitive)
    : needle_(std::move(needle)), case_insensitive_(case_insensitive) {
  if (case_insensitive_) absl::AsciiStrToLower(&needle_);
  int best = 1 << 30;
  for (size_t i = 0; i < needle_.size(); ++i) {
    const int f = ByteFrequency(static_cast<unsigned char>(needle_[i]));
    if (f < best) {
      best = f;
      rare_index_ = i;
    }
  }
}

bool SubstringSearcher::Contains(std::string_view hay) const {
  const size_t n = needle_.size();
  if (n == 0) return true;
  if (hay.size() < n) return false;
  if (case_insensitive_) {
    const char first = needle_[0];
    for (size_t i = 0; i + n <= hay.size(); ++i) {
      if (absl::ascii_tolower(static_cast<unsigned char>(hay[i])) != first) continue;
      size_t k = 1;
      while (k < n && absl::ascii_tolower(static_cast<unsigned char>(hay[i + k])) == needle_[k]) ++k;
      if (k == n) return true;
    }
    return false;
  }
  const char* const base = hay.data();
  const char rare = needle_[rare_index_];
  // Candidate positions of the rare byte that leave room for the needle around it.
  const char* p = base + rare_index_;
  const char* const last = base + (hay.size() - n) + rare_index_;
  while (p <= last) {
    const void* hit = std::memchr(p, rare, static_cast<size_t>(last - p) + 1);
    if (hit == nullptr) return false;
    const char* h = static_cast<const char*>(hit);
    if (std::memcmp(h - rare_index_, needle_.data(), n) == 0) return true;
    p = h + 1;
  }
  return false;
}

std::optional<std::string> RegexAsLiteral(std::string_view re, bool* case_insensitive) {
  *case_insensitive = false;
  if (re.substr(0, 4) == "(?i)") {
    *case_insensitive = true;
    re.remove_prefix(4);
  }
  std::string lit;
  for (size_t i = 0; i < re.size(); ++i) {
    const char c = re[i];
    if (c == '\\') {
      if (i + 1 >= re.size()) return std::nullopt;
      const char e = re[++i];
      if (absl::ascii_isalnum(static_cast<unsigned char>(e)) || static_cast<unsigned char>(e) >= 0x80) {
        return std::nullopt;
      }
      lit.push_back(e);
    } else if (IsRegexMetaChar(c)) {
      return std::nullopt;
    } else {
      lit.push_back(c);
    }
  }
  // A case-insensitive search folds ASCII only; leave non-ASCII to RE2.
  if (*case_insensitive) {
    for (char c : lit) {
      if (static_cast<unsigned char>(c) >= 0x80) return std::nullopt;
    }
  }
  return lit;
}

std::string RequiredLiteral(std::string_view re) {
  if (re.find('|') != std::string_view::npos || re.substr(0, 2) == "(?") return "";
  // Everything from the first group on may be optional or repeated; only look before it.
  re = re.substr(0, re.find('('));
  std::string best;
  std::string run;
  const auto end_run = [&] {
    if (run.size() > best.size()) best = run;
    run.clear();
  };
  for (size_t i = 0; i < re.size(); ++i) {
    const char c = re[i];
    const bool quantified = i + 1 < re.size() && (re[i + 1] == '?' || re[i + 1] == '*' || re[i + 1] == '{');
    if (c == '\\' && i + 1 < re.size()) {
      const char e = re[i + 1];
      const bool next_quantified = i + 2 < re.size() && (re[i + 2] == '?' || re[i + 2] == '*' || re[i + 2] == '{');
      ++i;
      if (absl::ascii_isalnum(static_cast<unsigned char>(e)) || next_quantified) {
        end_run();
      } else {
        run.push_back(e);
      }
    } else if (c == '[') {
      end_run();
      size_t j = i + 1;
      if (j < re.size() && re[j] == '^') ++j;
      if (j < re.size() && re[j] == ']') ++j;
      while (j < re.size() && re[j] != ']') j += re[j] == '\\' ? 2 : 1;
      i = j;
    } else if (IsRegexMetaChar(c) || quantified) {
      end_run();
    } else {
      run.push_back(c);
    }
  }
  end_run();
  return best.size() >= 3 ? best : "";
}

bool LineFilter::Alternative::Matches(std::string_view line) const {
  switch (kind) {
    case Kind::kSubstring:
      return searcher->Contains(line);
    case Kind::kRegex:
      if (searcher && !searcher->Contains(line)) return false;
      return RE2::PartialMatch(re2::StringPiece(line.data(), line.size()), *re);
    case Kind::kPattern:
      return pattern->Test(line);
  }
  return false;
}

absl::StatusOr<LineFilter> LineFilter::Compile(const LineFilterStage& stage) {
  LineFilter f;
  f.negate_ = IsNegativeLineMatch(stage.type);
  for (const std::string& v : stage.values) {
    switch (stage.type) {
      case LineMatchType::kContains:
      case LineMatchType::kNotContains: {
        Alternative a;
        a.searcher.emplace(v);
        f.alternatives_.push_back(std::move(a));
        break;
      }
      case LineMatchType::kRegex:
      case LineMatchType::kNotRegex: {
        bool ci = false;
        if (std::optional<std::string> lit = RegexAsLiteral(v, &ci)) {
          Alternative a;
          a.searcher.emplace(*std::move(lit), ci);
          f.alternatives_.push_back(std::move(a));
          break;
        }
        std::vector<std::string_view> parts = SplitAlternation(v);
        bool all_literal = !parts.empty();
        std::vector<std::string> lits;
        for (std::string_view p : parts) {
          bool part_ci = false;
          std::optional<std::string> lit = RegexAsLiteral(p, &part_ci);
          if (!lit || part_ci) {
            all_literal = false;
            break;
          }
          lits.push_back(*std::move(lit));
        }
        if (all_literal) {
          for (std::string& l : lits) {
            Alternative a;
            a.searcher.emplace(std::move(l));
            f.alternatives_.push_back(std::move(a));
          }
          break;
        }
        RE2::Options opts;
        opts.set_log_errors(false);
        auto re = std::make_shared<RE2>(v, opts);
        if (!re->ok()) return absl::InvalidArgumentError(absl::StrCat("error parsing regexp: ", re->error()));
        Alternative a;
        a.kind = Alternative::Kind::kRegex;
        a.re = std::move(re);
        if (std::string req = RequiredLiteral(v); !req.empty()) a.searcher.emplace(std::move(req));
        f.alternatives_.push_back(std::move(a));
        break;
      }
      case LineMatchType::kPattern:
      case LineMatchType::kNotPattern: {
        absl::StatusOr<Pattern> p = Pattern::ParseLineFilter(v);
        if (!p.ok()) return p.status();
        Alternative a;
        a.kind = Alternative::Kind::kPattern;
        a.pattern = std::make_shared<const Pattern>(*std::move(p));
        f.alternatives_.push_back(std::move(a));
        break;
      }
    }
  }
  return f;
}

std::vector<std::string> LineFilter::Strategies() const {
  std::vector<std::string> out;
  for (const Alternative& a : alternatives_) {
    switch (a.kind) {
      case Alternative::Kind::kSubstring:
        out.push_back(a.searcher->case_insensitive() ? "substring-ci" : "substring");
        break;
      case Alternative::Kind::kRegex:
        out.push_back(a.searcher ? "regex+prefilter" : "regex");
        break;
      case Alternative::Kind::kPattern:
        out.push_back("pattern");
        break;
    }
  }
  return out;
}

}  // namespace vigil::logql
