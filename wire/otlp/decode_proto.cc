#include "wire/otlp/decode_proto.h"

#include <cstring>
#include <memory>
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

// A length-delimited field's bytes and where they start in the request.
struct Piece {
  std::string_view bytes;
  size_t offset = 0;
};

class Decoder {
 public:
  explicit Decoder(const DecodeLimits& limits) : limits_(limits) {}

  absl::Status Request(std::string_view body, DecodedSpans* out) {
    ProtoReader r(body, 0);
    int index = 0;
    while (!r.AtEnd()) {
      uint32_t field = 0, wt = 0;
      VIGIL_RETURN_IF_ERROR(r.ReadTag(&field, &wt));
      if (field == 1 && wt == ProtoReader::kLen) {
        Piece p;
        VIGIL_RETURN_IF_ERROR(r.ReadLengthDelimited(&p.bytes, &p.offset));
        VIGIL_RETURN_IF_ERROR(ResourceSpans(p, index++, out));
      } else {
        VIGIL_RETURN_IF_ERROR(r.Skip(wt));
      }
    }
    return absl::OkStatus();
  }

 private:
  // ResourceSpans: the resource may come after the spans on the wire, so the pieces are collected first.
  absl::Status ResourceSpans(Piece msg, int rs_index, DecodedSpans* out) {
    auto resource = std::make_shared<Resource>();
    std::vector<Piece> scope_spans;
    ProtoReader r(msg.bytes, msg.offset);
    while (!r.AtEnd()) {
      uint32_t field = 0, wt = 0;
      VIGIL_RETURN_IF_ERROR(r.ReadTag(&field, &wt));
      if (wt != ProtoReader::kLen || field < 1 || field > 3) {
        VIGIL_RETURN_IF_ERROR(r.Skip(wt));
        continue;
      }
      Piece p;
      VIGIL_RETURN_IF_ERROR(r.ReadLengthDelimited(&p.bytes, &p.offset));
      if (field == 1) {
        VIGIL_RETURN_IF_ERROR(ResourceMsg(p, resource.get()));
      } else if (field == 2) {
        scope_spans.push_back(p);
      } else {
        AssignBoundedUtf8(p.bytes, limits_.max_value_bytes, &resource->schema_url);
      }
    }
    std::shared_ptr<const Resource> shared = std::move(resource);
    for (size_t i = 0; i < scope_spans.size(); ++i) {
      VIGIL_RETURN_IF_ERROR(ScopeSpans(scope_spans[i], shared, rs_index, static_cast<int>(i), out));
    }
    return absl::OkStatus();
  }

  absl::Status ResourceMsg(Piece msg, Resource* resource) {
    ProtoReader r(msg.bytes, msg.offset);
    uint32_t dropped = 0;
    while (!r.AtEnd()) {
      uint32_t field = 0, wt = 0;
      VIGIL_RETURN_IF_ERROR(r.ReadTag(&field, &wt));
      if (field == 1 && wt == ProtoReader::kLen) {
        VIGIL_RETURN_IF_ERROR(Attribute(r, &resource->attributes, &dropped));
      } else if (field == 2 && wt == ProtoReader::kVarint) {
        VIGIL_RETURN_IF_ERROR(ReadUint32(r, &resource->dropped_attributes_count));
      } else {
        VIGIL_RETURN_IF_ERROR(r.Skip(wt));
      }
    }
    resource->dropped_attributes_count += dropped;
    return absl::OkStatus();
  }

