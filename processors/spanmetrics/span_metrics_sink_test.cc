#include "processors/spanmetrics/span_metrics_sink.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "agent/receivers/fake_span_sink.h"
#include "base/clock/clock.h"
#include "gtest/gtest.h"
#include "model/matcher.h"
#include "tsdb/storage/memory_storage.h"

namespace vigil::processors {
namespace {

Span MakeSpan(std::string service, std::string name, SpanKind kind, uint8_t id, uint8_t parent, double seconds,
              SpanStatusCode status = SpanStatusCode::kUnset) {
  Span s;
  s.trace_id.bytes[0] = 1;
  s.span_id.bytes[7] = id;
  s.parent_span_id.bytes[7] = parent;
  s.name = std::move(name);
  s.kind = kind;
  s.status_code = status;
  s.start_time_unix_nano = 1'000'000'000;
  s.end_time_unix_nano = s.start_time_unix_nano + static_cast<uint64_t>(seconds * 1e9);
  auto r = std::make_shared<Resource>();
  r->attributes.push_back({"service.name", AnyValue::String(std::move(service))});
  s.resource = std::move(r);
  return s;
}

// The samples of every series named `name`, by label set text.
std::map<std::string, std::vector<Sample>> Read(tsdb::MemoryStorage& storage, std::string name) {
  std::map<std::string, std::vector<Sample>> out;
  auto q = storage.NewQuerier(0, kMaxTimestampMs);
  EXPECT_TRUE(q.ok());
  std::vector<Matcher> m = {*Matcher::Create(MatchType::kEqual, "__name__", std::move(name))};
  std::unique_ptr<tsdb::SeriesSet> set = (*q)->Select(true, nullptr, m);
  while (set->Next()) {
    std::vector<Sample> samples;
    EXPECT_TRUE(set->At()->Iterator()->AppendRange(0, kMaxTimestampMs, &samples).ok());
    out[LabelsBuilder(set->At()->labels()).Del("__name__").Build().ToString()] = samples;
  }
  return out;
}

class SpanMetricsSinkTest : public ::testing::Test {
 protected:
  receivers::FakeSpanSink inner_;
  tsdb::MemoryStorage storage_;
  FakeClock clock_{absl::FromUnixSeconds(1700000000)};
};

constexpr char kServerLabels[] =
    R"({service="api", span_kind="SPAN_KIND_SERVER", span_name="GET /", status_code="STATUS_CODE_UNSET"})";

TEST_F(SpanMetricsSinkTest, CountsCallsAndLatencyAfterStoring) {
  SpanMetricsSink sink(&inner_, &storage_, &clock_, {});
  std::vector<Span> batch = {MakeSpan("api", "GET /", SpanKind::kServer, 1, 0, 0.003),
                             MakeSpan("api", "GET /", SpanKind::kServer, 2, 0, 0.5),
                             MakeSpan("api", "db", SpanKind::kInternal, 3, 1, 0.001, SpanStatusCode::kError)};
  ASSERT_TRUE(sink.Consume(batch).ok());
  EXPECT_EQ(inner_.spans().size(), 3u);
  EXPECT_EQ(sink.num_series(), 2u);
  ASSERT_TRUE(sink.Flush().ok());

  auto calls = Read(storage_, "traces_spanmetrics_calls_total");
  ASSERT_EQ(calls.size(), 2u);
  ASSERT_EQ(calls[kServerLabels].size(), 1u);
  EXPECT_EQ(calls[kServerLabels][0].v, 2);
  EXPECT_EQ(calls[kServerLabels][0].t, int64_t{1700000000} * 1000);
  EXPECT_EQ(calls[R"({service="api", span_kind="SPAN_KIND_INTERNAL", span_name="db", status_code="STATUS_CODE_ERROR"})"]
                .size(),
            1u);

  auto buckets = Read(storage_, "traces_spanmetrics_latency_bucket");
  auto bucket = [&](std::string le) {
    const std::string key = std::string(kServerLabels).insert(1, "le=\"" + le + "\", ");
    return buckets[key].empty() ? -1.0 : buckets[key][0].v;
  };
  EXPECT_EQ(bucket("0.002"), 0);
  EXPECT_EQ(bucket("0.004"), 1);
  EXPECT_EQ(bucket("0.256"), 1);
  EXPECT_EQ(bucket("0.512"), 2);
  EXPECT_EQ(bucket("+Inf"), 2);
  auto sum = Read(storage_, "traces_spanmetrics_latency_sum");
  EXPECT_NEAR(sum[kServerLabels][0].v, 0.503, 1e-9);
  EXPECT_EQ(Read(storage_, "traces_spanmetrics_latency_count")[kServerLabels][0].v, 2);
}

TEST_F(SpanMetricsSinkTest, RefusedBatchIsNotCounted) {
  SpanMetricsSink sink(&inner_, &storage_, &clock_, {});
  inner_.FailWith(absl::UnavailableError("disk"));
  EXPECT_EQ(sink.Consume({MakeSpan("api", "GET /", SpanKind::kServer, 1, 0, 0.1)}).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(sink.num_series(), 0u);
  inner_.FailWith(absl::OkStatus());
  ASSERT_TRUE(sink.Consume({MakeSpan("api", "GET /", SpanKind::kServer, 1, 0, 0.1)}).ok());
  ASSERT_TRUE(sink.Flush().ok());
  EXPECT_EQ(Read(storage_, "traces_spanmetrics_calls_total")[kServerLabels][0].v, 1);
}

TEST_F(SpanMetricsSinkTest, WritesNothingBeforeTheFirstSpan) {
  SpanMetricsSink sink(&inner_, &storage_, &clock_, {});
  ASSERT_TRUE(sink.Flush().ok());
  EXPECT_TRUE(Read(storage_, "traces_spanmetrics_dropped_spans_total").empty());
  ASSERT_TRUE(sink.Consume({MakeSpan("api", "GET /", SpanKind::kServer, 1, 0, 0.1)}).ok());
  ASSERT_TRUE(sink.Flush().ok());
  EXPECT_EQ(Read(storage_, "traces_spanmetrics_dropped_spans_total").size(), 1u);
}

TEST_F(SpanMetricsSinkTest, CumulativeAcrossFlushesOneSamplePerFlush) {
  SpanMetricsSink sink(&inner_, &storage_, &clock_, {});
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(sink.Consume({MakeSpan("api", "GET /", SpanKind::kServer, 1, 0, 0.1)}).ok());
  }
  ASSERT_TRUE(sink.Flush().ok());
  clock_.Advance(absl::Seconds(15));
  ASSERT_TRUE(sink.Consume({MakeSpan("api", "GET /", SpanKind::kServer, 2, 0, 0.1)}).ok());
  ASSERT_TRUE(sink.Flush().ok());
  std::vector<Sample> samples = Read(storage_, "traces_spanmetrics_calls_total")[kServerLabels];
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].v, 10);
  EXPECT_EQ(samples[1].v, 11);
  EXPECT_EQ(samples[1].t - samples[0].t, 15000);
}

