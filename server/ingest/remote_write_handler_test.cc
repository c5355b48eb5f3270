#include "server/ingest/remote_write_handler.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "snappy.h"
#include "tsdb/storage/memory_storage.h"
#include "wire/prompb/remote.pb.h"

namespace vigil::server {
namespace {

using ::testing::HasSubstr;

void AddSeries(prompb::WriteRequest* req, std::initializer_list<std::pair<std::string, std::string>> labels,
               std::initializer_list<std::pair<int64_t, double>> samples) {
  prompb::TimeSeries* ts = req->add_timeseries();
  for (const auto& [n, v] : labels) {
    prompb::Label* l = ts->add_labels();
    l->set_name(n);
    l->set_value(v);
  }
  for (const auto& [t, v] : samples) {
    prompb::Sample* s = ts->add_samples();
    s->set_timestamp(t);
    s->set_value(v);
  }
}

http::Request WriteRequest(const prompb::WriteRequest& wr) {
  http::Request req;
  req.method = "POST";
  req.path = "/api/v1/write";
  std::string raw = wr.SerializeAsString();
  snappy::Compress(raw.data(), raw.size(), &req.body);
  req.headers.emplace("Content-Encoding", "snappy");
  req.headers.emplace("Content-Type", "application/x-protobuf");
  req.headers.emplace("X-Prometheus-Remote-Write-Version", "0.1.0");
  return req;
}

class RemoteWriteHandlerTest : public ::testing::Test {
 protected:
  http::Response Post(const http::Request& req) {
    http::Response resp;
    handler_.Handle(req, &resp);
    return resp;
  }

  tsdb::MemoryStorage storage_;
  metrics::Registry registry_;
  IngestMetrics ingest_{&registry_};
  query::MetadataStore metadata_;
  RemoteWriteHandler handler_{&storage_, &ingest_, &registry_, RemoteWriteOptions{1 << 20, 10}, &metadata_};
};

TEST_F(RemoteWriteHandlerTest, MetadataGoesToTheMetadataStore) {
  prompb::WriteRequest wr;
  prompb::MetricMetadata* m = wr.add_metadata();
  m->set_type(prompb::MetricMetadata::GAUGE);
  m->set_metric_family_name("node_load1");
  m->set_help("1m load average.");
  http::Response resp = Post(WriteRequest(wr));
  EXPECT_EQ(resp.status, 204) << resp.body;
  query::MetadataQuery q;
  q.metric = "node_load1";
  auto l = metadata_.List(q);
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].second.at(0).type, exposition::MetricType::kGauge);
  EXPECT_EQ(l[0].second.at(0).help, "1m load average.");
}

TEST_F(RemoteWriteHandlerTest, StoresSamplesAndAnswers204) {
  prompb::WriteRequest wr;
  AddSeries(&wr, {{"__name__", "up"}, {"job", "node"}}, {{1000, 1}, {2000, 0}});
  AddSeries(&wr, {{"__name__", "load1"}}, {{1000, 0.5}});
  http::Response resp = Post(WriteRequest(wr));
  EXPECT_EQ(resp.status, 204) << resp.body;
  EXPECT_EQ(storage_.NumSeries(), 2u);
  EXPECT_EQ(storage_.NumSamples(), 3u);
  std::string text = registry_.RenderText();
  EXPECT_THAT(text, HasSubstr("vigil_ingested_samples_total 3"));
  EXPECT_THAT(text, HasSubstr("vigil_remote_write_requests_total{code=\"204\"} 1"));
}

