#include "base/http/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"

namespace vigil::http {
namespace {

// zlib counts bytes in uInt; larger buffers are fed in slices of this size.
constexpr size_t kMaxSlice = size_t{1} << 30;
// First output allocation when decompressing; it doubles from there, up to the caller's cap.
constexpr size_t kInitialOutput = size_t{64} << 10;
// gzip windowBits: 15-bit window, +16 selects the gzip wrapper instead of zlib's.
constexpr int kGzipWindowBits = 15 + 16;

std::string ZlibMessage(const z_stream& zs, int code) {
  if (zs.msg != nullptr) return zs.msg;
  return absl::StrCat("zlib error ", code);
}

class DeflateGuard {
 public:
  explicit DeflateGuard(z_stream* zs) : zs_(zs) {}
  ~DeflateGuard() { deflateEnd(zs_); }
  DeflateGuard(const DeflateGuard&) = delete;
  DeflateGuard& operator=(const DeflateGuard&) = delete;

 private:
  z_stream* zs_;
};

class InflateGuard {
 public:
  explicit InflateGuard(z_stream* zs) : zs_(zs) {}
  ~InflateGuard() { inflateEnd(zs_); }
  InflateGuard(const InflateGuard&) = delete;
  InflateGuard& operator=(const InflateGuard&) = delete;

 private:
  z_stream* zs_;
};

// Parses an RFC 9110 qvalue: "0", "0.xyz", "1", "1.000". Anything else is nullopt.
std::optional<double> ParseQValue(std::string_view v) {
  if (v.empty() || (v[0] != '0' && v[0] != '1')) return std::nullopt;
  double q = v[0] == '1' ? 1.0 : 0.0;
  if (v.size() == 1) return q;
  if (v[1] != '.' || v.size() > 5) return std::nullopt;
  double scale = 0.1;
  for (size_t i = 2; i < v.size(); ++i) {
    char c = v[i];
    if (c < '0' || c > '9') return std::nullopt;
    if (v[0] == '1' && c != '0') return std::nullopt;
    q += (c - '0') * scale;
    scale /= 10;
  }
  return q;
}

}  // namespace

GzipCompressor::~GzipCompressor() {
  if (zs_ != nullptr) {
    deflateEnd(zs_);
    delete zs_;
  }
}

absl::Status GzipCompressor::Run(std::string_view in, bool finish, std::string* out) {
  if (finished_) return absl::FailedPreconditionError("gzip: the stream is already finished");
  if (zs_ == nullptr) {
    zs_ = new z_stream{};
    const int rc = deflateInit2(zs_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY);
    if (rc != Z_OK) {
      const std::string msg = ZlibMessage(*zs_, rc);
      delete zs_;
      zs_ = nullptr;
      if (rc == Z_MEM_ERROR) return absl::ResourceExhaustedError("gzip: out of memory initialising compressor");
      return absl::InternalError(absl::StrCat("gzip: deflateInit2: ", msg));
    }
  }
  size_t consumed = 0;
  int rc = Z_OK;
  for (;;) {
    const size_t slice = std::min(in.size() - consumed, kMaxSlice);
    zs_->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + consumed));
    zs_->avail_in = static_cast<uInt>(slice);
    consumed += slice;
    const int flush = finish && consumed == in.size() ? Z_FINISH : Z_NO_FLUSH;
    do {
      // Output grows by a bounded step: a stream never holds more than its compressed pieces plus this.
      const size_t used = out->size();
      const size_t room = std::max<size_t>(deflateBound(zs_, static_cast<uLong>(zs_->avail_in)) / 4, kInitialOutput);
      out->resize(used + room);
      zs_->next_out = reinterpret_cast<Bytef*>(out->data() + used);
      zs_->avail_out = static_cast<uInt>(room);
      rc = deflate(zs_, flush);
      out->resize(used + room - zs_->avail_out);
      if (rc == Z_STREAM_ERROR) return absl::InternalError(absl::StrCat("gzip: deflate: ", ZlibMessage(*zs_, rc)));
    } while (zs_->avail_out == 0 || zs_->avail_in != 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    if (consumed == in.size()) break;
  }
  if (finish) finished_ = true;
  return absl::OkStatus();
}

absl::StatusOr<std::string> GzipCompress(std::string_view data) {
  GzipCompressor c;
  std::string out;
  VIGIL_RETURN_IF_ERROR(c.Finish(data, &out));
  return out;
}

