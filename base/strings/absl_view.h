// Conversions between std::string_view and absl::string_view.
//
// Debian's Abseil 20220623 is built with ABSL_OPTION_USE_STD_STRING_VIEW=0, so absl::string_view is its own type
// and the two do not convert implicitly. Vigil's APIs take std::string_view; code calling Abseil converts at the
// call with these (see docs/conventions.md).
#ifndef VIGIL_BASE_STRINGS_ABSL_VIEW_H_
#define VIGIL_BASE_STRINGS_ABSL_VIEW_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace vigil {

inline absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view SV(absl::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace vigil

#endif  // VIGIL_BASE_STRINGS_ABSL_VIEW_H_
