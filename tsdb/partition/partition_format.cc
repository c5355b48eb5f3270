#include "tsdb/partition/partition_format.h"

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/strings/absl_view.h"

namespace vigil::tsdb::partition {
namespace {

constexpr char kVersionChar = static_cast<char>(kFormatVersion);

void PutBig32(uint32_t v, std::string* out) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}
void PutBig64(uint64_t v, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}
uint64_t GetBig(std::string_view in, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(in[pos + i]);
  return v;
}

// Order-preserving map of int64 to uint64: flip the sign bit.
uint64_t TimeToKey(TimestampMs t) { return static_cast<uint64_t>(t) ^ (uint64_t{1} << 63); }
TimestampMs KeyToTime(uint64_t k) { return static_cast<TimestampMs>(k ^ (uint64_t{1} << 63)); }

uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

std::string Prefix(char tag) { return std::string{tag, kVersionChar}; }

absl::Status CheckVersion(std::string_view value, std::string_view what) {
  if (value.empty()) return absl::DataLossError(absl::StrCat(AV(what), ": empty value"));
  if (static_cast<uint8_t>(value[0]) != kFormatVersion) {
    return absl::DataLossError(absl::StrCat(AV(what), ": unknown format version ", static_cast<uint8_t>(value[0]),
                                            " at offset 0 (this build reads ", kFormatVersion, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view in, size_t* pos, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (*pos >= in.size()) return false;
    const uint8_t byte = static_cast<uint8_t>(in[(*pos)++]);
    if (shift == 63 && byte > 1) return false;  // Overflows 64 bits.
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

std::string NamespaceName(uint64_t id) { return absl::StrFormat("p%016x", id); }

std::optional<uint64_t> ParseNamespaceName(std::string_view name) {
  if (name.size() != 17 || name[0] != 'p') return std::nullopt;
  uint64_t id = 0;
  for (char c : name.substr(1)) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else {
      return std::nullopt;
    }
    id = (id << 4) | static_cast<uint64_t>(d);
  }
  return id;
}

std::string MetaKeyPrefix() { return Prefix(kMetaTag); }

std::string MetaKey(uint64_t id) {
  std::string key = Prefix(kMetaTag);
  PutBig64(id, &key);
  return key;
}

absl::StatusOr<uint64_t> ParseMetaKey(std::string_view key) {
  if (key.size() != 10 || key.substr(0, 2) != MetaKeyPrefix()) {
    return absl::DataLossError(absl::StrCat("catalog key of ", key.size(), " bytes is not a partition meta key"));
  }
  return GetBig(key, 2, 8);
}

std::string EncodeMeta(const PartitionMeta& meta) {
  std::string out(1, kVersionChar);
  PutVarint(ZigZag(meta.range.min_time), &out);
  PutVarint(static_cast<uint64_t>(meta.range.max_time) - static_cast<uint64_t>(meta.range.min_time), &out);
  PutVarint(meta.num_series, &out);
  PutVarint(meta.num_chunks, &out);
  PutVarint(meta.num_samples, &out);
  PutVarint(meta.bytes, &out);
  PutVarint(static_cast<uint64_t>(meta.max_chunk_span), &out);
  PutVarint(meta.level, &out);
  return out;
}

absl::StatusOr<PartitionMeta> DecodeMeta(uint64_t id, std::string_view value) {
  const std::string what = absl::StrCat("meta of partition ", NamespaceName(id));
  if (absl::Status s = CheckVersion(value, what); !s.ok()) return s;
  static constexpr const char* kFields[] = {"min time",     "time span", "series count",   "chunk count",
                                            "sample count", "bytes",     "max chunk span", "level"};
  uint64_t f[8];
  size_t pos = 1;
  for (int i = 0; i < 8; ++i) {
    const size_t at = pos;
    if (!GetVarint(value, &pos, &f[i])) {
      return absl::DataLossError(
          absl::StrCat(what, ": truncated or overlong varint (", kFields[i], ") at offset ", at, " of ", value.size()));
    }
  }
  if (pos != value.size()) {
    return absl::DataLossError(absl::StrCat(what, ": ", value.size() - pos, " unexpected bytes at offset ", pos));
  }
  PartitionMeta meta;
  meta.id = id;
  meta.range.min_time = UnZigZag(f[0]);
  meta.range.max_time = static_cast<TimestampMs>(static_cast<uint64_t>(meta.range.min_time) + f[1]);
  if (meta.range.max_time < meta.range.min_time) {
    return absl::DataLossError(absl::StrCat(what, ": time span ", f[1], " overflows"));
  }
  meta.num_series = f[2];
  meta.num_chunks = f[3];
  meta.num_samples = f[4];
  meta.bytes = f[5];
  if (f[2] > UINT32_MAX || f[6] > static_cast<uint64_t>(INT64_MAX) || f[7] > UINT32_MAX) {
    return absl::DataLossError(
        absl::StrCat(what, ": series count ", f[2], ", max chunk span ", f[6], " or level ", f[7], " out of range"));
  }
  meta.max_chunk_span = static_cast<int64_t>(f[6]);
  meta.level = static_cast<uint32_t>(f[7]);
  return meta;
}

std::string SeriesKey(uint32_t sid) {
  std::string key = Prefix(kSeriesTag);
  PutBig32(sid, &key);
  return key;
}

std::string ChunkKey(uint32_t sid, TimestampMs min_time) {
  std::string key = SeriesKey(sid);
  PutBig64(TimeToKey(min_time), &key);
  return key;
}

std::string SeriesSpaceBegin() { return Prefix(kSeriesTag); }
std::string SeriesSpaceEnd() { return std::string{kSeriesTag, static_cast<char>(kFormatVersion + 1)}; }

absl::StatusOr<SeriesSpaceKey> ParseSeriesSpaceKey(std::string_view key) {
  if (key.substr(0, 2) != SeriesSpaceBegin() || (key.size() != 6 && key.size() != 14)) {
    return absl::DataLossError(absl::StrCat("series key of ", key.size(), " bytes is malformed"));
  }
  SeriesSpaceKey out;
  out.sid = static_cast<uint32_t>(GetBig(key, 2, 4));
  if (key.size() == 14) {
    out.is_chunk = true;
    out.min_time = KeyToTime(GetBig(key, 6, 8));
  }
  return out;
}

std::string PostingsKey(std::string_view name, std::string_view value) {
  std::string key = Prefix(kPostingsTag);
  absl::StrAppend(&key, AV(name), absl::string_view("\0", 1), AV(value));
  return key;
}

std::string ListingKey(std::string_view name, std::string_view value) {
  std::string key = Prefix(kListingTag);
  absl::StrAppend(&key, AV(name), absl::string_view("\0", 1), AV(value));
  return key;
}

std::string ListingNamePrefix(std::string_view name) { return ListingKey(name, ""); }
std::string ListingSpaceBegin() { return Prefix(kListingTag); }
std::string ListingSpaceEnd() { return std::string{kListingTag, static_cast<char>(kFormatVersion + 1)}; }

absl::StatusOr<std::pair<std::string_view, std::string_view>> ParseListingKey(std::string_view key) {
  if (key.substr(0, 2) != ListingSpaceBegin()) {
    return absl::DataLossError(absl::StrCat("listing key of ", key.size(), " bytes has the wrong prefix"));
  }
  const size_t sep = key.find('\0', 2);
  if (sep == std::string_view::npos || sep == 2) {
    return absl::DataLossError(absl::StrCat("listing key of ", key.size(), " bytes has no label name"));
  }
  return std::make_pair(key.substr(2, sep - 2), key.substr(sep + 1));
}

void EncodeLabels(const Labels& labels, std::string* out) {
  out->push_back(kVersionChar);
  PutVarint(labels.size(), out);
  for (const Label& l : labels) {
    PutVarint(l.name.size(), out);
    out->append(l.name);
    PutVarint(l.value.size(), out);
    out->append(l.value);
  }
}

absl::StatusOr<Labels> DecodeLabels(std::string_view value) {
  if (absl::Status s = CheckVersion(value, "series labels"); !s.ok()) return s;
  size_t pos = 1;
  uint64_t n;
  if (!GetVarint(value, &pos, &n) || n > value.size()) {
    return absl::DataLossError(absl::StrCat("series labels: bad label count at offset 1 of ", value.size()));
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  pairs.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    std::string parts[2];
    for (std::string& part : parts) {
      const size_t at = pos;
      uint64_t len;
      if (!GetVarint(value, &pos, &len) || len > value.size() - pos) {
        return absl::DataLossError(
            absl::StrCat("series labels: truncated label ", i, " at offset ", at, " of ", value.size()));
      }
      part.assign(value.data() + pos, len);
      pos += len;
    }
    if (!pairs.empty() && parts[0] <= pairs.back().first) {
      return absl::DataLossError(absl::StrCat("series labels: label \"", parts[0], "\" out of order at offset ", pos));
    }
    pairs.emplace_back(std::move(parts[0]), std::move(parts[1]));
  }
  if (pos != value.size()) {
    return absl::DataLossError(absl::StrCat("series labels: ", value.size() - pos, " trailing bytes at offset ", pos));
  }
  absl::StatusOr<Labels> labels = Labels::FromUnsorted(std::move(pairs));
  if (!labels.ok()) return absl::DataLossError(absl::StrCat("series labels: ", labels.status().message()));
  return labels;
}

void EncodePostings(std::span<const uint32_t> ids, std::string* out) {
  out->push_back(kVersionChar);
  PutVarint(ids.size(), out);
  uint32_t prev = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    PutVarint(i == 0 ? ids[0] : ids[i] - prev, out);
    prev = ids[i];
  }
}

absl::Status DecodePostings(std::string_view value, uint32_t num_series, std::vector<uint32_t>* out) {
  out->clear();
  if (absl::Status s = CheckVersion(value, "postings"); !s.ok()) return s;
  size_t pos = 1;
  uint64_t n;
  if (!GetVarint(value, &pos, &n) || n > value.size() || n > num_series) {
    return absl::DataLossError(absl::StrCat("postings: bad count at offset 1 of ", value.size(), " (", num_series,
                                            " series in the partition)"));
  }
  out->reserve(n);
  uint64_t id = 0;
  for (uint64_t i = 0; i < n; ++i) {
    const size_t at = pos;
    uint64_t delta;
    if (!GetVarint(value, &pos, &delta)) {
      return absl::DataLossError(absl::StrCat("postings: truncated id ", i, " at offset ", at, " of ", value.size()));
    }
    if (i > 0 && delta == 0) {
      return absl::DataLossError(absl::StrCat("postings: zero delta (repeated id) at offset ", at));
    }
    id += delta;
    if (id >= num_series) {
      return absl::DataLossError(absl::StrCat("postings: series id ", id, " at offset ", at, " is not below the ",
                                              num_series, " series of the partition"));
    }
    out->push_back(static_cast<uint32_t>(id));
  }
  if (pos != value.size()) {
    return absl::DataLossError(absl::StrCat("postings: ", value.size() - pos, " trailing bytes at offset ", pos));
  }
  return absl::OkStatus();
}

void EncodeChunkValue(std::string_view chunk, std::string* out) {
  out->push_back(kVersionChar);
  out->append(chunk);
}

absl::StatusOr<std::string_view> DecodeChunkValue(std::string_view value) {
  if (absl::Status s = CheckVersion(value, "chunk"); !s.ok()) return s;
  return value.substr(1);
}

std::string_view ListingValue() { return std::string_view(&kVersionChar, 1); }

absl::Status CheckListingValue(std::string_view value) {
  if (absl::Status s = CheckVersion(value, "listing"); !s.ok()) return s;
  if (value.size() != 1) return absl::DataLossError(absl::StrCat("listing: value of ", value.size(), " bytes"));
  return absl::OkStatus();
}

}  // namespace vigil::tsdb::partition
