#include "base/http/wire_body_reader.h"

#include <algorithm>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"

namespace vigil::http::internal {
namespace {

// Longest chunk-size line (size and extensions) and the end-of-chunk line accepted.
constexpr size_t kMaxChunkLine = 4096;
// Most bytes of trailer fields accepted after the last chunk.
constexpr size_t kMaxTrailerBytes = size_t{64} << 10;
// How much of a malformed line an error message quotes.
constexpr size_t kQuoteBytes = 64;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Quote(std::string_view s) {
  std::string shown = absl::CEscape(AV(s.substr(0, kQuoteBytes)));
  return absl::StrCat("\"", shown, s.size() > kQuoteBytes ? "...\"" : "\"");
}

}  // namespace

WireBodyReader::WireBodyReader(ConnectionStream* stream, bool chunked, uint64_t length, size_t max_piece)
    : stream_(stream),
      chunked_(chunked),
      max_piece_(std::max<size_t>(1, max_piece)),
      state_(chunked ? State::kSize : State::kData),
      remaining_(chunked ? 0 : length),
      content_length_(length) {}

WireBodyReader WireBodyReader::WithLength(ConnectionStream* stream, uint64_t content_length, size_t max_piece) {
  return WireBodyReader(stream, false, content_length, max_piece);
}

WireBodyReader WireBodyReader::Chunked(ConnectionStream* stream, size_t max_piece) {
  return WireBodyReader(stream, true, 0, max_piece);
}

bool WireBodyReader::StreamError(ssize_t rc, std::string_view where) {
  std::string of = chunked_ ? "" : absl::StrCat(" of ", content_length_);
  if (rc == 0) {
    error_ = absl::UnavailableError(absl::StrCat("request body: the client closed the connection ", AV(where),
                                                 " after ", body_bytes_, of, " body bytes"));
  } else if (stream_->limit_hit()) {
    error_ = absl::ResourceExhaustedError(absl::StrCat("request body: more bytes on the wire than the route allows, ",
                                                       AV(where), " after ", body_bytes_, " body bytes"));
  } else {
    error_ = absl::UnavailableError(absl::StrCat("request body: the connection failed or timed out ", AV(where),
                                                 " after ", body_bytes_, of, " body bytes"));
  }
  state_ = State::kFailed;
  return false;
}

bool WireBodyReader::Malformed(std::string message) {
  error_ = absl::InvalidArgumentError(
      absl::StrCat("chunked request body: ", message, " after ", body_bytes_, " body bytes"));
  state_ = State::kFailed;
  return false;
}

bool WireBodyReader::ReadLine(size_t max_bytes, std::string_view what) {
  line_.clear();
  for (;;) {
    char c;
    ssize_t rc = stream_->read(&c, 1);
    if (rc <= 0) return StreamError(rc, absl::StrCat("in a ", AV(what)));
    if (c == '\n') break;
    if (line_.size() >= max_bytes) return Malformed(absl::StrCat(AV(what), " longer than ", max_bytes, " bytes"));
    line_.push_back(c);
  }
  // RFC 9112 section 2.2: a recipient may take a bare LF as a line end.
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  return true;
}

bool WireBodyReader::ParseChunkSize() {
  uint64_t size = 0;
  size_t i = 0;
  for (; i < line_.size(); ++i) {
    int digit = HexValue(line_[i]);
    if (digit < 0) break;
    if (size > (UINT64_MAX >> 4)) return Malformed(absl::StrCat("chunk size ", Quote(line_), " too large"));
    size = (size << 4) | static_cast<uint64_t>(digit);
  }
  size_t after = i;
  while (after < line_.size() && (line_[after] == ' ' || line_[after] == '\t')) ++after;
  if (i == 0 || (after < line_.size() && line_[after] != ';')) {
    return Malformed(absl::StrCat("invalid chunk-size line ", Quote(line_)));
  }
  remaining_ = size;
  state_ = size == 0 ? State::kTrailer : State::kData;
  return true;
}

bool WireBodyReader::Read(std::string* out) {
  out->clear();
  if (state_ == State::kFailed) status_ = error_;
  if (state_ == State::kDone || state_ == State::kFailed) return false;
  out->resize(max_piece_);
  size_t n = 0;
  // With bytes in hand, a Read returns them rather than wait for the client.
  auto may_wait = [&] { return n == 0 || stream_->ReadableNow(); };
  // Bytes that arrived before an error are still handed out; the error comes with the next Read.
  auto fail = [&] {
    out->resize(n);
    if (n > 0) return true;
    status_ = error_;
    return false;
  };
  while (n < max_piece_ && state_ != State::kDone) {
    if (state_ == State::kData && remaining_ == 0) {
      state_ = chunked_ ? State::kDataEnd : State::kDone;
      continue;
    }
    if (!may_wait()) break;
    switch (state_) {
      case State::kSize:
        if (!ReadLine(kMaxChunkLine, "chunk-size line") || !ParseChunkSize()) return fail();
        break;
      case State::kData: {
        size_t want = static_cast<size_t>(std::min<uint64_t>(remaining_, max_piece_ - n));
        ssize_t got = stream_->read(out->data() + n, want);
        if (got <= 0) {
          StreamError(got, "in the body");
          return fail();
        }
        n += static_cast<size_t>(got);
        remaining_ -= static_cast<uint64_t>(got);
        body_bytes_ += static_cast<uint64_t>(got);
        break;
      }
      case State::kDataEnd:
        if (!ReadLine(kMaxChunkLine, "line ending chunk data")) return fail();
        if (!line_.empty()) {
          Malformed(absl::StrCat("chunk data not followed by CRLF (found ", Quote(line_), ")"));
          return fail();
        }
        state_ = State::kSize;
        break;
      case State::kTrailer:
        if (!ReadLine(kMaxChunkLine, "trailer field")) return fail();
        if (line_.empty()) {
          state_ = State::kDone;
        } else if ((trailer_bytes_ += line_.size() + 2) > kMaxTrailerBytes) {
          Malformed(absl::StrCat("trailer fields longer than ", kMaxTrailerBytes, " bytes"));
          return fail();
        }
        break;
      case State::kDone:
      case State::kFailed:
        break;
    }
  }
  out->resize(n);
  return n > 0;
}

}  // namespace vigil::http::internal
