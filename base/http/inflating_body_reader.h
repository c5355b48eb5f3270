// Decodes a compressed request body (Content-Encoding gzip or deflate) as it is read, with zlib's streaming
// inflate: each Read decodes at most one piece of output, so a small compressed body that expands enormously
// (a "decompression bomb") costs no more memory than any other, and a size limit on the decoded bytes
// (LimitedBodyReader) stops it.
#ifndef VIGIL_BASE_HTTP_INFLATING_BODY_READER_H_
#define VIGIL_BASE_HTTP_INFLATING_BODY_READER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "base/http/body_reader.h"

struct z_stream_s;

namespace vigil::http {

// A BodyReader that inflates the bytes of another.
class InflatingBodyReader final : public BodyReader {
 public:
  // The compressed formats HTTP names as content codings.
  enum class Format {
    // "gzip" / "x-gzip" (RFC 1952): one member or several concatenated, as RFC 1952 allows.
    kGzip,
    // "deflate" (RFC 9110 section 8.4.1.2): a zlib stream (RFC 1950).
    kZlib,
  };

  // The Format of an HTTP Content-Encoding value (case-insensitive, surrounding whitespace ignored), or false
  // for anything else (identity, br, snappy, ...).
  static bool FormatOf(std::string_view content_encoding, Format* format);

  // Reads compressed bytes from `source` (which must outlive this reader) and returns pieces of at most
  // `max_piece` decoded bytes. Errors: the source's own (passed on unchanged); InvalidArgument for corrupt
  // data, a body that ends inside a compressed stream, or bytes after it that are not another gzip member,
  // naming the compressed offset.
  InflatingBodyReader(BodyReader* source, Format format, size_t max_piece = kMaxBodyPiece);
  ~InflatingBodyReader() override;

  InflatingBodyReader(const InflatingBodyReader&) = delete;
  InflatingBodyReader& operator=(const InflatingBodyReader&) = delete;

  bool Read(std::string* out) override;
  absl::Status status() const override { return status_; }

 private:
  // Makes at least `want` compressed bytes available, reading the source as needed. False when the source
  // ended first (status_ stays OK) or failed (status_ is its error).
  bool Fill(size_t want);
  size_t available() const { return in_.size() - in_pos_; }
  uint64_t offset() const { return in_base_ + in_pos_; }
  bool Fail(absl::Status status, std::string* out);

  BodyReader* const source_;
  const Format format_;
  const size_t max_piece_;
  std::unique_ptr<z_stream_s> zs_;
  bool zs_ready_ = false;
  // Compressed bytes: in_[in_pos_, end) are not yet inflated; in_base_ counts those dropped before in_.
  std::string in_;
  std::string piece_;  // The source's last piece, kept to reuse its memory.
  size_t in_pos_ = 0;
  uint64_t in_base_ = 0;
  bool member_done_ = false;     // A gzip member or zlib stream ended; another gzip member may follow.
  bool output_pending_ = false;  // The last inflate filled its output: it may hold more without new input.
  bool done_ = false;
  absl::Status status_;
};

}  // namespace vigil::http

#endif  // VIGIL_BASE_HTTP_INFLATING_BODY_READER_H_
