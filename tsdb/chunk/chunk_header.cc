#include "tsdb/chunk/chunk_header.h"

#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "tsdb/chunk/bit_stream.h"
#include "tsdb/chunk/varint.h"

namespace vigil::tsdb {
namespace {

using chunk_internal::GetVarint;
using chunk_internal::UnZigZag;
using chunk_internal::VarintResult;

absl::Status VarintError(VarintResult result, std::string_view field, size_t offset) {
  if (result == VarintResult::kTruncated) {
    return absl::DataLossError(
        absl::StrCat("chunk truncated: header field ", AV(field), " at byte offset ", offset, " is incomplete"));
  }
  return absl::DataLossError(
      absl::StrCat("corrupt chunk: header field ", AV(field), " at byte offset ", offset, " is not a valid varint"));
}

}  // namespace

std::string_view ValueEncodingName(ValueEncoding encoding) {
  switch (encoding) {
    case ValueEncoding::kNone:
      return "none";
    case ValueEncoding::kConstant:
      return "constant";
    case ValueEncoding::kDecimal:
      return "decimal";
    case ValueEncoding::kXor:
      return "xor";
  }
  return "unknown";
}

std::string_view TimeEncodingName(TimeEncoding encoding) {
  switch (encoding) {
    case TimeEncoding::kRegular:
      return "regular";
    case TimeEncoding::kDelta:
      return "delta";
    case TimeEncoding::kGridOffset:
      return "grid-offset";
  }
  return "unknown";
}

absl::StatusOr<ChunkHeader> ParseChunkHeader(std::string_view chunk) {
  if (chunk.empty()) return absl::DataLossError("chunk truncated: no version byte at byte offset 0 (empty input)");
  ChunkHeader h;
  h.version = static_cast<uint8_t>(chunk[0]);
  if (h.version != kChunkFormatVersion) {
    return absl::DataLossError(absl::StrCat("unsupported chunk format version ", h.version,
                                            " at byte offset 0 (this build reads version ", kChunkFormatVersion, ")"));
  }
  if (chunk.size() < 2) return absl::DataLossError("chunk truncated: no encoding byte at byte offset 1");
  const uint8_t enc = static_cast<uint8_t>(chunk[1]);
  const uint8_t value_enc = enc & 0x0f;
  const uint8_t time_enc = enc >> 4;
  if (value_enc > static_cast<uint8_t>(ValueEncoding::kXor)) {
    return absl::DataLossError(absl::StrCat("corrupt chunk: unknown value encoding ", value_enc, " in encoding byte 0x",
                                            absl::Hex(enc), " at byte offset 1"));
  }
  if (time_enc > static_cast<uint8_t>(TimeEncoding::kGridOffset)) {
    return absl::DataLossError(absl::StrCat("corrupt chunk: unknown timestamp encoding ", time_enc,
                                            " in encoding byte 0x", absl::Hex(enc), " at byte offset 1"));
  }
  h.value_encoding = static_cast<ValueEncoding>(value_enc);
  h.time_encoding = static_cast<TimeEncoding>(time_enc);

  size_t pos = 2;
  uint64_t n;
  if (VarintResult r = GetVarint(chunk, &pos, &n); r != VarintResult::kOk) return VarintError(r, "sample count", 2);
  if (n > kMaxChunkSamples) {
    return absl::DataLossError(
        absl::StrCat("corrupt chunk: sample count ", n, " at byte offset 2 exceeds the limit ", kMaxChunkSamples));
  }
  h.num_samples = static_cast<uint32_t>(n);
  if (n == 0) {
    if (h.value_encoding != ValueEncoding::kNone || h.time_encoding != TimeEncoding::kRegular) {
      return absl::DataLossError(
          absl::StrCat("corrupt chunk: empty chunk with encoding byte 0x", absl::Hex(enc), " at byte offset 1"));
    }
    h.header_bytes = pos;
    return h;
  }
  if (h.value_encoding == ValueEncoding::kNone) {
    return absl::DataLossError(
        absl::StrCat("corrupt chunk: value encoding none with ", n, " samples (encoding byte at byte offset 1)"));
  }
  const size_t mint_offset = pos;
  uint64_t zz_mint;
  if (VarintResult r = GetVarint(chunk, &pos, &zz_mint); r != VarintResult::kOk) {
    return VarintError(r, "min time", mint_offset);
  }
  const size_t span_offset = pos;
  uint64_t span;
  if (VarintResult r = GetVarint(chunk, &pos, &span); r != VarintResult::kOk) {
    return VarintError(r, "time span", span_offset);
  }
  h.min_time = UnZigZag(zz_mint);
  const uint64_t room = static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - static_cast<uint64_t>(h.min_time);
  if (span > room) {
    return absl::DataLossError(absl::StrCat("corrupt chunk: time span ", span, " at byte offset ", span_offset,
                                            " overflows int64 from min time ", h.min_time));
  }
  h.max_time = static_cast<int64_t>(static_cast<uint64_t>(h.min_time) + span);
  if (n == 1 && (span != 0 || h.time_encoding != TimeEncoding::kRegular)) {
    return absl::DataLossError(absl::StrCat("corrupt chunk: one sample but time span ", span, " at byte offset ",
                                            span_offset, " and timestamp encoding ",
                                            AV(TimeEncodingName(h.time_encoding))));
  }
  if (n >= 2 && span < n - 1) {
    return absl::DataLossError(absl::StrCat("corrupt chunk: time span ", span, " at byte offset ", span_offset,
                                            " is too short for ", n, " strictly increasing timestamps"));
  }
  if (n >= 2 && h.time_encoding == TimeEncoding::kRegular && span % (n - 1) != 0) {
    return absl::DataLossError(absl::StrCat("corrupt chunk: regular timestamps but time span ", span,
                                            " at byte offset ", span_offset, " is not a multiple of ", n - 1));
  }
  h.header_bytes = pos;
  return h;
}

}  // namespace vigil::tsdb
