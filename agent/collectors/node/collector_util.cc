#include "agent/collectors/node/collector_util.h"

#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"

namespace vigil::agent::node {

Pattern::Pattern(std::string_view option, const std::string& pattern) {
  if (pattern.empty()) return;
  RE2::Options opts;
  opts.set_log_errors(false);
  re_ = std::make_unique<RE2>(pattern, opts);
  if (!re_->ok()) {
    status_ = absl::InvalidArgumentError(
        absl::StrCat("node collectors: ", AV(option), ": invalid pattern \"", pattern, "\": ", re_->error()));
    re_.reset();
  }
}

bool Pattern::Matches(std::string_view s) const {
  return re_ != nullptr && RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *re_);
}

}  // namespace vigil::agent::node
