#include "query/tempoapi/tempo_api.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/http/query_string.h"
#include "base/strings/absl_view.h"
#include "query/tempoapi/api_util.h"
#include "query/tempoapi/jaeger_json.h"
#include "query/tempoapi/traceql.h"
#include "wire/otlp/encode.h"
#include "wire/otlp/encode_json.h"

namespace vigil::tempoapi {
namespace {

using internal::JsonWriter;
using traces::AttributeScope;

constexpr int64_t kNanosPerSecond = 1'000'000'000;

bool WantsProtobuf(const http::Request& req) {
  return req.Header("Accept").find("application/protobuf") != std::string::npos;
}

// start/end (Unix seconds) as a store time range.
absl::StatusOr<traces::TimeRange> SecondsRange(const http::Request& req) {
  absl::StatusOr<int64_t> start = internal::IntParam(req, "start", 0);
  if (!start.ok()) return start.status();
  absl::StatusOr<int64_t> end = internal::IntParam(req, "end", 0);
  if (!end.ok()) return end.status();
  if (*start < 0 || *end < 0 || *start > INT64_MAX / kNanosPerSecond || *end > INT64_MAX / kNanosPerSecond) {
    return absl::InvalidArgumentError("invalid start or end: want Unix seconds");
  }
  if (*end > 0 && *start > *end) return absl::InvalidArgumentError("invalid range: start is after end");
  return traces::TimeRange{.start_ns = *start * kNanosPerSecond, .end_ns = *end * kNanosPerSecond};
}

// Tempo's `tags` parameter (logfmt: `service.name=a http.url="/x y"`) as TraceQL conditions.
absl::StatusOr<std::string> TagsToTraceQL(std::string_view logfmt) {
  std::vector<std::string> conds;
  size_t i = 0;
  while (i < logfmt.size()) {
    while (i < logfmt.size() && logfmt[i] == ' ') ++i;
    if (i >= logfmt.size()) break;
    size_t eq = logfmt.find('=', i);
    size_t space = logfmt.find(' ', i);
    if (eq == std::string_view::npos || (space != std::string_view::npos && space < eq)) {
      return absl::InvalidArgumentError(absl::StrCat("invalid tags: \"", AV(logfmt), "\": want key=value pairs"));
    }
    std::string key(logfmt.substr(i, eq - i));
    i = eq + 1;
    std::string value;
    if (i < logfmt.size() && logfmt[i] == '"') {
      ++i;
      while (i < logfmt.size() && logfmt[i] != '"') {
        if (logfmt[i] == '\\' && i + 1 < logfmt.size()) ++i;
        value.push_back(logfmt[i++]);
      }
      if (i >= logfmt.size()) return absl::InvalidArgumentError("invalid tags: unterminated quoted value");
      ++i;
    } else {
      size_t end = logfmt.find(' ', i);
      if (end == std::string_view::npos) end = logfmt.size();
      value = std::string(logfmt.substr(i, end - i));
      i = end;
    }
    if (key == "name") {
      conds.push_back(absl::StrCat("name = ", TraceQLQuote(value)));
    } else if (key == "status" || key == "status.code") {
      conds.push_back(absl::StrCat("status = ", TraceQLQuote(value)));
    } else {
      conds.push_back(absl::StrCat(".", key, " = ", TraceQLQuote(value)));
    }
  }
  return absl::StrCat("{ ", absl::StrJoin(conds, " && "), " }");
}

void WriteSpanSet(const traces::TraceSearchResult& t, const TraceQLQuery* q, JsonWriter* w) {
  w->StartObject();
  internal::Key(w, "spans");
  w->StartArray();
  for (const traces::SpanSummary& s : t.matched_spans) {
    w->StartObject();
    internal::Key(w, "spanID");
    internal::String(w, s.span_id.Hex());
    internal::Key(w, "name");
    internal::String(w, s.name);
    internal::Key(w, "startTimeUnixNano");
    internal::String(w, absl::StrCat(s.start_unix_nano));
    internal::Key(w, "durationNanos");
    internal::String(w, absl::StrCat(s.duration_nanos));
    std::vector<KeyValue> attrs;
    if (q != nullptr) {
      std::set<std::string> seen;
      for (const TraceQLField& f : q->attribute_fields()) {
        if (!seen.insert(f.key).second) continue;
        const AnyValue* v = nullptr;
        if (f.any_scope || f.scope == AttributeScope::kSpan) v = s.Find(AttributeScope::kSpan, f.key);
        if (v == nullptr && (f.any_scope || f.scope == AttributeScope::kResource)) {
          if (f.key == "service.name") {
            attrs.push_back({f.key, AnyValue::String(s.service)});
            continue;
          }
          v = s.Find(AttributeScope::kResource, f.key);
        }
        if (v != nullptr) attrs.push_back({f.key, *v});
      }
    }
    if (!attrs.empty()) {
      std::string raw;
      wire::otlp::AppendAttributesJson(attrs, &raw);
      internal::Key(w, "attributes");
      w->RawValue(raw.data(), raw.size(), rapidjson::kArrayType);
    }
    w->EndObject();
  }
  w->EndArray();
  internal::Key(w, "matched");
  w->Int64(t.matched);
  w->EndObject();
}

void HandleSearch(traces::TraceStore* store, const http::Request& req, http::Response* resp) {
  absl::StatusOr<traces::TimeRange> range = SecondsRange(req);
  absl::StatusOr<int64_t> limit = internal::IntParam(req, "limit", 20);
  absl::StatusOr<int64_t> spss = internal::IntParam(req, "spss", 3);
  absl::StatusOr<int64_t> min_d = internal::DurationParam(req, "minDuration");
  absl::StatusOr<int64_t> max_d = internal::DurationParam(req, "maxDuration");
  for (const absl::Status& st : {range.status(), limit.status(), spss.status(), min_d.status(), max_d.status()}) {
    if (!st.ok()) return internal::Error(400, SV(st.message()), resp);
  }
  std::string q = req.Param("q");
  if (q.empty() && !req.Param("tags").empty()) {
    absl::StatusOr<std::string> converted = TagsToTraceQL(req.Param("tags"));
    if (!converted.ok()) return internal::Error(400, SV(converted.status().message()), resp);
    q = *converted;
  }
  std::unique_ptr<TraceQLQuery> query;
  if (!q.empty()) {
    absl::StatusOr<std::unique_ptr<TraceQLQuery>> parsed = TraceQLQuery::Parse(q);
    if (!parsed.ok()) return internal::Error(400, SV(parsed.status().message()), resp);
    query = std::move(*parsed);
  }
  traces::TraceSearchRequest sreq{
      .range = *range,
      .min_trace_duration_ns = static_cast<uint64_t>(*min_d),
      .max_trace_duration_ns = static_cast<uint64_t>(*max_d),
      .filter = query != nullptr && !query->matches_all() ? query.get() : nullptr,
      .limit = static_cast<size_t>(std::max<int64_t>(*limit, 1)),
      .spans_per_spanset = static_cast<size_t>(std::max<int64_t>(*spss, 0)),
  };
  absl::StatusOr<traces::TraceSearchResponse> found = store->Search(sreq);
  if (!found.ok()) return internal::Error(500, SV(found.status().message()), resp);

  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  internal::Key(&w, "traces");
  w.StartArray();
  for (const traces::TraceSearchResult& t : found->traces) {
    w.StartObject();
    internal::Key(&w, "traceID");
    internal::String(&w, t.trace_id.Hex());
    internal::Key(&w, "rootServiceName");
    internal::String(&w, t.root_service);
    internal::Key(&w, "rootTraceName");
    internal::String(&w, t.root_name);
    internal::Key(&w, "startTimeUnixNano");
    internal::String(&w, absl::StrCat(t.start_unix_nano));
    internal::Key(&w, "durationMs");
    w.Uint64(t.duration_nanos / 1'000'000);
    internal::Key(&w, "spanSets");
    w.StartArray();
    WriteSpanSet(t, query.get(), &w);
    w.EndArray();
    internal::Key(&w, "spanSet");  // deprecated singular form, still read by older Grafana
    WriteSpanSet(t, query.get(), &w);
    internal::Key(&w, "serviceStats");
    w.StartObject();
    for (const auto& [svc, st] : t.service_stats) {
      internal::Key(&w, svc);
      w.StartObject();
      internal::Key(&w, "spanCount");
      w.Int64(st.span_count);
      internal::Key(&w, "errorCount");
      w.Int64(st.error_count);
      w.EndObject();
    }
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  internal::Key(&w, "metrics");
  w.StartObject();
  internal::Key(&w, "inspectedBytes");
  internal::String(&w, absl::StrCat(found->inspected_bytes));
  internal::Key(&w, "totalBlocks");
  w.Int64(found->partitions);
  w.EndObject();
  w.EndObject();
  internal::Json(buf, resp);
}

// Finds the trace of the path's id, answering 400/404/500 itself when there is none to encode.
std::optional<std::vector<Span>> LoadTrace(traces::TraceStore* store, const std::string& id_text,
                                           http::Response* resp) {
  absl::StatusOr<TraceId> id = internal::TraceIdFromPath(id_text);
  if (!id.ok()) {
    internal::Error(400, SV(id.status().message()), resp);
    return std::nullopt;
  }
  absl::StatusOr<std::vector<Span>> spans = store->FindTrace(*id);
  if (!spans.ok()) {
    internal::Error(absl::IsNotFound(spans.status()) ? 404 : 500, SV(spans.status().message()), resp);
    return std::nullopt;
  }
  return std::move(*spans);
}

void AppendVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void HandleTraceV2(traces::TraceStore* store, const http::Request& req, http::Response* resp) {
  std::optional<std::vector<Span>> spans = LoadTrace(store, req.path_matches[1], resp);
  if (!spans.has_value()) return;
  if (WantsProtobuf(req)) {
    // TraceByIDResponse{trace = 1}; status COMPLETE (0) is the proto3 default and so omitted.
    std::string trace = wire::otlp::EncodeTracesProto(*spans);
    resp->body.clear();
    resp->body.push_back('\x0a');
    AppendVarint(trace.size(), &resp->body);
    resp->body.append(trace);
    resp->content_type = "application/protobuf";
    return;
  }
  resp->content_type = "application/json";
  resp->body = absl::StrCat("{\"trace\":", wire::otlp::EncodeTracesJson(*spans), ",\"status\":\"COMPLETE\"}");
}

// Tempo tag names as v1 lists them (attribute names of both scopes) or v2 per scope.
void HandleTags(traces::TraceStore* store, bool v2, const http::Request& req, http::Response* resp) {
  absl::StatusOr<traces::TimeRange> range = SecondsRange(req);
  if (!range.ok()) return internal::Error(400, SV(range.status().message()), resp);
  const std::string scope = req.Param("scope");
  if (!scope.empty() && scope != "resource" && scope != "span" && scope != "intrinsic" && scope != "all") {
    if (scope != "event" && scope != "link" && scope != "instrumentation") {
      return internal::Error(400, absl::StrCat("invalid scope \"", scope, "\""), resp);
    }
  }
  absl::StatusOr<std::vector<std::string>> res = store->TagNames(AttributeScope::kResource, *range);
  absl::StatusOr<std::vector<std::string>> span = store->TagNames(AttributeScope::kSpan, *range);
  if (!res.ok()) return internal::Error(500, SV(res.status().message()), resp);
  if (!span.ok()) return internal::Error(500, SV(span.status().message()), resp);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  if (!v2) {
    std::set<std::string> all(res->begin(), res->end());
    all.insert(span->begin(), span->end());
    internal::Key(&w, "tagNames");
    w.StartArray();
    for (const std::string& t : all) internal::String(&w, t);
    w.EndArray();
  } else {
    static const std::vector<std::string> kIntrinsics = {"duration", "kind", "name", "status"};
    const std::pair<std::string_view, const std::vector<std::string>*> scopes[] = {
        {"resource", &*res}, {"span", &*span}, {"intrinsic", &kIntrinsics}};
    internal::Key(&w, "scopes");
    w.StartArray();
    for (const auto& [name, tags] : scopes) {
      if (!scope.empty() && scope != "all" && scope != name) continue;
      w.StartObject();
      internal::Key(&w, "name");
      internal::String(&w, name);
      internal::Key(&w, "tags");
      w.StartArray();
      for (const std::string& t : *tags) internal::String(&w, t);
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    internal::Key(&w, "metrics");
    w.StartObject();
    w.EndObject();
  }
  w.EndObject();
  internal::Json(buf, resp);
}

std::string_view TypeName(const AnyValue& v) {
  switch (v.type()) {
    case AnyValue::Type::kInt:
      return "int";
    case AnyValue::Type::kDouble:
      return "float";
    case AnyValue::Type::kBool:
      return "bool";
    default:
      return "string";
  }
}

void HandleTagValues(traces::TraceStore* store, bool v2, const http::Request& req, http::Response* resp) {
  std::string tag = req.path_matches[1];
  if (tag.find('%') != std::string::npos) tag = http::QueryUnescape(tag);  // Grafana encodes twice
  absl::StatusOr<traces::TimeRange> range = SecondsRange(req);
  absl::StatusOr<int64_t> limit = internal::IntParam(req, "limit", 0);
  if (!range.ok()) return internal::Error(400, SV(range.status().message()), resp);
  if (!limit.ok()) return internal::Error(400, SV(limit.status().message()), resp);
  // Values typed as Tempo types them: intrinsics' keywords are "keyword".
  std::vector<std::pair<std::string, std::string>> values;  // (type, value)
  auto add_attr = [&](AttributeScope scope, std::string_view key) -> absl::Status {
    absl::StatusOr<std::vector<AnyValue>> vs = store->TagValues(scope, key, *range, static_cast<size_t>(*limit));
    if (!vs.ok()) return vs.status();
    for (const AnyValue& v : *vs) values.emplace_back(TypeName(v), v.ToString());
    return absl::OkStatus();
  };
  absl::Status st;
  if (!v2) {
    st = add_attr(AttributeScope::kResource, tag);
    if (st.ok()) st = add_attr(AttributeScope::kSpan, tag);
  } else {
    absl::StatusOr<std::unique_ptr<TraceQLQuery>> parsed = TraceQLQuery::Parse(absl::StrCat("{ ", tag, " != nil }"));
    std::string_view t = tag;
    if (t == "name" || t == "span:name") {
      absl::StatusOr<std::vector<std::string>> names = store->SpanNames("", *range);
      if (!names.ok()) return internal::Error(500, SV(names.status().message()), resp);
      for (const std::string& n : *names) values.emplace_back("string", n);
    } else if (t == "status" || t == "span:status") {
      for (int c = 0; c <= 2; ++c) values.emplace_back("keyword", SpanStatusCodeName(static_cast<SpanStatusCode>(c)));
    } else if (t == "kind" || t == "span:kind") {
      for (int c = 0; c <= 5; ++c) values.emplace_back("keyword", SpanKindName(static_cast<SpanKind>(c)));
    } else if (parsed.ok() && (*parsed)->attribute_fields().size() == 1) {
      const TraceQLField& f = (*parsed)->attribute_fields()[0];
      if (f.any_scope || f.scope == AttributeScope::kResource) st = add_attr(AttributeScope::kResource, f.key);
      if (st.ok() && (f.any_scope || f.scope == AttributeScope::kSpan)) st = add_attr(AttributeScope::kSpan, f.key);
    } else {
      return internal::Error(
          400,
          absl::StrCat("invalid tag \"", tag, "\": want a TraceQL attribute (resource.x, span.x, .x) or intrinsic"),
          resp);
    }
  }
  if (!st.ok()) return internal::Error(500, SV(st.message()), resp);
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  if (*limit > 0 && values.size() > static_cast<size_t>(*limit)) values.resize(*limit);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  internal::Key(&w, "tagValues");
  w.StartArray();
  for (const auto& [type, value] : values) {
    if (!v2) {
      internal::String(&w, value);
      continue;
    }
    w.StartObject();
    internal::Key(&w, "type");
    internal::String(&w, type);
    internal::Key(&w, "value");
    internal::String(&w, value);
    w.EndObject();
  }
  w.EndArray();
  if (v2) {
    internal::Key(&w, "metrics");
    w.StartObject();
    w.EndObject();
  }
  w.EndObject();
  internal::Json(buf, resp);
}

}  // namespace

void RegisterTempoApi(http::Server* server, TempoApiDeps deps) {
  traces::TraceStore* store = deps.store;
  server->Get("/api/echo", [](const http::Request&, http::Response* resp) {
    resp->content_type = "text/plain; charset=utf-8";
    resp->body = "echo";
  });
  server->Get(R"(/api/v2/traces/([^/]+))",
              [store](const http::Request& req, http::Response* resp) { HandleTraceV2(store, req, resp); });
  // Tempo's v1 trace by id (protobuf) shares its path with Jaeger's; the Accept header decides.
  server->Get(R"(/api/traces/([^/]+))", [store](const http::Request& req, http::Response* resp) {
    if (!WantsProtobuf(req)) return JaegerTraceById(store, req.path_matches[1], resp);
    std::optional<std::vector<Span>> spans = LoadTrace(store, req.path_matches[1], resp);
    if (!spans.has_value()) return;
    resp->content_type = "application/protobuf";
    resp->body = wire::otlp::EncodeTracesProto(*spans);
  });
  server->Get("/api/search",
              [store](const http::Request& req, http::Response* resp) { HandleSearch(store, req, resp); });
  server->Get("/api/search/tags",
              [store](const http::Request& req, http::Response* resp) { HandleTags(store, false, req, resp); });
  server->Get("/api/v2/search/tags",
              [store](const http::Request& req, http::Response* resp) { HandleTags(store, true, req, resp); });
  server->Get(R"(/api/search/tag/(.+)/values)",
              [store](const http::Request& req, http::Response* resp) { HandleTagValues(store, false, req, resp); });
  server->Get(R"(/api/v2/search/tag/(.+)/values)",
              [store](const http::Request& req, http::Response* resp) { HandleTagValues(store, true, req, resp); });
  RegisterJaegerApi(server, store, "");
  if (!deps.jaeger_prefix.empty()) RegisterJaegerApi(server, store, deps.jaeger_prefix);
}

}  // namespace vigil::tempoapi
