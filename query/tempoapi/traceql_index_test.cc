// TraceQL searches answered through the trace store's search index give exactly what reading every trace gives:
// for each query, range and limit, the same traces in the same order with the same matches.
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/clock/clock.h"
#include "gtest/gtest.h"
#include "query/tempoapi/traceql.h"
#include "tsdb/kv/memory_kv_store.h"
#include "tsdb/traces/trace_store.h"

namespace vigil::tempoapi {
namespace {

using traces::SpanFilter;
using traces::SpanSummary;
using traces::TraceSearchRequest;
using traces::TraceSearchResponse;

constexpr uint64_t kSec = 1'000'000'000;
constexpr uint64_t kBase = 1700000000 * kSec;

// The same condition without an index plan: Search then reads every trace of the range.
class WithoutPlan : public SpanFilter {
 public:
  explicit WithoutPlan(const SpanFilter* inner) : inner_(inner) {}
  bool Matches(const SpanSummary& s) const override { return inner_->Matches(s); }

 private:
  const SpanFilter* inner_;
};

SpanId Sid(uint64_t v);

std::vector<Span> RandomTrace(std::mt19937_64& rng, int trace, uint64_t start) {
  static const char* kServices[] = {"front", "cart", "db", "auth"};
  static const char* kNames[] = {"GET /api", "POST /api/cart", "query", "login", "render"};
  static const char* kRoutes[] = {"/api", "/api/cart", "/login"};
  static const char* kNamespaces[] = {"prod", "staging", "dev"};
  std::vector<Span> spans;
  const int n = 1 + static_cast<int>(rng() % 6);
  for (int i = 0; i < n; ++i) {
    Span s;
    s.trace_id = *TraceId::FromShortHex(absl::StrCat(absl::Hex(0x5000 + trace)));
    s.span_id = Sid(i + 1);
    if (i > 0) s.parent_span_id = Sid(rng() % i + 1);
    // Some traces lose their root.
    if (i == 0 && rng() % 10 == 0) s.parent_span_id = Sid(0xff);
    auto res = std::make_shared<Resource>();
    res->attributes.push_back({"service.name", AnyValue::String(kServices[rng() % 4])});
    res->attributes.push_back({"k8s.namespace.name", AnyValue::String(kNamespaces[rng() % 3])});
    s.resource = res;
    s.name = kNames[rng() % 5];
    s.kind = static_cast<SpanKind>(rng() % 6);
    s.status_code = static_cast<SpanStatusCode>(rng() % 3);
    s.start_time_unix_nano = start + rng() % (30 * kSec);
    // Durations from 1 µs to ~4 s, spread over their logarithm.
    s.end_time_unix_nano = s.start_time_unix_nano + (uint64_t{1000} << (rng() % 22));
    if (rng() % 2 == 0) s.attributes.push_back({"http.method", AnyValue::String(rng() % 2 ? "GET" : "POST")});
    if (rng() % 2 == 0) s.attributes.push_back({"http.status_code", AnyValue::Int(rng() % 3 == 0 ? 500 : 200)});
    if (rng() % 3 == 0) s.attributes.push_back({"http.route", AnyValue::String(kRoutes[rng() % 3])});
    if (rng() % 3 == 0) s.attributes.push_back({"user.id", AnyValue::String("u1")});  // not indexed
    spans.push_back(std::move(s));
  }
  return spans;
}

SpanId Sid(uint64_t v) { return *SpanId::FromHex(absl::StrCat(absl::Hex(v, absl::kZeroPad16))); }

class TraceQLIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = *traces::TraceStore::Open(&kv_, {}, &clock_);
    std::mt19937_64 rng(7);
    // 600 traces over 5 hours (three 2 h partitions); a quarter get a second batch minutes later.
    for (int t = 0; t < 600; ++t) {
      const uint64_t start = kBase + static_cast<uint64_t>(t) * 30 * kSec;
      ASSERT_TRUE(store_->Consume(RandomTrace(rng, t, start)).ok());
      if (t % 4 == 0) {
        std::vector<Span> late = RandomTrace(rng, t, start + 5 * 60 * kSec);
        for (Span& s : late) s.span_id = Sid(0x100 + rng() % 1000);
        ASSERT_TRUE(store_->Consume(std::move(late)).ok());
      }
    }
  }

