#include "exporters/sender/queued_sender.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "base/clock/clock.h"
#include "base/fs/in_memory_file_system.h"
#include "base/http/fake_client.h"
#include "base/metrics/registry.h"
#include "exporters/remote_write/remote_write_protocol.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::exporters {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr char kUrl[] = "http://store:9090/api/v1/write";

// A FakeClock that also records how long each sleep was asked to last, so tests can check backoffs exactly.
class RecordingClock : public Clock {
 public:
  absl::Time Now() const override { return fake_.Now(); }
  bool SleepUntil(absl::Time deadline, absl::Notification* cancel) override {
    {
      absl::MutexLock lock(&mu_);
      waits_.push_back(deadline - fake_.Now());
    }
    return fake_.SleepUntil(deadline, cancel);
  }
  // Blocks until `n` sleeps have begun. Advancing time afterwards releases the n-th even if its thread has not
  // reached FakeClock yet (its deadline is already fixed).
  void AwaitWaits(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return waits_.size() >= n; };
    mu_.Await(absl::Condition(&enough));
  }
  std::vector<absl::Duration> waits() const {
    absl::MutexLock lock(&mu_);
    return waits_;
  }
  void Advance(absl::Duration d) { fake_.Advance(d); }

 private:
  FakeClock fake_;
  mutable absl::Mutex mu_;
  std::vector<absl::Duration> waits_ ABSL_GUARDED_BY(mu_);
};

class QueuedSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<SenderMetrics>> m = SenderMetrics::Register(&registry_, "remote_write", "samples");
    ASSERT_TRUE(m.ok()) << m.status();
    metrics_ = std::move(*m);
  }

  QueuedSenderOptions Options() {
    QueuedSenderOptions o;
    o.protocol = remote_write::RemoteWriteProtocol();
    o.url = kUrl;
    o.remote_name = "store";
    o.queue_dir = "/agent/queue/store";
    return o;
  }

  std::unique_ptr<QueuedSender> Open(QueuedSenderOptions o) {
    absl::StatusOr<std::unique_ptr<QueuedSender>> s =
        QueuedSender::Open(std::move(o), &client_, &fs_, &clock_, metrics_.get());
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }
  std::unique_ptr<QueuedSender> Open() { return Open(Options()); }

  static http::ClientResponse Response(int status, std::string retry_after = "") {
    http::ClientResponse r;
    r.status = status;
    if (!retry_after.empty()) r.headers.emplace_back("Retry-After", retry_after);
    return r;
  }

  InMemoryFileSystem fs_;
  RecordingClock clock_;
  http::FakeClient client_;
  metrics::Registry registry_;
  std::unique_ptr<SenderMetrics> metrics_;
};

TEST_F(QueuedSenderTest, PostsWithTheRemoteWriteHeaders) {
  client_.AddResponse(204);
  std::unique_ptr<QueuedSender> s = Open();
  ASSERT_TRUE(s->Enqueue("snappy-body", 7).ok());
  s->Start();
  ASSERT_TRUE(s->queue()->WaitUntilEmpty());
  std::vector<http::RecordedRequest> reqs = client_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].url, kUrl);
  EXPECT_EQ(reqs[0].body, "snappy-body");
  EXPECT_EQ(reqs[0].timeout, absl::Seconds(30));
  EXPECT_THAT(reqs[0].headers, Contains(Pair("Content-Encoding", "snappy")));
  EXPECT_THAT(reqs[0].headers, Contains(Pair("Content-Type", "application/x-protobuf")));
  EXPECT_THAT(reqs[0].headers, Contains(Pair("X-Prometheus-Remote-Write-Version", "0.1.0")));
  EXPECT_THAT(reqs[0].headers, Contains(Pair("User-Agent", DefaultUserAgent())));
  EXPECT_THAT(DefaultUserAgent(), HasSubstr("vigil-agent/"));
  const DestinationMetrics& m = s->metrics();
  EXPECT_EQ(m.items_sent->Value(), 7);
  EXPECT_EQ(m.bytes_sent->Value(), 11);
  EXPECT_EQ(m.items_retried->Value(), 0);
  EXPECT_EQ(m.last_send_timestamp->Value(), absl::ToDoubleSeconds(clock_.Now() - absl::UnixEpoch()));
  EXPECT_EQ(m.queue.items->Value(), 0);
  EXPECT_TRUE(clock_.waits().empty());
  const std::string page = registry_.RenderText();
  EXPECT_THAT(page, HasSubstr(absl::StrCat("vigil_agent_remote_write_samples_sent_total{remote_name=\"store\",url=\"",
                                           kUrl, "\"} 7")));
}