  absl::Status ScopeSpans(Piece msg, const std::shared_ptr<const Resource>& resource, int rs_index, int ss_index,
                          DecodedSpans* out) {
    auto scope = std::make_shared<InstrumentationScope>();
    std::vector<Piece> spans;
    ProtoReader r(msg.bytes, msg.offset);
    while (!r.AtEnd()) {
      uint32_t field = 0, wt = 0;
      VIGIL_RETURN_IF_ERROR(r.ReadTag(&field, &wt));
      if (wt != ProtoReader::kLen || field < 1 || field > 3) {
        VIGIL_RETURN_IF_ERROR(r.Skip(wt));
        continue;
      }
      Piece p;
      VIGIL_RETURN_IF_ERROR(r.ReadLengthDelimited(&p.bytes, &p.offset));
      if (field == 1) {
        VIGIL_RETURN_IF_ERROR(Scope(p, scope.get()));
      } else if (field == 2) {
        spans.push_back(p);
      } else {
        AssignBoundedUtf8(p.bytes, limits_.max_value_bytes, &scope->schema_url);
      }
    }
    std::shared_ptr<const InstrumentationScope> shared = std::move(scope);
    out->spans.reserve(out->spans.size() + spans.size());
    for (size_t i = 0; i < spans.size(); ++i) {
      Span span;
      span.resource = resource;
      span.scope = shared;
      VIGIL_RETURN_IF_ERROR(SpanMsg(spans[i], &span));
      if (span.trace_id.IsZero() || span.span_id.IsZero()) {
        internal::AcceptOrReject(std::move(span),
                                 absl::StrCat("resource_spans[", rs_index, "].scope_spans[", ss_index, "].spans[", i,
                                              "] at byte ", spans[i].offset),
                                 out);
      } else {
        out->spans.push_back(std::move(span));
      }
    }
    return absl::OkStatus();
  }

  absl::Status Scope(Piece msg, InstrumentationScope* scope) {
    ProtoReader r(msg.bytes, msg.offset);
    uint32_t dropped = 0;
    while (!r.AtEnd()) {
      uint32_t field = 0, wt = 0;
      VIGIL_RETURN_IF_ERROR(r.ReadTag(&field, &wt));
      if ((field == 1 || field == 2) && wt == ProtoReader::kLen) {
        VIGIL_RETURN_IF_ERROR(ReadString(r, field == 1 ? &scope->name : &scope->version));
      } else if (field == 3 && wt == ProtoReader::kLen) {
        VIGIL_RETURN_IF_ERROR(Attribute(r, &scope->attributes, &dropped));
      } else if (field == 4 && wt == ProtoReader::kVarint) {
        VIGIL_RETURN_IF_ERROR(ReadUint32(r, &scope->dropped_attributes_count));
      } else {
        VIGIL_RETURN_IF_ERROR(r.Skip(wt));
      }
    }
    scope->dropped_attributes_count += dropped;
    return absl::OkStatus();
  }

