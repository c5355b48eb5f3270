#include "wire/remote_write/decode.h"

#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "snappy.h"

namespace vigil::wire {
namespace {

// Protobuf wire types.
constexpr uint32_t kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5;

// Field numbers (docs/contract section 4.1).
constexpr uint32_t kWriteRequestTimeseries = 1;
constexpr uint32_t kTimeSeriesLabels = 1, kTimeSeriesSamples = 2, kTimeSeriesHistograms = 4;
constexpr uint32_t kLabelName = 1, kLabelValue = 2;
constexpr uint32_t kSampleValue = 1, kSampleTimestamp = 2;

// Reads protobuf fields from [pos, end) of a buffer whose start is `base` (for offsets in messages).
class WireReader {
 public:
  WireReader(const char* base, const char* pos, const char* end) : base_(base), pos_(pos), end_(end) {}

  bool done() const { return pos_ >= end_; }

  absl::Status Varint(uint64_t* out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= end_) return Error("truncated varint");
      uint8_t b = static_cast<uint8_t>(*pos_++);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *out = v;
        return absl::OkStatus();
      }
    }
    return Error("varint longer than 10 bytes");
  }

  absl::Status Tag(uint32_t* field, uint32_t* wire_type) {
    uint64_t tag = 0;
    if (absl::Status s = Varint(&tag); !s.ok()) return s;
    *field = static_cast<uint32_t>(tag >> 3);
    *wire_type = static_cast<uint32_t>(tag & 7);
    if (*field == 0) return Error("field number 0");
    return absl::OkStatus();
  }

  // A length-delimited field's bytes.
  absl::Status Bytes(std::string_view* out) {
    uint64_t len = 0;
    if (absl::Status s = Varint(&len); !s.ok()) return s;
    if (len > static_cast<uint64_t>(end_ - pos_)) return Error("length past the end of the message");
    *out = std::string_view(pos_, len);
    pos_ += len;
    return absl::OkStatus();
  }

  absl::Status Fixed64(uint64_t* out) {
    if (end_ - pos_ < 8) return Error("truncated fixed64");
    std::memcpy(out, pos_, 8);  // little-endian on the wire and on x86-64
    pos_ += 8;
    return absl::OkStatus();
  }

  absl::Status Skip(uint32_t wire_type) {
    switch (wire_type) {
      case kVarint: {
        uint64_t ignored = 0;
        return Varint(&ignored);
      }
      case kFixed64:
        if (end_ - pos_ < 8) return Error("truncated fixed64");
        pos_ += 8;
        return absl::OkStatus();
      case kLen: {
        std::string_view ignored;
        return Bytes(&ignored);
      }
      case kFixed32:
        if (end_ - pos_ < 4) return Error("truncated fixed32");
        pos_ += 4;
        return absl::OkStatus();
      default:
        return Error(absl::StrCat("unsupported wire type ", wire_type));
    }
  }

  WireReader Sub(std::string_view bytes) const { return WireReader(base_, bytes.data(), bytes.data() + bytes.size()); }

  absl::Status Error(std::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("protobuf: cannot parse WriteRequest at byte ", pos_ - base_, ": ", AV(what)));
  }

 private:
  const char* base_;
  const char* pos_;
  const char* end_;
};

