// Byte sizes as Prometheus' --storage.tsdb.retention.size takes them: an integer with an optional unit, where
// every unit is a power of 1024 whether spelled "KB" or "KiB" ("512MB" == "512MiB" == 536870912).
#ifndef VIGIL_BASE_UNITS_BYTES_H_
#define VIGIL_BASE_UNITS_BYTES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace vigil::units {

// Parses "<digits>[unit]" into a number of bytes. Units (case-sensitive, as in Prometheus): B; KB, MB, GB, TB,
// PB, EB; KiB, MiB, GiB, TiB, PiB, EiB; KB and KiB are both 1024, MB and MiB both 1024^2, and so on. Without a
// unit the number is bytes ("42"). Rejects, with an InvalidArgument error quoting the input: the empty string,
// signs ("-1GB"), fractions ("1.5GB"), spaces ("1 GB"), unknown or wrongly-cased units ("1kB", "1mb", "1XB"), and
// values above INT64_MAX bytes ("8EB").
absl::StatusOr<int64_t> ParseByteSize(std::string_view text);

// Formats `bytes` with the largest binary unit that divides it exactly, spelled the IEC way so nobody reads
// KB as 1000: 536870912 -> "512MiB", 1536 -> "1536B" (not a whole number of KiB), 0 -> "0B". Non-negative
// results round-trip through ParseByteSize. Negative values get a leading '-', which the parser rejects.
std::string FormatByteSize(int64_t bytes);

}  // namespace vigil::units

#endif  // VIGIL_BASE_UNITS_BYTES_H_