TEST_F(SpanMetricsSinkTest, SeriesLimitCountsDrops) {
  SpanMetricsOptions options;
  options.max_series = 2;
  SpanMetricsSink sink(&inner_, &storage_, &clock_, options);
  ASSERT_TRUE(sink.Consume({MakeSpan("a", "x", SpanKind::kInternal, 1, 0, 0.1),
                            MakeSpan("b", "x", SpanKind::kInternal, 2, 0, 0.1),
                            MakeSpan("c", "x", SpanKind::kInternal, 3, 0, 0.1),
                            MakeSpan("a", "x", SpanKind::kInternal, 4, 0, 0.1)})
                  .ok());
  EXPECT_EQ(sink.num_series(), 2u);
  EXPECT_EQ(sink.dropped_spans(), 1);
  EXPECT_EQ(inner_.spans().size(), 4u);  // storing is not limited
  ASSERT_TRUE(sink.Flush().ok());
  EXPECT_EQ(Read(storage_, "traces_spanmetrics_dropped_spans_total")["{}"][0].v, 1);
}

TEST_F(SpanMetricsSinkTest, ServiceGraphPairsClientAndServerAcrossBatches) {
  SpanMetricsSink sink(&inner_, &storage_, &clock_, {});
  // Server half first, in its own request; the client half later.
  ASSERT_TRUE(
      sink.Consume({MakeSpan("backend", "GET /x", SpanKind::kServer, 2, 1, 0.25, SpanStatusCode::kError)}).ok());
  ASSERT_TRUE(sink.Consume({MakeSpan("frontend", "call", SpanKind::kClient, 1, 0, 0.3)}).ok());
  // A client whose server never comes expires.
  ASSERT_TRUE(sink.Consume({MakeSpan("frontend", "call", SpanKind::kClient, 9, 0, 0.3)}).ok());
  clock_.Advance(absl::Seconds(11));
  ASSERT_TRUE(sink.Flush().ok());

  const std::string edge = R"({client="frontend", server="backend"})";
  EXPECT_EQ(Read(storage_, "traces_service_graph_request_total")[edge][0].v, 1);
  EXPECT_EQ(Read(storage_, "traces_service_graph_request_failed_total")[edge][0].v, 1);
  EXPECT_NEAR(Read(storage_, "traces_service_graph_request_server_seconds_sum")[edge][0].v, 0.25, 1e-9);
  EXPECT_NEAR(Read(storage_, "traces_service_graph_request_client_seconds_sum")[edge][0].v, 0.3, 1e-9);
  EXPECT_EQ(
      Read(
          storage_,
          "traces_service_graph_request_client_seconds_bucket")[R"({client="frontend", le="0.4", server="backend"})"][0]
          .v,
      1);
  EXPECT_EQ(Read(storage_, "traces_service_graph_unpaired_spans_total")[R"({side="client"})"][0].v, 1);
}

