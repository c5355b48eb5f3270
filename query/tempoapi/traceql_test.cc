#include "query/tempoapi/traceql.h"

#include "gtest/gtest.h"

namespace vigil::tempoapi {
namespace {

using traces::AttributeScope;
using traces::SpanSummary;

SpanSummary Sample() {
  SpanSummary s;
  s.service = "checkout";
  s.name = "GET /api/cart";
  s.kind = SpanKind::kServer;
  s.status = SpanStatusCode::kError;
  s.duration_nanos = 250'000'000;
  s.attributes.push_back({AttributeScope::kSpan, "http.status_code", AnyValue::Int(503)});
  s.attributes.push_back({AttributeScope::kSpan, "ratio", AnyValue::Double(0.25)});
  s.attributes.push_back({AttributeScope::kSpan, "retry", AnyValue::Bool(true)});
  s.attributes.push_back({AttributeScope::kResource, "k8s.namespace.name", AnyValue::String("shop")});
  return s;
}

bool Match(std::string_view q) {
  absl::StatusOr<std::unique_ptr<TraceQLQuery>> parsed = TraceQLQuery::Parse(q);
  EXPECT_TRUE(parsed.ok()) << q << ": " << parsed.status();
  return parsed.ok() && (*parsed)->Matches(Sample());
}

TEST(TraceQLTest, MatchesWhatGrafanaEmits) {
  EXPECT_TRUE(Match("{}"));
  EXPECT_TRUE(Match("{ }"));
  EXPECT_TRUE(Match(R"({ resource.service.name = "checkout" })"));
  EXPECT_FALSE(Match(R"({ resource.service.name = "cart" })"));
  EXPECT_TRUE(Match(R"({ .service.name = "checkout" })"));
  EXPECT_FALSE(Match(R"({ span.service.name = "checkout" })"));
  EXPECT_TRUE(Match("{ span.http.status_code >= 500 }"));
  EXPECT_FALSE(Match("{ span.http.status_code < 500 }"));
  EXPECT_TRUE(Match("{ status = error }"));
  EXPECT_FALSE(Match("{ status != error }"));
  EXPECT_TRUE(Match(R"({ name = "GET /api/cart" })"));
  EXPECT_TRUE(Match("{ duration > 100ms }"));
  EXPECT_FALSE(Match("{ duration > 1s }"));
  EXPECT_TRUE(Match("{ duration <= 0.25s }"));
  EXPECT_TRUE(Match("{ kind = server }"));
  EXPECT_TRUE(Match(R"({ resource.service.name = "checkout" && duration > 100ms && status = error })"));
  EXPECT_TRUE(Match(R"({ name = "nope" || status = error })"));
  EXPECT_FALSE(Match(R"({ name = "nope" || (status = error && duration > 1h) })"));
  EXPECT_TRUE(Match(R"({ name =~ "GET /api/.*" })"));
  EXPECT_FALSE(Match(R"({ name =~ "/api" })"));  // anchored
  EXPECT_TRUE(Match(R"({ name !~ "POST.*" })"));
  EXPECT_TRUE(Match(R"({ resource.k8s.namespace.name =~ "sh.p" })"));
  EXPECT_TRUE(Match("{ .ratio > 0.2 && .ratio < 1 }"));
  EXPECT_TRUE(Match("{ span.retry = true }"));
  EXPECT_FALSE(Match("{ span.retry = false }"));
  EXPECT_TRUE(Match("{ span.user != nil && span.missing = nil } ") == false);
  EXPECT_TRUE(Match("{ span.retry != nil && span.missing = nil }"));
  EXPECT_FALSE(Match(R"({ span.missing != "x" })"));       // a missing attribute matches nothing
  EXPECT_TRUE(Match(R"({ .http.status_code = "503" })"));  // string compares the text
}

TEST(TraceQLTest, CollectsAttributeFields) {
  auto q = *TraceQLQuery::Parse(R"({ resource.a = "x" || span.b > 1 && name = "n" })");
  ASSERT_EQ(q->attribute_fields().size(), 2u);
  EXPECT_EQ(q->attribute_fields()[0].key, "a");
  EXPECT_EQ(q->attribute_fields()[0].scope, AttributeScope::kResource);
  EXPECT_FALSE(q->attribute_fields()[1].any_scope);
  EXPECT_TRUE((*TraceQLQuery::Parse("{}"))->matches_all());
}

std::string ErrorOf(std::string_view q) {
  absl::StatusOr<std::unique_ptr<TraceQLQuery>> parsed = TraceQLQuery::Parse(q);
  EXPECT_FALSE(parsed.ok()) << q;
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(parsed.status().message());
}

TEST(TraceQLTest, ErrorsSayWhere) {
  EXPECT_EQ(ErrorOf(""), "parse error at line 1, col 1: a query starts with '{'");
  EXPECT_EQ(ErrorOf("{ status = error"), "parse error at line 1, col 17: expected '}', '&&' or '||'");
  EXPECT_EQ(ErrorOf("{ duration > \"x\" }"),
            "parse error at line 1, col 14: duration is compared with a duration (100ms)");
  EXPECT_EQ(ErrorOf("{ status = broken }"), "parse error at line 1, col 12: unknown status \"broken\"");
  EXPECT_EQ(ErrorOf("{ foo = 1 }").substr(0, 42), "parse error at line 1, col 3: unknown fiel");
  EXPECT_EQ(ErrorOf("{ .a = x }"), "parse error at line 1, col 8: unexpected identifier \"x\"; quote strings");
  EXPECT_EQ(ErrorOf("{ name =~ \"(\" }").substr(0, 46), "parse error at line 1, col 11: bad regex: miss");
  EXPECT_EQ(ErrorOf("{}\n| count() > 1"), "parse error at line 2, col 1: pipelines ('|') are not supported");
  EXPECT_EQ(ErrorOf("{ .a = 1 } && { .b = 2 }"),
            "parse error at line 1, col 12: only one spanset { ... } is supported");
  EXPECT_EQ(ErrorOf("{ .a = \"x }"), "parse error at line 1, col 8: unterminated string");
  EXPECT_EQ(ErrorOf("{ .a = 1 && }"),
            "parse error at line 1, col 13: expected a field (name, status, duration, .attribute, ...)");
  EXPECT_EQ(ErrorOf("{ .a # 1 }"), "parse error at line 1, col 6: unexpected character '#'");
  EXPECT_EQ(ErrorOf("{ (.a = 1 }"), "parse error at line 1, col 11: expected ')'");
  EXPECT_EQ(ErrorOf("{ duration > 5parsecs }"),
            "parse error at line 1, col 14: bad duration \"5parsecs\" (want e.g. 100ms, 1.5s, 1h30m)");
  EXPECT_EQ(ErrorOf("{ kind < server }"), "parse error at line 1, col 10: kind takes only = and !=");
}

TEST(TraceQLTest, QuoteRoundTrips) {
  const std::string tricky = "a \"b\" \\ c\nd";
  auto q = *TraceQLQuery::Parse(absl::StrCat("{ name = ", TraceQLQuote(tricky), " }"));
  SpanSummary s;
  s.name = tricky;
  EXPECT_TRUE(q->Matches(s));
}

}  // namespace
}  // namespace vigil::tempoapi
