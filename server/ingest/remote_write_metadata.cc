#include "server/ingest/remote_write_metadata.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"

namespace vigil::server {
namespace {

using google::protobuf::internal::WireFormatLite;

absl::Status Malformed(std::string_view what, int offset) {
  return absl::InvalidArgumentError(absl::StrCat("malformed WriteRequest at byte ", offset, ": ", std::string(what)));
}

// Decodes one MetricMetadata message body.
absl::Status DecodeMetadata(std::string_view msg, int base_offset, MetadataView* out) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(msg.data()), static_cast<int>(msg.size()));
  while (uint32_t tag = in.ReadTag()) {
    const int field = static_cast<int>(WireFormatLite::GetTagFieldNumber(tag));
    const auto wire_type = WireFormatLite::GetTagWireType(tag);
    if (field == 1 && wire_type == WireFormatLite::WIRETYPE_VARINT) {
      uint64_t v = 0;
      if (!in.ReadVarint64(&v)) return Malformed("truncated metadata type", base_offset + in.CurrentPosition());
      out->type = v <= 7 ? static_cast<exposition::MetricType>(v) : exposition::MetricType::kUnknown;
      continue;
    }
    if ((field == 2 || field == 4 || field == 5) && wire_type == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      uint32_t len = 0;
      if (!in.ReadVarint32(&len)) return Malformed("truncated metadata string", base_offset + in.CurrentPosition());
      const int pos = in.CurrentPosition();
      if (static_cast<uint64_t>(pos) + len > msg.size()) {
        return Malformed("metadata string past the end", base_offset + pos);
      }
      std::string_view s = msg.substr(static_cast<size_t>(pos), len);
      if (field == 2) out->family = s;
      if (field == 4) out->help = s;
      if (field == 5) out->unit = s;
      in.Skip(static_cast<int>(len));
      continue;
    }
    if (!WireFormatLite::SkipField(&in, tag)) {
      return Malformed("bad field in metadata", base_offset + in.CurrentPosition());
    }
  }
  if (!in.ConsumedEntireMessage()) return Malformed("bad tag in metadata", base_offset + in.CurrentPosition());
  return absl::OkStatus();
}

}  // namespace

absl::Status ForEachMetadata(std::string_view raw, absl::FunctionRef<void(const MetadataView&)> fn) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(raw.data()), static_cast<int>(raw.size()));
  in.SetTotalBytesLimit(static_cast<int>(std::min<size_t>(raw.size(), INT32_MAX)));
  while (uint32_t tag = in.ReadTag()) {
    const int field = static_cast<int>(WireFormatLite::GetTagFieldNumber(tag));
    if (field == 3 && WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      uint32_t len = 0;
      if (!in.ReadVarint32(&len)) return Malformed("truncated metadata length", in.CurrentPosition());
      const int pos = in.CurrentPosition();
      if (static_cast<uint64_t>(pos) + len > raw.size()) return Malformed("metadata past the end", pos);
      MetadataView view;
      if (absl::Status s = DecodeMetadata(raw.substr(static_cast<size_t>(pos), len), pos, &view); !s.ok()) return s;
      fn(view);
      in.Skip(static_cast<int>(len));
      continue;
    }
    if (!WireFormatLite::SkipField(&in, tag)) return Malformed("bad field", in.CurrentPosition());
  }
  if (!in.ConsumedEntireMessage()) return Malformed("bad tag", in.CurrentPosition());
  return absl::OkStatus();
}

}  // namespace vigil::server
