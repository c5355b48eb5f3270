#include "base/metrics/registry.h"

#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "base/log/log.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class CapturingSink : public log::Sink {
 public:
  void Write(std::string_view line) override {
    absl::MutexLock lock(&mu_);
    lines_.emplace_back(line);
  }
  std::vector<std::string> lines() {
    absl::MutexLock lock(&mu_);
    return lines_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> lines_;
};

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { log::SetSink(&sink_); }
  void TearDown() override { log::SetSink(nullptr); }

  CapturingSink sink_;
  Registry reg_;
};

TEST_F(RegistryTest, RendersEveryKindExactly) {
  absl::StatusOr<CounterFamily*> requests =
      reg_.NewCounter("vigil_http_requests_total", "HTTP requests served.", {"method", "code"});
  ASSERT_TRUE(requests.ok()) << requests.status();
  (*requests)->WithLabels({"GET", "200"})->Add(3);
  (*requests)->WithLabels({"POST", "500"})->Inc();
  (*requests)->WithLabels({"GET", "404"})->Inc();

  Gauge* up = reg_.Gauge("vigil_up", "1 while the process runs.");
  up->Set(1);

  absl::StatusOr<HistogramFamily*> latency =
      reg_.NewHistogram("vigil_http_request_duration_seconds", "Request latency.", {"handler"}, {0.1, 0.5, 1});
  ASSERT_TRUE(latency.ok()) << latency.status();
  Histogram* query = (*latency)->WithLabels({"/api/v1/query"});
  query->Observe(0.05);
  query->Observe(0.1);
  query->Observe(0.75);
  query->Observe(3);

  Histogram* plain = reg_.Histogram("vigil_batch_size", "Samples per batch.", {10, 100});
  plain->Observe(100);

  ASSERT_TRUE(reg_.NewGaugeFunc("vigil_tsdb_head_series", "Series in the head block.", [] { return 1234.0; }).ok());
  ASSERT_TRUE(reg_.NewCounterFunc("vigil_cpu_seconds_total", "CPU time.", [] { return 1.25; }).ok());

  EXPECT_EQ(reg_.RenderText(),
            "# HELP vigil_batch_size Samples per batch.\n"
            "# TYPE vigil_batch_size histogram\n"
            "vigil_batch_size_bucket{le=\"10\"} 0\n"
            "vigil_batch_size_bucket{le=\"100\"} 1\n"
            "vigil_batch_size_bucket{le=\"+Inf\"} 1\n"
            "vigil_batch_size_sum 100\n"
            "vigil_batch_size_count 1\n"
            "# HELP vigil_cpu_seconds_total CPU time.\n"
            "# TYPE vigil_cpu_seconds_total counter\n"
            "vigil_cpu_seconds_total 1.25\n"
            "# HELP vigil_http_request_duration_seconds Request latency.\n"
            "# TYPE vigil_http_request_duration_seconds histogram\n"
            "vigil_http_request_duration_seconds_bucket{handler=\"/api/v1/query\",le=\"0.1\"} 2\n"
            "vigil_http_request_duration_seconds_bucket{handler=\"/api/v1/query\",le=\"0.5\"} 2\n"
            "vigil_http_request_duration_seconds_bucket{handler=\"/api/v1/query\",le=\"1\"} 3\n"
            "vigil_http_request_duration_seconds_bucket{handler=\"/api/v1/query\",le=\"+Inf\"} 4\n"
            "vigil_http_request_duration_seconds_sum{handler=\"/api/v1/query\"} 3.9\n"
            "vigil_http_request_duration_seconds_count{handler=\"/api/v1/query\"} 4\n"
            "# HELP vigil_http_requests_total HTTP requests served.\n"
            "# TYPE vigil_http_requests_total counter\n"
            "vigil_http_requests_total{method=\"GET\",code=\"200\"} 3\n"
            "vigil_http_requests_total{method=\"GET\",code=\"404\"} 1\n"
            "vigil_http_requests_total{method=\"POST\",code=\"500\"} 1\n"
            "# HELP vigil_tsdb_head_series Series in the head block.\n"
            "# TYPE vigil_tsdb_head_series gauge\n"
            "vigil_tsdb_head_series 1234\n"
            "# HELP vigil_up 1 while the process runs.\n"
            "# TYPE vigil_up gauge\n"
            "vigil_up 1\n");
  EXPECT_THAT(sink_.lines(), IsEmpty());
}