TEST_F(QueuedSenderTest, Retries503WithExponentialBackoffThenSucceeds) {
  client_.AddResponse(503);
  client_.AddResponse(503);
  client_.AddResponse(500);
  client_.AddResponse(204);
  std::unique_ptr<QueuedSender> s = Open();
  ASSERT_TRUE(s->Enqueue("body", 10).ok());
  s->Start();
  const absl::Duration expected[] = {absl::Milliseconds(30), absl::Milliseconds(60), absl::Milliseconds(120)};
  for (size_t i = 0; i < std::size(expected); ++i) {
    clock_.AwaitWaits(i + 1);
    EXPECT_EQ(clock_.waits()[i], expected[i]) << i;
    clock_.Advance(expected[i]);
  }
  ASSERT_TRUE(s->queue()->WaitUntilEmpty());
  std::vector<http::RecordedRequest> reqs = client_.requests();
  ASSERT_EQ(reqs.size(), 4u);
  for (const auto& r : reqs) EXPECT_EQ(r.body, "body");
  EXPECT_THAT(reqs[0].headers, ::testing::Not(Contains(Pair("Retry-Attempt", ::testing::_))));
  EXPECT_THAT(reqs[3].headers, Contains(Pair("Retry-Attempt", "3")));
  EXPECT_EQ(s->metrics().items_retried->Value(), 30);
  EXPECT_EQ(s->metrics().items_sent->Value(), 10);
}

TEST_F(QueuedSenderTest, BackoffIsCappedAtMaxBackoff) {
  QueuedSenderOptions o = Options();
  o.min_backoff = absl::Seconds(2);
  o.max_backoff = absl::Seconds(5);
  for (int i = 0; i < 3; ++i) client_.AddResponse(503);
  client_.AddResponse(204);
  std::unique_ptr<QueuedSender> s = Open(o);
  ASSERT_TRUE(s->Enqueue("body", 1).ok());
  s->Start();
  const absl::Duration expected[] = {absl::Seconds(2), absl::Seconds(4), absl::Seconds(5)};
  for (size_t i = 0; i < std::size(expected); ++i) {
    clock_.AwaitWaits(i + 1);
    EXPECT_EQ(clock_.waits()[i], expected[i]) << i;
    clock_.Advance(expected[i]);
  }
  ASSERT_TRUE(s->queue()->WaitUntilEmpty());
}

TEST_F(QueuedSenderTest, HonoursRetryAfterOn429And503) {
  client_.AddResponse(Response(429, "7"));
  client_.AddResponse(Response(503));
  client_.AddResponse(Response(503, "2"));
  client_.AddResponse(204);
  std::unique_ptr<QueuedSender> s = Open();
  ASSERT_TRUE(s->Enqueue("body", 3).ok());
  s->Start();
  // Retry-After replaces the wait; the next backoff doubles from it, capped at max_backoff (as Prometheus).
  const absl::Duration expected[] = {absl::Seconds(7), absl::Seconds(5), absl::Seconds(2)};
  for (size_t i = 0; i < std::size(expected); ++i) {
    clock_.AwaitWaits(i + 1);
    EXPECT_EQ(clock_.waits()[i], expected[i]) << i;
    clock_.Advance(expected[i]);
  }
  ASSERT_TRUE(s->queue()->WaitUntilEmpty());
  EXPECT_EQ(client_.requests().size(), 4u);
  EXPECT_EQ(s->metrics().items_sent->Value(), 3);
}

TEST_F(QueuedSenderTest, DropsRequestsRefusedWith4xxAndGoesOn) {
  client_.AddResponse(400, "out of order sample");
  client_.AddResponse(404);
  client_.AddResponse(204);
  std::unique_ptr<QueuedSender> s = Open();
  ASSERT_TRUE(s->Enqueue("bad", 5).ok());
  ASSERT_TRUE(s->Enqueue("missing", 6).ok());
  ASSERT_TRUE(s->Enqueue("good", 7).ok());
  s->Start();
  ASSERT_TRUE(s->queue()->WaitUntilEmpty());
  std::vector<http::RecordedRequest> reqs = client_.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[2].body, "good");
  EXPECT_EQ(s->metrics().items_failed->Value(), 11);
  EXPECT_EQ(s->metrics().items_sent->Value(), 7);
  EXPECT_EQ(s->metrics().items_retried->Value(), 0);
  EXPECT_TRUE(clock_.waits().empty());
}

