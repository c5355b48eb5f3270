// gzip (RFC 1952) helpers for HTTP bodies, over zlib.
//
// The HTTP server compresses responses with these when the client accepts gzip, and code that receives gzip
// bodies from outside (an exporter reading a compressed response, a receiver handed a compressed payload)
// decompresses them with a size bound, so a small "decompression bomb" cannot exhaust memory.
#ifndef VIGIL_BASE_HTTP_GZIP_H_
#define VIGIL_BASE_HTTP_GZIP_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct z_stream_s;

namespace vigil::http {

// Compresses `data` into one gzip member at zlib's default level. Fails only if zlib cannot allocate its state
// (ResourceExhausted) or reports an internal error (Internal).
absl::StatusOr<std::string> GzipCompress(std::string_view data);

// One gzip member written piece by piece, for a body streamed as it is produced (the agent's /metrics): memory
// is zlib's state (about 256 KiB) plus the output of each call, never the whole body.
//
//   GzipCompressor gz;
//   std::string out;
//   while (more) { out.clear(); gz.Append(next_piece, &out); send(out); }
//   out.clear(); gz.Finish("", &out); send(out);
class GzipCompressor {
 public:
  GzipCompressor() = default;
  ~GzipCompressor();
  GzipCompressor(const GzipCompressor&) = delete;
  GzipCompressor& operator=(const GzipCompressor&) = delete;

  // Compresses `in`, appending whatever compressed bytes are ready to *out (possibly none: zlib buffers).
  absl::Status Append(std::string_view in, std::string* out) { return Run(in, false, out); }
  // Compresses `in` and ends the member, appending the rest and the gzip trailer to *out. Nothing may follow.
  absl::Status Finish(std::string_view in, std::string* out) { return Run(in, true, out); }

 private:
  absl::Status Run(std::string_view in, bool finish, std::string* out);
  z_stream_s* zs_ = nullptr;  // Created at the first call.
  bool finished_ = false;
};

// Decompresses gzip `data` (one member or several concatenated, as RFC 1952 allows) and returns the bytes.
// Output is capped at `max_output` bytes: larger output is refused with ResourceExhausted naming the limit as
// soon as the cap is passed, so memory use never exceeds roughly `max_output`. Corrupt, truncated or non-gzip
// input, and trailing bytes after the last member, are InvalidArgument.
absl::StatusOr<std::string> GzipDecompress(std::string_view data, size_t max_output);

// Whether an HTTP Accept-Encoding header value (RFC 9110 section 12.5.3) allows a gzip response: "gzip" (or
// its alias "x-gzip") listed with a q-value above zero, or failing that "*" with a q-value above zero. Names
// are case-insensitive; "gzip;q=0" refuses gzip even if "*" is accepted; an empty header or a malformed
// q-value means no. Used to decide whether to compress, so any doubt answers "no" (plain is always safe).
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace vigil::http

#endif  // VIGIL_BASE_HTTP_GZIP_H_
