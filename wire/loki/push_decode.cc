#include "wire/loki/push_decode.h"

#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/http/gzip.h"
#include "base/strings/absl_view.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"
#include "wire/loki/label_string.h"
#include "wire/loki/push.pb.h"
#include "wire/remote_write/decode.h"

namespace vigil::wire::loki {
namespace {

// Nanoseconds of a protobuf Timestamp; InvalidArgument outside int64 or for nanos outside [0, 1e9).
absl::StatusOr<int64_t> TimestampNanos(int64_t seconds, int32_t nanos) {
  if (nanos < 0 || nanos >= 1'000'000'000)
    return absl::InvalidArgumentError(absl::StrCat("nanos ", nanos, " out of range"));
  constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / 1'000'000'000 - 1;
  if (seconds > kMaxSeconds || seconds < -kMaxSeconds) {
    return absl::InvalidArgumentError(absl::StrCat("seconds ", seconds, " out of range"));
  }
  return seconds * 1'000'000'000 + nanos;
}

// Builds structured metadata from name/value pairs: names must be valid label names and unique.
absl::StatusOr<Labels> MetadataLabels(std::vector<std::pair<std::string, std::string>> pairs) {
  for (const auto& [name, value] : pairs) {
    if (!IsValidLabelName(name)) {
      return absl::InvalidArgumentError(absl::StrCat("invalid structured metadata name ", QuoteLabelValue(name)));
    }
  }
  return Labels::FromUnsorted(std::move(pairs));
}

std::string Where(size_t stream, size_t entry) { return absl::StrCat("stream ", stream, " entry ", entry); }

}  // namespace

PushFormat PushFormatFor(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  media = SV(absl::StripAsciiWhitespace(AV(media)));
  return absl::EqualsIgnoreCase(AV(media), "application/json") ? PushFormat::kJson : PushFormat::kProtobuf;
}

absl::StatusOr<int64_t> ParseNanosString(std::string_view s) {
  const bool negative = !s.empty() && s[0] == '-';
  std::string_view digits = negative ? s.substr(1) : s;
  if (digits.empty()) return absl::InvalidArgumentError(absl::StrCat("invalid timestamp \"", AV(s), "\""));
  uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid timestamp \"", AV(s), "\": want integer nanoseconds since the epoch"));
    }
    if (v > (std::numeric_limits<uint64_t>::max() - 9) / 10) {
      return absl::InvalidArgumentError(absl::StrCat("timestamp \"", AV(s), "\" out of range"));
    }
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  const uint64_t limit = static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + (negative ? 1 : 0);
  if (v > limit) return absl::InvalidArgumentError(absl::StrCat("timestamp \"", AV(s), "\" out of range"));
  return negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
}

