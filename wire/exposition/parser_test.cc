#include "wire/exposition/parser.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wire/exposition/test_util.h"

namespace vigil::exposition {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

std::string ReadFixture() {
  std::ifstream in("wire/exposition/testdata/node_exporter_1.5.0.txt", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const RecordedSample* Find(const ParseRun& run, std::string_view series) {
  for (const RecordedSample& s : run.recorder.samples) {
    if (s.series == series) return &s;
  }
  return nullptr;
}

const RecordedMetadata* FindMetadata(const ParseRun& run, std::string_view name) {
  for (const RecordedMetadata& m : run.recorder.metadata) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

// A document using every feature of OpenMetrics the parser knows, for the split tests.
constexpr std::string_view kOpenMetricsDoc =
    "# TYPE http_requests counter\n"
    "# HELP http_requests Requests served, by \\\"code\\\".\\nSecond line \\\\ end.\n"
    "http_requests_total{code=\"200\",path=\"/a\\\\b\"} 1027 1700000000.123 # {trace_id=\"abc\"} 1 1700000000.1\n"
    "http_requests_created{code=\"200\",path=\"/a\\\\b\"} 1699999000\n"
    "# TYPE rpc_duration_seconds histogram\n"
    "# UNIT rpc_duration_seconds seconds\n"
    "rpc_duration_seconds_bucket{le=\"0.1\"} 3 1700000000.5\n"
    "rpc_duration_seconds_bucket{le=\"+Inf\"} 5 1700000000.5 # {} 7.5\n"
    "rpc_duration_seconds_sum 12.25 1700000000.5\n"
    "rpc_duration_seconds_count 5 1700000000.5\n"
    "# TYPE gc summary\n"
    "gc{quantile=\"0.5\"} NaN\n"
    "gc_sum -Inf\n"
    "gc_count +Inf\n"
    "# TYPE build info\n"
    "build_info{version=\"1.0\",note=\"multi\\nline \\\"quoted\\\"\"} 1\n"
    "# TYPE state stateset\n"
    "state{state=\"a\"} 1\n"
    "state{state=\"b\"} 0\n"
    "# TYPE queue gaugehistogram\n"
    "queue_bucket{le=\"1\"} 2\n"
    "queue_gcount 2\n"
    "queue_gsum 1.5\n"
    "# TYPE \"my.metric\" gauge\n"
    "{\"my.metric\",\"a.b\"=\"x\", c=\"\u00e9t\u00e9\"} 2.5e-3 1.7e9\n"
    "no_metadata 1\n"
    "no_metadata{x=\"1\"} 2\n"
    "other 3\n"
    "no_metadata 4\n"
    "# TYPE empty_family gauge\n"
    "# HELP empty_family Declared, never sampled.\n"
    "# EOF\n";

TEST(ParserTest, NodeExporterScrape) {
  const std::string text = ReadFixture();
  ASSERT_GT(text.size(), 10000u);
  const ParseRun run = ParseWhole(text, Format::kPrometheusText);
  ASSERT_TRUE(run.status.ok()) << run.status;
  size_t sample_lines = 0;
  size_t help_lines = 0;
  for (std::string_view rest = text; !rest.empty();) {
    const size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    if (line.starts_with("# HELP")) ++help_lines;
    if (!line.empty() && line[0] != '#') ++sample_lines;
  }
  EXPECT_EQ(run.recorder.samples.size(), sample_lines);
  EXPECT_EQ(run.recorder.metadata.size(), help_lines);  // every family has HELP and TYPE

  const RecordedSample* idle = Find(run, R"({__name__="node_cpu_seconds_total", cpu="0", mode="idle"})");
  ASSERT_NE(idle, nullptr);
  EXPECT_EQ(idle->value, 277.64);
  EXPECT_EQ(idle->family, "node_cpu_seconds_total");
  EXPECT_EQ(idle->type, MetricType::kCounter);
  EXPECT_FALSE(idle->has_timestamp);

  const RecordedSample* boot = Find(run, R"({__name__="node_boot_time_seconds"})");
  ASSERT_NE(boot, nullptr);
  EXPECT_EQ(boot->value, 1.795310887e+09);
  EXPECT_EQ(boot->type, MetricType::kGauge);

  const RecordedSample* q = Find(run, R"({__name__="go_gc_duration_seconds", quantile="0.25"})");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->family, "go_gc_duration_seconds");
  EXPECT_EQ(q->type, MetricType::kSummary);
  const RecordedSample* sum = Find(run, R"({__name__="go_gc_duration_seconds_sum"})");
  ASSERT_NE(sum, nullptr);
  EXPECT_EQ(sum->family, "go_gc_duration_seconds");

  const RecordedMetadata* pgfault = FindMetadata(run, "node_vmstat_pgfault");
  ASSERT_NE(pgfault, nullptr);
  EXPECT_TRUE(pgfault->has_type);
  EXPECT_EQ(pgfault->type, MetricType::kUnknown);  // "untyped"
  const RecordedMetadata* goroutines = FindMetadata(run, "go_goroutines");
  ASSERT_NE(goroutines, nullptr);
  EXPECT_EQ(goroutines->help, "Number of goroutines that currently exist.");
  EXPECT_EQ(goroutines->type, MetricType::kGauge);
  EXPECT_EQ(goroutines->line, 10);
}

TEST(ParserTest, NodeExporterScrapeFedInAnyChunkSize) {
  const std::string text = ReadFixture();
  const std::string want = ParseWhole(text, Format::kPrometheusText).Dump();
  for (size_t chunk : {1, 2, 3, 7, 64, 1000, 4096}) {
    EXPECT_EQ(ParseInChunks(text, Format::kPrometheusText, chunk).Dump(), want) << "chunk " << chunk;
  }
  std::mt19937 rng(42);
  for (int round = 0; round < 20; ++round) {
    std::vector<size_t> cuts;
    for (size_t pos = 0;;) {
      pos += 1 + rng() % 300;
      if (pos >= text.size()) break;
      cuts.push_back(pos);
    }
    EXPECT_EQ(ParseInPieces(text, Format::kPrometheusText, cuts).Dump(), want) << "round " << round;
  }
}

TEST(ParserTest, SplitAtEveryByteGivesTheSameResult) {
  const ParseRun whole = ParseWhole(kOpenMetricsDoc, Format::kOpenMetrics);
  ASSERT_TRUE(whole.status.ok()) << whole.status;
  const std::string want = whole.Dump();
  for (size_t cut = 0; cut <= kOpenMetricsDoc.size(); ++cut) {
    ASSERT_EQ(ParseInPieces(kOpenMetricsDoc, Format::kOpenMetrics, {cut}).Dump(), want) << "cut at " << cut;
  }
  // Errors too: the same line, column and reason wherever the input is cut.
  const std::string bad = std::string(kOpenMetricsDoc.substr(0, 200)) + "broken{a=\"1\"x} 1\n# EOF\n";
  const std::string bad_want = ParseWhole(bad, Format::kOpenMetrics).Dump();
  EXPECT_THAT(bad_want, HasSubstr("after label value"));
  for (size_t cut = 0; cut <= bad.size(); ++cut) {
    ASSERT_EQ(ParseInPieces(bad, Format::kOpenMetrics, {cut}).Dump(), bad_want) << "cut at " << cut;
  }
}

TEST(ParserTest, OpenMetricsFeatures) {
  const ParseRun run = ParseWhole(kOpenMetricsDoc, Format::kOpenMetrics);
  ASSERT_TRUE(run.status.ok()) << run.status;
  const auto& s = run.recorder.samples;
  ASSERT_EQ(s.size(), 20u);

  EXPECT_EQ(s[0].name, "http_requests_total");
  EXPECT_EQ(s[0].family, "http_requests");
  EXPECT_EQ(s[0].type, MetricType::kCounter);
  EXPECT_THAT(s[0].labels, ElementsAre(Pair("code", "200"), Pair("path", "/a\\b")));
  EXPECT_EQ(s[0].value, 1027);
  EXPECT_TRUE(s[0].has_timestamp);
  EXPECT_EQ(s[0].timestamp_ms, 1700000000123);
  ASSERT_TRUE(s[0].has_exemplar);
  EXPECT_THAT(s[0].exemplar_labels, ElementsAre(Pair("trace_id", "abc")));
  EXPECT_EQ(s[0].exemplar_value, 1);
  EXPECT_EQ(s[0].exemplar_timestamp_ms, 1700000000100);
  EXPECT_EQ(s[0].line, 3);
  EXPECT_EQ(s[1].name, "http_requests_created");
  EXPECT_EQ(s[1].family, "http_requests");

  EXPECT_EQ(s[3].family, "rpc_duration_seconds");
  EXPECT_TRUE(s[3].has_exemplar);
  EXPECT_TRUE(s[3].exemplar_labels.empty());
  EXPECT_FALSE(s[3].exemplar_has_timestamp);
  EXPECT_EQ(s[5].name, "rpc_duration_seconds_count");

  EXPECT_TRUE(std::isnan(s[6].value));
  EXPECT_EQ(s[6].family, "gc");
  EXPECT_EQ(s[7].value, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(s[8].value, std::numeric_limits<double>::infinity());

  EXPECT_EQ(s[9].family, "build");
  EXPECT_EQ(s[9].type, MetricType::kInfo);
  EXPECT_THAT(s[9].labels, ElementsAre(Pair("version", "1.0"), Pair("note", "multi\nline \"quoted\"")));
  EXPECT_EQ(s[10].type, MetricType::kStateSet);
  EXPECT_EQ(s[12].family, "queue");
  EXPECT_EQ(s[14].name, "queue_gsum");

  EXPECT_EQ(s[15].name, "my.metric");
  EXPECT_EQ(s[15].family, "my.metric");
  EXPECT_EQ(s[15].type, MetricType::kGauge);
  EXPECT_THAT(s[15].labels, ElementsAre(Pair("a.b", "x"), Pair("c", "\u00e9t\u00e9")));
  EXPECT_EQ(s[15].timestamp_ms, 1700000000000);
  EXPECT_EQ(s[15].value, 2.5e-3);

  // Families without metadata may come back (as in concatenated scrapes).
  EXPECT_EQ(s[16].family, "no_metadata");
  EXPECT_EQ(s[16].type, MetricType::kUnknown);
  EXPECT_EQ(s[19].name, "no_metadata");

  const auto& m = run.recorder.metadata;
  ASSERT_EQ(m.size(), 8u);
  EXPECT_EQ(m[0].name, "http_requests");
  EXPECT_EQ(m[0].help, "Requests served, by \"code\".\nSecond line \\ end.");
  EXPECT_EQ(m[0].line, 1);
  EXPECT_EQ(m[1].name, "rpc_duration_seconds");
  EXPECT_EQ(m[1].unit, "seconds");
  EXPECT_TRUE(m[1].has_unit);
  EXPECT_FALSE(m[1].has_help);
  EXPECT_EQ(m[6].name, "my.metric");
  EXPECT_EQ(m[7].name, "empty_family");
  EXPECT_EQ(m[7].help, "Declared, never sampled.");

  // Metadata is delivered when its family ends: before the first sample of the next family.
  const auto& e = run.recorder.events;
  ASSERT_GE(e.size(), 4u);
  EXPECT_THAT(e[2], HasSubstr("M line=1 http_requests"));
  EXPECT_THAT(e[3], HasSubstr("rpc_duration_seconds_bucket"));
}

TEST(ParserTest, TimestampsTextVersusOpenMetrics) {
  const ParseRun text = ParseWhole("a 1 1700000000123\nb 2 -5\nc 3\n", Format::kPrometheusText);
  ASSERT_TRUE(text.status.ok()) << text.status;
  EXPECT_EQ(text.recorder.samples[0].timestamp_ms, 1700000000123);
  EXPECT_EQ(text.recorder.samples[1].timestamp_ms, -5);
  EXPECT_FALSE(text.recorder.samples[2].has_timestamp);

  const ParseRun om =
      ParseWhole("a 1 1700000000.123\nb 2 1700000000.123999\nc 3 1.7e9\nd 4 -0.005\ne 5 1700000000\nf 6 .5\n# EOF\n",
                 Format::kOpenMetrics);
  ASSERT_TRUE(om.status.ok()) << om.status;
  EXPECT_EQ(om.recorder.samples[0].timestamp_ms, 1700000000123);
  EXPECT_EQ(om.recorder.samples[1].timestamp_ms, 1700000000123);  // sub-millisecond digits are dropped
  EXPECT_EQ(om.recorder.samples[2].timestamp_ms, 1700000000000);
  EXPECT_EQ(om.recorder.samples[3].timestamp_ms, -5);
  EXPECT_EQ(om.recorder.samples[4].timestamp_ms, 1700000000000);
  EXPECT_EQ(om.recorder.samples[5].timestamp_ms, 500);

  // "# EOF" without a final newline is the end too.
  EXPECT_TRUE(ParseWhole("a 1\n# EOF", Format::kOpenMetrics).status.ok());
  EXPECT_FALSE(ParseWhole("a 1\n# EO", Format::kOpenMetrics).status.ok());

  // An integer timestamp means milliseconds in one format and seconds in the other.
  EXPECT_FALSE(ParseWhole("a 1 1.5\n", Format::kPrometheusText).status.ok());
  const ParseRun om_int = ParseWhole("a 1 1700000000123\n# EOF\n", Format::kOpenMetrics);
  ASSERT_TRUE(om_int.status.ok()) << om_int.status;
  EXPECT_EQ(om_int.recorder.samples[0].timestamp_ms, 1700000000123000);
}

TEST(ParserTest, TextFormatLeniency) {
  const ParseRun run = ParseWhole(
      "# A comment\n"
      "#\n"
      "\n"
      "  # TYPE   spaced\tcounter  \n"
      "spaced{ a = \"1\" , b=\"2\", } \t 7   \n"
      "trailing_comma{a=\"1\",} 1\n"
      "empty_braces{} 2\n"
      "# EOF is just a comment here\n"
      "last 3",  // no final newline
      Format::kPrometheusText);
  ASSERT_TRUE(run.status.ok()) << run.status;
  ASSERT_EQ(run.recorder.samples.size(), 4u);
  EXPECT_THAT(run.recorder.samples[0].labels, ElementsAre(Pair("a", "1"), Pair("b", "2")));
  EXPECT_EQ(run.recorder.samples[0].type, MetricType::kCounter);
  EXPECT_EQ(run.recorder.samples[3].name, "last");
  EXPECT_EQ(run.recorder.samples[3].line, 9);
}

TEST(ParserTest, LabelsAndSortedLabels) {
  struct Capture {
    std::vector<Label> sorted;
    std::string labels;
    void OnSample(const ParsedSample& s) {
      std::vector<Label> tmp;
      s.SortedLabels(&tmp);
      for (const Label& l : tmp) labels += std::string(l.name) + "=" + std::string(l.value) + ";";
      EXPECT_EQ(s.ToLabels().ToString(), R"({__name__="m", a="1", z="2"})");
    }
    void OnMetadata(const FamilyMetadata&) {}
  } capture;
  ASSERT_TRUE(ParseText("m{z=\"2\",empty=\"\",a=\"1\"} 1\n", Format::kPrometheusText, capture).ok());
  EXPECT_EQ(capture.labels, "__name__=m;a=1;z=2;");
}

TEST(ParserTest, FamilyNameDeclaredTwiceAsGoProgramsDo) {
  const ParseRun run = ParseWhole(
      "# HELP go_memstats_alloc_bytes Bytes in use.\n"
      "# TYPE go_memstats_alloc_bytes gauge\n"
      "go_memstats_alloc_bytes 830896\n"
      "# HELP go_memstats_alloc_bytes Bytes allocated.\n"
      "# TYPE go_memstats_alloc_bytes counter\n"
      "go_memstats_alloc_bytes_total 830896\n"
      "# EOF\n",
      Format::kOpenMetrics);
  ASSERT_TRUE(run.status.ok()) << run.status;
  ASSERT_EQ(run.recorder.metadata.size(), 2u);
  EXPECT_EQ(run.recorder.metadata[0].type, MetricType::kGauge);
  EXPECT_EQ(run.recorder.metadata[1].type, MetricType::kCounter);
  EXPECT_EQ(run.recorder.samples[1].type, MetricType::kCounter);
  EXPECT_EQ(run.recorder.samples[1].family, "go_memstats_alloc_bytes");
}

TEST(ParserTest, ManyLabels) {
  std::string line = "m{";
  for (int i = 0; i < 40; ++i) line += "l" + std::to_string(i) + "=\"v\",";
  line += "} 1\n";
  const ParseRun run = ParseWhole(line, Format::kPrometheusText);
  ASSERT_TRUE(run.status.ok()) << run.status;
  EXPECT_EQ(run.recorder.samples[0].labels.size(), 40u);
}

TEST(ParserTest, SkipBadLines) {
  ParserOptions options;
  options.skip_bad_lines = true;
  options.max_kept_errors = 2;
  const ParseRun run =
      ParseWhole("good 1\nbad{ 1\ngood 2\nbad 1 2 3\n# TYPE x nope\ngood 3\n", Format::kPrometheusText, options);
  ASSERT_TRUE(run.status.ok()) << run.status;
  EXPECT_EQ(run.recorder.samples.size(), 3u);
  EXPECT_EQ(run.skipped_lines, 3u);
  ASSERT_EQ(run.skipped_errors.size(), 2u);
  EXPECT_EQ(run.skipped_errors[0].line, 2);
  EXPECT_FALSE(run.skipped_errors[0].fatal);
  EXPECT_EQ(run.skipped_errors[1].line, 4);

  // Fatal errors stop even when skipping.
  const ParseRun eof = ParseWhole("a 1\n# EOF\nb 2\n", Format::kOpenMetrics, options);
  EXPECT_FALSE(eof.status.ok());
  EXPECT_TRUE(eof.error.fatal);
}

TEST(ParserTest, HandlerErrorStopsTheParse) {
  struct Failing {
    int seen = 0;
    absl::Status OnSample(const ParsedSample&) {
      return ++seen == 2 ? absl::ResourceExhaustedError("storage full") : absl::OkStatus();
    }
    absl::Status OnMetadata(const FamilyMetadata&) { return absl::OkStatus(); }
  } failing;
  Parser parser(Format::kPrometheusText);
  const absl::Status s = parser.Feed("a 1\nb 2\nc 3\n", failing);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(failing.seen, 2);
  // The parse stays stopped.
  EXPECT_EQ(parser.Feed("d 4\n", failing).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(parser.Finish(failing).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(failing.seen, 2);
}

TEST(ParserTest, FeedAfterFinishIsAnError) {
  Recorder r;
  Parser parser(Format::kPrometheusText);
  ASSERT_TRUE(parser.Finish(r).ok());
  EXPECT_EQ(parser.Feed("a 1\n", r).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(ParserTest, RandomGarbageNeverCrashes) {
  const std::string base = std::string(kOpenMetricsDoc) + ReadFixture().substr(0, 3000);
  std::mt19937 rng(7);
  const std::string alphabet = "{}\",=\\# \n\t.+-eE0123456789abcxyz_:\xc3\xa9\xff\r";
  for (int round = 0; round < 3000; ++round) {
    std::string text = base;
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < edits; ++k) {
      const size_t pos = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text[pos] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          text.erase(pos, 1 + rng() % 5);
          break;
        default:
          text.insert(pos, 1, alphabet[rng() % alphabet.size()]);
      }
      if (text.empty()) text = "x";
    }
    ParserOptions options;
    options.skip_bad_lines = (round % 2) == 0;
    for (Format f : {Format::kOpenMetrics, Format::kPrometheusText}) {
      const ParseRun run = ParseInChunks(text, f, 1 + rng() % 200, options);
      if (!run.status.ok()) {
        EXPECT_THAT(run.status.message(), HasSubstr("line ")) << run.status;
      }
    }
  }
}

}  // namespace
}  // namespace vigil::exposition