  absl::Status SpanMsg(Piece msg, Span* span) {
    ProtoReader r(msg.bytes, msg.offset);
    uint32_t dropped_attributes = 0, dropped_events = 0, dropped_links = 0;
    while (!r.AtEnd()) {
      uint32_t field = 0, wt = 0;
      VIGIL_RETURN_IF_ERROR(r.ReadTag(&field, &wt));
      switch (wt) {
        case ProtoReader::kLen: {
          if (field == 9) {
            VIGIL_RETURN_IF_ERROR(Attribute(r, &span->attributes, &dropped_attributes));
            continue;
          }
          Piece p;
          if (field != 1 && field != 2 && field != 3 && field != 4 && field != 5 && field != 11 && field != 13 &&
              field != 15) {
            break;
          }
          VIGIL_RETURN_IF_ERROR(r.ReadLengthDelimited(&p.bytes, &p.offset));
          switch (field) {
            case 1:
              VIGIL_RETURN_IF_ERROR(Id(p, "trace_id", span->trace_id.bytes.data(), span->trace_id.bytes.size()));
              break;
            case 2:
              VIGIL_RETURN_IF_ERROR(Id(p, "span_id", span->span_id.bytes.data(), span->span_id.bytes.size()));
              break;
            case 3:
              AssignBoundedUtf8(p.bytes, limits_.max_value_bytes, &span->trace_state);
              break;
            case 4:
              VIGIL_RETURN_IF_ERROR(
                  Id(p, "parent_span_id", span->parent_span_id.bytes.data(), span->parent_span_id.bytes.size()));
              break;
            case 5:
              AssignBoundedUtf8(p.bytes, limits_.max_value_bytes, &span->name);
              break;
            case 11:
              if (span->events.size() >= limits_.max_events) {
                ++dropped_events;
              } else {
                span->events.emplace_back();
                VIGIL_RETURN_IF_ERROR(Event(p, &span->events.back()));
              }
              break;
            case 13:
              if (span->links.size() >= limits_.max_links) {
                ++dropped_links;
              } else {
                span->links.emplace_back();
                VIGIL_RETURN_IF_ERROR(Link(p, &span->links.back()));
              }
              break;
            case 15:
              VIGIL_RETURN_IF_ERROR(Status(p, span));
              break;
          }
          continue;
        }
        case ProtoReader::kVarint: {
          uint64_t v = 0;
          if (field != 6 && field != 10 && field != 12 && field != 14) break;
          VIGIL_RETURN_IF_ERROR(r.ReadVarint(&v));
          if (field == 6) {
            span->kind = v <= 5 ? static_cast<SpanKind>(v) : SpanKind::kUnspecified;
          } else {
            const auto n = static_cast<uint32_t>(v);
            (field == 10   ? span->dropped_attributes_count
             : field == 12 ? span->dropped_events_count
                           : span->dropped_links_count) = n;
          }
          continue;
        }
        case ProtoReader::kFixed64:
          if (field == 7) {
            VIGIL_RETURN_IF_ERROR(r.ReadFixed64(&span->start_time_unix_nano));
            continue;
          }
          if (field == 8) {
            VIGIL_RETURN_IF_ERROR(r.ReadFixed64(&span->end_time_unix_nano));
            continue;
          }
          break;
        case ProtoReader::kFixed32:
          if (field == 16) {
            VIGIL_RETURN_IF_ERROR(r.ReadFixed32(&span->flags));
            continue;
          }
          break;
        default:
          break;
      }
      VIGIL_RETURN_IF_ERROR(r.Skip(wt));
    }
    span->dropped_attributes_count += dropped_attributes;
    span->dropped_events_count += dropped_events;
    span->dropped_links_count += dropped_links;
    return absl::OkStatus();
  }

  absl::Status Event(Piece msg, SpanEvent* event) {
    ProtoReader r(msg.bytes, msg.offset);
    uint32_t dropped = 0;
    while (!r.AtEnd()) {
      uint32_t field = 0, wt = 0;
      VIGIL_RETURN_IF_ERROR(r.ReadTag(&field, &wt));
      if (field == 1 && wt == ProtoReader::kFixed64) {
        VIGIL_RETURN_IF_ERROR(r.ReadFixed64(&event->time_unix_nano));
      } else if (field == 2 && wt == ProtoReader::kLen) {
        VIGIL_RETURN_IF_ERROR(ReadString(r, &event->name));
      } else if (field == 3 && wt == ProtoReader::kLen) {
        VIGIL_RETURN_IF_ERROR(Attribute(r, &event->attributes, &dropped));
      } else if (field == 4 && wt == ProtoReader::kVarint) {
        VIGIL_RETURN_IF_ERROR(ReadUint32(r, &event->dropped_attributes_count));
      } else {
        VIGIL_RETURN_IF_ERROR(r.Skip(wt));
      }
    }
    event->dropped_attributes_count += dropped;
    return absl::OkStatus();
  }

  absl::Status Link(Piece msg, SpanLink* link) {
    ProtoReader r(msg.bytes, msg.offset);
    uint32_t dropped = 0;
    while (!r.AtEnd()) {
      uint32_t field = 0, wt = 0;
      VIGIL_RETURN_IF_ERROR(r.ReadTag(&field, &wt));
      if ((field == 1 || field == 2) && wt == ProtoReader::kLen) {
        Piece p;
        VIGIL_RETURN_IF_ERROR(r.ReadLengthDelimited(&p.bytes, &p.offset));
        if (field == 1) {
          VIGIL_RETURN_IF_ERROR(Id(p, "link trace_id", link->trace_id.bytes.data(), link->trace_id.bytes.size()));
        } else {
          VIGIL_RETURN_IF_ERROR(Id(p, "link span_id", link->span_id.bytes.data(), link->span_id.bytes.size()));
        }
      } else if (field == 3 && wt == ProtoReader::kLen) {
        VIGIL_RETURN_IF_ERROR(ReadString(r, &link->trace_state));
      } else if (field == 4 && wt == ProtoReader::kLen) {
        VIGIL_RETURN_IF_ERROR(Attribute(r, &link->attributes, &dropped));
      } else if (field == 5 && wt == ProtoReader::kVarint) {
        VIGIL_RETURN_IF_ERROR(ReadUint32(r, &link->dropped_attributes_count));
      } else if (field == 6 && wt == ProtoReader::kFixed32) {
        VIGIL_RETURN_IF_ERROR(r.ReadFixed32(&link->flags));
      } else {
        VIGIL_RETURN_IF_ERROR(r.Skip(wt));
      }
    }
    link->dropped_attributes_count += dropped;
    return absl::OkStatus();
  }