TEST_F(RemoteWriteHandlerTest, MalformedRequestsAreRefusedWholeWithReason) {
  prompb::WriteRequest unsorted;
  AddSeries(&unsorted, {{"__name__", "ok"}}, {{1, 1}});
  AddSeries(&unsorted, {{"job", "x"}, {"__name__", "up"}}, {{1, 1}});
  prompb::WriteRequest empty_name;
  AddSeries(&empty_name, {{"__name__", "ok"}}, {{1, 1}});
  AddSeries(&empty_name, {{"", "x"}}, {{1, 1}});
  prompb::WriteRequest no_metric_name;
  AddSeries(&no_metric_name, {{"job", "x"}}, {{1, 1}});
  prompb::WriteRequest too_many;
  AddSeries(&too_many, {{"__name__", "x"}}, {{1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}, {6, 1}, {7, 1}, {8, 1}, {9, 1}});
  AddSeries(&too_many, {{"__name__", "y"}}, {{1, 1}, {2, 1}});

  http::Request bad_snappy = WriteRequest(unsorted);
  bad_snappy.body = "\xff\xff\xff\xff\xff\x01not snappy";
  http::Request bad_proto;
  std::string raw = "\x0a\x05\x0a\x03\x0a\x01";  // truncated nested message
  snappy::Compress(raw.data(), raw.size(), &bad_proto.body);
  http::Request gzip = WriteRequest(unsorted);
  gzip.headers.erase("Content-Encoding");
  gzip.headers.emplace("Content-Encoding", "gzip");
  std::string big(2 << 20, 'x');
  http::Request bomb;
  snappy::Compress(big.data(), big.size(), &bomb.body);

  struct Case {
    const char* name;
    http::Request req;
    int status;
    std::string want;
  };
  for (const Case& c : std::vector<Case>{
           {"bad snappy", bad_snappy, 400, "snappy"},
           {"bad protobuf", bad_proto, 400, "protobuf"},
           {"unsorted labels", WriteRequest(unsorted), 400, "labels must be sorted"},
           {"empty label name", WriteRequest(empty_name), 400, "empty name"},
           {"no metric name", WriteRequest(no_metric_name), 400, "no metric name"},
           {"too many samples", WriteRequest(too_many), 400, "more than the limit of 10"},
           {"wrong encoding", gzip, 415, "Content-Encoding"},
           {"decompression bomb", bomb, 413, "exceeds the limit"},
       }) {
    http::Response resp = Post(c.req);
    EXPECT_EQ(resp.status, c.status) << c.name << ": " << resp.body;
    EXPECT_THAT(resp.body, HasSubstr(c.want)) << c.name;
  }
  EXPECT_EQ(storage_.NumSamples(), 0u);
}

TEST_F(RemoteWriteHandlerTest, RefusedSamplesAreReportedAndTheRestStored) {
  prompb::WriteRequest first;
  AddSeries(&first, {{"__name__", "up"}}, {{5000, 1}});
  ASSERT_EQ(Post(WriteRequest(first)).status, 204);

  prompb::WriteRequest second;
  AddSeries(&second, {{"__name__", "up"}}, {{4000, 1}, {5000, 7}, {6000, 1}});
  AddSeries(&second, {{"__name__", "other"}}, {{1000, 1}});
  http::Response resp = Post(WriteRequest(second));
  EXPECT_EQ(resp.status, 400);
  EXPECT_THAT(resp.body, HasSubstr("2 samples stored"));
  EXPECT_THAT(resp.body, HasSubstr("1 out_of_order"));
  EXPECT_THAT(resp.body, HasSubstr("1 duplicate_sample"));
  EXPECT_EQ(storage_.NumSamples(), 3u);
  EXPECT_THAT(registry_.RenderText(), HasSubstr("vigil_rejected_samples_total{reason=\"out_of_order\"} 1"));
}

// A storage whose commits fail, as when the WAL cannot be written.
class FailingStorage : public tsdb::Appendable {
 public:
  class FailingAppender : public tsdb::Appender {
   public:
    absl::StatusOr<tsdb::SeriesRef> Append(tsdb::SeriesRef, const Labels&, TimestampMs, double) override { return 1; }
    absl::Status Commit() override { return absl::UnavailableError("wal: no space left on device"); }
    void Rollback() override {}
  };
  std::unique_ptr<tsdb::Appender> NewAppender() override { return std::make_unique<FailingAppender>(); }
};

TEST(RemoteWriteHandlerCommitTest, CommitFailureIsRetryable503) {
  FailingStorage storage;
  metrics::Registry registry;
  IngestMetrics ingest(&registry);
  RemoteWriteHandler handler(&storage, &ingest, &registry);
  prompb::WriteRequest wr;
  AddSeries(&wr, {{"__name__", "up"}}, {{1, 1}});
  http::Response resp;
  handler.Handle(WriteRequest(wr), &resp);
  EXPECT_EQ(resp.status, 503);
  EXPECT_THAT(resp.body, HasSubstr("no space left on device"));
}

}  // namespace
}  // namespace vigil::server
