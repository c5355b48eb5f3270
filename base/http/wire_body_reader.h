// A request body as framed on the connection (internal to base/http): exactly Content-Length bytes, or chunked
// transfer coding (RFC 9112 section 7.1), read straight from the server's ConnectionStream for streaming
// routes. Reads stop exactly at the body's end, so a next (pipelined) request on the connection stays intact.
#ifndef VIGIL_BASE_HTTP_WIRE_BODY_READER_H_
#define VIGIL_BASE_HTTP_WIRE_BODY_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "base/http/body_reader.h"
#include "base/http/connection_stream.h"

namespace vigil::http::internal {

// Reads one request body from a connection. Pieces are at most `max_piece` bytes; a Read returns as soon as
// it has bytes and the connection has no more ready, rather than waiting to fill the piece. Every body byte
// that arrived is handed out: bytes read just before an error come first, the error with the next Read.
//
// Errors: Unavailable when the connection closes, fails or stays silent past the read timeout before the
// body's end; InvalidArgument for malformed chunked framing (a bad chunk-size line, a missing CRLF after chunk
// data, an over-long line or trailer section), naming the body offset; ResourceExhausted when the stream's
// per-request read limit (see ConnectionStream::set_read_limit) stops it.
class WireBodyReader final : public BodyReader {
 public:
  // A body of exactly `content_length` bytes (0: an empty body).
  static WireBodyReader WithLength(ConnectionStream* stream, uint64_t content_length, size_t max_piece = kMaxBodyPiece);
  // A chunked body; chunk extensions and trailer fields are read and dropped.
  static WireBodyReader Chunked(ConnectionStream* stream, size_t max_piece = kMaxBodyPiece);

  bool Read(std::string* out) override;
  absl::Status status() const override { return status_; }

  // Whether the whole body, chunked framing included, has been read: the connection is at the next request.
  bool finished() const { return state_ == State::kDone; }
  // Body bytes (after chunked decoding) returned so far.
  uint64_t body_bytes() const { return body_bytes_; }

 private:
  enum class State { kSize, kData, kDataEnd, kTrailer, kDone, kFailed };

  WireBodyReader(ConnectionStream* stream, bool chunked, uint64_t length, size_t max_piece);

  // Reads one line (without its CRLF or LF) into line_; false with status_ set on an error.
  bool ReadLine(size_t max_bytes, std::string_view what);
  bool ParseChunkSize();
  bool StreamError(ssize_t rc, std::string_view where);
  bool Malformed(std::string message);

  ConnectionStream* stream_;
  bool chunked_;
  size_t max_piece_;
  State state_;
  uint64_t remaining_ = 0;  // Bytes left in the body (length) or the current chunk.
  uint64_t content_length_ = 0;
  uint64_t body_bytes_ = 0;
  size_t trailer_bytes_ = 0;
  std::string line_;
  absl::Status error_;   // Set with State::kFailed.
  absl::Status status_;  // What status() says: error_ once a Read has returned false for it.
};

}  // namespace vigil::http::internal

#endif  // VIGIL_BASE_HTTP_WIRE_BODY_READER_H_
