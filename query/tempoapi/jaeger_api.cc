// Jaeger's query API routes (RegisterJaegerApi, declared in tempo_api.h).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/strings/absl_view.h"
#include "query/tempoapi/api_util.h"
#include "query/tempoapi/jaeger_json.h"
#include "query/tempoapi/tempo_api.h"
#include "query/tempoapi/traceql.h"
#include "rapidjson/document.h"

namespace vigil::tempoapi {
namespace {

using internal::JsonWriter;
using internal::Key;
using internal::String;

constexpr int64_t kNanosPerMicro = 1000;

// {"data":[...strings],"total":N,"limit":0,"offset":0,"errors":null}
void StringList(const std::vector<std::string>& items, http::Response* resp) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  Key(&w, "data");
  w.StartArray();
  for (const std::string& s : items) String(&w, s);
  w.EndArray();
  Key(&w, "total");
  w.Uint64(items.size());
  Key(&w, "limit");
  w.Int(0);
  Key(&w, "offset");
  w.Int(0);
  Key(&w, "errors");
  w.Null();
  w.EndObject();
  internal::Json(buf, resp);
}

// Jaeger's error envelope.
void JaegerError(int status, std::string_view msg, http::Response* resp) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  Key(&w, "data");
  w.Null();
  Key(&w, "total");
  w.Int(0);
  Key(&w, "limit");
  w.Int(0);
  Key(&w, "offset");
  w.Int(0);
  Key(&w, "errors");
  w.StartArray();
  w.StartObject();
  Key(&w, "code");
  w.Int(status);
  Key(&w, "msg");
  String(&w, msg);
  w.EndObject();
  w.EndArray();
  w.EndObject();
  internal::Json(buf, resp);
  resp->status = status;
}

// The Jaeger search parameters as one TraceQL spanset: a span of `service` named `operation` with the tags and
// a duration within bounds, as Jaeger's span-level search means them.
absl::StatusOr<std::string> JaegerQuery(const http::Request& req) {
  std::vector<std::string> conds;
  if (const std::string s = req.Param("service"); !s.empty()) {
    conds.push_back(absl::StrCat("resource.service.name = ", TraceQLQuote(s)));
  }
  if (const std::string op = req.Param("operation"); !op.empty()) {
    conds.push_back(absl::StrCat("name = ", TraceQLQuote(op)));
  }
  for (std::string_view p : {"minDuration", "maxDuration"}) {
    absl::StatusOr<int64_t> d = internal::DurationParam(req, p);
    if (!d.ok()) return d.status();
    if (*d > 0) conds.push_back(absl::StrCat("duration ", p == "minDuration" ? ">= " : "<= ", *d, "ns"));
  }
  if (const std::string tags = req.Param("tags"); !tags.empty()) {
    rapidjson::Document doc;
    doc.Parse(tags.data(), tags.size());
    if (doc.HasParseError() || !doc.IsObject()) {
      return absl::InvalidArgumentError(absl::StrCat("invalid tags \"", tags, "\": want a JSON object {\"k\":\"v\"}"));
    }
    for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
      if (!it->value.IsString()) {
        return absl::InvalidArgumentError(
            absl::StrCat("invalid tags: the value of \"", it->name.GetString(), "\" is not a string"));
      }
      const std::string key(it->name.GetString(), it->name.GetStringLength());
      const std::string value(it->value.GetString(), it->value.GetStringLength());
      if (key == "error" && value == "true") {
        conds.push_back("(status = error || .error = \"true\")");
      } else {
        conds.push_back(absl::StrCat(".", key, " = ", TraceQLQuote(value)));
      }
    }
  }
  return absl::StrCat("{ ", absl::StrJoin(conds, " && "), " }");
}

