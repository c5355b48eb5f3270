// Random and mutated request bodies through both receivers. Every answer must be a 200/202 (the mutation kept the
// body valid) or a 4xx with a message; never a crash, a hang or a 5xx. Run under ASan/UBSan in CI
// (--config=asan), which turns any out-of-bounds read into a failure.
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/receivers/fake_span_sink.h"
#include "agent/receivers/trace_receivers.h"
#include "base/http/gzip.h"
#include "gtest/gtest.h"
#include "wire/otlp/encode.h"
#include "wire/otlp/encode_json.h"
#include "wire/otlp/test_util.h"

namespace vigil::receivers {
namespace {

TraceReceiverOptions SmallLimit() {
  TraceReceiverOptions options;
  options.max_request_bytes = 1 << 20;
  return options;
}

std::string Mutate(std::string s, std::mt19937& rng) {
  const int edits = 1 + static_cast<int>(rng() % 8);
  for (int e = 0; e < edits; ++e) {
    switch (rng() % 6) {
      case 0:  // flip a byte
        if (!s.empty()) s[rng() % s.size()] = static_cast<char>(rng());
        break;
      case 1:  // truncate
        if (!s.empty()) s.resize(rng() % s.size());
        break;
      case 2:  // insert random bytes
        s.insert(s.empty() ? 0 : rng() % s.size(), std::string(1 + rng() % 8, static_cast<char>(rng())));
        break;
      case 3:  // duplicate a slice
        if (s.size() > 2) {
          const size_t a = rng() % s.size(), n = rng() % (s.size() - a);
          s.insert(rng() % s.size(), s.substr(a, n));
        }
        break;
      case 4:  // delete a slice
        if (!s.empty()) {
          const size_t a = rng() % s.size();
          s.erase(a, rng() % (s.size() - a + 1));
        }
        break;
      case 5:  // set a byte to a structural character
        if (!s.empty()) {
          constexpr std::string_view kStructural = "{}[]\",:0\x0a\x12\x80\xff";
          s[rng() % s.size()] = kStructural[rng() % kStructural.size()];
        }
        break;
    }
  }
  return s;
}

void Check(const http::Response& resp, int ok_status, const std::string& what) {
  const bool fine = resp.status == ok_status || (resp.status >= 400 && resp.status < 500);
  ASSERT_TRUE(fine) << what << ": status " << resp.status << " " << resp.body;
  if (resp.status >= 400) {
    ASSERT_FALSE(resp.body.empty()) << what;
  }
}

TEST(TraceReceiversFuzzTest, MutatedBodiesNeverCrash) {
  FakeSpanSink sink;
  TraceReceivers receivers(&sink, nullptr, SmallLimit());
  std::vector<Span> spans = wire::otlp::testing::TypicalSpans(8);
  spans.push_back(wire::otlp::testing::FullSpan());
  const std::string seeds[3] = {
      wire::otlp::EncodeTracesProto(spans),
      wire::otlp::EncodeTracesJson(spans),
      R"([{"traceId":"5982fe77008310cc80f1da5e10147517","id":"bd7a977555f6b982","parentId":"a2fb4a1d1a96d312",)"
      R"("name":"get","kind":"SERVER","timestamp":1472470996199000,"duration":207000,)"
      R"("localEndpoint":{"serviceName":"frontend","ipv4":"1.2.3.4","port":80},)"
      R"("annotations":[{"timestamp":1472470996238000,"value":"ws"}],"tags":{"error":"x","a":"b"},"shared":true}])",
  };
  const char* types[3] = {"application/x-protobuf", "application/json", "application/json"};
  std::mt19937 rng(20240601);
  int accepted = 0;
  for (int i = 0; i < 6000; ++i) {
    const int which = i % 3;
    http::Request req;
    req.method = "POST";
    req.headers.emplace("Content-Type", types[which]);
    req.body = Mutate(seeds[which], rng);
    if (i % 50 == 0) {
      req.body = *http::GzipCompress(req.body);
      req.headers.emplace("Content-Encoding", "gzip");
    }
    http::Response resp;
    if (which == 2) {
      receivers.HandleZipkin(req, &resp);
      Check(resp, 202, absl::StrCat("zipkin #", i));
    } else {
      receivers.HandleOtlp(req, &resp);
      Check(resp, 200, absl::StrCat(types[which], " #", i));
    }
    if (resp.status < 300) ++accepted;
  }
  // Some mutations keep bodies valid (e.g. a flipped byte inside a string), most do not: both paths ran.
  EXPECT_GT(accepted, 0);
  EXPECT_LT(accepted, 6000);
}

TEST(TraceReceiversFuzzTest, RandomBytesNeverCrash) {
  FakeSpanSink sink;
  TraceReceivers receivers(&sink, nullptr);
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    std::string body(rng() % 512, '\0');
    for (char& c : body) c = static_cast<char>(rng());
    http::Request req;
    req.method = "POST";
    req.headers.emplace("Content-Type", i % 2 ? "application/json" : "application/x-protobuf");
    req.body = body;
    http::Response resp;
    receivers.HandleOtlp(req, &resp);
    Check(resp, 200, absl::StrCat("otlp random #", i));
    http::Response zresp;
    receivers.HandleZipkin(req, &zresp);
    Check(zresp, 202, absl::StrCat("zipkin random #", i));
  }
}

}  // namespace
}  // namespace vigil::receivers