  absl::Status Status(Piece msg, Span* span) {
    ProtoReader r(msg.bytes, msg.offset);
    while (!r.AtEnd()) {
      uint32_t field = 0, wt = 0;
      VIGIL_RETURN_IF_ERROR(r.ReadTag(&field, &wt));
      if (field == 2 && wt == ProtoReader::kLen) {
        VIGIL_RETURN_IF_ERROR(ReadString(r, &span->status_message));
      } else if (field == 3 && wt == ProtoReader::kVarint) {
        uint64_t v = 0;
        VIGIL_RETURN_IF_ERROR(r.ReadVarint(&v));
        span->status_code = v <= 2 ? static_cast<SpanStatusCode>(v) : SpanStatusCode::kUnset;
      } else {
        VIGIL_RETURN_IF_ERROR(r.Skip(wt));
      }
    }
    return absl::OkStatus();
  }

  // Reads one KeyValue (the length-delimited field whose key `r` just read) into `attrs`, or counts it dropped
  // when `attrs` is full.
  absl::Status Attribute(ProtoReader& r, std::vector<KeyValue>* attrs, uint32_t* dropped) {
    Piece p;
    VIGIL_RETURN_IF_ERROR(r.ReadLengthDelimited(&p.bytes, &p.offset));
    if (attrs->size() >= limits_.max_attributes) {
      ++*dropped;
      return absl::OkStatus();
    }
    attrs->emplace_back();
    return KeyValueMsg(p, &attrs->back(), 0);
  }

  absl::Status KeyValueMsg(Piece msg, KeyValue* kv, int depth) {
    ProtoReader r(msg.bytes, msg.offset);
    while (!r.AtEnd()) {
      uint32_t field = 0, wt = 0;
      VIGIL_RETURN_IF_ERROR(r.ReadTag(&field, &wt));
      if (field == 1 && wt == ProtoReader::kLen) {
        VIGIL_RETURN_IF_ERROR(ReadString(r, &kv->key));
      } else if (field == 2 && wt == ProtoReader::kLen) {
        Piece p;
        VIGIL_RETURN_IF_ERROR(r.ReadLengthDelimited(&p.bytes, &p.offset));
        VIGIL_RETURN_IF_ERROR(AnyValueMsg(p, &kv->value, depth));
      } else {
        VIGIL_RETURN_IF_ERROR(r.Skip(wt));
      }
    }
    return absl::OkStatus();
  }

