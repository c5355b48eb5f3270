#include "base/http/inflating_body_reader.h"

#include <zlib.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"

namespace vigil::http {
namespace {

// windowBits for inflateInit2: a 15-bit window; +16 selects the gzip wrapper.
constexpr int kZlibWindowBits = 15;
constexpr int kGzipWindowBits = 15 + 16;

std::string_view FormatName(InflatingBodyReader::Format format) {
  return format == InflatingBodyReader::Format::kGzip ? "gzip" : "deflate";
}

}  // namespace

bool InflatingBodyReader::FormatOf(std::string_view content_encoding, Format* format) {
  absl::string_view coding = absl::StripAsciiWhitespace(AV(content_encoding));
  if (absl::EqualsIgnoreCase(coding, "gzip") || absl::EqualsIgnoreCase(coding, "x-gzip")) {
    *format = Format::kGzip;
    return true;
  }
  if (absl::EqualsIgnoreCase(coding, "deflate")) {
    *format = Format::kZlib;
    return true;
  }
  return false;
}

InflatingBodyReader::InflatingBodyReader(BodyReader* source, Format format, size_t max_piece)
    : source_(source),
      format_(format),
      max_piece_(std::clamp<size_t>(max_piece, 1, std::numeric_limits<uInt>::max())),
      zs_(std::make_unique<z_stream>()) {
  int rc = inflateInit2(zs_.get(), format == Format::kGzip ? kGzipWindowBits : kZlibWindowBits);
  if (rc == Z_OK) {
    zs_ready_ = true;
  } else if (rc == Z_MEM_ERROR) {
    status_ = absl::ResourceExhaustedError("request body: out of memory starting the decompressor");
  } else {
    status_ = absl::InternalError(absl::StrCat("request body: inflateInit2 failed with zlib error ", rc));
  }
}

InflatingBodyReader::~InflatingBodyReader() {
  if (zs_ready_) inflateEnd(zs_.get());
}

bool InflatingBodyReader::Fail(absl::Status status, std::string* out) {
  status_ = std::move(status);
  out->clear();
  return false;
}

bool InflatingBodyReader::Fill(size_t want) {
  while (available() < want) {
    if (!source_->Read(&piece_)) {
      status_ = source_->status();
      return false;
    }
    if (available() == 0) {
      in_base_ += in_.size();
      in_.swap(piece_);
    } else {
      // Rare: a gzip magic number split across pieces.
      in_base_ += in_pos_;
      in_.erase(0, in_pos_);
      in_.append(piece_);
    }
    in_pos_ = 0;
  }
  return true;
}

bool InflatingBodyReader::Read(std::string* out) {
  out->clear();
  if (done_ || !status_.ok()) return false;
  out->resize(max_piece_);
  size_t produced = 0;
  z_stream& zs = *zs_;
  while (produced < max_piece_) {
    if (member_done_) {
      // Between members. Waiting for more input while holding output would only delay the caller.
      if (available() == 0 && produced > 0) break;
      if (!Fill(1)) {
        if (!status_.ok()) return Fail(status_, out);
        done_ = true;  // The body ended right after a complete stream.
        break;
      }
      if (format_ == Format::kZlib) {
        return Fail(absl::InvalidArgumentError(absl::StrCat(
                        "deflate request body: unexpected data after the zlib stream at compressed offset ", offset())),
                    out);
      }
      bool two = Fill(2);
      if (!status_.ok()) return Fail(status_, out);
      if (!two || static_cast<unsigned char>(in_[in_pos_]) != 0x1f ||
          static_cast<unsigned char>(in_[in_pos_ + 1]) != 0x8b) {
        return Fail(absl::InvalidArgumentError(absl::StrCat(
                        "gzip request body: unexpected data after the gzip stream at compressed offset ", offset())),
                    out);
      }
      inflateReset(&zs);
      member_done_ = false;
    }
    if (available() == 0 && !output_pending_) {
      if (produced > 0) break;
      if (!Fill(1)) {
        if (!status_.ok()) return Fail(status_, out);
        return Fail(absl::InvalidArgumentError(absl::StrCat(AV(FormatName(format_)),
                                                            " request body: unexpected end of the body after ",
                                                            offset(), " compressed bytes")),
                    out);
      }
    }
    size_t in_avail = std::min<size_t>(available(), std::numeric_limits<uInt>::max());
    zs.next_in = reinterpret_cast<Bytef*>(in_.data() + in_pos_);
    zs.avail_in = static_cast<uInt>(in_avail);
    zs.next_out = reinterpret_cast<Bytef*>(out->data() + produced);
    zs.avail_out = static_cast<uInt>(max_piece_ - produced);
    int rc = inflate(&zs, Z_NO_FLUSH);
    const uint64_t at = offset();
    in_pos_ += in_avail - zs.avail_in;
    size_t made = (max_piece_ - produced) - zs.avail_out;
    produced += made;
    output_pending_ = zs.avail_out == 0;
    switch (rc) {
      case Z_STREAM_END:
        member_done_ = true;
        output_pending_ = false;
        break;
      case Z_OK:
        break;
      case Z_BUF_ERROR:
        // No progress. Only possible without input (handled above on the next turn) or without output room.
        if (zs.avail_in != 0 && zs.avail_out != 0) {
          return Fail(absl::InternalError(absl::StrCat(AV(FormatName(format_)),
                                                       " request body: the decompressor made no progress at "
                                                       "compressed offset ",
                                                       at)),
                      out);
        }
        output_pending_ = zs.avail_out == 0;
        break;
      case Z_MEM_ERROR:
        return Fail(absl::ResourceExhaustedError("request body: out of memory while decompressing"), out);
      default:
        return Fail(absl::InvalidArgumentError(absl::StrCat(AV(FormatName(format_)),
                                                            " request body: corrupt data near compressed offset ", at,
                                                            ": ", zs.msg != nullptr ? zs.msg : "zlib error")),
                    out);
    }
  }
  out->resize(produced);
  return produced > 0;
}

}  // namespace vigil::http
