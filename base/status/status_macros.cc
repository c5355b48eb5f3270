#include "base/status/status_macros.h"

#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"

namespace vigil {

absl::Status Annotate(const absl::Status& status, std::string_view context) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(AV(context), ": ", status.message()));
}

}  // namespace vigil