absl::StatusOr<std::string> GzipDecompress(std::string_view data, size_t max_output) {
  z_stream zs{};
  int rc = inflateInit2(&zs, kGzipWindowBits);
  if (rc == Z_MEM_ERROR) return absl::ResourceExhaustedError("gzip: out of memory initialising decompressor");
  if (rc != Z_OK) return absl::InternalError(absl::StrCat("gzip: inflateInit2: ", ZlibMessage(zs, rc)));
  InflateGuard guard(&zs);

  // Output may reach one byte past the limit: that byte is how an oversized result is detected.
  const size_t cap = max_output == SIZE_MAX ? SIZE_MAX : max_output + 1;
  std::string out;
  size_t used = 0;
  size_t consumed = 0;
  bool member_done = false;
  for (;;) {
    if (zs.avail_in == 0 && consumed < data.size()) {
      size_t slice = std::min(data.size() - consumed, kMaxSlice);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + consumed));
      zs.avail_in = static_cast<uInt>(slice);
      consumed += slice;
    }
    if (member_done) {
      if (zs.avail_in == 0) break;  // All input used: done.
      // Another member may follow; anything else is trailing garbage.
      if (zs.avail_in < 2 || zs.next_in[0] != 0x1f || zs.next_in[1] != 0x8b) {
        return absl::InvalidArgumentError(
            absl::StrCat("gzip: unexpected data after the gzip stream at offset ", consumed - zs.avail_in));
      }
      inflateReset(&zs);
      member_done = false;
    }
    if (used == out.size()) {
      if (out.size() >= cap) {
        return absl::ResourceExhaustedError(
            absl::StrCat("gzip: decompressed data exceeds the limit of ", max_output, " bytes"));
      }
      size_t grow = std::max(out.size(), kInitialOutput);
      out.resize(out.size() + std::min(grow, cap - out.size()));
    }
    size_t room = std::min(out.size() - used, kMaxSlice);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    zs.avail_out = static_cast<uInt>(room);
    rc = inflate(&zs, Z_NO_FLUSH);
    used += room - zs.avail_out;
    switch (rc) {
      case Z_STREAM_END:
        member_done = true;
        break;
      case Z_OK:
      case Z_BUF_ERROR:  // No progress this turn: the output is full (it grows next turn) or input ran out.
        break;
      case Z_MEM_ERROR:
        return absl::ResourceExhaustedError("gzip: out of memory while decompressing");
      case Z_NEED_DICT:
      case Z_DATA_ERROR:
      default:
        return absl::InvalidArgumentError(absl::StrCat("gzip: corrupt data at compressed offset ",
                                                       consumed - zs.avail_in, ": ", ZlibMessage(zs, rc)));
    }
    if (used > max_output) {
      return absl::ResourceExhaustedError(
          absl::StrCat("gzip: decompressed data exceeds the limit of ", max_output, " bytes"));
    }
    if (!member_done && zs.avail_in == 0 && consumed == data.size() && zs.avail_out != 0) {
      // inflate returns with output room left only when it needs more input, and there is none.
      return absl::InvalidArgumentError(
          absl::StrCat("gzip: unexpected end of data after ", data.size(), " compressed bytes"));
    }
  }
  out.resize(used);
  return out;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  std::optional<double> gzip_q;
  std::optional<double> any_q;
  for (absl::string_view element : absl::StrSplit(AV(accept_encoding), ',')) {
    std::vector<absl::string_view> parts = absl::StrSplit(element, ';');
    absl::string_view coding = absl::StripAsciiWhitespace(parts[0]);
    if (coding.empty()) continue;
    std::optional<double> q = 1.0;
    for (size_t i = 1; i < parts.size(); ++i) {
      absl::string_view param = absl::StripAsciiWhitespace(parts[i]);
      size_t eq = param.find('=');
      if (eq == absl::string_view::npos) continue;
      absl::string_view name = absl::StripAsciiWhitespace(param.substr(0, eq));
      if (!absl::EqualsIgnoreCase(name, "q")) continue;
      q = ParseQValue(SV(absl::StripAsciiWhitespace(param.substr(eq + 1))));
    }
    double value = q.value_or(0.0);  // A malformed q-value refuses the coding.
    if (absl::EqualsIgnoreCase(coding, "gzip") || absl::EqualsIgnoreCase(coding, "x-gzip")) {
      gzip_q = std::max(gzip_q.value_or(0.0), value);
    } else if (coding == "*") {
      any_q = std::max(any_q.value_or(0.0), value);
    }
  }
  if (gzip_q.has_value()) return *gzip_q > 0;
  if (any_q.has_value()) return *any_q > 0;
  return false;
}

}  // namespace vigil::http
