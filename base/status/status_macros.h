// Early-return helpers for absl::Status and absl::StatusOr<T>.
//
// Abseil 20220623 (Debian 12) ships neither RETURN_IF_ERROR nor ASSIGN_OR_RETURN, so Vigil defines its own,
// named VIGIL_* to stay clear of any later Abseil or protobuf macro of the same name.
//
//   absl::Status Load(absl::string_view path) {
//     VIGIL_RETURN_IF_ERROR(CheckPath(path));
//     VIGIL_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
//     VIGIL_ASSIGN_OR_RETURN(config_, Parse(text));
//     return absl::OkStatus();
//   }
#ifndef VIGIL_BASE_STATUS_STATUS_MACROS_H_
#define VIGIL_BASE_STATUS_STATUS_MACROS_H_

#include <string_view>
#include <utility>

#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Evaluates `expr` (an absl::Status) once and returns it from the calling function if it is not OK.
#define VIGIL_RETURN_IF_ERROR(expr)                         \
  do {                                                      \
    ::absl::Status vigil_status_internal_ = (expr);         \
    if (ABSL_PREDICT_FALSE(!vigil_status_internal_.ok())) { \
      return vigil_status_internal_;                        \
    }                                                       \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>) once; on error returns its status from the calling function,
// otherwise moves the value into `lhs`, which may be a declaration (`auto x`, `std::string s`) or an lvalue.
#define VIGIL_ASSIGN_OR_RETURN(lhs, rexpr) \
  VIGIL_ASSIGN_OR_RETURN_IMPL_(VIGIL_STATUS_CONCAT_(vigil_statusor_, __LINE__), lhs, rexpr)

#define VIGIL_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                 \
  if (ABSL_PREDICT_FALSE(!statusor.ok())) {                \
    return std::move(statusor).status();                   \
  }                                                        \
  lhs = *std::move(statusor)

#define VIGIL_STATUS_CONCAT_INNER_(a, b) a##b
#define VIGIL_STATUS_CONCAT_(a, b) VIGIL_STATUS_CONCAT_INNER_(a, b)

namespace vigil {

// Returns `status` with `context` prepended to its message ("context: message"), keeping the code. OK stays OK.
// Used to say where an error happened as it travels up ("wal segment 00000012: checksum mismatch at 4096").
absl::Status Annotate(const absl::Status& status, std::string_view context);

}  // namespace vigil

#endif  // VIGIL_BASE_STATUS_STATUS_MACROS_H_
