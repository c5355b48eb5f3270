#include "wire/otlp/decode_logs_proto.h"

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "wire/otlp/proto_reader.h"

namespace vigil::wire::otlp {
namespace {

using internal::AssignBoundedBytes;
using internal::AssignBoundedUtf8;

// A length-delimited field's bytes and their offset in the request.
struct Piece {
  std::string_view bytes;
  size_t offset = 0;
};

// Calls `fn(field, wire_type, reader)` for every field of `msg`; `fn` must consume the value.
template <typename Fn>
absl::Status ForEachField(Piece msg, Fn fn) {
  ProtoReader r(msg.bytes, msg.offset);
  while (!r.AtEnd()) {
    uint32_t field = 0, wt = 0;
    VIGIL_RETURN_IF_ERROR(r.ReadTag(&field, &wt));
    VIGIL_RETURN_IF_ERROR(fn(field, wt, r));
  }
  return absl::OkStatus();
}

class LogsDecoder {
 public:
  LogsDecoder(const DecodeLimits& limits, DecodedLogs* out) : limits_(limits), builder_(out) {}

  absl::Status Request(std::string_view body) {
    int index = 0;
    return ForEachField(Piece{body, 0}, [&](uint32_t field, uint32_t wt, ProtoReader& r) -> absl::Status {
      if (field != 1 || wt != ProtoReader::kLen) return r.Skip(wt);
      Piece p;
      VIGIL_RETURN_IF_ERROR(r.ReadLengthDelimited(&p.bytes, &p.offset));
      return ResourceLogs(p, index++);
    });
  }

 private:
  // The resource may follow the scopes on the wire: collect first, map after.
  absl::Status ResourceLogs(Piece msg, int rl_index) {
    std::vector<KeyValue> resource_attrs;
    std::vector<Piece> scopes;
    VIGIL_RETURN_IF_ERROR(ForEachField(msg, [&](uint32_t field, uint32_t wt, ProtoReader& r) -> absl::Status {
      if (wt != ProtoReader::kLen || (field != 1 && field != 2)) return r.Skip(wt);
      Piece p;
      VIGIL_RETURN_IF_ERROR(r.ReadLengthDelimited(&p.bytes, &p.offset));
      if (field == 2) {
        scopes.push_back(p);
        return absl::OkStatus();
      }
      return ForEachField(p, [&](uint32_t f, uint32_t w, ProtoReader& rr) -> absl::Status {
        if (f == 1 && w == ProtoReader::kLen) return Attribute(rr, &resource_attrs);
        return rr.Skip(w);
      });
    }));
    builder_.SetResource(resource_attrs);
    for (size_t i = 0; i < scopes.size(); ++i) VIGIL_RETURN_IF_ERROR(ScopeLogs(scopes[i], rl_index, i));
    return absl::OkStatus();
  }

  absl::Status ScopeLogs(Piece msg, int rl_index, size_t sl_index) {
    std::string name, version;
    std::vector<KeyValue> attrs;
    std::vector<Piece> records;
    VIGIL_RETURN_IF_ERROR(ForEachField(msg, [&](uint32_t field, uint32_t wt, ProtoReader& r) -> absl::Status {
      if (wt != ProtoReader::kLen || (field != 1 && field != 2)) return r.Skip(wt);
      Piece p;
      VIGIL_RETURN_IF_ERROR(r.ReadLengthDelimited(&p.bytes, &p.offset));
      if (field == 2) {
        records.push_back(p);
        return absl::OkStatus();
      }
      return ForEachField(p, [&](uint32_t f, uint32_t w, ProtoReader& rr) -> absl::Status {
        if (w != ProtoReader::kLen || f < 1 || f > 3) return rr.Skip(w);
        if (f == 3) return Attribute(rr, &attrs);
        return ReadString(rr, f == 1 ? &name : &version);
      });
    }));
    builder_.SetScope(name, version, attrs);
    for (size_t i = 0; i < records.size(); ++i) {
      LogRecordFields rec;
      VIGIL_RETURN_IF_ERROR(LogRecord(records[i], &rec));
      builder_.AddRecord(std::move(rec),
                         absl::StrCat("resource_logs[", rl_index, "].scope_logs[", sl_index, "].log_records[", i, "]"));
    }
    return absl::OkStatus();
  }

  absl::Status LogRecord(Piece msg, LogRecordFields* rec) {
    return ForEachField(msg, [&](uint32_t field, uint32_t wt, ProtoReader& r) -> absl::Status {
      switch (field) {
        case 1:
          if (wt == ProtoReader::kFixed64) return r.ReadFixed64(&rec->time_unix_nano);
          break;
        case 11:
          if (wt == ProtoReader::kFixed64) return r.ReadFixed64(&rec->observed_time_unix_nano);
          break;
        case 2:
          if (wt == ProtoReader::kVarint) {
            uint64_t v = 0;
            VIGIL_RETURN_IF_ERROR(r.ReadVarint(&v));
            rec->severity_number = static_cast<int>(static_cast<int32_t>(v));
            return absl::OkStatus();
          }
          break;
        case 3:
          if (wt == ProtoReader::kLen) return ReadString(r, &rec->severity_text);
          break;
        case 5:
          if (wt == ProtoReader::kLen) {
            Piece p;
            VIGIL_RETURN_IF_ERROR(r.ReadLengthDelimited(&p.bytes, &p.offset));
            return AnyValueMsg(p, &rec->body, 0);
          }
          break;
        case 6:
          if (wt == ProtoReader::kLen) return Attribute(r, &rec->attributes);
          break;
        case 9:
        case 10:
          if (wt == ProtoReader::kLen) {
            Piece p;
            VIGIL_RETURN_IF_ERROR(r.ReadLengthDelimited(&p.bytes, &p.offset));
            (field == 9 ? rec->trace_id : rec->span_id).assign(p.bytes.substr(0, 32));
            return absl::OkStatus();
          }
          break;
        case 12:
          if (wt == ProtoReader::kLen) return ReadString(r, &rec->event_name);
          break;
        default:
          break;
      }
      return r.Skip(wt);
    });
  }