TEST_F(SpanMetricsSinkTest, ProducerConsumerIsMessagingEdge) {
  SpanMetricsSink sink(&inner_, &storage_, &clock_, {});
  ASSERT_TRUE(sink.Consume({MakeSpan("orders", "send", SpanKind::kProducer, 1, 0, 0.01),
                            MakeSpan("billing", "recv", SpanKind::kConsumer, 2, 1, 0.02)})
                  .ok());
  ASSERT_TRUE(sink.Flush().ok());
  EXPECT_EQ(Read(storage_, "traces_service_graph_request_total")
                [R"({client="orders", connection_type="messaging_system", server="billing"})"][0]
                    .v,
            1);
}

TEST_F(SpanMetricsSinkTest, PendingTableIsBounded) {
  SpanMetricsOptions options;
  options.service_graph.max_pending = 1;
  SpanMetricsSink sink(&inner_, &storage_, &clock_, options);
  ASSERT_TRUE(sink.Consume({MakeSpan("a", "c1", SpanKind::kClient, 1, 0, 0.01),
                            MakeSpan("a", "c2", SpanKind::kClient, 2, 0, 0.01)})
                  .ok());
  ASSERT_TRUE(sink.Flush().ok());
  EXPECT_EQ(Read(storage_, "traces_service_graph_dropped_spans_total")[R"({side="client"})"][0].v, 1);
}

// Delegates to a storage and notifies after the first commit, so a test knows the flush loop has run.
class CommitNotifyingStorage : public tsdb::Appendable {
 public:
  explicit CommitNotifyingStorage(tsdb::Appendable* inner) : inner_(inner) {}
  std::unique_ptr<tsdb::Appender> NewAppender() override {
    class App : public tsdb::Appender {
     public:
      App(std::unique_ptr<tsdb::Appender> inner, absl::Notification* done) : inner_(std::move(inner)), done_(done) {}
      absl::StatusOr<tsdb::SeriesRef> Append(tsdb::SeriesRef ref, const Labels& labels, TimestampMs t,
                                             double v) override {
        return inner_->Append(ref, labels, t, v);
      }
      absl::Status Commit() override {
        absl::Status s = inner_->Commit();
        if (!done_->HasBeenNotified()) done_->Notify();
        return s;
      }
      void Rollback() override { inner_->Rollback(); }

     private:
      std::unique_ptr<tsdb::Appender> inner_;
      absl::Notification* done_;
    };
    return std::make_unique<App>(inner_->NewAppender(), &first_commit);
  }
  absl::Notification first_commit;

 private:
  tsdb::Appendable* inner_;
};

TEST_F(SpanMetricsSinkTest, LoopFlushesOnClockAndStopFlushesOnce) {
  SpanMetricsOptions options;
  options.flush_interval = absl::Seconds(15);
  CommitNotifyingStorage notifying(&storage_);
  SpanMetricsSink sink(&inner_, &notifying, &clock_, options);
  ASSERT_TRUE(sink.Consume({MakeSpan("api", "GET /", SpanKind::kServer, 1, 0, 0.1)}).ok());
  sink.Start();
  clock_.AwaitSleepers(1);
  clock_.Advance(absl::Seconds(15));
  notifying.first_commit.WaitForNotification();
  ASSERT_EQ(Read(storage_, "traces_spanmetrics_calls_total")[kServerLabels].size(), 1u);
  clock_.Advance(absl::Seconds(1));
  sink.Stop();  // flushes once more, at the clock's now
  std::vector<Sample> samples = Read(storage_, "traces_spanmetrics_calls_total")[kServerLabels];
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[1].t - samples[0].t, 1000);
}

}  // namespace
}  // namespace vigil::processors