absl::Status ReadLabel(WireReader r, LabelPair* out) {
  out->first = {};
  out->second = {};
  while (!r.done()) {
    uint32_t field = 0, wt = 0;
    if (absl::Status s = r.Tag(&field, &wt); !s.ok()) return s;
    if ((field == kLabelName || field == kLabelValue) && wt == kLen) {
      if (absl::Status s = r.Bytes(field == kLabelName ? &out->first : &out->second); !s.ok()) return s;
    } else if (absl::Status s = r.Skip(wt); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status ReadSample(WireReader r, Sample* out) {
  out->t = 0;
  out->v = 0;
  while (!r.done()) {
    uint32_t field = 0, wt = 0;
    if (absl::Status s = r.Tag(&field, &wt); !s.ok()) return s;
    if (field == kSampleValue && wt == kFixed64) {
      uint64_t bits = 0;
      if (absl::Status s = r.Fixed64(&bits); !s.ok()) return s;
      std::memcpy(&out->v, &bits, sizeof(bits));
    } else if (field == kSampleTimestamp && wt == kVarint) {
      uint64_t v = 0;
      if (absl::Status s = r.Varint(&v); !s.ok()) return s;
      out->t = static_cast<int64_t>(v);  // int64 is sent as its two's complement varint
    } else if (absl::Status s = r.Skip(wt); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> UncompressSnappy(std::string_view body, size_t max_decoded_bytes) {
  size_t decoded_len = 0;
  if (!snappy::GetUncompressedLength(body.data(), body.size(), &decoded_len)) {
    return absl::InvalidArgumentError("snappy: corrupt input (the body must be snappy block-compressed)");
  }
  if (decoded_len > max_decoded_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat("snappy: decoded body of ", decoded_len,
                                                     " bytes exceeds the limit of ", max_decoded_bytes, " bytes"));
  }
  std::string raw;
  if (!snappy::Uncompress(body.data(), body.size(), &raw)) {
    return absl::InvalidArgumentError("snappy: corrupt input (the body must be snappy block-compressed)");
  }
  return raw;
}

absl::Status ForEachTimeSeries(std::string_view raw, absl::FunctionRef<absl::Status(const TimeSeriesView&)> fn) {
  thread_local std::vector<LabelPair> labels;
  thread_local std::vector<Sample> samples;
  WireReader req(raw.data(), raw.data(), raw.data() + raw.size());
  int index = 0;
  while (!req.done()) {
    uint32_t field = 0, wt = 0;
    if (absl::Status s = req.Tag(&field, &wt); !s.ok()) return s;
    if (field != kWriteRequestTimeseries || wt != kLen) {
      if (absl::Status s = req.Skip(wt); !s.ok()) return s;
      continue;
    }
    std::string_view ts_bytes;
    if (absl::Status s = req.Bytes(&ts_bytes); !s.ok()) return s;
    WireReader ts = req.Sub(ts_bytes);
    labels.clear();
    samples.clear();
    while (!ts.done()) {
      uint32_t f = 0, w = 0;
      if (absl::Status s = ts.Tag(&f, &w); !s.ok()) return s;
      if ((f == kTimeSeriesLabels || f == kTimeSeriesSamples) && w == kLen) {
        std::string_view sub;
        if (absl::Status s = ts.Bytes(&sub); !s.ok()) return s;
        if (f == kTimeSeriesLabels) {
          if (absl::Status s = ReadLabel(ts.Sub(sub), &labels.emplace_back()); !s.ok()) return s;
        } else {
          if (absl::Status s = ReadSample(ts.Sub(sub), &samples.emplace_back()); !s.ok()) return s;
        }
      } else if (f == kTimeSeriesHistograms) {
        return absl::InvalidArgumentError(
            absl::StrCat("series ", index, ": native histograms are not supported by this store"));
      } else if (absl::Status s = ts.Skip(w); !s.ok()) {
        return s;
      }
    }
    if (absl::Status s = fn(TimeSeriesView{labels, samples, index}); !s.ok()) return s;
    ++index;
  }
  return absl::OkStatus();
}

absl::Status ValidateLabels(std::span<const LabelPair> labels) {
  if (labels.empty()) return absl::InvalidArgumentError("series has no labels");
  for (size_t i = 0; i < labels.size(); ++i) {
    std::string_view name = labels[i].first, value = labels[i].second;
    if (name.empty()) return absl::InvalidArgumentError(absl::StrCat("label ", i, " has an empty name"));
    if (!IsValidLabelName(name))
      return absl::InvalidArgumentError(absl::StrCat("invalid label name \"", AV(name), "\""));
    if (i > 0 && labels[i - 1].first == name) {
      return absl::InvalidArgumentError(absl::StrCat("duplicate label name \"", AV(name), "\""));
    }
    if (i > 0 && name < labels[i - 1].first) {
      return absl::InvalidArgumentError(absl::StrCat("label \"", AV(name), "\" comes after \"", AV(labels[i - 1].first),
                                                     "\": labels must be sorted by name"));
    }
    if (!IsValidUtf8(value)) {
      return absl::InvalidArgumentError(absl::StrCat("label \"", AV(name), "\" has a value that is not valid UTF-8"));
    }
  }
  return absl::OkStatus();
}

}  // namespace vigil::wire