TEST_F(RegistryTest, EscapesHelpAndLabelValues) {
  absl::StatusOr<GaugeFamily*> g = reg_.NewGauge("x", "Path like C:\\temp\nsecond \"line\".", {"path"});
  ASSERT_TRUE(g.ok());
  (*g)->WithLabels({"C:\\dir\\\"q\"\nz"})->Set(0.1);
  EXPECT_EQ(reg_.RenderText(),
            "# HELP x Path like C:\\\\temp\\nsecond \"line\".\n"
            "# TYPE x gauge\n"
            "x{path=\"C:\\\\dir\\\\\\\"q\\\"\\nz\"} 0.1\n");
}

TEST_F(RegistryTest, FormatsSpecialValues) {
  absl::StatusOr<GaugeFamily*> g = reg_.NewGauge("v", "", {"k"});
  ASSERT_TRUE(g.ok());
  (*g)->WithLabels({"a"})->Set(0.1);
  (*g)->WithLabels({"b"})->Set(1e-9);
  (*g)->WithLabels({"c"})->Set(1e21);
  (*g)->WithLabels({"d"})->Set(12345678);
  (*g)->WithLabels({"e"})->Set(-0.0);
  (*g)->WithLabels({"f"})->Set(std::numeric_limits<double>::quiet_NaN());
  (*g)->WithLabels({"g"})->Set(std::numeric_limits<double>::infinity());
  (*g)->WithLabels({"h"})->Set(-std::numeric_limits<double>::infinity());
  EXPECT_EQ(reg_.RenderText(),
            "# HELP v \n"
            "# TYPE v gauge\n"
            "v{k=\"a\"} 0.1\n"
            "v{k=\"b\"} 1e-09\n"
            "v{k=\"c\"} 1e+21\n"
            "v{k=\"d\"} 12345678\n"
            "v{k=\"e\"} -0\n"
            "v{k=\"f\"} NaN\n"
            "v{k=\"g\"} +Inf\n"
            "v{k=\"h\"} -Inf\n");
}

TEST_F(RegistryTest, HistogramLeUsesValueFormatting) {
  absl::StatusOr<HistogramFamily*> h = reg_.NewHistogram("h", "x", {}, {1e-9, 0.25, 12345678, 1e21});
  ASSERT_TRUE(h.ok());
  (*h)->WithLabels({})->Observe(1e-9);
  EXPECT_EQ(reg_.RenderText(),
            "# HELP h x\n"
            "# TYPE h histogram\n"
            "h_bucket{le=\"1e-09\"} 1\n"
            "h_bucket{le=\"0.25\"} 1\n"
            "h_bucket{le=\"12345678\"} 1\n"
            "h_bucket{le=\"1e+21\"} 1\n"
            "h_bucket{le=\"+Inf\"} 1\n"
            "h_sum 1e-09\n"
            "h_count 1\n");
}

TEST_F(RegistryTest, ChildrenSortByLabelValuesAsTuples) {
  absl::StatusOr<CounterFamily*> c = reg_.NewCounter("c", "h", {"a", "b"});
  ASSERT_TRUE(c.ok());
  (*c)->WithLabels({"x", "2"})->Inc();
  (*c)->WithLabels({"", "9"})->Inc();
  (*c)->WithLabels({"x", "10"})->Inc();
  (*c)->WithLabels({"xy", "0"})->Inc();
  EXPECT_EQ(reg_.RenderText(),
            "# HELP c h\n"
            "# TYPE c counter\n"
            "c{a=\"\",b=\"9\"} 1\n"
            "c{a=\"x\",b=\"10\"} 1\n"
            "c{a=\"x\",b=\"2\"} 1\n"
            "c{a=\"xy\",b=\"0\"} 1\n");
}

