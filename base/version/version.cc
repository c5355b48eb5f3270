#include "base/version/version.h"

#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"

namespace vigil {

BuildInfo GetBuildInfo() {
  BuildInfo info;
  info.version = std::string(kVersion);
#if defined(__clang__)
  info.compiler = absl::StrCat("clang ", __clang_major__, ".", __clang_minor__, ".", __clang_patchlevel__);
#elif defined(__GNUC__)
  info.compiler = absl::StrCat("gcc ", __GNUC__, ".", __GNUC_MINOR__, ".", __GNUC_PATCHLEVEL__);
#else
  info.compiler = "unknown";
#endif
#if defined(VIGIL_SANITIZED)
  info.build_type = "sanitized";
#elif defined(NDEBUG)
  info.build_type = "opt";
#else
  info.build_type = "dbg";
#endif
  return info;
}

std::string VersionLine(std::string_view program) {
  BuildInfo info = GetBuildInfo();
  return absl::StrCat(AV(program), " ", info.version, " (", info.compiler, ", ", info.build_type, ")");
}

}  // namespace vigil
