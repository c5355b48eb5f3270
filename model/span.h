// The internal span model: one representation of a trace span whatever protocol brought it (OTLP/HTTP protobuf or
// JSON, Zipkin v2 JSON), so the agent's queue, the store's trace store and the Tempo API share one vocabulary.
//
// The model follows OTLP's data model (it is the richest of the formats Vigil accepts): typed attribute values
// including arrays, key/value lists and bytes, events, links, a status, trace state and the "dropped" counts.
// Resource and instrumentation scope are shared, immutable and reference counted: every span decoded from one
// ResourceSpans points at the same Resource, so a batch of 500 spans from one process holds its 20 resource
// attributes once. A trace store encodes spans into its own compact form (interning keys and values); this
// model is the in-memory exchange type, built for clarity and cheap moves rather than minimal bytes.
//
//   vigil::Span span;
//   span.trace_id = *vigil::TraceId::FromHex("5b8efff798038103d269b633813fc60c");
//   span.name = "GET /api";
//   span.attributes.push_back({"http.status_code", vigil::AnyValue::Int(200)});
//   std::string_view svc = vigil::ServiceName(span);   // from span.resource's "service.name"
#ifndef VIGIL_MODEL_SPAN_H_
#define VIGIL_MODEL_SPAN_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace vigil {

// A 16-byte trace id. All zero means "invalid / absent" (OTLP and W3C Trace Context both reserve it).
struct TraceId {
  std::array<uint8_t, 16> bytes{};

  // Parses exactly 32 hex digits (either case), as OTLP/JSON and W3C traceparent write trace ids.
  // InvalidArgument naming the value otherwise (a 24-character base64 id gets a hint that hex is required).
  static absl::StatusOr<TraceId> FromHex(std::string_view hex);
  // Parses 1 to 32 hex digits, left-padded with zeros to 16 bytes: Zipkin's 64-bit trace ids (16 digits) and
  // the shortened ids Tempo's API accepts in URLs.
  static absl::StatusOr<TraceId> FromShortHex(std::string_view hex);
  // From raw bytes; InvalidArgument unless there are exactly 16.
  static absl::StatusOr<TraceId> FromBytes(std::string_view raw);

  // 32 lowercase hex digits.
  std::string Hex() const;
  // The 16 bytes as a string_view into this object.
  std::string_view View() const { return {reinterpret_cast<const char*>(bytes.data()), bytes.size()}; }
  bool IsZero() const;

  friend bool operator==(const TraceId&, const TraceId&) = default;
  friend auto operator<=>(const TraceId&, const TraceId&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const TraceId& id) {
    return H::combine_contiguous(std::move(h), id.bytes.data(), id.bytes.size());
  }
};

// An 8-byte span id. All zero means "absent" (a root span's parent) or invalid (a span's own id).
struct SpanId {
  std::array<uint8_t, 8> bytes{};

  // Parses exactly 16 hex digits (either case). InvalidArgument naming the value otherwise.
  static absl::StatusOr<SpanId> FromHex(std::string_view hex);
  // From raw bytes; InvalidArgument unless there are exactly 8.
  static absl::StatusOr<SpanId> FromBytes(std::string_view raw);

  // 16 lowercase hex digits.
  std::string Hex() const;
  std::string_view View() const { return {reinterpret_cast<const char*>(bytes.data()), bytes.size()}; }
  bool IsZero() const;
  // The id as a big-endian integer (Zipkin and Jaeger think of span ids as 64-bit numbers).
  uint64_t AsUint64() const;

  friend bool operator==(const SpanId&, const SpanId&) = default;
  friend auto operator<=>(const SpanId&, const SpanId&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const SpanId& id) {
    return H::combine_contiguous(std::move(h), id.bytes.data(), id.bytes.size());
  }
};

// OTLP's SpanKind, same numbers.
enum class SpanKind : uint8_t {
  kUnspecified = 0,
  kInternal = 1,
  kServer = 2,
  kClient = 3,
  kProducer = 4,
  kConsumer = 5,
};

// "unspecified", "internal", "server", "client", "producer", "consumer" (TraceQL's kind values).
std::string_view SpanKindName(SpanKind kind);

// OTLP's Status.StatusCode, same numbers.
enum class SpanStatusCode : uint8_t {
  kUnset = 0,
  kOk = 1,
  kError = 2,
};

// "unset", "ok", "error" (TraceQL's status values).
std::string_view SpanStatusCodeName(SpanStatusCode code);

struct KeyValue;

// A typed attribute value, OTLP's AnyValue: empty, string, bool, int64, double, bytes, array of values, or a
// key/value list. Strings and bytes share one std::string; arrays and key/value lists share one vector of
// KeyValue (an array's elements have empty keys).
class AnyValue {
 public:
  enum class Type : uint8_t { kEmpty, kString, kBool, kInt, kDouble, kBytes, kArray, kKvList };

  AnyValue();
  AnyValue(const AnyValue&);
  AnyValue(AnyValue&&) noexcept;
  AnyValue& operator=(const AnyValue&);
  AnyValue& operator=(AnyValue&&) noexcept;
  ~AnyValue();

  static AnyValue String(std::string s);
  static AnyValue Bool(bool b);
  static AnyValue Int(int64_t i);
  static AnyValue Double(double d);
  static AnyValue Bytes(std::string b);
  // An array; the elements' keys are ignored (and cleared).
  static AnyValue Array(std::vector<AnyValue> values);
  static AnyValue KvList(std::vector<KeyValue> values);

