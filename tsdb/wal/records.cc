#include "tsdb/wal/records.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/encoding/varint.h"
#include "base/strings/absl_view.h"
#include "tsdb/wal/segment.h"

namespace vigil::wal {
namespace {

// A cut target for records: large enough that framing costs nothing, small enough that replay's read window
// stays small.
constexpr uint64_t kTargetPayload = 256 << 10;

uint64_t ZigZag(uint64_t delta) {
  const int64_t d = static_cast<int64_t>(delta);
  return (static_cast<uint64_t>(d) << 1) ^ static_cast<uint64_t>(d >> 63);
}

uint64_t UnZigZag(uint64_t z) { return (z >> 1) ^ (~(z & 1) + 1); }

void PutValue(std::string* out, double v) {
  uint64_t bits = std::bit_cast<uint64_t>(v);
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>((bits >> (8 * i)) & 0xff);
  out->append(buf, 8);
}

// A bounds-checked reader over a payload. After the first failure every read fails and error() says where.
class Cursor {
 public:
  Cursor(std::string_view data, std::string_view what) : data_(data), what_(what) {}

  bool Varint(uint64_t* v) {
    uint64_t result = 0;
    for (size_t i = 0; i < 10; ++i) {
      if (pos_ + i >= data_.size()) return Fail("truncated varint");
      const uint64_t byte = static_cast<uint8_t>(data_[pos_ + i]);
      if (i == 9 && byte > 1) return Fail("varint overflows 64 bits");
      result |= (byte & 0x7f) << (7 * i);
      if ((byte & 0x80) == 0) {
        pos_ += i + 1;
        *v = result;
        return true;
      }
    }
    return Fail("varint longer than 10 bytes");
  }

  bool Byte(uint8_t* b) {
    if (pos_ >= data_.size()) return Fail("truncated");
    *b = static_cast<uint8_t>(data_[pos_++]);
    return true;
  }

  bool Value(double* v) {
    if (data_.size() - pos_ < 8) return Fail("truncated float64");
    uint64_t bits = 0;
    for (size_t i = 0; i < 8; ++i) bits |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
    pos_ += 8;
    *v = std::bit_cast<double>(bits);
    return true;
  }

  bool String(std::string_view* s) {
    uint64_t len = 0;
    if (!Varint(&len)) return false;
    if (len > data_.size() - pos_) return Fail(absl::StrCat("string of ", len, " bytes runs past the payload end"));
    *s = data_.substr(pos_, len);
    pos_ += len;
    return true;
  }

  bool Fail(std::string_view reason) {
    if (error_.ok()) {
      error_ = absl::DataLossError(absl::StrCat(AV(what_), " payload: ", AV(reason), " at payload offset ", pos_));
    }
    return false;
  }

  size_t remaining() const { return data_.size() - pos_; }
  size_t pos() const { return pos_; }
  const absl::Status& error() const { return error_; }

