#include "tools/datagen/remote_write.h"

#include <algorithm>
#include <bit>
#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "base/http/fake_client.h"
#include "base/http/server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "snappy.h"
#include "wire/prompb/remote.pb.h"

namespace vigil::datagen {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

FleetOptions Small() {
  FleetOptions o;
  o.seed = 5;
  o.hosts = 4;
  o.interval_ms = 15000;
  o.duration_ms = 3 * 60 * 1000;
  o.end_ms = 1700000000000;
  return o;
}

TEST(RemoteWriteTest, OnlyLoopbackUrls) {
  for (const char* ok : {"http://127.0.0.1:9090/api/v1/write", "http://127.1.2.3/x", "http://localhost:1/",
                         "http://[::1]:9090/api/v1/write"}) {
    EXPECT_TRUE(CheckLoopbackUrl(ok).ok()) << ok;
  }
  for (const char* bad :
       {"http://10.0.0.1:9090/api/v1/write", "http://example.com/", "http://128.0.0.1/", "http://127.0.0/",
        "http://127.0.0.1.example.com/", "http://[::2]/", "https://127.0.0.1/", "127.0.0.1:9090", ""}) {
    EXPECT_FALSE(CheckLoopbackUrl(bad).ok()) << bad;
  }
  EXPECT_THAT(CheckLoopbackUrl("http://192.168.1.5:9090/w").message(), HasSubstr("not loopback"));
  // SendRemoteWrite checks too, before sending anything.
  http::FakeClient client;
  RemoteWriteStats stats;
  const Fleet fleet = *Fleet::Create(Small());
  RemoteWriteOptions o;
  o.url = "http://10.1.1.1/w";
  EXPECT_EQ(SendRemoteWrite(fleet, &client, RealClock(), o, &stats).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(client.requests().empty());
}

TEST(RemoteWriteTest, BackoffDoublesUpToTheCap) {
  RemoteWriteOptions o;
  o.initial_backoff = absl::Milliseconds(50);
  o.max_backoff = absl::Seconds(2);
  EXPECT_EQ(Backoff(o, 1), absl::Milliseconds(50));
  EXPECT_EQ(Backoff(o, 2), absl::Milliseconds(100));
  EXPECT_EQ(Backoff(o, 5), absl::Milliseconds(800));
  EXPECT_EQ(Backoff(o, 7), absl::Seconds(2));
  EXPECT_EQ(Backoff(o, 1000), absl::Seconds(2));
}

// A remote_write receiver on 127.0.0.1 that decodes and keeps everything.
class Receiver {
 public:
  Receiver() : server_(Options()) {
    server_.Post("/api/v1/write", [this](const http::Request& req, http::Response* resp) {
      std::string raw;
      prompb::WriteRequest wr;
      absl::MutexLock lock(&mu_);
      ++requests_;
      if (req.Header("Content-Encoding") != "snappy" || req.Header("Content-Type") != "application/x-protobuf" ||
          req.Header("X-Prometheus-Remote-Write-Version") != "0.1.0" ||
          !req.Header("User-Agent").starts_with("vigil-datagen/")) {
        resp->status = 400;
        resp->body = "bad headers";
        return;
      }
      if (fail_next_ > 0) {
        --fail_next_;
        resp->status = 503;
        return;
      }
      if (!snappy::Uncompress(req.body.data(), req.body.size(), &raw) || !wr.ParseFromString(raw)) {
        resp->status = 400;
        resp->body = "cannot decode";
        return;
      }
      for (const prompb::TimeSeries& ts : wr.timeseries()) {
        std::string key;
        for (const prompb::Label& l : ts.labels()) key += l.name() + "=" + l.value() + ",";
        for (const prompb::Sample& s : ts.samples()) received_[key].push_back(Sample{s.timestamp(), s.value()});
      }
      resp->status = 204;
    });
    EXPECT_TRUE(server_.Start().ok());
  }

  static http::ServerOptions Options() {
    http::ServerOptions o;
    o.listen_address = "127.0.0.1:0";
    o.access_log = false;
    return o;
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()) + "/api/v1/write"; }
  void FailNext(int n) {
    absl::MutexLock lock(&mu_);
    fail_next_ = n;
  }
  std::map<std::string, std::vector<Sample>> received() {
    absl::MutexLock lock(&mu_);
    return received_;
  }
  int requests() {
    absl::MutexLock lock(&mu_);
    return requests_;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, std::vector<Sample>> received_ ABSL_GUARDED_BY(mu_);
  int requests_ ABSL_GUARDED_BY(mu_) = 0;
  int fail_next_ ABSL_GUARDED_BY(mu_) = 0;
  http::Server server_;
};

TEST(RemoteWriteTest, EverySampleArrivesIntactAndInOrder) {
  const Fleet fleet = *Fleet::Create(Small());
  Receiver receiver;
  receiver.FailNext(2);  // two 503s: retried
  http::HttplibClient client;
  RemoteWriteOptions o;
  o.url = receiver.url();
  o.batch_samples = 700;
  o.concurrency = 3;
  o.initial_backoff = absl::ZeroDuration();  // no waiting in a unit test
  RemoteWriteStats stats;
  const absl::Status s = SendRemoteWrite(fleet, &client, RealClock(), o, &stats);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(stats.samples_sent, fleet.total_samples());
  EXPECT_EQ(stats.samples_failed, 0u);
  EXPECT_EQ(stats.retries, 2u);
  const uint64_t batches = stats.requests - stats.retries;
  EXPECT_GE(batches, fleet.total_samples() / 700);
  EXPECT_LE(batches, fleet.total_samples() / 700 + 3);
  EXPECT_EQ(receiver.requests(), static_cast<int>(stats.requests));

  const auto received = receiver.received();
  ASSERT_EQ(received.size(), fleet.series().size());
  for (size_t i = 0; i < fleet.series().size(); ++i) {
    std::string key;
    for (const Label l : fleet.series()[i].labels) key += std::string(l.name) + "=" + std::string(l.value) + ",";
    const auto it = received.find(key);
    ASSERT_NE(it, received.end()) << key;
    SeriesCursor cursor(fleet, i);
    size_t k = 0;
    for (Sample want; cursor.Next(&want); ++k) {
      ASSERT_LT(k, it->second.size());
      EXPECT_EQ(it->second[k].t, want.t);  // in time order
      EXPECT_EQ(std::bit_cast<uint64_t>(it->second[k].v), std::bit_cast<uint64_t>(want.v));
    }
    EXPECT_EQ(k, it->second.size());
  }
}

// A clock whose sleeps return at once, moving its time to the deadline and recording how long each was.
class RecordingClock : public Clock {
 public:
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  bool SleepUntil(absl::Time deadline, absl::Notification*) override {
    absl::MutexLock lock(&mu_);
    waits_.push_back(deadline - now_);
    now_ = std::max(now_, deadline);
    return true;
  }
  std::vector<absl::Duration> waits() const {
    absl::MutexLock lock(&mu_);
    return waits_;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_) = absl::FromUnixSeconds(1700000000);
  std::vector<absl::Duration> waits_ ABSL_GUARDED_BY(mu_);
};

TEST(RemoteWriteTest, RetriesWithBackoffThenSucceeds) {
  FleetOptions fo = Small();
  fo.hosts = 1;
  fo.duration_ms = 15000;  // one step: one batch
  const Fleet fleet = *Fleet::Create(fo);
  http::FakeClient client;
  client.AddResponse(503);
  client.AddResponse(http::ClientResponse{429, "slow down", {{"Retry-After", "1"}}});
  client.AddError(absl::UnavailableError("connection refused"));
  client.AddResponse(204);
  RemoteWriteOptions o;
  o.url = "http://127.0.0.1:1/api/v1/write";
  o.batch_samples = 100000;
  RecordingClock clock;
  RemoteWriteStats stats;
  const absl::Status s = SendRemoteWrite(fleet, &client, &clock, o, &stats);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(stats.samples_sent, fleet.total_samples());
  EXPECT_EQ(stats.retries, 3u);
  EXPECT_THAT(clock.waits(), ElementsAre(absl::Milliseconds(50),
                                         absl::Seconds(1),  // Retry-After beats 100 ms
                                         absl::Milliseconds(200)));
  const auto requests = client.requests();
  ASSERT_EQ(requests.size(), 4u);
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(requests[i].body, requests[0].body);
    std::string attempt;
    for (const auto& [k, v] : requests[i].headers) {
      if (k == "Retry-Attempt") attempt = v;
    }
    EXPECT_EQ(attempt, i == 0 ? "" : std::to_string(i));
  }
}

TEST(RemoteWriteTest, ClientErrorsAreNotRetried) {
  const Fleet fleet = *Fleet::Create(Small());
  http::FakeClient client;
  client.SetResponder([](const http::RecordedRequest&) {
    return http::ClientResponse{400, "out of order sample", {}};
  });
  RemoteWriteOptions o;
  o.url = "http://127.0.0.1:1/api/v1/write";
  o.batch_samples = 100;
  o.max_failed_batches = 3;
  RemoteWriteStats stats;
  const absl::Status s = SendRemoteWrite(fleet, &client, RealClock(), o, &stats);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("HTTP 400: out of order sample"));
  EXPECT_EQ(stats.retries, 0u);
  EXPECT_EQ(stats.failed_batches, 3u);  // then it stopped
  EXPECT_EQ(client.requests().size(), 3u);
  EXPECT_EQ(stats.samples_sent, 0u);
}

TEST(RemoteWriteTest, GivesUpAfterMaxRetries) {
  FleetOptions fo = Small();
  fo.hosts = 1;
  fo.duration_ms = 15000;
  const Fleet fleet = *Fleet::Create(fo);
  http::FakeClient client;
  client.SetResponder([](const http::RecordedRequest&) { return http::ClientResponse{500, "boom", {}}; });
  RemoteWriteOptions o;
  o.url = "http://127.0.0.1:1/api/v1/write";
  o.max_retries = 2;
  o.batch_samples = 100000;
  RecordingClock clock;
  RemoteWriteStats stats;
  const absl::Status s = SendRemoteWrite(fleet, &client, &clock, o, &stats);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("HTTP 500: boom (after 2 retries)"));
  EXPECT_EQ(client.requests().size(), 3u);
  EXPECT_EQ(stats.samples_failed, fleet.total_samples());
  EXPECT_THAT(clock.waits(), ElementsAre(absl::Milliseconds(50), absl::Milliseconds(100)));
}

}  // namespace
}  // namespace vigil::datagen
