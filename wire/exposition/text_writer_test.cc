#include "wire/exposition/text_writer.h"

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wire/exposition/parser.h"
#include "wire/exposition/test_util.h"

namespace vigil::exposition {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(TextWriterTest, OpenMetrics) {
  std::string out;
  TextWriter w(Format::kOpenMetrics, &out);
  w.Type("node_cpu_seconds", MetricType::kCounter);
  w.Help("node_cpu_seconds", "Seconds the \"CPUs\" spent\nin each mode \\.");
  w.Unit("node_cpu_seconds", "seconds");
  const Label labels[] = {{"cpu", "0"}, {"mode", "idle"}, {"empty", ""}};
  w.Sample("node_cpu_seconds_total", labels, 1234.56, 1700000000120);
  w.Sample(Labels{{"__name__", "up"}, {"job", "node"}}, 1);
  w.Sample("no_labels", {}, std::numeric_limits<double>::quiet_NaN(), -1);
  w.Eof();
  EXPECT_EQ(out,
            "# TYPE node_cpu_seconds counter\n"
            "# HELP node_cpu_seconds Seconds the \\\"CPUs\\\" spent\\nin each mode \\\\.\n"
            "# UNIT node_cpu_seconds seconds\n"
            "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 1234.56 1700000000.12\n"
            "up{job=\"node\"} 1\n"
            "no_labels NaN -0.001\n"
            "# EOF\n");
}

TEST(TextWriterTest, PrometheusText) {
  std::string out;
  TextWriter w(Format::kPrometheusText, &out);
  w.Type("x_total", MetricType::kCounter);
  w.Type("i", MetricType::kInfo);
  w.Type("u", MetricType::kUnknown);
  w.Help("x_total", "a \"b\"\nc \\");
  w.Unit("x_total", "seconds");
  const Label labels[] = {{"path", "C:\\dir\n\"q\""}};
  w.Sample("x_total", labels, -std::numeric_limits<double>::infinity(), 1700000000123);
  w.Sample("y", {}, 1e-9);
  w.Eof();
  EXPECT_EQ(out,
            "# TYPE x_total counter\n"
            "# TYPE i untyped\n"
            "# TYPE u untyped\n"
            "# HELP x_total a \"b\"\\nc \\\\\n"
            "x_total{path=\"C:\\\\dir\\n\\\"q\\\"\"} -Inf 1700000000123\n"
            "y 1e-09\n");
}

TEST(TextWriterTest, QuotesNamesOutsideTheLegacyCharset) {
  std::string out;
  TextWriter w(Format::kOpenMetrics, &out);
  w.Type("my.metric", MetricType::kGauge);
  const Label labels[] = {{"a.b", "x"}, {"ok", "y"}};
  w.Sample("my.metric", labels, 2);
  w.Sample("plain", labels, 3);
  w.Sample("only.name", {}, 4);
  EXPECT_EQ(out,
            "# TYPE \"my.metric\" gauge\n"
            "{\"my.metric\",\"a.b\"=\"x\",ok=\"y\"} 2\n"
            "plain{\"a.b\"=\"x\",ok=\"y\"} 3\n"
            "{\"only.name\"} 4\n");
}

TEST(TextWriterTest, PrerenderedSeries) {
  const std::string series = TextWriter::RenderSeries(Labels{{"__name__", "m"}, {"b", "2"}, {"a", "1"}});
  EXPECT_EQ(series, "m{a=\"1\",b=\"2\"}");
  std::string out;
  TextWriter w(Format::kOpenMetrics, &out);
  w.SampleForSeries(series, 5, 1000);
  EXPECT_EQ(out, "m{a=\"1\",b=\"2\"} 5 1\n");
}

// Writes random series in both formats and parses them back: names, labels, value bits and timestamps survive.
TEST(TextWriterTest, RoundTripsThroughTheParser) {
  std::mt19937_64 rng(11);
  const std::vector<std::string> names = {"a", "node_cpu_seconds_total", "my.metric", "über", "x:y", "a\"b\\c"};
  const std::vector<std::string> label_names = {"job", "instance", "a.b", "le_x", "ünï", "sp ace"};
  const std::vector<std::string> label_values = {"v", "with \"quotes\"", "back\\slash", "new\nline", "été", "#{}"};
  for (Format format : {Format::kOpenMetrics, Format::kPrometheusText}) {
    std::string out;
    TextWriter w(format, &out);
    struct Want {
      std::string name;
      std::vector<std::pair<std::string, std::string>> labels;
      double value;
      int64_t ts;
    };
    std::vector<Want> want;
    for (int i = 0; i < 2000; ++i) {
      Want x;
      x.name = names[rng() % names.size()] + (i % 2 ? "" : std::to_string(i));
      std::vector<std::string> used = label_names;
      std::shuffle(used.begin(), used.end(), rng);
      used.resize(rng() % used.size());
      std::vector<Label> labels;
      for (const std::string& n : used) x.labels.emplace_back(n, label_values[rng() % label_values.size()]);
      for (const auto& [n, v] : x.labels) labels.push_back(Label{n, v});
      do {
        x.value = std::bit_cast<double>(rng());
      } while (std::isnan(x.value));
      if (i % 3 == 0) x.value = static_cast<double>(rng() % 100000) / 100;
      x.ts = static_cast<int64_t>(rng() % 4000000000000) - 1000000000000;
      w.Sample(x.name, labels, x.value, x.ts);
      want.push_back(std::move(x));
    }
    w.Eof();
    const ParseRun run = ParseInChunks(out, format, 4096);
    ASSERT_TRUE(run.status.ok()) << run.status;
    ASSERT_EQ(run.recorder.samples.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      const RecordedSample& got = run.recorder.samples[i];
      ASSERT_EQ(got.name, want[i].name);
      ASSERT_EQ(got.labels, want[i].labels);
      ASSERT_EQ(std::bit_cast<uint64_t>(got.value), std::bit_cast<uint64_t>(want[i].value));
      ASSERT_EQ(got.timestamp_ms, want[i].ts);
    }
  }
}

TEST(TextWriterTest, MetadataRoundTrips) {
  for (Format format : {Format::kOpenMetrics, Format::kPrometheusText}) {
    std::string out;
    TextWriter w(format, &out);
    w.Type("h_seconds", MetricType::kHistogram);
    w.Help("h_seconds", "Line one\nline \"two\" \\ end");
    w.Unit("h_seconds", "seconds");
    const Label le[] = {{"le", "+Inf"}};
    w.Sample("h_seconds_bucket", le, 3);
    w.Eof();
    const ParseRun run = ParseWhole(out, format);
    ASSERT_TRUE(run.status.ok()) << run.status << "\n" << out;
    ASSERT_EQ(run.recorder.metadata.size(), 1u);
    EXPECT_EQ(run.recorder.metadata[0].help, "Line one\nline \"two\" \\ end");
    EXPECT_EQ(run.recorder.metadata[0].type, MetricType::kHistogram);
    EXPECT_EQ(run.recorder.metadata[0].has_unit, format == Format::kOpenMetrics);
    EXPECT_EQ(run.recorder.samples[0].family, "h_seconds");
    EXPECT_THAT(run.recorder.samples[0].labels, ElementsAre(Pair("le", "+Inf")));
  }
}

}  // namespace
}  // namespace vigil::exposition