absl::StatusOr<DecodedPush> DecodeProtobufPushRaw(std::string_view raw) {
  logproto::PushRequest req;
  if (raw.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !req.ParseFromArray(raw.data(), static_cast<int>(raw.size()))) {
    return absl::InvalidArgumentError(
        absl::StrCat("body is not a valid protobuf PushRequest (", raw.size(), " bytes after snappy)"));
  }
  DecodedPush out;
  out.streams.reserve(static_cast<size_t>(req.streams_size()));
  for (int si = 0; si < req.streams_size(); ++si) {
    logproto::StreamAdapter* s = req.mutable_streams(si);
    absl::StatusOr<Labels> labels = ParseLabelString(s->labels());
    if (!labels.ok()) return absl::InvalidArgumentError(absl::StrCat("stream ", si, ": ", labels.status().message()));
    if (absl::Status v = ValidateStreamLabels(*labels); !v.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("stream ", si, ": ", v.message()));
    }
    PushStream& stream = out.streams.emplace_back();
    stream.labels = *std::move(labels);
    stream.entries.reserve(static_cast<size_t>(s->entries_size()));
    for (int ei = 0; ei < s->entries_size(); ++ei) {
      logproto::EntryAdapter* e = s->mutable_entries(ei);
      PushEntry& entry = stream.entries.emplace_back();
      absl::StatusOr<int64_t> ts = TimestampNanos(e->timestamp().seconds(), e->timestamp().nanos());
      if (!ts.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(Where(static_cast<size_t>(si), static_cast<size_t>(ei)),
                                                       ": timestamp ", ts.status().message()));
      }
      entry.timestamp_ns = *ts;
      entry.line.swap(*e->mutable_line());
      if (e->structuredmetadata_size() > 0) {
        std::vector<std::pair<std::string, std::string>> pairs;
        pairs.reserve(static_cast<size_t>(e->structuredmetadata_size()));
        for (const logproto::LabelPairAdapter& p : e->structuredmetadata()) pairs.emplace_back(p.name(), p.value());
        absl::StatusOr<Labels> md = MetadataLabels(std::move(pairs));
        if (!md.ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat(Where(static_cast<size_t>(si), static_cast<size_t>(ei)), ": ", md.status().message()));
        }
        entry.structured_metadata = *std::move(md);
      }
      out.line_bytes += entry.line.size();
    }
    out.entries += stream.entries.size();
  }
  return out;
}

absl::StatusOr<DecodedPush> DecodeProtobufPush(std::string_view snappy_body, size_t max_decoded_bytes) {
  absl::StatusOr<std::string> raw = UncompressSnappy(snappy_body, max_decoded_bytes);
  if (!raw.ok()) return raw.status();
  return DecodeProtobufPushRaw(*raw);
}