TEST_F(RegistryTest, LabelledFamilyWithoutChildrenRendersNothing) {
  ASSERT_TRUE(reg_.NewCounter("labelled_total", "h", {"code"}).ok());
  ASSERT_TRUE(reg_.NewHistogram("labelled_seconds", "h", {"code"}, {1}).ok());
  EXPECT_EQ(reg_.RenderText(), "");
  ASSERT_TRUE(reg_.NewCounter("unlabelled_total", "h", {}).ok());
  EXPECT_EQ(reg_.RenderText(), "# HELP unlabelled_total h\n# TYPE unlabelled_total counter\nunlabelled_total 0\n");
}

TEST_F(RegistryTest, WithLabelsReturnsStablePointers) {
  absl::StatusOr<CounterFamily*> c = reg_.NewCounter("c", "h", {"a"});
  ASSERT_TRUE(c.ok());
  Counter* first = (*c)->WithLabels({"x"});
  for (int i = 0; i < 100; ++i) (*c)->WithLabels({std::to_string(i)});
  EXPECT_EQ((*c)->WithLabels({"x"}), first);
  const std::vector<std::string> values = {"x"};
  EXPECT_EQ((*c)->WithLabels(values), first);
  const std::string_view views[] = {"x"};
  EXPECT_EQ((*c)->WithLabels(views), first);
  EXPECT_NE((*c)->WithLabels({"y"}), first);
}

TEST_F(RegistryTest, WrongLabelCountGetsAnUnrenderedChildAndLogsOnce) {
  absl::StatusOr<CounterFamily*> c = reg_.NewCounter("c_total", "h", {"method", "code"});
  ASSERT_TRUE(c.ok());
  Counter* bad = (*c)->WithLabels({"GET"});
  ASSERT_NE(bad, nullptr);
  bad->Inc();
  EXPECT_EQ((*c)->WithLabels({"GET", "200", "extra"}), bad);
  EXPECT_EQ((*c)->WithLabels({}), bad);
  EXPECT_EQ(reg_.RenderText(), "");
  std::vector<std::string> lines = sink_.lines();
  ASSERT_THAT(lines, SizeIs(1));
  EXPECT_THAT(lines[0], HasSubstr("level=error"));
  EXPECT_THAT(lines[0], HasSubstr("metric=c_total want=2 got=1"));
}

TEST_F(RegistryTest, RejectsInvalidMetricNames) {
  for (std::string_view name : {"", "1abc", "a-b", "a b", "a.b", "é", "a\n"}) {
    absl::StatusOr<CounterFamily*> c = reg_.NewCounter(name, "h", {});
    ASSERT_FALSE(c.ok()) << name;
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(c.status().message(), HasSubstr("must match [a-zA-Z_:][a-zA-Z0-9_:]*"));
  }
  for (std::string_view name : {"a", "_", ":", "a:b_c9", "job:rate5m:sum", "__private"}) {
    EXPECT_TRUE(reg_.NewGauge(name, "h", {}).ok()) << name;
  }
  EXPECT_FALSE(reg_.NewGaugeFunc("bad-name", "h", [] { return 1.0; }).ok());
  EXPECT_FALSE(reg_.NewHistogram("9h", "h", {}, {1}).ok());
}

TEST_F(RegistryTest, RejectsInvalidLabelNames) {
  struct Case {
    std::vector<std::string> labels;
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {{""}, "invalid label name \"\""},
           {{"1a"}, "must match [a-zA-Z_][a-zA-Z0-9_]*"},
           {{"a:b"}, "must match [a-zA-Z_][a-zA-Z0-9_]*"},
           {{"a-b"}, "must match"},
           {{"__name__"}, "names starting with \"__\" are reserved"},
           {{"ok", "__x"}, "reserved"},
           {{"a", "b", "a"}, "label name \"a\" is listed twice"},
       }) {
    absl::StatusOr<CounterFamily*> f = reg_.NewCounter("m", "h", c.labels);
    ASSERT_FALSE(f.ok());
    EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(f.status().message(), HasSubstr("metric \"m\": "));
    EXPECT_THAT(f.status().message(), HasSubstr(c.error));
  }
  EXPECT_TRUE(reg_.NewCounter("m", "h", {"_a", "a_1", "A", "le"}).ok());
  absl::StatusOr<HistogramFamily*> h = reg_.NewHistogram("h", "h", {"le"}, {1});
  ASSERT_FALSE(h.ok());
  EXPECT_THAT(h.status().message(), HasSubstr("\"le\" is reserved for histogram buckets"));
  EXPECT_FALSE(reg_.NewGaugeCollector("g", "h", {"__x"}, [] { return std::vector<LabeledValue>{}; }).ok());
}

