// Writes a generated fleet as one OpenMetrics 1.0 text exposition: the input format of Prometheus'
// `promtool tsdb create-blocks-from openmetrics` and of Vigil's POST /api/v1/import.
#ifndef VIGIL_TOOLS_DATAGEN_OPENMETRICS_H_
#define VIGIL_TOOLS_DATAGEN_OPENMETRICS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "tools/datagen/fleet.h"

namespace vigil::datagen {

// What a writer produced.
struct OutputStats {
  uint64_t series = 0;
  uint64_t samples = 0;
  uint64_t bytes = 0;
};

// Writes every family's TYPE, HELP and UNIT lines followed by its series, each with all its samples in time order
// (timestamps in seconds, exact to the millisecond), and "# EOF" last. The text goes to `sink` in pieces of about
// `chunk_bytes`, so memory stays bounded whatever the fleet's size; the first error `sink` returns stops the
// write and is returned. The same fleet always yields the same bytes.
absl::Status WriteOpenMetrics(const Fleet& fleet, absl::FunctionRef<absl::Status(std::string_view)> sink,
                              OutputStats* stats = nullptr, size_t chunk_bytes = size_t{1} << 20);

}  // namespace vigil::datagen

#endif  // VIGIL_TOOLS_DATAGEN_OPENMETRICS_H_
