// What every Vigil binary reports about itself: `--version`, the store's /api/v1/status/buildinfo, and the
// `vigil_build_info` self-metric.
#ifndef VIGIL_BASE_VERSION_VERSION_H_
#define VIGIL_BASE_VERSION_VERSION_H_

#include <string>
#include <string_view>

namespace vigil {

// The release version (semantic versioning). Bumped by hand on release.
inline constexpr std::string_view kVersion = "0.1.0-dev";

struct BuildInfo {
  std::string version;     // kVersion
  std::string compiler;    // e.g. "gcc 12.2.0"
  std::string build_type;  // "opt", "dbg", or "sanitized"
};

BuildInfo GetBuildInfo();

// The line printed by `<binary> --version`, e.g. "vigil-store 0.1.0-dev (gcc 12.2.0, opt)".
std::string VersionLine(std::string_view program);

}  // namespace vigil

#endif  // VIGIL_BASE_VERSION_VERSION_H_
