#include "agent/snapshot/snapshot.h"

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "agent/snapshot/snapshot_exchange.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wire/exposition/parser.h"

namespace vigil::agent {
namespace {

using exposition::Format;
using exposition::MetricType;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// What a parse of a rendered snapshot gives back: series (Labels::ToString) -> value, and family metadata.
struct Parsed {
  std::map<std::string, double> samples;
  std::map<std::string, std::string> types;  // family name -> "type|help|unit"
  absl::Status status;

  void OnSample(const exposition::ParsedSample& s) {
    auto [it, inserted] = samples.emplace(s.ToLabels().ToString(), s.value);
    if (!inserted) status = absl::InternalError("series twice: " + it->first);
  }
  void OnMetadata(const exposition::FamilyMetadata& m) {
    types[std::string(m.name)] = std::string(exposition::MetricTypeName(m.type, Format::kOpenMetrics)) + "|" +
                                 std::string(m.help) + "|" + std::string(m.unit);
  }
};

Parsed ParseBack(std::string_view text, Format format) {
  Parsed p;
  exposition::Parser parser(format);
  absl::Status s = parser.Feed(text, p);
  if (s.ok()) s = parser.Finish(p);
  if (!s.ok()) p.status = s;
  return p;
}

void WriteExample(Snapshot* s) {
  s->Family("node_cpu_seconds_total", MetricType::kCounter, "Seconds the CPUs spent in each mode.", "seconds");
  Label l1[] = {{"mode", "idle"}, {"cpu", "0"}};
  s->Sample(l1, 1234.5);
  Label l2[] = {{"cpu", "1"}, {"mode", "idle"}};
  s->Sample(l2, 99);
  s->Family("node_load1", MetricType::kGauge, "1m load average.");
  s->Sample({}, 0.25);
  // The same family again (a second collector): merged.
  s->Family("node_cpu_seconds_total", MetricType::kCounter, "Seconds the CPUs spent in each mode.", "seconds");
  Label l3[] = {{"cpu", "2"}, {"mode", "user"}, {"empty", ""}};
  s->Sample(l3, 7);
  s->Family("container_memory_failcnt", MetricType::kCounter, "Memory limit hits.");
  Label l4[] = {{"id", "/kube\"pods\\x\n"}, {"pod", "p"}};
  s->Sample(l4, 3);
  s->Family("node_uname_info", MetricType::kInfo, "uname.");
  Label l5[] = {{"sysname", "Linux"}};
  s->Sample(l5, 1);
  s->Seal();
}

TEST(SnapshotTest, RendersTextFormatWithFamiliesMergedAndSorted) {
  Snapshot s;
  s.Reset(1000);
  WriteExample(&s);
  std::string out;
  s.Render(Format::kPrometheusText, &out);
  EXPECT_EQ(out,
            "# TYPE container_memory_failcnt counter\n"
            "# HELP container_memory_failcnt Memory limit hits.\n"
            "container_memory_failcnt{id=\"/kube\\\"pods\\\\x\\n\",pod=\"p\"} 3\n"
            "# TYPE node_cpu_seconds_total counter\n"
            "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n"
            "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 1234.5\n"
            "node_cpu_seconds_total{cpu=\"1\",mode=\"idle\"} 99\n"
            "node_cpu_seconds_total{cpu=\"2\",mode=\"user\"} 7\n"
            "# TYPE node_load1 gauge\n"
            "# HELP node_load1 1m load average.\n"
            "node_load1 0.25\n"
            "# TYPE node_uname_info untyped\n"
            "# HELP node_uname_info uname.\n"
            "node_uname_info{sysname=\"Linux\"} 1\n");
  EXPECT_EQ(s.num_samples(), 6u);
  EXPECT_EQ(s.num_families(), 4u);
}

TEST(SnapshotTest, RendersOpenMetricsWithFamilyNamesUnitsAndEof) {
  Snapshot s;
  s.Reset(1000);
  WriteExample(&s);
  std::string out;
  s.Render(Format::kOpenMetrics, &out);
  EXPECT_THAT(out, HasSubstr("# TYPE node_cpu_seconds counter\n# UNIT node_cpu_seconds seconds\n"
                             "# HELP node_cpu_seconds Seconds the CPUs spent in each mode.\n"
                             "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 1234.5\n"));
  // A counter without _total keeps its name as an unknown-typed family.
  EXPECT_THAT(out, HasSubstr("# TYPE container_memory_failcnt unknown\n"));
  EXPECT_THAT(out, HasSubstr("# TYPE node_uname info\n"));
  EXPECT_THAT(out, HasSubstr("node_uname_info{sysname=\"Linux\"} 1\n"));
  EXPECT_TRUE(out.ends_with("# EOF\n"));
}

TEST(SnapshotTest, BothFormatsParseBackToTheSameSeries) {
  Snapshot s;
  s.Reset(1000);
  WriteExample(&s);
  std::string text, om;
  s.Render(Format::kPrometheusText, &text);
  s.Render(Format::kOpenMetrics, &om);
  Parsed a = ParseBack(text, Format::kPrometheusText);
  Parsed b = ParseBack(om, Format::kOpenMetrics);
  ASSERT_TRUE(a.status.ok()) << a.status << "\n" << text;
  ASSERT_TRUE(b.status.ok()) << b.status << "\n" << om;
  EXPECT_EQ(a.samples, b.samples);
  EXPECT_EQ(a.samples.size(), 6u);
  EXPECT_EQ(a.samples.at("{__name__=\"node_cpu_seconds_total\", cpu=\"2\", mode=\"user\"}"), 7);
  EXPECT_EQ(a.samples.at("{__name__=\"container_memory_failcnt\", id=\"/kube\\\"pods\\\\x\\n\", pod=\"p\"}"), 3);
  EXPECT_EQ(b.types.at("node_cpu_seconds"), "counter|Seconds the CPUs spent in each mode.|seconds");
  EXPECT_EQ(a.types.at("node_cpu_seconds_total"), "counter|Seconds the CPUs spent in each mode.|");
}

TEST(SnapshotTest, SpecialValuesAndUtf8NamesRoundTrip) {
  Snapshot s;
  s.Reset(0);
  s.Family("my.metric", MetricType::kGauge, "dotted");
  Label l[] = {{"a.b", "x"}, {"c", "ü"}};
  s.Sample(l, std::nan(""));
  s.Family("inf", MetricType::kGauge, "");
  s.Sample({}, -INFINITY);
  s.Seal();
  for (Format f : {Format::kPrometheusText, Format::kOpenMetrics}) {
    std::string out;
    s.Render(f, &out);
    Parsed p = ParseBack(out, f);
    ASSERT_TRUE(p.status.ok()) << p.status << "\n" << out;
    ASSERT_EQ(p.samples.size(), 2u) << out;
    EXPECT_TRUE(std::isnan(p.samples.at("{__name__=\"my.metric\", a.b=\"x\", c=\"ü\"}")));
    EXPECT_EQ(p.samples.at("{__name__=\"inf\"}"), -INFINITY);
  }
}

TEST(SnapshotTest, DuplicateSeriesKeepTheFirstValue) {
  Snapshot s;
  s.Reset(0);
  s.Family("up", MetricType::kGauge, "h");
  Label a[] = {{"x", "1"}, {"y", "2"}};
  Label b[] = {{"y", "2"}, {"x", "1"}};
  s.Sample(a, 1);
  s.Family("up", MetricType::kGauge, "h");
  s.Sample(b, 2);
  // A repeated label name keeps its first value, so this is the same series too.
  Label c[] = {{"x", "1"}, {"y", "2"}, {"x", "9"}};
  s.Sample(c, 3);
  s.Seal();
  EXPECT_EQ(s.num_samples(), 1u);
  EXPECT_EQ(s.duplicates_dropped(), 2u);
  std::string out;
  s.Render(Format::kPrometheusText, &out);
  EXPECT_THAT(out, HasSubstr("up{x=\"1\",y=\"2\"} 1\n"));
}

TEST(SnapshotTest, SamplesBeforeAnyFamilyAreCountedAndDropped) {
  Snapshot s;
  s.Reset(0);
  s.Sample({}, 1);
  s.Seal();
  EXPECT_EQ(s.num_samples(), 0u);
  EXPECT_EQ(s.orphan_samples_dropped(), 1u);
  std::string out;
  s.Render(Format::kOpenMetrics, &out);
  EXPECT_EQ(out, "# EOF\n");
}

TEST(SnapshotTest, ForEachSampleGivesSortedLabelsWithName) {
  Snapshot s;
  s.Reset(42);
  s.Family("m", MetricType::kGauge, "h");
  Label l[] = {{"z", "1"}, {"A", "2"}, {"a", "3"}};
  s.Sample(l, 5);
  s.Seal();
  std::vector<std::string> got;
  s.ForEachSample([&](std::span<const Label> series, double v) {
    std::string line;
    for (const Label& x : series) line += std::string(x.name) + "=" + std::string(x.value) + " ";
    got.push_back(line + std::to_string(static_cast<int>(v)));
  });
  EXPECT_THAT(got, ElementsAre("A=2 __name__=m a=3 z=1 5"));
  EXPECT_EQ(s.timestamp(), 42);
  std::vector<std::pair<std::string, size_t>> families;
  s.ForEachFamily([&](const Snapshot::FamilyInfo& f) { families.emplace_back(std::string(f.name), f.num_samples); });
  EXPECT_THAT(families, ElementsAre(Pair("m", 1u)));
}

TEST(SnapshotTest, ResetReusesMemoryAndForgetsUnusedFamilies) {
  Snapshot s;
  s.Reset(0);
  WriteExample(&s);
  s.Reset(1);
  WriteExample(&s);
  const size_t bytes = s.MemoryBytes();
  for (int i = 0; i < 5; ++i) {
    s.Reset(2 + i);
    WriteExample(&s);
  }
  EXPECT_EQ(s.MemoryBytes(), bytes);

  s.Reset(10);
  s.Family("only", MetricType::kGauge, "h");
  s.Sample({}, 1);
  s.Seal();
  std::string out;
  s.Render(Format::kPrometheusText, &out);
  EXPECT_EQ(out, "# TYPE only gauge\n# HELP only h\nonly 1\n");
  // The families of earlier cycles had no samples in this one and are gone after the next reset.
  s.Reset(11);
  EXPECT_LT(s.MemoryBytes(), bytes);
}

TEST(SnapshotExchangeTest, RecyclesSnapshotsNoReaderHolds) {
  SnapshotExchange ex;
  EXPECT_EQ(ex.Latest(), nullptr);
  std::shared_ptr<Snapshot> a = ex.AcquireForWrite(1);
  Snapshot* a_raw = a.get();
  a->Seal();
  ex.Publish(std::move(a));
  std::shared_ptr<Snapshot> b = ex.AcquireForWrite(2);
  EXPECT_NE(b.get(), a_raw);
  b->Seal();
  ex.Publish(std::move(b));
  // `a` is spare and unheld: reused.
  std::shared_ptr<Snapshot> c = ex.AcquireForWrite(3);
  EXPECT_EQ(c.get(), a_raw);
  EXPECT_EQ(c->timestamp(), 3);
  c->Seal();
  ex.Publish(std::move(c));

  // A reader holding the latest keeps it unchanged while the writer moves on to another snapshot.
  std::shared_ptr<const Snapshot> held = ex.Latest();
  EXPECT_EQ(held.get(), a_raw);
  std::shared_ptr<Snapshot> d = ex.AcquireForWrite(4);
  EXPECT_NE(d.get(), a_raw);
  d->Seal();
  ex.Publish(std::move(d));
  std::shared_ptr<Snapshot> e = ex.AcquireForWrite(5);
  EXPECT_NE(e.get(), a_raw) << "a snapshot a reader holds must not be reused";
  EXPECT_EQ(held->timestamp(), 3);
  EXPECT_LE(ex.pool_size(), 3u);
}

}  // namespace
}  // namespace vigil::agent
