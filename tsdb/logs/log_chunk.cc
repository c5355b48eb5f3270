#include "tsdb/logs/log_chunk.h"

#include <zstd.h>

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/hash/crc32c.h"
#include "base/strings/absl_view.h"
#include "snappy.h"
#include "tsdb/logs/byte_codec.h"

namespace vigil::tsdb::logs {
namespace {

// One compression and one decompression context per thread: creating them costs more than compressing a small
// block.
struct ZstdContexts {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  ~ZstdContexts() {
    ZSTD_freeCCtx(cctx);
    ZSTD_freeDCtx(dctx);
  }
};

ZstdContexts& Zstd() {
  thread_local ZstdContexts contexts;
  return contexts;
}

void PutFixed32(uint32_t v, std::string* out) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

std::string_view CodecName(Codec codec) {
  switch (codec) {
    case Codec::kNone:
      return "none";
    case Codec::kSnappy:
      return "snappy";
    case Codec::kZstd:
      return "zstd";
  }
  return "unknown";
}

absl::StatusOr<Codec> ParseCodec(std::string_view name) {
  if (name == "none") return Codec::kNone;
  if (name == "snappy") return Codec::kSnappy;
  if (name == "zstd") return Codec::kZstd;
  return absl::InvalidArgumentError(absl::StrCat("unknown chunk codec \"", AV(name), "\" (want none, snappy or zstd)"));
}

void AppendEntry(const LogEntry& entry, TimestampNs* prev, std::string* out) {
  PutVarint(ZigZag(static_cast<int64_t>(static_cast<uint64_t>(entry.timestamp_ns) - static_cast<uint64_t>(*prev))),
            out);
  *prev = entry.timestamp_ns;
  PutVarint(entry.line.size(), out);
  out->append(entry.line);
  PutVarint(entry.structured_metadata.size(), out);
  for (const Label& l : entry.structured_metadata) {
    PutVarint(l.name.size(), out);
    out->append(l.name);
    PutVarint(l.value.size(), out);
    out->append(l.value);
  }
}

size_t MaxEncodedSize(const LogEntry& entry) {
  size_t n = 10 + 10 + entry.line.size() + 10;
  for (const Label& l : entry.structured_metadata) n += 20 + l.name.size() + l.value.size();
  return n;
}

absl::Status DecodeEntryRefs(std::string_view block, TimestampNs base,
                             absl::FunctionRef<absl::Status(LogEntryRef&)> fn) {
  ByteReader r(block, "log block");
  TimestampNs prev = base;
  LogEntryRef entry;
  std::vector<LabelPair> metadata;
  while (!r.done()) {
    int64_t delta = 0;
    if (absl::Status s = r.SignedVarint(&delta); !s.ok()) return s;
    prev = static_cast<TimestampNs>(static_cast<uint64_t>(prev) + static_cast<uint64_t>(delta));
    if (absl::Status s = r.LengthPrefixed(&entry.line); !s.ok()) return s;
    uint64_t n = 0;
    if (absl::Status s = r.Varint(&n); !s.ok()) return s;
    if (n > block.size()) return r.Error("structured metadata count past the end");
    metadata.clear();
    for (uint64_t i = 0; i < n; ++i) {
      std::string_view name, value;
      if (absl::Status s = r.LengthPrefixed(&name); !s.ok()) return s;
      if (absl::Status s = r.LengthPrefixed(&value); !s.ok()) return s;
      metadata.emplace_back(name, value);
    }
    entry.timestamp_ns = prev;
    entry.structured_metadata = metadata.empty() ? Labels() : Labels::FromPairs(metadata);
    if (absl::Status s = fn(entry); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status DecodeEntries(std::string_view block, TimestampNs base, absl::FunctionRef<absl::Status(LogEntry&)> fn) {
  LogEntry entry;
  return DecodeEntryRefs(block, base, [&](LogEntryRef& ref) {
    entry.timestamp_ns = ref.timestamp_ns;
    entry.line.assign(ref.line);
    entry.structured_metadata = std::move(ref.structured_metadata);
    return fn(entry);
  });
}

absl::Status CompressBlock(std::string_view block, const CodecOptions& options, std::string* blob) {
  blob->clear();
  blob->push_back(static_cast<char>(kChunkFormatVersion));
  blob->push_back(static_cast<char>(options.codec));
  PutVarint(block.size(), blob);
  const size_t crc_at = blob->size();
  PutFixed32(0, blob);
  const size_t payload_at = blob->size();
  switch (options.codec) {
    case Codec::kNone:
      blob->append(block);
      break;
    case Codec::kSnappy: {
      blob->resize(payload_at + snappy::MaxCompressedLength(block.size()));
      size_t n = 0;
      snappy::RawCompress(block.data(), block.size(), blob->data() + payload_at, &n);
      blob->resize(payload_at + n);
      break;
    }
    case Codec::kZstd: {
      blob->resize(payload_at + ZSTD_compressBound(block.size()));
      const size_t n = ZSTD_compressCCtx(Zstd().cctx, blob->data() + payload_at, blob->size() - payload_at,
                                         block.data(), block.size(), options.zstd_level);
      if (ZSTD_isError(n)) return absl::InternalError(absl::StrCat("zstd compression: ", ZSTD_getErrorName(n)));
      blob->resize(payload_at + n);
      break;
    }
    default:
      return absl::InvalidArgumentError(absl::StrCat("unknown codec ", static_cast<int>(options.codec)));
  }
  const uint32_t crc = Crc32c(std::string_view(*blob).substr(payload_at));
  for (int i = 0; i < 4; ++i) (*blob)[crc_at + i] = static_cast<char>((crc >> (8 * i)) & 0xff);
  return absl::OkStatus();
}

absl::Status DecompressBlock(std::string_view blob, std::string* block) {
  ByteReader r(blob, "log chunk");
  std::string_view head;
  if (absl::Status s = r.Bytes(2, &head); !s.ok()) return s;
  if (static_cast<uint8_t>(head[0]) != kChunkFormatVersion) {
    return absl::DataLossError(absl::StrCat("log chunk: unknown format version ", static_cast<int>(head[0])));
  }
  const auto codec = static_cast<Codec>(head[1]);
  uint64_t raw_len = 0;
  if (absl::Status s = r.Varint(&raw_len); !s.ok()) return s;
  std::string_view crc_bytes;
  if (absl::Status s = r.Bytes(4, &crc_bytes); !s.ok()) return s;
  uint32_t want_crc = 0;
  for (int i = 3; i >= 0; --i) want_crc = (want_crc << 8) | static_cast<uint8_t>(crc_bytes[i]);
  const std::string_view payload = blob.substr(r.pos());
  if (Crc32c(payload) != want_crc) return absl::DataLossError("log chunk: checksum mismatch");
  // A corrupt length cannot make us allocate more than a chunk can hold.
  if (raw_len > (uint64_t{1} << 32)) return absl::DataLossError(absl::StrCat("log chunk: block length ", raw_len));
  switch (codec) {
    case Codec::kNone:
      if (payload.size() != raw_len) return absl::DataLossError("log chunk: stored length mismatch");
      block->assign(payload);
      return absl::OkStatus();
    case Codec::kSnappy: {
      size_t n = 0;
      if (!snappy::GetUncompressedLength(payload.data(), payload.size(), &n) || n != raw_len) {
        return absl::DataLossError("log chunk: snappy length mismatch");
      }
      block->resize(n);
      if (!snappy::RawUncompress(payload.data(), payload.size(), block->data())) {
        return absl::DataLossError("log chunk: corrupt snappy data");
      }
      return absl::OkStatus();
    }
    case Codec::kZstd: {
      block->resize(raw_len);
      const size_t n = ZSTD_decompressDCtx(Zstd().dctx, block->data(), block->size(), payload.data(), payload.size());
      if (ZSTD_isError(n)) return absl::DataLossError(absl::StrCat("log chunk: zstd: ", ZSTD_getErrorName(n)));
      if (n != raw_len) return absl::DataLossError("log chunk: zstd length mismatch");
      return absl::OkStatus();
    }
  }
  return absl::DataLossError(absl::StrCat("log chunk: unknown codec ", static_cast<int>(codec)));
}

}  // namespace vigil::tsdb::logs
