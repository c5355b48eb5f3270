// Request bodies read piece by piece, so a handler can take in a body far larger than memory (a 4 GB
// OpenMetrics import) while holding at most one piece of it at a time.
//
// Server::PostStream hands its handlers a BodyReader over the connection; the readers here are the parts that
// need no socket: a string served in pieces (for Server::Handle and tests) and a byte limit. A handler reads
// until Read returns false, then asks status() whether that was the end of the body or an error:
//
//   std::string piece;
//   while (body->Read(&piece)) parser.Feed(piece);
//   if (!body->status().ok()) { /* the body is incomplete: see Server::PostStream */ }
#ifndef VIGIL_BASE_HTTP_BODY_READER_H_
#define VIGIL_BASE_HTTP_BODY_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace vigil::http {

// The largest piece a BodyReader of this package returns from one Read: large enough that per-piece costs
// vanish next to the bytes, small enough that memory stays flat.
inline constexpr size_t kMaxBodyPiece = size_t{1} << 20;

// A request body, read in order, piece by piece. Not thread-safe: one reader is read by one thread at a time.
class BodyReader {
 public:
  virtual ~BodyReader();

  // Reads the next piece of the body (at most kMaxBodyPiece bytes, never empty) into *out, replacing its
  // contents; reusing one string across calls reuses its memory. Returns false, with *out empty, at the end of
  // the body or on an error; status() then says which. Once it has returned false it keeps returning false.
  virtual bool Read(std::string* out) = 0;

  // OK while the body is being read and after its end; after a failed Read, why: Unavailable for a broken or
  // timed-out connection, InvalidArgument for malformed chunked framing or content coding (e.g. corrupt gzip),
  // ResourceExhausted for a body over its size limit.
  virtual absl::Status status() const = 0;
};

// Serves a string as a body, in pieces of at most `max_piece` bytes (at least 1). For Server::Handle, which
// routes a Request whose body is already in memory, and for tests of streaming handlers.
class StringBodyReader final : public BodyReader {
 public:
  explicit StringBodyReader(std::string body, size_t max_piece = kMaxBodyPiece);

  bool Read(std::string* out) override;
  absl::Status status() const override { return absl::OkStatus(); }

 private:
  const std::string body_;
  const size_t max_piece_;
  size_t offset_ = 0;
};

// Passes the pieces of `source` through, and fails once they add up to more than `limit` bytes (0: no limit):
// the piece that passes the limit is cut at it, and the next Read returns false with ResourceExhausted
// "request body too large: limit is N bytes". So a caller receives exactly `limit` bytes of an oversized body,
// never more. `source` must outlive this reader.
class LimitedBodyReader final : public BodyReader {
 public:
  LimitedBodyReader(BodyReader* source, uint64_t limit);

  bool Read(std::string* out) override;
  absl::Status status() const override;

  // Whether the body is known to be over the limit: a piece was cut at it (status() reports it once a Read has
  // returned false).
  bool limit_exceeded() const { return limit_exceeded_; }
  // Bytes handed out so far.
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  BodyReader* const source_;
  const uint64_t limit_;
  uint64_t bytes_read_ = 0;
  bool limit_exceeded_ = false;
  bool reported_ = false;  // A Read returned false for the limit.
};

// The message of a body over `limit` bytes, as readers report it and the server answers it (413).
std::string BodyTooLargeMessage(uint64_t limit);

}  // namespace vigil::http

#endif  // VIGIL_BASE_HTTP_BODY_READER_H_
