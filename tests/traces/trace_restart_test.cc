// A kill -9 of vigil-store during trace ingest loses no acknowledged span (issue 7): a client posts OTLP protobuf
// requests of 50 spans, each request one trace, as fast as the store answers; the store is killed mid-stream and
// started again on the same data; every trace whose request got a 200 must come back whole by id.
#include <signal.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "base/http/client.h"
#include "gtest/gtest.h"
#include "model/span.h"
#include "tests/support/peers.h"
#include "tests/support/subprocess.h"
#include "wire/otlp/decode_proto.h"
#include "wire/otlp/encode.h"
#include "wire/otlp/test_util.h"

namespace vigil {
namespace {

constexpr size_t kSpansPerTrace = 50;

TraceId TraceFor(uint32_t n) {
  TraceId id;
  id.bytes[0] = 0xab;
  for (int i = 0; i < 4; ++i) id.bytes[12 + i] = static_cast<uint8_t>(n >> (8 * (3 - i)));
  return id;
}

std::string TraceRequest(uint32_t n) {
  std::vector<Span> spans = wire::otlp::testing::TypicalSpans(kSpansPerTrace);
  const uint64_t now = static_cast<uint64_t>(absl::ToUnixNanos(absl::Now()));
  for (size_t i = 0; i < spans.size(); ++i) {
    spans[i].trace_id = TraceFor(n);
    spans[i].start_time_unix_nano = now - 1000000 * (i + 1);
    spans[i].end_time_unix_nano = now;
  }
  return wire::otlp::EncodeTracesProto(spans);
}

TEST(TraceRestartTest, KillNineDuringIngestLosesNoAcknowledgedSpan) {
  const std::string tmp = testing::TestTmpDir();
  const int port = *testing::FreePort();
  auto store = testing::StartVigilStore(tmp + "/store", port, tmp + "/store1.log", {"--log.level=warn"});
  ASSERT_TRUE(store.ok()) << store.status();

  absl::Mutex mu;
  std::vector<uint32_t> acked;
  std::atomic<bool> stop{false};
  std::thread client([&] {
    http::HttplibClient http;
    for (uint32_t n = 0; !stop.load(); ++n) {
      auto r = http.Post(testing::LocalUrl(port, "/v1/traces"), {{"Content-Type", "application/x-protobuf"}},
                         TraceRequest(n), absl::Seconds(5));
      if (r.ok() && r->status == 200) {
        absl::MutexLock lock(&mu);
        acked.push_back(n);
      }
    }
  });
  // Let a few hundred requests through, then kill the store in the middle of the stream.
  for (int i = 0; i < 200; ++i) {
    absl::SleepFor(absl::Milliseconds(20));
    absl::MutexLock lock(&mu);
    if (acked.size() >= 300) break;
  }
  ASSERT_TRUE(store->Stop(SIGKILL, absl::Seconds(10)).ok());
  stop.store(true);
  client.join();
  std::vector<uint32_t> done;
  {
    absl::MutexLock lock(&mu);
    done = acked;
  }
  ASSERT_GE(done.size(), 20u) << "too few requests acknowledged before the kill";

  store = testing::StartVigilStore(tmp + "/store", port, tmp + "/store2.log", {"--log.level=warn"});
  ASSERT_TRUE(store.ok()) << store.status();
  http::HttplibClient http;
  size_t missing = 0;
  for (uint32_t n : done) {
    // Tempo's v1 trace by id: the trace as OTLP TracesData, which decodes as an export request does.
    auto r = http.Get(testing::LocalUrl(port, "/api/traces/" + TraceFor(n).Hex()), {{"Accept", "application/protobuf"}},
                      absl::Seconds(10));
    ASSERT_TRUE(r.ok()) << r.status();
    if (r->status != 200) {
      ++missing;
      continue;
    }
    auto decoded = wire::otlp::DecodeTracesProto(r->body);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(decoded->spans.size(), kSpansPerTrace) << "trace " << n;
  }
  EXPECT_EQ(missing, 0u) << "of " << done.size() << " acknowledged traces";
}

}  // namespace
}  // namespace vigil