 private:
  std::string_view data_;
  std::string_view what_;
  size_t pos_ = 0;
  absl::Status error_;
};

bool CheckVersion(Cursor& c) {
  uint8_t version = 0;
  if (!c.Byte(&version)) return false;
  if (version != kRecordVersion) return c.Fail(absl::StrCat("unsupported record version ", version));
  return true;
}

}  // namespace

size_t SeriesEntrySize(const SeriesRecord& series) {
  size_t n = encoding::VarintSize(series.ref) + encoding::VarintSize(series.labels.size());
  for (const Label& l : series.labels) {
    n += encoding::VarintSize(l.name.size()) + l.name.size() + encoding::VarintSize(l.value.size()) + l.value.size();
  }
  return n;
}

void AppendSeriesPayload(std::span<const SeriesRecord> series, std::string* out) {
  out->push_back(static_cast<char>(kRecordVersion));
  encoding::AppendVarint(series.size(), out);
  for (const SeriesRecord& s : series) {
    encoding::AppendVarint(s.ref, out);
    encoding::AppendVarint(s.labels.size(), out);
    for (const Label& l : s.labels) {
      encoding::AppendVarint(l.name.size(), out);
      out->append(l.name);
      encoding::AppendVarint(l.value.size(), out);
      out->append(l.value);
    }
  }
}

void AppendSamplesPayload(std::span<const SampleRecord> samples, std::string* out) {
  out->push_back(static_cast<char>(kRecordVersion));
  encoding::AppendVarint(samples.size(), out);
  if (samples.empty()) return;
  const SampleRecord& first = samples[0];
  encoding::AppendVarint(first.ref, out);
  encoding::AppendVarint(ZigZag(static_cast<uint64_t>(first.t)), out);
  PutValue(out, first.v);
  const uint64_t t0 = static_cast<uint64_t>(first.t);
  for (const SampleRecord& s : samples.subspan(1)) {
    // Unsigned subtraction wraps modulo 2^64, so every pair of values has a delta and no overflow is UB.
    encoding::AppendVarint(ZigZag(s.ref - first.ref), out);
    encoding::AppendVarint(ZigZag(static_cast<uint64_t>(s.t) - t0), out);
    PutValue(out, s.v);
  }
}

absl::Status SeriesPayloadDecoder::Decode(std::string_view payload) {
  series_.clear();
  labels_.clear();
  label_counts_.clear();
  Cursor c(payload, "SERIES");
  uint64_t n = 0;
  if (CheckVersion(c) && c.Varint(&n)) {
    // Each series takes at least 2 bytes (ref, label count): bound n before trusting it for anything.
    if (n == 0) {
      c.Fail("zero series");
    } else if (n > c.remaining() / 2) {
      c.Fail(absl::StrCat("series count ", n, " exceeds what ", c.remaining(), " bytes can hold"));
    }
  }
  for (uint64_t i = 0; c.error().ok() && i < n; ++i) {
    uint64_t ref = 0, m = 0;
    if (!c.Varint(&ref) || !c.Varint(&m)) break;
    if (m > c.remaining() / 2) {
      c.Fail(absl::StrCat("label count ", m, " exceeds what ", c.remaining(), " bytes can hold"));
      break;
    }
    for (uint64_t j = 0; j < m; ++j) {
      std::string_view name, value;
      if (!c.String(&name) || !c.String(&value)) break;
      labels_.emplace_back(name, value);
    }
    series_.push_back(SeriesRecordView{ref, {}});
    label_counts_.push_back(static_cast<uint32_t>(m));
  }
  if (c.error().ok() && c.remaining() != 0) c.Fail(absl::StrCat(c.remaining(), " trailing bytes"));
  if (!c.error().ok()) {
    series_.clear();
    return c.error();
  }
  // Spans are set only now: labels_ no longer grows, so its storage is stable.
  size_t next = 0;
  for (size_t i = 0; i < series_.size(); ++i) {
    series_[i].labels = std::span<const LabelPair>(labels_.data() + next, label_counts_[i]);
    next += label_counts_[i];
  }
  return absl::OkStatus();
}

absl::Status DecodeSamplesPayload(std::string_view payload, std::vector<SampleRecord>* out) {
  out->clear();
  Cursor c(payload, "SAMPLES");
  uint64_t n = 0;
  if (!CheckVersion(c) || !c.Varint(&n)) return c.error();
  // Every entry takes at least 10 bytes (two 1-byte varints and the value), the first at least 10 too.
  if (n == 0) c.Fail("zero samples");
  if (n > c.remaining() / 10)
    c.Fail(absl::StrCat("sample count ", n, " exceeds what ", c.remaining(), " bytes can hold"));
  if (!c.error().ok()) return c.error();
  out->resize(n);
  SampleRecord* s = out->data();
  uint64_t ref0 = 0, zt0 = 0;
  if (!c.Varint(&ref0) || !c.Varint(&zt0) || !c.Value(&s[0].v)) {
    out->clear();
    return c.error();
  }
  const uint64_t t0 = UnZigZag(zt0);
  s[0].ref = ref0;
  s[0].t = static_cast<TimestampMs>(t0);
  for (uint64_t i = 1; i < n; ++i) {
    uint64_t dref = 0, dt = 0;
    if (!c.Varint(&dref) || !c.Varint(&dt) || !c.Value(&s[i].v)) {
      out->clear();
      return c.error();
    }
    s[i].ref = ref0 + UnZigZag(dref);
    s[i].t = static_cast<TimestampMs>(t0 + UnZigZag(dt));
  }
  if (c.remaining() != 0) {
    c.Fail(absl::StrCat(c.remaining(), " trailing bytes"));
    out->clear();
    return c.error();
  }
  return absl::OkStatus();
}

absl::Status EncodeBatch(std::span<const SeriesRecord> series, std::span<const SampleRecord> samples,
                         uint64_t max_payload, EncodedBatch* batch) {
  // Fixed parts of a payload: the version byte and the count varint.
  constexpr uint64_t kPayloadOverhead = 1 + 10;
  const uint64_t target = std::min(kTargetPayload, max_payload);
  for (size_t i = 0; i < series.size(); ++i) {
    if (SeriesEntrySize(series[i]) + kPayloadOverhead > max_payload) {
      return absl::InvalidArgumentError(absl::StrCat(
          "WAL series record for ref ", series[i].ref, " ", series[i].labels.ToString().substr(0, 200), " needs ",
          SeriesEntrySize(series[i]) + kPayloadOverhead, " bytes, more than the segment allows (", max_payload, ")"));
    }
  }
  if (!samples.empty() && kPayloadOverhead + kMaxSampleEntrySize > max_payload) {
    return absl::InvalidArgumentError(
        absl::StrCat("WAL segment size leaves ", max_payload, " payload bytes, too few for one sample"));
  }
  size_t begin = 0;
  while (begin < series.size()) {
    uint64_t size = kPayloadOverhead + SeriesEntrySize(series[begin]);
    size_t end = begin + 1;
    while (end < series.size()) {
      const uint64_t next = SeriesEntrySize(series[end]);
      if (size + next > target) break;
      size += next;
      ++end;
    }
    const size_t start = BeginFrame(&batch->bytes);
    AppendSeriesPayload(series.subspan(begin, end - begin), &batch->bytes);
    FinishFrame(&batch->bytes, start, RecordType::kSeries);
    batch->frames.push_back({batch->bytes.size(), kMinTimestampMs});
    begin = end;
  }
  const size_t per_record = (target - kPayloadOverhead) / kMaxSampleEntrySize;
  for (size_t b = 0; b < samples.size(); b += per_record) {
    std::span<const SampleRecord> part = samples.subspan(b, std::min(per_record, samples.size() - b));
    TimestampMs max_t = kMinTimestampMs;
    for (const SampleRecord& s : part) max_t = std::max(max_t, s.t);
    const size_t start = BeginFrame(&batch->bytes);
    AppendSamplesPayload(part, &batch->bytes);
    FinishFrame(&batch->bytes, start, RecordType::kSamples);
    batch->frames.push_back({batch->bytes.size(), max_t});
  }
  return absl::OkStatus();
}

}  // namespace vigil::wal