  absl::Status ReadString(ProtoReader& r, std::string* out) {
    Piece p;
    VIGIL_RETURN_IF_ERROR(r.ReadLengthDelimited(&p.bytes, &p.offset));
    AssignBoundedUtf8(p.bytes, limits_.max_value_bytes, out);
    return absl::OkStatus();
  }

  absl::Status Attribute(ProtoReader& r, std::vector<KeyValue>* attrs) {
    Piece p;
    VIGIL_RETURN_IF_ERROR(r.ReadLengthDelimited(&p.bytes, &p.offset));
    if (attrs->size() >= limits_.max_attributes) return absl::OkStatus();
    attrs->emplace_back();
    return KeyValueMsg(p, &attrs->back(), 0);
  }

  absl::Status KeyValueMsg(Piece msg, KeyValue* kv, int depth) {
    return ForEachField(msg, [&](uint32_t field, uint32_t wt, ProtoReader& r) -> absl::Status {
      if (wt != ProtoReader::kLen || (field != 1 && field != 2)) return r.Skip(wt);
      if (field == 1) return ReadString(r, &kv->key);
      Piece p;
      VIGIL_RETURN_IF_ERROR(r.ReadLengthDelimited(&p.bytes, &p.offset));
      return AnyValueMsg(p, &kv->value, depth);
    });
  }

  absl::Status AnyValueMsg(Piece msg, AnyValue* value, int depth) {
    return ForEachField(msg, [&](uint32_t field, uint32_t wt, ProtoReader& r) -> absl::Status {
      if (wt == ProtoReader::kLen && (field == 1 || field == 5 || field == 6 || field == 7)) {
        Piece p;
        VIGIL_RETURN_IF_ERROR(r.ReadLengthDelimited(&p.bytes, &p.offset));
        if (field == 1) {
          AssignBoundedUtf8(p.bytes, limits_.max_value_bytes, value->mutable_string(AnyValue::Type::kString));
          return absl::OkStatus();
        }
        if (field == 7) {
          AssignBoundedBytes(p.bytes, limits_.max_value_bytes, value->mutable_string(AnyValue::Type::kBytes));
          return absl::OkStatus();
        }
        if (depth + 1 > limits_.max_value_depth) {
          return absl::InvalidArgumentError(absl::StrCat("value at byte ", p.offset, " is nested more than ",
                                                         limits_.max_value_depth, " levels deep"));
        }
        const bool is_array = field == 5;
        std::vector<KeyValue>* children =
            value->mutable_children(is_array ? AnyValue::Type::kArray : AnyValue::Type::kKvList);
        // ArrayValue and KeyValueList both hold `repeated ... values = 1`.
        return ForEachField(p, [&](uint32_t f, uint32_t w, ProtoReader& rr) -> absl::Status {
          if (f != 1 || w != ProtoReader::kLen) return rr.Skip(w);
          Piece item;
          VIGIL_RETURN_IF_ERROR(rr.ReadLengthDelimited(&item.bytes, &item.offset));
          if (children->size() >= limits_.max_attributes) return absl::OkStatus();
          children->emplace_back();
          return is_array ? AnyValueMsg(item, &children->back().value, depth + 1)
                          : KeyValueMsg(item, &children->back(), depth + 1);
        });
      }
      if (wt == ProtoReader::kVarint && (field == 2 || field == 3)) {
        uint64_t v = 0;
        VIGIL_RETURN_IF_ERROR(r.ReadVarint(&v));
        if (field == 2) {
          value->set_bool(v != 0);
        } else {
          value->set_int(static_cast<int64_t>(v));
        }
        return absl::OkStatus();
      }
      if (wt == ProtoReader::kFixed64 && field == 4) {
        uint64_t bits = 0;
        VIGIL_RETURN_IF_ERROR(r.ReadFixed64(&bits));
        double d = 0;
        std::memcpy(&d, &bits, sizeof(d));
        value->set_double(d);
        return absl::OkStatus();
      }
      return r.Skip(wt);
    });
  }

  const DecodeLimits& limits_;
  LogStreamBuilder builder_;
};

}  // namespace

absl::StatusOr<DecodedLogs> DecodeLogsProto(std::string_view body, const DecodeLimits& limits) {
  DecodedLogs out;
  LogsDecoder decoder(limits, &out);
  VIGIL_RETURN_IF_ERROR(decoder.Request(body));
  return out;
}

}  // namespace vigil::wire::otlp