  absl::Status AnyValueMsg(Piece msg, AnyValue* value, int depth) {
    ProtoReader r(msg.bytes, msg.offset);
    while (!r.AtEnd()) {
      uint32_t field = 0, wt = 0;
      VIGIL_RETURN_IF_ERROR(r.ReadTag(&field, &wt));
      if (wt == ProtoReader::kLen && (field == 1 || field == 5 || field == 6 || field == 7)) {
        Piece p;
        VIGIL_RETURN_IF_ERROR(r.ReadLengthDelimited(&p.bytes, &p.offset));
        if (field == 1) {
          AssignBoundedUtf8(p.bytes, limits_.max_value_bytes, value->mutable_string(AnyValue::Type::kString));
        } else if (field == 7) {
          AssignBoundedBytes(p.bytes, limits_.max_value_bytes, value->mutable_string(AnyValue::Type::kBytes));
        } else {
          if (depth + 1 > limits_.max_value_depth) {
            return absl::InvalidArgumentError(absl::StrCat("attribute value at byte ", p.offset,
                                                           " is nested more than ", limits_.max_value_depth,
                                                           " levels deep"));
          }
          const bool is_array = field == 5;
          std::vector<KeyValue>* children =
              value->mutable_children(is_array ? AnyValue::Type::kArray : AnyValue::Type::kKvList);
          VIGIL_RETURN_IF_ERROR(ListMsg(p, is_array, children, depth + 1));
        }
      } else if (wt == ProtoReader::kVarint && (field == 2 || field == 3)) {
        uint64_t v = 0;
        VIGIL_RETURN_IF_ERROR(r.ReadVarint(&v));
        if (field == 2) {
          value->set_bool(v != 0);
        } else {
          value->set_int(static_cast<int64_t>(v));
        }
      } else if (wt == ProtoReader::kFixed64 && field == 4) {
        uint64_t bits = 0;
        VIGIL_RETURN_IF_ERROR(r.ReadFixed64(&bits));
        double d = 0;
        static_assert(sizeof(d) == sizeof(bits));
        std::memcpy(&d, &bits, sizeof(d));
        value->set_double(d);
      } else {
        VIGIL_RETURN_IF_ERROR(r.Skip(wt));
      }
    }
    return absl::OkStatus();
  }

  // ArrayValue (repeated AnyValue values = 1) or KeyValueList (repeated KeyValue values = 1).
  absl::Status ListMsg(Piece msg, bool is_array, std::vector<KeyValue>* children, int depth) {
    ProtoReader r(msg.bytes, msg.offset);
    while (!r.AtEnd()) {
      uint32_t field = 0, wt = 0;
      VIGIL_RETURN_IF_ERROR(r.ReadTag(&field, &wt));
      if (field != 1 || wt != ProtoReader::kLen) {
        VIGIL_RETURN_IF_ERROR(r.Skip(wt));
        continue;
      }
      Piece p;
      VIGIL_RETURN_IF_ERROR(r.ReadLengthDelimited(&p.bytes, &p.offset));
      if (children->size() >= limits_.max_attributes) continue;
      children->emplace_back();
      if (is_array) {
        VIGIL_RETURN_IF_ERROR(AnyValueMsg(p, &children->back().value, depth));
      } else {
        VIGIL_RETURN_IF_ERROR(KeyValueMsg(p, &children->back(), depth));
      }
    }
    return absl::OkStatus();
  }

  absl::Status ReadString(ProtoReader& r, std::string* out) {
    Piece p;
    VIGIL_RETURN_IF_ERROR(r.ReadLengthDelimited(&p.bytes, &p.offset));
    AssignBoundedUtf8(p.bytes, limits_.max_value_bytes, out);
    return absl::OkStatus();
  }

  static absl::Status ReadUint32(ProtoReader& r, uint32_t* out) {
    uint64_t v = 0;
    VIGIL_RETURN_IF_ERROR(r.ReadVarint(&v));
    *out = static_cast<uint32_t>(v);
    return absl::OkStatus();
  }

  // An id field: empty means absent (all zero); otherwise exactly `size` bytes.
  static absl::Status Id(Piece p, std::string_view name, uint8_t* dst, size_t size) {
    if (p.bytes.empty()) {
      std::memset(dst, 0, size);
      return absl::OkStatus();
    }
    if (p.bytes.size() != size) {
      return absl::InvalidArgumentError(absl::StrCat("span ", std::string(name), " at byte ", p.offset, " has ",
                                                     p.bytes.size(), " bytes, want ", size));
    }
    std::memcpy(dst, p.bytes.data(), size);
    return absl::OkStatus();
  }

  const DecodeLimits& limits_;
};

}  // namespace

absl::StatusOr<DecodedSpans> DecodeTracesProto(std::string_view body, const DecodeLimits& limits) {
  DecodedSpans out;
  Decoder decoder(limits);
  VIGIL_RETURN_IF_ERROR(decoder.Request(body, &out));
  return out;
}

}  // namespace vigil::wire::otlp