TEST_F(QueuedSenderTest, RetriesTransportErrorsWithoutLosingTheRecord) {
  client_.AddError(absl::UnavailableError("POST http://store:9090/api/v1/write: connection refused"));
  client_.AddError(absl::UnavailableError("timeout"));
  client_.AddResponse(200);
  std::unique_ptr<QueuedSender> s = Open();
  ASSERT_TRUE(s->Enqueue("first", 1).ok());
  ASSERT_TRUE(s->Enqueue("second", 1).ok());
  client_.AddResponse(204);
  s->Start();
  clock_.AwaitWaits(1);
  clock_.Advance(absl::Milliseconds(30));
  clock_.AwaitWaits(2);
  EXPECT_EQ(clock_.waits()[1], absl::Milliseconds(60));
  clock_.Advance(absl::Milliseconds(60));
  ASSERT_TRUE(s->queue()->WaitUntilEmpty());
  std::vector<http::RecordedRequest> reqs = client_.requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[0].body, "first");
  EXPECT_EQ(reqs[2].body, "first");
  EXPECT_EQ(reqs[3].body, "second");
  EXPECT_EQ(s->metrics().items_sent->Value(), 2);
}

TEST_F(QueuedSenderTest, StopDuringBackoffKeepsTheRecordForTheNextStart) {
  client_.AddResponse(503);
  {
    std::unique_ptr<QueuedSender> s = Open();
    ASSERT_TRUE(s->Enqueue("pending", 4).ok());
    s->Start();
    clock_.AwaitWaits(1);
    s->Stop();  // Must not wait out the backoff: time never advances here.
    EXPECT_EQ(s->queue()->stats().records, 1u);
    EXPECT_EQ(s->metrics().items_sent->Value(), 0);
  }
  client_.AddResponse(204);
  std::unique_ptr<QueuedSender> s = Open();
  EXPECT_EQ(s->queue()->stats().records, 1u);
  s->Start();
  ASSERT_TRUE(s->queue()->WaitUntilEmpty());
  std::vector<http::RecordedRequest> reqs = client_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[1].body, "pending");
  s.reset();
  EXPECT_EQ(Open()->queue()->stats().records, 0u);  // Acknowledged for good.
}

TEST_F(QueuedSenderTest, StopWithoutStartAndIdleStopReturn) {
  std::unique_ptr<QueuedSender> idle = Open();
  idle->Stop();
  QueuedSenderOptions o = Options();
  o.queue_dir = "/agent/queue/other";
  o.remote_name = "";
  std::unique_ptr<QueuedSender> running = Open(o);
  running->Start();
  running->Stop();
  running->Stop();
  EXPECT_EQ(running->remote_name().size(), 6u);  // Derived from the URL.
}