  FakeClock clock_;
  kv::MemoryKvStore kv_;
  std::unique_ptr<traces::TraceStore> store_;
};

TEST_F(TraceQLIndexTest, IndexedSearchEqualsFullRead) {
  const std::vector<std::string> queries = {
      "{}",
      "{ resource.service.name = \"cart\" }",
      "{ .service.name = \"db\" }",
      "{ name = \"GET /api\" }",
      "{ name =~ \"GET.*|login\" }",
      "{ name != \"query\" }",
      "{ status = error }",
      "{ status != unset }",
      "{ kind = server }",
      "{ duration > 100ms }",
      "{ duration < 10us }",
      "{ duration <= 1ms && duration >= 500us }",
      "{ duration >= 1s && status = error }",
      "{ span.http.status_code >= 500 }",
      "{ span.http.status_code = 200 }",
      "{ .http.status_code = \"500\" }",
      "{ span.http.method = \"POST\" || resource.service.name = \"auth\" }",
      "{ resource.k8s.namespace.name =~ \"prod|staging\" }",
      "{ span.user.id = \"u1\" }",
      "{ span.http.route != nil }",
      "{ span.http.route = nil }",
      "{ (status = error || duration > 2s) && resource.service.name != \"front\" }",
      "{ span.http.method !~ \"GET\" && kind != internal }",
      "{ name = \"no such span\" || status = ok }",
  };
  const uint64_t end = kBase + 600 * 30 * kSec;
  const std::vector<traces::TimeRange> ranges = {
      {},
      {.start_ns = static_cast<int64_t>(end - 3600 * kSec), .end_ns = static_cast<int64_t>(end)},
      {.start_ns = static_cast<int64_t>(kBase + 3600 * kSec), .end_ns = static_cast<int64_t>(kBase + 9000 * kSec)},
  };
  int nonempty = 0;
  for (const std::string& q : queries) {
    absl::StatusOr<std::unique_ptr<TraceQLQuery>> parsed = TraceQLQuery::Parse(q);
    ASSERT_TRUE(parsed.ok()) << q << ": " << parsed.status();
    const TraceQLQuery* query = parsed->get();
    WithoutPlan full(query);
    for (size_t r = 0; r < ranges.size(); ++r) {
      for (size_t limit : {0, 1, 7, 20}) {
        TraceSearchRequest req{.range = ranges[r], .filter = query, .limit = limit};
        absl::StatusOr<TraceSearchResponse> indexed = store_->Search(req);
        req.filter = &full;
        absl::StatusOr<TraceSearchResponse> read_all = store_->Search(req);
        ASSERT_TRUE(indexed.ok()) << indexed.status();
        ASSERT_TRUE(read_all.ok()) << read_all.status();
        const std::string where = absl::StrCat(q, " range ", r, " limit ", limit);
        ASSERT_EQ(indexed->traces.size(), read_all->traces.size()) << where;
        for (size_t i = 0; i < indexed->traces.size(); ++i) {
          EXPECT_EQ(indexed->traces[i].trace_id, read_all->traces[i].trace_id) << where << " #" << i;
          EXPECT_EQ(indexed->traces[i].matched, read_all->traces[i].matched) << where << " #" << i;
        }
        // Without a limit both read to the end: the index reads only candidates.
        if (limit == 0) {
          EXPECT_LE(indexed->inspected_bytes, read_all->inspected_bytes) << where;
        }
        if (limit == 0 && !indexed->traces.empty()) ++nonempty;
      }
    }
  }
  // The data exercises the queries: most find something.
  EXPECT_GT(nonempty, 50);
}

TEST_F(TraceQLIndexTest, SelectiveQueriesReadLittle) {
  absl::StatusOr<std::unique_ptr<TraceQLQuery>> q = TraceQLQuery::Parse("{ span.user.id = \"u1\" }");
  ASSERT_TRUE(q.ok());
  TraceSearchRequest req;
  req.filter = q->get();
  req.limit = 0;
  absl::StatusOr<TraceSearchResponse> r = store_->Search(req);
  ASSERT_TRUE(r.ok());
  // user.id is not indexed: nothing can match, and nothing is read.
  EXPECT_TRUE(r->traces.empty());
  EXPECT_EQ(r->inspected_bytes, 0u);
}

}  // namespace
}  // namespace vigil::tempoapi