TEST_F(RegistryTest, RejectsInvalidHistogramBounds) {
  absl::StatusOr<HistogramFamily*> h = reg_.NewHistogram("h", "h", {}, {2, 1});
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(h.status().message(),
              HasSubstr("metric \"h\": histogram bucket upper bounds must be strictly increasing"));
  EXPECT_FALSE(reg_.NewHistogram("h", "h", {}, {}).ok());
}

TEST_F(RegistryTest, RejectsDuplicatesAndSeriesCollisions) {
  ASSERT_TRUE(reg_.NewCounter("dup", "h", {}).ok());
  absl::StatusOr<GaugeFamily*> again = reg_.NewGauge("dup", "other", {"x"});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(again.status().message(), HasSubstr("metric \"dup\" is already registered"));
  EXPECT_FALSE(reg_.NewGaugeFunc("dup", "h", [] { return 1.0; }).ok());

  ASSERT_TRUE(reg_.NewHistogram("lat", "h", {}, {1}).ok());
  absl::StatusOr<CounterFamily*> clash = reg_.NewCounter("lat_count", "h", {});
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(clash.status().message(), HasSubstr("which metric \"lat\" already renders"));

  ASSERT_TRUE(reg_.NewGauge("size_sum", "h", {}).ok());
  absl::StatusOr<HistogramFamily*> clash2 = reg_.NewHistogram("size", "h", {}, {1});
  ASSERT_FALSE(clash2.ok());
  EXPECT_THAT(clash2.status().message(), HasSubstr("would render series \"size_sum\""));
  // Failed registrations leave no trace.
  EXPECT_TRUE(reg_.NewGauge("size_bucket", "h", {}).ok());
}

TEST_F(RegistryTest, ShorthandFailureLogsAndReturnsAWorkingUnexportedMetric) {
  Counter* first = reg_.Counter("events_total", "h");
  first->Inc();
  Counter* second = reg_.Counter("events_total", "h");
  ASSERT_NE(second, nullptr);
  EXPECT_NE(second, first);
  second->Add(100);
  Gauge* bad = reg_.Gauge("bad name", "h");
  ASSERT_NE(bad, nullptr);
  bad->Set(5);
  Histogram* bad_hist = reg_.Histogram("bad_hist", "h", {3, 2});
  ASSERT_NE(bad_hist, nullptr);
  bad_hist->Observe(1);
  EXPECT_EQ(reg_.RenderText(), "# HELP events_total h\n# TYPE events_total counter\nevents_total 1\n");
  std::vector<std::string> lines = sink_.lines();
  ASSERT_THAT(lines, SizeIs(3));
  EXPECT_THAT(lines[0], HasSubstr("already registered"));
  EXPECT_THAT(lines[1], HasSubstr("invalid metric name"));
  EXPECT_THAT(lines[2], HasSubstr("strictly increasing"));
}

TEST_F(RegistryTest, CollectorsRenderSortedAndDropBadSamples) {
  int calls = 0;
  ASSERT_TRUE(
      reg_.NewGaugeCollector("wal_segment_bytes", "Bytes per WAL segment.", {"segment"},
                             [&calls] {
                               ++calls;
                               return std::vector<LabeledValue>{
                                   {{"00000002"}, 4096}, {{"00000001"}, 128}, {{"a", "b"}, 1}, {{"00000001"}, 7}};
                             })
          .ok());
  ASSERT_TRUE(reg_.NewCounterCollector("empty_total", "h", {"x"}, [] { return std::vector<LabeledValue>{}; }).ok());
  EXPECT_EQ(reg_.RenderText(),
            "# HELP wal_segment_bytes Bytes per WAL segment.\n"
            "# TYPE wal_segment_bytes gauge\n"
            "wal_segment_bytes{segment=\"00000001\"} 128\n"
            "wal_segment_bytes{segment=\"00000002\"} 4096\n");
  EXPECT_EQ(calls, 1);
  reg_.RenderText();
  EXPECT_EQ(calls, 2);
  std::vector<std::string> lines = sink_.lines();
  ASSERT_THAT(lines, SizeIs(2));  // Once per family and problem, not per scrape.
  EXPECT_THAT(lines[0], HasSubstr("want=1 got=2"));
  EXPECT_THAT(lines[1], HasSubstr("same label values twice"));
}

