#include "model/sample.h"

namespace vigil {

TimestampMs FromTime(absl::Time t) {
  // absl::ToUnixMillis rounds down and saturates at the int64 bounds, which is what TimestampMs wants; kept out of
  // line so the contract is pinned here rather than in every caller.
  return absl::ToUnixMillis(t);
}

}  // namespace vigil
