// Pipeline tests on realistic lines: JSON application logs, logfmt, nginx access logs, multi-line stack traces.
#include "query/logql/pipeline.h"

#include <string>

#include "gtest/gtest.h"
#include "query/logql/parser.h"

namespace vigil::logql {
namespace {

const Labels kStream = {{"app", "api"}, {"level", "info"}, {"namespace", "prod"}};

std::unique_ptr<Pipeline> Compile(std::string_view q) {
  absl::StatusOr<std::unique_ptr<LogSelectorExpr>> s = ParseLogSelector(q);
  EXPECT_TRUE(s.ok()) << q << ": " << s.status();
  if (!s.ok()) return nullptr;
  absl::StatusOr<std::unique_ptr<Pipeline>> p = Pipeline::Compile((*s)->stages);
  EXPECT_TRUE(p.ok()) << q << ": " << p.status();
  return p.ok() ? *std::move(p) : nullptr;
}

// Runs q over one line; "" when dropped, else "<line> <labels>".
std::string RunQuery(std::string_view q, std::string_view line, const Labels& stream = kStream) {
  std::unique_ptr<Pipeline> p = Compile(q);
  if (p == nullptr) return "compile error";
  if (!p->Process(1700000000123456789, line, stream)) return "";
  return std::string(p->line()) + " " + p->labels().Build().ToString();
}

constexpr std::string_view kJsonLine =
    R"({"ts":"2024-01-01T00:00:00Z","level":"error","msg":"db timeout","status":503,"latency":"1.5s",)"
    R"("req":{"method":"GET","path":"/api/v1/users","headers":{"User-Agent":"curl/8"}},"tags":["a","b"],)"
    R"("ok":false,"user":null,"size":"12KB"})";

TEST(PipelineTest, LineFilters) {
  EXPECT_EQ(RunQuery(R"({app="api"} |= "timeout")", kJsonLine).empty(), false);
  EXPECT_EQ(RunQuery(R"({app="api"} |= "nope")", kJsonLine), "");
  EXPECT_EQ(RunQuery(R"({app="api"} != "timeout")", kJsonLine), "");
  EXPECT_NE(RunQuery(R"({app="api"} |~ "(?i)DB TIMEOUT")", kJsonLine), "");
  EXPECT_NE(RunQuery(R"({app="api"} |~ "status\":5\\d\\d")", kJsonLine), "");
  EXPECT_EQ(RunQuery(R"({app="api"} !~ "debug|error")", kJsonLine), "");
  EXPECT_NE(RunQuery(R"({app="api"} |= "nope" or "timeout")", kJsonLine), "");
  EXPECT_EQ(RunQuery(R"({app="api"} != "nope" or "timeout")", kJsonLine), "");
  EXPECT_NE(RunQuery(R"({app="api"} |> "<_>db timeout<_>")", kJsonLine), "");
  std::unique_ptr<Pipeline> p = Compile(R"({app="api"} |= "x" |~ "y.*z")");
  EXPECT_TRUE(p->OnlyLineFilters());
}

TEST(PipelineTest, JsonFlattens) {
  EXPECT_EQ(
      RunQuery(R"({app="api"} | json)", kJsonLine),
      std::string(kJsonLine) +
          R"( {app="api", latency="1.5s", level="info", level_extracted="error", msg="db timeout", namespace="prod", )"
          R"(ok="false", req_headers_User_Agent="curl/8", req_method="GET", req_path="/api/v1/users", size="12KB", )"
          R"(status="503", ts="2024-01-01T00:00:00Z"})");
}

TEST(PipelineTest, JsonLabelFiltersAndFormats) {
  const std::string_view q =
      R"({app="api"} | json | level_extracted="error" and status >= 500 | latency > 1s | size > 10KB)"
      R"( | line_format "{{.req_method}} {{.req_path}} {{.status}} {{ .msg | ToUpper }}")"
      R"( | label_format code=status, who="{{ default \"anon\" .user }}" | keep app, code, who)";
  EXPECT_EQ(RunQuery(q, kJsonLine), R"(GET /api/v1/users 503 DB TIMEOUT {app="api", code="503", who="anon"})");
  EXPECT_EQ(RunQuery(R"({app="api"} | json | status < 500)", kJsonLine), "");
  EXPECT_EQ(RunQuery(R"({app="api"} | json | nope > 1)", kJsonLine), "");  // absent label: numeric filters fail
  EXPECT_NE(RunQuery(R"({app="api"} | json | nope="")", kJsonLine), "");   // absent label matches ""
}

TEST(PipelineTest, JsonPaths) {
  EXPECT_EQ(
      RunQuery(R"({app="api"} | json ua="req.headers[\"User-Agent\"]", first="tags[0]", m="req.method", x="nope")",
               kJsonLine)
          .substr(kJsonLine.size()),
      R"( {app="api", first="a", level="info", m="GET", namespace="prod", ua="curl/8"})");
}

TEST(PipelineTest, JsonErrors) {
  EXPECT_EQ(
      RunQuery(R"({app="api"} | json)", "not json"),
      R"(not json {__error__="JSONParserErr", __error_details__="Value looks like object, but can't find closing '}' symbol", app="api", level="info", namespace="prod"})");
  EXPECT_EQ(RunQuery(R"({app="api"} | json | __error__="")", "not json"), "");
  EXPECT_EQ(RunQuery(R"({app="api"} | json | drop __error__, __error_details__)", R"({"a":"1",)"),
            R"({"a":"1", {a="1", app="api", level="info", namespace="prod"})");
}

TEST(PipelineTest, Logfmt) {
  constexpr std::string_view line =
      R"(ts=2024-01-01T00:00:00Z caller=main.go:42 level=warn msg="slow query" duration=250ms rows=17 empty=)";
  EXPECT_EQ(
      RunQuery(R"({app="api"} | logfmt | duration > 100ms | rows >= 10)", line).substr(line.size()),
      R"( {app="api", caller="main.go:42", duration="250ms", level="info", level_extracted="warn", msg="slow query", namespace="prod", rows="17", ts="2024-01-01T00:00:00Z"})");
  EXPECT_NE(RunQuery(R"({app="api"} | logfmt --keep-empty | empty="")", line), "");
  EXPECT_EQ(RunQuery(R"({app="api"} | logfmt msg, d="duration")", line).substr(line.size()),
            R"( {app="api", d="250ms", level="info", msg="slow query", namespace="prod"})");
  EXPECT_EQ(
      RunQuery(R"({app="api"} | logfmt --strict)", R"(a=1 b="unterminated)").substr(19),
      R"( {__error__="LogfmtParserErr", __error_details__="logfmt syntax error at pos 20 : unterminated quoted value", a="1", app="api", level="info", namespace="prod"})");
}

constexpr std::string_view kNginx =
    R"(192.168.1.10 - - [10/Oct/2023:13:55:36 +0000] "GET /index.html HTTP/1.1" 404 153 "-" "Mozilla/5.0")";

TEST(PipelineTest, PatternAndRegexpOnNginx) {
  EXPECT_EQ(
      RunQuery(R"({app="api"} | pattern "<ip> - - [<_>] \"<method> <path> <_>\" <status> <size> <_>" | status >= 400)",
               kNginx)
          .substr(kNginx.size()),
      R"( {app="api", ip="192.168.1.10", level="info", method="GET", namespace="prod", path="/index.html", size="153", status="404"})");
  EXPECT_EQ(
      RunQuery(
          R"q({app="api"} | regexp "^(?P<ip>\\S+) .* \"(?P<method>\\w+) (?P<path>\\S+)" | line_format "{{.method}} {{.path}}")q",
          kNginx),
      R"(GET /index.html {app="api", ip="192.168.1.10", level="info", method="GET", namespace="prod", path="/index.html"})");
}

TEST(PipelineTest, MultiLineStackTrace) {
  constexpr std::string_view trace =
      "Exception in thread \"main\" java.lang.NullPointerException\n"
      "\tat com.example.App.handle(App.java:42)\n"
      "\tat com.example.App.main(App.java:7)";
  EXPECT_NE(RunQuery(R"({app="api"} |= "NullPointerException" |~ "App\\.java:\\d+")", trace), "");
  EXPECT_EQ(RunQuery(R"({app="api"} | regexp "(?s)at (?P<frame>[\\w.]+)\\(" | line_format "{{.frame}}")", trace),
            R"(com.example.App.handle {app="api", frame="com.example.App.handle", level="info", namespace="prod"})");
}

TEST(PipelineTest, UnpackDecolorizeDrop) {
  EXPECT_EQ(RunQuery(R"({app="api"} | unpack)", R"({"_entry":"original line","pod":"p-1","n":3})"),
            R"(original line {app="api", level="info", namespace="prod", pod="p-1"})");
  EXPECT_EQ(RunQuery(R"({app="api"} | decolorize)", "\x1b[31mred\x1b[0m text"),
            R"(red text {app="api", level="info", namespace="prod"})");
  EXPECT_EQ(RunQuery(R"({app="api"} | drop level, namespace="prod")", "x"), R"(x {app="api"})");
  EXPECT_EQ(RunQuery(R"({app="api"} | drop namespace="dev")", "x"), R"(x {app="api", level="info", namespace="prod"})");
  EXPECT_EQ(RunQuery(R"({app="api"} | label_format lvl=level)", "x"), R"(x {app="api", lvl="info", namespace="prod"})");
}

TEST(PipelineTest, TemplateErrorsAndFunctions) {
  EXPECT_EQ(RunQuery(R"({app="api"} | line_format "{{ __line__ | trunc 3 }}|{{ __timestamp__ }}")", "abcdef"),
            R"(abc|2023-11-14 22:13:20.123456789 +0000 UTC {app="api", level="info", namespace="prod"})");
  EXPECT_EQ(
      RunQuery(
          R"({app="api"} | line_format "{{ if eq .level \"info\" }}I{{ else }}X{{ end }}-{{ printf \"%s=%d\" .app 7 }}")",
          "x"),
      R"(I-api=7 {app="api", level="info", namespace="prod"})");
  EXPECT_EQ(
      RunQuery(R"({app="api"} | line_format "{{ div 1 0 }}")", "x"),
      R"(x {__error__="TemplateFormatErr", __error_details__="error calling div: integer divide by zero", app="api", level="info", namespace="prod"})");
}

TEST(PipelineTest, LabelFilterConversionErrors) {
  EXPECT_EQ(
      RunQuery(R"({app="api"} | logfmt | n > 1)", "n=abc"),
      R"(n=abc {__error__="LabelFilterErr", __error_details__="strconv.ParseFloat: parsing \"abc\": invalid syntax", app="api", level="info", n="abc", namespace="prod"})");
  EXPECT_EQ(
      RunQuery(R"({app="api"} | logfmt | d > 1s)", "d=5"),
      R"(d=5 {__error__="LabelFilterErr", __error_details__="time: missing unit in duration \"5\"", app="api", d="5", level="info", namespace="prod"})");
}

TEST(PipelineTest, CompileErrors) {
  absl::StatusOr<std::unique_ptr<LogSelectorExpr>> s = ParseLogSelector(R"({a="b"} | line_format "{{ nope }}")");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(
      Pipeline::Compile((*s)->stages).status().message(),
      R"(stage '| line_format "{{ nope }}"' : invalid line template: template: line:1: function "nope" not defined)");
  s = ParseLogSelector(R"({a="b"} | label_format x=y, x="z")");
  EXPECT_EQ(Pipeline::Compile((*s)->stages).status().message(),
            R"(stage '| label_format x=y,x="z"' : multiple label name 'x' not allowed in a single format operation)");
}

double Sample(std::string_view q, std::string_view line, bool* ok, std::string* labels) {
  absl::StatusOr<ExprPtr> e = ParseExpr(q);
  EXPECT_TRUE(e.ok()) << e.status();
  absl::StatusOr<std::unique_ptr<SampleExtractor>> x = SampleExtractor::Compile(As<RangeAggregationExpr>(**e));
  EXPECT_TRUE(x.ok()) << x.status();
  double v = -1;
  *ok = (*x)->Process(0, line, kStream, &v);
  if (*ok) *labels = (*x)->labels().Build().ToString();
  return v;
}

TEST(SampleExtractorTest, UnwrapAndCounts) {
  bool ok = false;
  std::string labels;
  EXPECT_EQ(Sample(R"(count_over_time({app="api"} |= "x" [1m]))", "xyz", &ok, &labels), 1);
  EXPECT_TRUE(ok);
  EXPECT_EQ(Sample(R"(bytes_over_time({app="api"}[1m]))", "12345", &ok, &labels), 5);
  EXPECT_EQ(Sample(R"(sum_over_time({app="api"} | logfmt | unwrap latency [1m]))", "latency=0.25 x=1", &ok, &labels),
            0.25);
  EXPECT_EQ(labels, R"({app="api", level="info", namespace="prod", x="1"})");
  EXPECT_EQ(Sample(R"(avg_over_time({app="api"} | logfmt | unwrap duration(d) [1m]))", "d=1m30s", &ok, &labels), 90);
  EXPECT_EQ(Sample(R"(max_over_time({app="api"} | logfmt | unwrap bytes(s) [1m]))", "s=2KiB", &ok, &labels), 2048);
  Sample(R"(max_over_time({app="api"} | logfmt | unwrap s [1m]))", "other=1", &ok, &labels);
  EXPECT_FALSE(ok);  // no label, no sample
  EXPECT_EQ(Sample(R"(sum_over_time({app="api"} | logfmt | unwrap s [1m]))", "s=abc", &ok, &labels), 0);
  EXPECT_TRUE(ok);
  EXPECT_EQ(
      labels,
      R"({__error__="SampleExtractionErr", __error_details__="strconv.ParseFloat: parsing \"abc\": invalid syntax", app="api", level="info", namespace="prod"})");
  Sample(R"(sum_over_time({app="api"} | logfmt | unwrap s | __error__="" [1m]))", "s=abc", &ok, &labels);
  EXPECT_FALSE(ok);
  Sample(R"(avg_over_time({app="api"} | logfmt | unwrap s [1m]) by (s))", "s=3", &ok, &labels);
  EXPECT_EQ(labels, R"({app="api", level="info", namespace="prod", s="3"})");
}

}  // namespace
}  // namespace vigil::logql
