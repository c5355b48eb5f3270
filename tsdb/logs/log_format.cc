#include "tsdb/logs/log_format.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tsdb/logs/byte_codec.h"

namespace vigil::tsdb::logs {
namespace {

constexpr std::string_view kNamespacePrefix = "logs_";
// The WAL record's stream count is a fixed 4 bytes so it can be filled in after the streams.
constexpr size_t kWalCountOffset = 1;

absl::Status CheckVersion(ByteReader* r, std::string_view value) {
  std::string_view v;
  if (absl::Status s = r->Bytes(1, &v); !s.ok()) return s;
  if (static_cast<uint8_t>(v[0]) != kRecordVersion) {
    return r->Error(absl::StrCat("unknown record version ", static_cast<int>(static_cast<uint8_t>(value[0]))));
  }
  return absl::OkStatus();
}

absl::Status CheckTag(ByteReader* r, char tag, size_t size, std::string_view key) {
  if (key.size() != size || key[0] != tag) {
    return absl::DataLossError(
        absl::StrCat("log store key of ", key.size(), " bytes is not a '", std::string(1, tag), "' key"));
  }
  std::string_view t;
  return r->Bytes(1, &t);
}

}  // namespace

std::string WalKey(uint64_t seq) {
  std::string k(1, kWalTag);
  PutBigEndian(seq, 8, &k);
  return k;
}

std::string StreamKey(uint32_t stream_id) {
  std::string k(1, kStreamTag);
  PutBigEndian(stream_id, 4, &k);
  return k;
}

std::string PartitionKey(int64_t partition) {
  std::string k(1, kPartitionTag);
  PutOrderedInt64(partition, &k);
  return k;
}

absl::StatusOr<uint64_t> ParseWalKey(std::string_view key) {
  ByteReader r(key, "wal key");
  if (absl::Status s = CheckTag(&r, kWalTag, 9, key); !s.ok()) return s;
  uint64_t v = 0;
  if (absl::Status s = r.BigEndian(8, &v); !s.ok()) return s;
  return v;
}

absl::StatusOr<uint32_t> ParseStreamKey(std::string_view key) {
  ByteReader r(key, "stream key");
  if (absl::Status s = CheckTag(&r, kStreamTag, 5, key); !s.ok()) return s;
  uint64_t v = 0;
  if (absl::Status s = r.BigEndian(4, &v); !s.ok()) return s;
  return static_cast<uint32_t>(v);
}

absl::StatusOr<int64_t> ParsePartitionKey(std::string_view key) {
  ByteReader r(key, "partition key");
  if (absl::Status s = CheckTag(&r, kPartitionTag, 9, key); !s.ok()) return s;
  int64_t v = 0;
  if (absl::Status s = r.OrderedInt64(&v); !s.ok()) return s;
  return v;
}

std::string PartitionNamespaceName(int64_t partition) {
  return absl::StrFormat("%s%016x", std::string(kNamespacePrefix),
                         static_cast<uint64_t>(partition) ^ (uint64_t{1} << 63));
}

std::optional<int64_t> ParsePartitionNamespaceName(std::string_view name) {
  if (name.size() != kNamespacePrefix.size() + 16 || name.substr(0, kNamespacePrefix.size()) != kNamespacePrefix) {
    return std::nullopt;
  }
  uint64_t v = 0;
  for (char c : name.substr(kNamespacePrefix.size())) {
    int d = 0;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else {
      return std::nullopt;
    }
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  return static_cast<int64_t>(v ^ (uint64_t{1} << 63));
}

namespace {
std::string ChunkKeyWithTag(char tag, const ChunkKey& k) {
  std::string out(1, tag);
  PutBigEndian(k.stream_id, 4, &out);
  PutOrderedInt64(k.min_time, &out);
  PutBigEndian(k.seq, 8, &out);
  return out;
}
}  // namespace

std::string ChunkMetaKey(const ChunkKey& k) { return ChunkKeyWithTag(kChunkMetaTag, k); }
std::string ChunkBlobKey(const ChunkKey& k) { return ChunkKeyWithTag(kChunkBlobTag, k); }

std::string ChunkMetaPrefix(uint32_t stream_id) {
  std::string out(1, kChunkMetaTag);
  PutBigEndian(stream_id, 4, &out);
  return out;
}

absl::StatusOr<ChunkKey> ParseChunkKey(std::string_view key) {
  ByteReader r(key, "chunk key");
  if (key.size() != 21 || (key[0] != kChunkMetaTag && key[0] != kChunkBlobTag)) {
    return absl::DataLossError(absl::StrCat("chunk key of ", key.size(), " bytes is malformed"));
  }
  std::string_view tag;
  ChunkKey k;
  uint64_t sid = 0;
  if (absl::Status s = r.Bytes(1, &tag); !s.ok()) return s;
  if (absl::Status s = r.BigEndian(4, &sid); !s.ok()) return s;
  if (absl::Status s = r.OrderedInt64(&k.min_time); !s.ok()) return s;
  if (absl::Status s = r.BigEndian(8, &k.seq); !s.ok()) return s;
  k.stream_id = static_cast<uint32_t>(sid);
  return k;
}

std::string EncodeStreamRecord(const StreamRecord& r) {
  std::string out(1, static_cast<char>(kRecordVersion));
  PutVarint(r.flushed_seq, &out);
  PutVarint(r.has_data ? 1 : 0, &out);
  PutVarint(ZigZag(r.min_time), &out);
  PutVarint(ZigZag(r.max_time), &out);
  PutVarint(r.labels.size(), &out);
  for (const Label& l : r.labels) {
    PutVarint(l.name.size(), &out);
    out.append(l.name);
    PutVarint(l.value.size(), &out);
    out.append(l.value);
  }
  return out;
}

absl::StatusOr<StreamRecord> DecodeStreamRecord(std::string_view value) {
  ByteReader r(value, "stream record");
  if (absl::Status s = CheckVersion(&r, value); !s.ok()) return s;
  StreamRecord rec;
  uint64_t has_data = 0, n = 0;
  if (absl::Status s = r.Varint(&rec.flushed_seq); !s.ok()) return s;
  if (absl::Status s = r.Varint(&has_data); !s.ok()) return s;
  if (absl::Status s = r.SignedVarint(&rec.min_time); !s.ok()) return s;
  if (absl::Status s = r.SignedVarint(&rec.max_time); !s.ok()) return s;
  if (absl::Status s = r.Varint(&n); !s.ok()) return s;
  if (n > value.size()) return r.Error("label count past the end");
  rec.has_data = has_data != 0;
  std::vector<LabelPair> pairs;
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view name, val;
    if (absl::Status s = r.LengthPrefixed(&name); !s.ok()) return s;
    if (absl::Status s = r.LengthPrefixed(&val); !s.ok()) return s;
    pairs.emplace_back(name, val);
  }
  if (!r.done()) return r.Error("trailing bytes");
  rec.labels = Labels::FromPairs(pairs);
  if (rec.labels.size() != n) return r.Error("duplicate or empty labels");
  return rec;
}

std::string EncodePartitionRecord(const PartitionRecord& p) {
  std::string out(1, static_cast<char>(kRecordVersion));
  PutVarint(ZigZag(p.min_time), &out);
  PutVarint(ZigZag(p.max_time), &out);
  PutVarint(p.chunks, &out);
  PutVarint(p.entries, &out);
  PutVarint(p.line_bytes, &out);
  PutVarint(p.stored_bytes, &out);
  return out;
}

absl::StatusOr<PartitionRecord> DecodePartitionRecord(std::string_view value) {
  ByteReader r(value, "partition record");
  if (absl::Status s = CheckVersion(&r, value); !s.ok()) return s;
  PartitionRecord p;
  if (absl::Status s = r.SignedVarint(&p.min_time); !s.ok()) return s;
  if (absl::Status s = r.SignedVarint(&p.max_time); !s.ok()) return s;
  if (absl::Status s = r.Varint(&p.chunks); !s.ok()) return s;
  if (absl::Status s = r.Varint(&p.entries); !s.ok()) return s;
  if (absl::Status s = r.Varint(&p.line_bytes); !s.ok()) return s;
  if (absl::Status s = r.Varint(&p.stored_bytes); !s.ok()) return s;
  if (!r.done()) return r.Error("trailing bytes");
  return p;
}

std::string EncodeChunkMeta(const ChunkMeta& m) {
  std::string out(1, static_cast<char>(kRecordVersion));
  PutVarint(ZigZag(m.max_time), &out);
  PutVarint(m.entries, &out);
  PutVarint(m.line_bytes, &out);
  PutVarint(m.stored_bytes, &out);
  return out;
}

absl::StatusOr<ChunkMeta> DecodeChunkMeta(std::string_view value) {
  ByteReader r(value, "chunk meta");
  if (absl::Status s = CheckVersion(&r, value); !s.ok()) return s;
  ChunkMeta m;
  if (absl::Status s = r.SignedVarint(&m.max_time); !s.ok()) return s;
  if (absl::Status s = r.Varint(&m.entries); !s.ok()) return s;
  if (absl::Status s = r.Varint(&m.line_bytes); !s.ok()) return s;
  if (absl::Status s = r.Varint(&m.stored_bytes); !s.ok()) return s;
  if (!r.done()) return r.Error("trailing bytes");
  return m;
}

void BeginWalRecord(std::string* out) {
  out->clear();
  out->push_back(static_cast<char>(kRecordVersion));
  PutBigEndian(0, 4, out);
}

void AppendWalStream(uint32_t stream_id, uint64_t entries, std::string_view block, std::string* out) {
  PutVarint(stream_id, out);
  PutVarint(entries, out);
  PutVarint(block.size(), out);
  out->append(block);
}

void FinishWalRecord(uint32_t streams, std::string* out) {
  for (int i = 0; i < 4; ++i) (*out)[kWalCountOffset + i] = static_cast<char>((streams >> (8 * (3 - i))) & 0xff);
}

absl::Status DecodeWalRecord(std::string_view value,
                             absl::FunctionRef<absl::Status(uint32_t, uint64_t, std::string_view)> fn) {
  ByteReader r(value, "wal record");
  if (absl::Status s = CheckVersion(&r, value); !s.ok()) return s;
  uint64_t streams = 0;
  if (absl::Status s = r.BigEndian(4, &streams); !s.ok()) return s;
  for (uint64_t i = 0; i < streams; ++i) {
    uint64_t sid = 0, entries = 0;
    std::string_view block;
    if (absl::Status s = r.Varint(&sid); !s.ok()) return s;
    if (sid > UINT32_MAX) return r.Error("stream id out of range");
    if (absl::Status s = r.Varint(&entries); !s.ok()) return s;
    if (absl::Status s = r.LengthPrefixed(&block); !s.ok()) return s;
    if (absl::Status s = fn(static_cast<uint32_t>(sid), entries, block); !s.ok()) return s;
  }
  if (!r.done()) return r.Error("trailing bytes");
  return absl::OkStatus();
}

}  // namespace vigil::tsdb::logs
