// The metadata of a remote_write WriteRequest (field 3, MetricMetadata: family name, type, help, unit), which
// wire/remote_write's sample decoder skips. Prometheus sends each target's metadata about once a minute, usually
// in requests of their own; they feed the store's MetadataStore for /api/v1/metadata.
#ifndef VIGIL_SERVER_INGEST_REMOTE_WRITE_METADATA_H_
#define VIGIL_SERVER_INGEST_REMOTE_WRITE_METADATA_H_

#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "wire/exposition/format.h"

namespace vigil::server {

// One MetricMetadata; views valid only during the callback.
struct MetadataView {
  std::string_view family;
  exposition::MetricType type = exposition::MetricType::kUnknown;
  std::string_view help;
  std::string_view unit;
};

// Calls `fn` for each metadata entry of the serialized (uncompressed) WriteRequest `raw`. Time series are skipped
// without decoding. InvalidArgument, with the byte offset, for malformed protobuf. Types outside the known enum
// are reported as kUnknown.
absl::Status ForEachMetadata(std::string_view raw, absl::FunctionRef<void(const MetadataView&)> fn);

}  // namespace vigil::server

#endif  // VIGIL_SERVER_INGEST_REMOTE_WRITE_METADATA_H_