TEST_F(RegistryTest, CallbacksAreEvaluatedAtScrapeTime) {
  double value = 1;
  ASSERT_TRUE(reg_.NewGaugeFunc("g", "h", [&value] { return value; }).ok());
  EXPECT_THAT(reg_.RenderText(), HasSubstr("\ng 1\n"));
  value = 2.5;
  EXPECT_THAT(reg_.RenderText(), HasSubstr("\ng 2.5\n"));
  EXPECT_FALSE(reg_.NewGaugeFunc("nofn", "h", nullptr).ok());
  EXPECT_FALSE(reg_.NewCounterCollector("nofn2", "h", {}, nullptr).ok());
}

TEST_F(RegistryTest, RemoveUnregistersAndFreesTheName) {
  ASSERT_TRUE(reg_.NewGaugeFunc("g", "h", [] { return 1.0; }).ok());
  ASSERT_TRUE(reg_.NewHistogram("h", "h", {}, {1}).ok());
  ASSERT_TRUE(reg_.Remove("g").ok());
  ASSERT_TRUE(reg_.Remove("h").ok());
  EXPECT_EQ(reg_.RenderText(), "");
  EXPECT_EQ(reg_.Remove("g").code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(reg_.NewGauge("h_count", "h", {}).ok());
  EXPECT_TRUE(reg_.NewCounter("g", "h", {}).ok());
}

TEST_F(RegistryTest, RenderTextAppends) {
  reg_.Counter("c", "h")->Inc();
  std::string out = "prefix\n";
  reg_.RenderText(&out);
  EXPECT_EQ(out, "prefix\n# HELP c h\n# TYPE c counter\nc 1\n");
}

TEST_F(RegistryTest, DefaultIsOneInstance) { EXPECT_EQ(&Registry::Default(), &Registry::Default()); }

TEST_F(RegistryTest, ConcurrentWithLabelsAndIncrementsSumExactly) {
  absl::StatusOr<CounterFamily*> c = reg_.NewCounter("c", "h", {"shard"});
  ASSERT_TRUE(c.ok());
  absl::StatusOr<HistogramFamily*> h = reg_.NewHistogram("h", "h", {"shard"}, {0.5});
  ASSERT_TRUE(h.ok());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string shard = std::to_string(i % 4);
        (*c)->WithLabels({shard})->Inc();
        (*h)->WithLabels({shard})->Observe(t % 2);
        if (i % 5000 == 0) reg_.RenderText();  // Scrapes race with updates.
      }
    });
  }
  for (std::thread& t : threads) t.join();
  double total = 0;
  for (int s = 0; s < 4; ++s) total += (*c)->WithLabels({std::to_string(s)})->Value();
  EXPECT_EQ(total, kThreads * kPerThread);
  const std::string text = reg_.RenderText();
  EXPECT_THAT(text, HasSubstr("c{shard=\"0\"} 40000\n"));
  EXPECT_THAT(text, HasSubstr("h_bucket{shard=\"3\",le=\"0.5\"} 20000\n"));
  EXPECT_THAT(text, HasSubstr("h_bucket{shard=\"3\",le=\"+Inf\"} 40000\n"));
  EXPECT_THAT(text, HasSubstr("h_sum{shard=\"3\"} 20000\n"));
  EXPECT_THAT(text, HasSubstr("h_count{shard=\"3\"} 40000\n"));
}

TEST(TextContentTypeTest, IsVersion004) { EXPECT_EQ(kTextContentType, "text/plain; version=0.0.4; charset=utf-8"); }

}  // namespace
}  // namespace vigil::metrics