absl::StatusOr<DecodedPush> DecodeJsonPush(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid JSON at byte ", doc.GetErrorOffset(), ": ",
                                                   rapidjson::GetParseError_En(doc.GetParseError())));
  }
  if (!doc.IsObject()) return absl::InvalidArgumentError("JSON push body must be an object with \"streams\"");
  auto streams_it = doc.FindMember("streams");
  if (streams_it == doc.MemberEnd() || !streams_it->value.IsArray()) {
    return absl::InvalidArgumentError("JSON push body has no \"streams\" array");
  }
  DecodedPush out;
  const auto& streams = streams_it->value;
  out.streams.reserve(streams.Size());
  for (rapidjson::SizeType si = 0; si < streams.Size(); ++si) {
    const auto& s = streams[si];
    if (!s.IsObject()) return absl::InvalidArgumentError(absl::StrCat("stream ", si, " is not an object"));
    auto labels_it = s.FindMember("stream");
    if (labels_it == s.MemberEnd() || !labels_it->value.IsObject()) {
      return absl::InvalidArgumentError(absl::StrCat("stream ", si, " has no \"stream\" object of labels"));
    }
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const auto& m : labels_it->value.GetObject()) {
      if (!m.value.IsString()) {
        return absl::InvalidArgumentError(
            absl::StrCat("stream ", si, ": label ", m.name.GetString(), " must have a string value"));
      }
      pairs.emplace_back(std::string(m.name.GetString(), m.name.GetStringLength()),
                         std::string(m.value.GetString(), m.value.GetStringLength()));
    }
    absl::StatusOr<Labels> labels = Labels::FromUnsorted(std::move(pairs));
    if (!labels.ok()) return absl::InvalidArgumentError(absl::StrCat("stream ", si, ": ", labels.status().message()));
    if (absl::Status v = ValidateStreamLabels(*labels); !v.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("stream ", si, ": ", v.message()));
    }
    auto values_it = s.FindMember("values");
    if (values_it == s.MemberEnd() || !values_it->value.IsArray()) {
      return absl::InvalidArgumentError(absl::StrCat("stream ", si, " has no \"values\" array"));
    }
    PushStream& stream = out.streams.emplace_back();
    stream.labels = *std::move(labels);
    const auto& values = values_it->value;
    stream.entries.reserve(values.Size());
    for (rapidjson::SizeType ei = 0; ei < values.Size(); ++ei) {
      const auto& v = values[ei];
      if (!v.IsArray() || v.Size() < 2 || v.Size() > 3) {
        return absl::InvalidArgumentError(
            absl::StrCat(Where(si, ei), ": want [\"<ns timestamp>\", \"<line>\"] or with a third element of metadata"));
      }
      if (!v[0].IsString()) {
        return absl::InvalidArgumentError(absl::StrCat(
            Where(si, ei), ": timestamp must be a string of integer nanoseconds (e.g. \"1700000000000000000\"), got ",
            v[0].IsNumber() ? "a number" : "another JSON type"));
      }
      absl::StatusOr<int64_t> ts = ParseNanosString(std::string_view(v[0].GetString(), v[0].GetStringLength()));
      if (!ts.ok()) return absl::InvalidArgumentError(absl::StrCat(Where(si, ei), ": ", ts.status().message()));
      if (!v[1].IsString()) return absl::InvalidArgumentError(absl::StrCat(Where(si, ei), ": line must be a string"));
      PushEntry& entry = stream.entries.emplace_back();
      entry.timestamp_ns = *ts;
      entry.line.assign(v[1].GetString(), v[1].GetStringLength());
      if (v.Size() == 3) {
        if (!v[2].IsObject()) {
          return absl::InvalidArgumentError(
              absl::StrCat(Where(si, ei), ": third element must be an object of structured metadata"));
        }
        std::vector<std::pair<std::string, std::string>> md_pairs;
        for (const auto& m : v[2].GetObject()) {
          if (!m.value.IsString()) {
            return absl::InvalidArgumentError(
                absl::StrCat(Where(si, ei), ": structured metadata ", m.name.GetString(), " must have a string value"));
          }
          md_pairs.emplace_back(std::string(m.name.GetString(), m.name.GetStringLength()),
                                std::string(m.value.GetString(), m.value.GetStringLength()));
        }
        absl::StatusOr<Labels> md = MetadataLabels(std::move(md_pairs));
        if (!md.ok()) return absl::InvalidArgumentError(absl::StrCat(Where(si, ei), ": ", md.status().message()));
        entry.structured_metadata = *std::move(md);
      }
      out.line_bytes += entry.line.size();
    }
    out.entries += stream.entries.size();
  }
  return out;
}

absl::StatusOr<DecodedPush> DecodePushBody(std::string_view content_type, std::string_view content_encoding,
                                           std::string_view body, size_t max_decoded_bytes) {
  const std::string encoding = absl::AsciiStrToLower(AV(content_encoding));
  const PushFormat format = PushFormatFor(content_type);
  if (format == PushFormat::kProtobuf) {
    if (!encoding.empty() && encoding != "snappy") {
      return absl::UnimplementedError(absl::StrCat("unsupported Content-Encoding \"", AV(content_encoding),
                                                   "\" for a protobuf push: the body is snappy block format"));
    }
    return DecodeProtobufPush(body, max_decoded_bytes);
  }
  if (encoding == "gzip" || encoding == "x-gzip") {
    absl::StatusOr<std::string> raw = http::GzipDecompress(body, max_decoded_bytes);
    if (!raw.ok()) {
      if (raw.status().code() == absl::StatusCode::kResourceExhausted) return raw.status();
      return absl::InvalidArgumentError(absl::StrCat("gzip body: ", raw.status().message()));
    }
    return DecodeJsonPush(*raw);
  }
  if (!encoding.empty() && encoding != "identity") {
    return absl::UnimplementedError(
        absl::StrCat("unsupported Content-Encoding \"", AV(content_encoding), "\" for a JSON push (want gzip)"));
  }
  if (body.size() > max_decoded_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("body of ", body.size(), " bytes is larger than the limit of ", max_decoded_bytes));
  }
  return DecodeJsonPush(body);
}

}  // namespace vigil::wire::loki