TEST_F(QueuedSenderTest, FailedEnqueueCountsDroppedSamples) {
  std::unique_ptr<QueuedSender> s = Open();
  fs_.SetWriteError(absl::ResourceExhaustedError("no space left on device"));
  absl::Status st = s->Enqueue("body", 9);
  EXPECT_EQ(st.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(st.message(), HasSubstr(kUrl));
  EXPECT_EQ(s->metrics().items_dropped->Value(), 9);
  fs_.SetWriteError(absl::OkStatus());
}

TEST_F(QueuedSenderTest, QueueBoundDropsCountAsDroppedSamples) {
  QueuedSenderOptions o = Options();
  o.queue.max_bytes = 11;  // One record: 10 bytes of body after a 1-byte metadata length.
  std::unique_ptr<QueuedSender> s = Open(o);
  ASSERT_TRUE(s->Enqueue("0123456789", 100).ok());
  ASSERT_TRUE(s->Enqueue("abcdefghij", 200).ok());
  EXPECT_EQ(s->metrics().items_dropped->Value(), 100);
  EXPECT_EQ(s->metrics().queue.dropped_records->Value(), 1);
  EXPECT_EQ(s->metrics().queue.items->Value(), 200);
}

TEST_F(QueuedSenderTest, MetadataStaysLocalReachesOnDoneAndSurvivesARestart) {
  std::vector<std::pair<std::string, SendVerdict>> done;
  absl::Mutex mu;
  QueuedSenderOptions o = Options();
  o.on_done = [&](std::string_view metadata, SendVerdict v) {
    absl::MutexLock lock(&mu);
    done.emplace_back(std::string(metadata), v);
  };
  {
    std::unique_ptr<QueuedSender> s = Open(o);
    ASSERT_TRUE(s->Enqueue("body-a", 1, "pos=10").ok());
    ASSERT_TRUE(s->Enqueue("body-b", 1, "pos=20").ok());
    ASSERT_TRUE(s->Enqueue("body-c", 1).ok());
  }
  std::unique_ptr<QueuedSender> s = Open(o);
  std::vector<std::string> queued;
  ASSERT_TRUE(s->ForEachQueuedMetadata([&](std::string_view m) { queued.emplace_back(m); }).ok());
  EXPECT_THAT(queued, ElementsAre("pos=10", "pos=20", ""));
  client_.AddResponse(204);
  client_.AddResponse(400);
  client_.AddResponse(204);
  s->Start();
  ASSERT_TRUE(s->queue()->WaitUntilEmpty());
  s->Stop();
  std::vector<http::RecordedRequest> reqs = client_.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].body, "body-a");  // The metadata is never sent.
  EXPECT_EQ(reqs[1].body, "body-b");
  EXPECT_THAT(reqs[0].headers, Contains(Pair("X-Prometheus-Remote-Write-Version", "0.1.0")));
  absl::MutexLock lock(&mu);
  EXPECT_THAT(done, ElementsAre(Pair("pos=10", SendVerdict::kAccepted), Pair("pos=20", SendVerdict::kRefused),
                                Pair("", SendVerdict::kAccepted)));
}

TEST_F(QueuedSenderTest, RefusesBadOptions) {
  QueuedSenderOptions o = Options();
  o.url = "https://store/api/v1/write";
  EXPECT_EQ(QueuedSender::Open(o, &client_, &fs_, &clock_, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  o = Options();
  o.min_backoff = absl::Seconds(10);
  EXPECT_EQ(QueuedSender::Open(o, &client_, &fs_, &clock_, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  o = Options();
  o.protocol.name = "";
  EXPECT_EQ(QueuedSender::Open(o, &client_, &fs_, &clock_, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  o = Options();
  o.queue_dir = "";
  EXPECT_EQ(QueuedSender::Open(o, &client_, &fs_, &clock_, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Without a shared metrics object the sender keeps its own.
  EXPECT_TRUE(QueuedSender::Open(Options(), &client_, &fs_, &clock_, nullptr).ok());
}

TEST(ClassifyTest, FollowsTheRemoteWriteSpec) {
  auto resp = [](int status) {
    http::ClientResponse r;
    r.status = status;
    return absl::StatusOr<http::ClientResponse>(r);
  };
  EXPECT_EQ(Classify(resp(200)), SendVerdict::kAccepted);
  EXPECT_EQ(Classify(resp(204)), SendVerdict::kAccepted);
  EXPECT_EQ(Classify(resp(429)), SendVerdict::kRetry);
  EXPECT_EQ(Classify(resp(500)), SendVerdict::kRetry);
  EXPECT_EQ(Classify(resp(503)), SendVerdict::kRetry);
  EXPECT_EQ(Classify(resp(400)), SendVerdict::kRefused);
  EXPECT_EQ(Classify(resp(413)), SendVerdict::kRefused);
  EXPECT_EQ(Classify(resp(302)), SendVerdict::kRefused);
  EXPECT_EQ(Classify(absl::UnavailableError("refused")), SendVerdict::kRetry);
}

TEST(ParseRetryAfterTest, SecondsAndHttpDates) {
  const absl::Time now = absl::FromUnixSeconds(1445412400);  // Wed, 21 Oct 2015 07:26:40 GMT
  EXPECT_EQ(ParseRetryAfter("120", now), absl::Seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 3 ", now), absl::Seconds(3));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now), absl::Seconds(80));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now), absl::ZeroDuration());  // In the past.
  EXPECT_EQ(ParseRetryAfter("", now), absl::ZeroDuration());
  EXPECT_EQ(ParseRetryAfter("soon", now), absl::ZeroDuration());
  EXPECT_EQ(ParseRetryAfter("-5", now), absl::ZeroDuration());
}

}  // namespace
}  // namespace vigil::exporters