  Type type() const { return type_; }
  bool empty() const { return type_ == Type::kEmpty; }

  // The value of the matching type; undefined (a default) for another type.
  const std::string& string_value() const { return str_; }  // kString and kBytes
  bool bool_value() const { return scalar_.b; }
  int64_t int_value() const { return scalar_.i; }
  double double_value() const { return scalar_.d; }
  // kArray: elements (keys empty); kKvList: the pairs.
  const std::vector<KeyValue>& children() const;

  // Mutable access for decoders that build values in place. Changing the type resets the value.
  std::string* mutable_string(Type string_or_bytes);
  std::vector<KeyValue>* mutable_children(Type array_or_kvlist);
  void set_bool(bool b);
  void set_int(int64_t i);
  void set_double(double d);

  // The value as text, as Tempo shows attribute values: strings as is, ints and bools as Go prints them,
  // doubles in the shortest round-tripping form, bytes as base64, arrays and key/value lists as JSON.
  std::string ToString() const;

  // Deep equality (doubles compare bitwise-equal NaNs as equal, so round-trip tests can compare).
  friend bool operator==(const AnyValue& a, const AnyValue& b);

 private:
  Type type_ = Type::kEmpty;
  union Scalar {
    bool b;
    int64_t i;
    double d;
  } scalar_{.i = 0};
  std::string str_;
  std::unique_ptr<std::vector<KeyValue>> children_;  // null unless kArray or kKvList
};

// One attribute: a key and its typed value.
struct KeyValue {
  std::string key;
  AnyValue value;

  friend bool operator==(const KeyValue&, const KeyValue&) = default;
};

// The first attribute named `key`, or null.
const AnyValue* FindAttribute(const std::vector<KeyValue>& attributes, std::string_view key);

// The entity that produced the spans (a process, a pod): OTLP's Resource plus its ResourceSpans' schema_url.
struct Resource {
  std::vector<KeyValue> attributes;
  uint32_t dropped_attributes_count = 0;
  std::string schema_url;

  friend bool operator==(const Resource&, const Resource&) = default;
};

// The instrumentation library that produced the spans: OTLP's InstrumentationScope plus its ScopeSpans'
// schema_url.
struct InstrumentationScope {
  std::string name;
  std::string version;
  std::vector<KeyValue> attributes;
  uint32_t dropped_attributes_count = 0;
  std::string schema_url;

  friend bool operator==(const InstrumentationScope&, const InstrumentationScope&) = default;
};

// A time-stamped annotation of a span (OTLP Span.Event; Zipkin annotations become these).
struct SpanEvent {
  uint64_t time_unix_nano = 0;
  std::string name;
  std::vector<KeyValue> attributes;
  uint32_t dropped_attributes_count = 0;

  friend bool operator==(const SpanEvent&, const SpanEvent&) = default;
};

// A reference from a span to another span, in this trace or another (OTLP Span.Link).
struct SpanLink {
  TraceId trace_id;
  SpanId span_id;
  std::string trace_state;
  std::vector<KeyValue> attributes;
  uint32_t dropped_attributes_count = 0;
  uint32_t flags = 0;

  friend bool operator==(const SpanLink&, const SpanLink&) = default;
};

// One span. Valid spans (what decoders hand out) have a non-zero trace id and span id; times are Unix epoch
// nanoseconds and end >= start is expected but not enforced (clients get clocks wrong; the store keeps what
// it was sent).
struct Span {
  TraceId trace_id;
  SpanId span_id;
  SpanId parent_span_id;  // zero for a root span
  std::string trace_state;
  uint32_t flags = 0;  // W3C trace flags in the low 8 bits, OTLP's context bits above
  std::string name;
  SpanKind kind = SpanKind::kUnspecified;
  uint64_t start_time_unix_nano = 0;
  uint64_t end_time_unix_nano = 0;
  std::vector<KeyValue> attributes;
  uint32_t dropped_attributes_count = 0;
  std::vector<SpanEvent> events;
  uint32_t dropped_events_count = 0;
  std::vector<SpanLink> links;
  uint32_t dropped_links_count = 0;
  SpanStatusCode status_code = SpanStatusCode::kUnset;
  std::string status_message;
  // Shared with the other spans of the same resource and scope; null means empty. Never mutated once shared.
  std::shared_ptr<const Resource> resource;
  std::shared_ptr<const InstrumentationScope> scope;

  bool is_root() const { return parent_span_id.IsZero(); }
  // end - start in nanoseconds, 0 if end is before start.
  uint64_t DurationNanos() const {
    return end_time_unix_nano > start_time_unix_nano ? end_time_unix_nano - start_time_unix_nano : 0;
  }

  // Field-wise equality; resource and scope compare by content, not by pointer.
  friend bool operator==(const Span& a, const Span& b);
};

// The resource attribute "service.name" of `span` if it is a string, else "". The view lives as long as the
// span's resource.
std::string_view ServiceName(const Span& span);

// Appends the bytes of `raw` as lowercase hex to `out` (two digits a byte).
void AppendHex(std::string_view raw, std::string* out);

// Bytes of heap memory held by `span` beyond sizeof(Span), not counting its shared resource and scope;
// for memory accounting in queues.
size_t SpanHeapBytes(const Span& span);

}  // namespace vigil

#endif  // VIGIL_MODEL_SPAN_H_