void HandleSearch(traces::TraceStore* store, const http::Request& req, http::Response* resp) {
  absl::StatusOr<std::string> q = JaegerQuery(req);
  if (!q.ok()) return JaegerError(400, SV(q.status().message()), resp);
  absl::StatusOr<std::unique_ptr<TraceQLQuery>> query = TraceQLQuery::Parse(*q);
  if (!query.ok()) return JaegerError(400, absl::StrCat("invalid search: ", query.status().message()), resp);
  absl::StatusOr<int64_t> limit = internal::IntParam(req, "limit", 20);
  absl::StatusOr<int64_t> start = internal::IntParam(req, "start", 0);
  absl::StatusOr<int64_t> end = internal::IntParam(req, "end", 0);
  for (const absl::Status& st : {limit.status(), start.status(), end.status()}) {
    if (!st.ok()) return JaegerError(400, SV(st.message()), resp);
  }
  if (*start < 0 || *end < 0 || *start > INT64_MAX / kNanosPerMicro || *end > INT64_MAX / kNanosPerMicro) {
    return JaegerError(400, "invalid start or end: want Unix microseconds", resp);
  }
  traces::TraceSearchRequest sreq{
      .range = {.start_ns = *start * kNanosPerMicro, .end_ns = *end * kNanosPerMicro},
      .min_trace_duration_ns = 0,
      .max_trace_duration_ns = 0,
      .filter = (*query)->matches_all() ? nullptr : query->get(),
      .limit = static_cast<size_t>(std::max<int64_t>(*limit, 1)),
      .spans_per_spanset = 0,
  };
  absl::StatusOr<traces::TraceSearchResponse> found = store->Search(sreq);
  if (!found.ok()) return JaegerError(500, SV(found.status().message()), resp);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  Key(&w, "data");
  w.StartArray();
  for (const traces::TraceSearchResult& t : found->traces) {
    absl::StatusOr<std::vector<Span>> spans = store->FindTrace(t.trace_id);
    if (absl::IsNotFound(spans.status())) continue;  // dropped by retention in between
    if (!spans.ok()) return JaegerError(500, SV(spans.status().message()), resp);
    WriteJaegerTrace(*spans, &w);
  }
  w.EndArray();
  Key(&w, "total");
  w.Int(0);
  Key(&w, "limit");
  w.Int(0);
  Key(&w, "offset");
  w.Int(0);
  Key(&w, "errors");
  w.Null();
  w.EndObject();
  internal::Json(buf, resp);
}

}  // namespace

void RegisterJaegerApi(http::Server* server, traces::TraceStore* store, const std::string& prefix) {
  server->Get(prefix + "/api/services", [store](const http::Request&, http::Response* resp) {
    absl::StatusOr<std::vector<AnyValue>> values =
        store->TagValues(traces::AttributeScope::kResource, "service.name", {}, 0);
    if (!values.ok()) return JaegerError(500, SV(values.status().message()), resp);
    std::vector<std::string> names;
    for (const AnyValue& v : *values) names.push_back(v.ToString());
    StringList(names, resp);
  });
  server->Get(prefix + R"(/api/services/([^/]+)/operations)", [store](const http::Request& req, http::Response* resp) {
    absl::StatusOr<std::vector<std::string>> ops = store->SpanNames(req.path_matches[1], {});
    if (!ops.ok()) return JaegerError(500, SV(ops.status().message()), resp);
    StringList(*ops, resp);
  });
  server->Get(prefix + "/api/traces",
              [store](const http::Request& req, http::Response* resp) { HandleSearch(store, req, resp); });
  if (!prefix.empty()) {
    // At the root this path is Tempo's too, registered by RegisterTempoApi.
    server->Get(prefix + R"(/api/traces/([^/]+))", [store](const http::Request& req, http::Response* resp) {
      JaegerTraceById(store, req.path_matches[1], resp);
    });
  }
  server->Get(prefix + "/api/dependencies", [](const http::Request&, http::Response* resp) { StringList({}, resp); });
}

}  // namespace vigil::tempoapi
