#include "tsdb/traces/trace_store.h"

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "base/clock/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/kv/memory_kv_store.h"
#include "tsdb/kv/rocksdb_kv_store.h"
#include "tsdb/traces/search_index.h"

namespace vigil::traces {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr uint64_t kSec = 1'000'000'000;
constexpr uint64_t kBase = 1700000000 * kSec;  // FakeClock's default start

TraceId Tid(int i) { return *TraceId::FromShortHex(absl::StrCat(absl::Hex(0xabc000 + i))); }
SpanId Sid(int i) { return *SpanId::FromBytes(std::string(7, '\0') + static_cast<char>(i)); }

std::shared_ptr<const Resource> Res(std::string service) {
  auto r = std::make_shared<Resource>();
  r->attributes.push_back({"service.name", AnyValue::String(std::move(service))});
  return r;
}

Span MakeSpan(int trace, int span, int parent, std::string service, std::string name, uint64_t start,
              uint64_t duration) {
  Span s;
  s.trace_id = Tid(trace);
  s.span_id = Sid(span);
  if (parent > 0) s.parent_span_id = Sid(parent);
  s.name = std::move(name);
  s.start_time_unix_nano = start;
  s.end_time_unix_nano = start + duration;
  s.resource = Res(std::move(service));
  return s;
}

template <typename Fn>
TraceSearchRequest Req(Fn fn) {
  TraceSearchRequest r;
  fn(r);
  return r;
}

class StatusIs : public SpanFilter {
 public:
  explicit StatusIs(SpanStatusCode c) : c_(c) {}
  bool Matches(const SpanSummary& s) const override { return s.status == c_; }

 private:
  SpanStatusCode c_;
};

class TraceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    store_ = *TraceStore::Open(&kv_, {.retention = absl::Hours(24)}, &clock_);
  }
  std::vector<std::string> SpanNamesOf(int trace) {
    std::vector<std::string> names;
    absl::StatusOr<std::vector<Span>> spans = store_->FindTrace(Tid(trace));
    EXPECT_TRUE(spans.ok()) << spans.status();
    if (spans.ok()) {
      for (const Span& s : *spans) names.push_back(s.name);
    }
    return names;
  }

  FakeClock clock_;
  kv::MemoryKvStore kv_;
  std::unique_ptr<TraceStore> store_;
};

TEST_F(TraceStoreTest, SpansOfOneTraceInSeveralBatchesAndPartitionsAreAllFound) {
  // Root early in one partition; a child from another node minutes later; a last one 3 hours later (next
  // partition), mixed with another trace.
  ASSERT_TRUE(store_
                  ->Consume({MakeSpan(1, 1, 0, "front", "root", kBase, 4 * 3600 * kSec),
                             MakeSpan(2, 9, 0, "other", "x", kBase, kSec)})
                  .ok());
  ASSERT_TRUE(store_->Consume({MakeSpan(1, 2, 1, "back", "child", kBase + 300 * kSec, kSec)}).ok());
  ASSERT_TRUE(store_->Consume({MakeSpan(1, 3, 1, "back", "late", kBase + 3 * 3600 * kSec, kSec)}).ok());
  EXPECT_EQ(store_->PartitionStarts().size(), 2u);
  EXPECT_THAT(SpanNamesOf(1), ElementsAre("root", "child", "late"));
  EXPECT_THAT(SpanNamesOf(2), ElementsAre("x"));
  absl::StatusOr<std::vector<Span>> spans = store_->FindTrace(Tid(1));
  ASSERT_TRUE(spans.ok());
  EXPECT_EQ(ServiceName((*spans)[1]), "back");
  EXPECT_EQ(store_->FindTrace(Tid(77)).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(TraceStoreTest, ConcurrentWritersOfOneTraceAreAllFound) {
  // Several agents sending spans of the same trace at once.
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([this, w] {
      for (int i = 0; i < 25; ++i) {
        const int span = 1 + w * 25 + i;
        EXPECT_TRUE(
            store_->Consume({MakeSpan(1, span, span == 1 ? 0 : 1, "svc", "s", kBase + span * kSec, kSec)}).ok());
      }
    });
  }
  for (std::thread& t : writers) t.join();
  EXPECT_EQ(SpanNamesOf(1).size(), 100u);
  EXPECT_EQ(store_->Search({})->traces.at(0).service_stats["svc"].span_count, 100);
}

TEST_F(TraceStoreTest, RetriedBatchIsReturnedOnce) {
  std::vector<Span> batch = {MakeSpan(1, 1, 0, "a", "root", kBase, kSec)};
  ASSERT_TRUE(store_->Consume(batch).ok());
  ASSERT_TRUE(store_->Consume(batch).ok());
  EXPECT_THAT(SpanNamesOf(1), ElementsAre("root"));
}

TEST_F(TraceStoreTest, SurvivesReopenAndKeepsSequencesUnique) {
  ASSERT_TRUE(store_->Consume({MakeSpan(1, 1, 0, "a", "root", kBase, kSec)}).ok());
  Reopen();
  ASSERT_TRUE(store_->Consume({MakeSpan(1, 2, 1, "a", "child", kBase + kSec, kSec)}).ok());
  EXPECT_THAT(SpanNamesOf(1), ElementsAre("root", "child"));
}

TEST_F(TraceStoreTest, FailedWriteKeepsNothingAndIsUnavailable) {
  kv_.SetFailure(absl::InternalError("disk full"));
  absl::Status st = store_->Consume({MakeSpan(1, 1, 0, "a", "root", kBase, kSec)});
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable) << st;
  kv_.SetFailure(absl::OkStatus());
  EXPECT_EQ(store_->FindTrace(Tid(1)).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(TraceStoreTest, RetentionDropsOldPartitions) {
  ASSERT_TRUE(store_->Consume({MakeSpan(1, 1, 0, "a", "old", kBase, kSec)}).ok());
  clock_.Advance(absl::Hours(20));
  ASSERT_TRUE(store_->Consume({MakeSpan(2, 1, 0, "a", "new", kBase + 20 * 3600 * kSec, kSec)}).ok());
  EXPECT_EQ(*store_->ApplyRetention(), 0);
  clock_.Advance(absl::Hours(6));
  EXPECT_EQ(*store_->ApplyRetention(), 1);
  EXPECT_EQ(store_->FindTrace(Tid(1)).status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(SpanNamesOf(2), ElementsAre("new"));
  Reopen();
  EXPECT_EQ(store_->PartitionStarts().size(), 1u);
}

TEST_F(TraceStoreTest, SearchFiltersAndSummarizes) {
  Span err = MakeSpan(1, 2, 1, "db", "query", kBase + 10 * kSec, 2 * kSec);
  err.status_code = SpanStatusCode::kError;
  ASSERT_TRUE(store_
                  ->Consume({MakeSpan(1, 1, 0, "front", "GET /a", kBase, 30 * kSec), err,
                             MakeSpan(2, 1, 0, "front", "GET /b", kBase + 100 * kSec, kSec / 10)})
                  .ok());
  // Trace 3 has no root yet.
  ASSERT_TRUE(store_->Consume({MakeSpan(3, 5, 4, "db", "orphan", kBase + 50 * kSec, kSec)}).ok());

  absl::StatusOr<TraceSearchResponse> all = store_->Search({});
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->traces.size(), 3u);
  EXPECT_EQ(all->traces[0].trace_id, Tid(2));  // most recent first
  EXPECT_EQ(all->traces[2].root_service, "front");
  EXPECT_EQ(all->traces[2].root_name, "GET /a");
  EXPECT_EQ(all->traces[2].duration_nanos, 30 * kSec);
  EXPECT_EQ(all->traces[2].service_stats["db"].error_count, 1);
  EXPECT_EQ(all->traces[1].root_service, "<root span not yet received>");
  EXPECT_GT(all->inspected_bytes, 0u);

  StatusIs is_error(SpanStatusCode::kError);
  TraceSearchResponse errors = *store_->Search(Req([&](TraceSearchRequest& r) { r.filter = &is_error; }));
  ASSERT_EQ(errors.traces.size(), 1u);
  EXPECT_EQ(errors.traces[0].matched, 1);
  EXPECT_EQ(errors.traces[0].matched_spans[0].name, "query");

  TraceSearchResponse slow = *store_->Search(Req([](TraceSearchRequest& r) { r.min_trace_duration_ns = 10 * kSec; }));
  ASSERT_EQ(slow.traces.size(), 1u);
  EXPECT_EQ(slow.traces[0].trace_id, Tid(1));
  EXPECT_EQ(store_->Search(Req([](TraceSearchRequest& r) { r.max_trace_duration_ns = kSec / 2; }))->traces.size(), 1u);

  TraceSearchResponse late = *store_->Search({.range = {.start_ns = static_cast<int64_t>(kBase + 60 * kSec)}});
  ASSERT_EQ(late.traces.size(), 1u);
  EXPECT_EQ(late.traces[0].trace_id, Tid(2));
  EXPECT_EQ(store_->Search(Req([](TraceSearchRequest& r) { r.limit = 2; }))->traces.size(), 2u);
}

class ErrorsWithPlan : public StatusIs {
 public:
  ErrorsWithPlan() : StatusIs(SpanStatusCode::kError) {}
  SpanIndexPlan IndexPlan() const override {
    SpanIndexPlan p;
    p.kind = SpanIndexPlan::Kind::kStatus;
    p.matches = [](const SpanSummary& s) { return s.status == SpanStatusCode::kError; };
    return p;
  }
};

// 400 traces, one every 20 s over 133 minutes (two partitions); every tenth has an error span.
void AddTimeline(TraceStore* store) {
  for (int i = 0; i < 400; ++i) {
    const uint64_t start = kBase + static_cast<uint64_t>(i) * 20 * kSec;
    Span child = MakeSpan(i, 2, 1, "db", "query", start + kSec, kSec);
    if (i % 10 == 0) child.status_code = SpanStatusCode::kError;
    ASSERT_TRUE(store->Consume({MakeSpan(i, 1, 0, "front", "GET", start, 3 * kSec), child}).ok());
  }
}

TEST_F(TraceStoreTest, SearchReadsNewestMinutesFirstAndStopsAtTheLimit) {
  AddTimeline(store_.get());
  TraceSearchResponse all = *store_->Search(Req([](TraceSearchRequest& r) { r.limit = 0; }));
  ASSERT_EQ(all.traces.size(), 400u);
  EXPECT_EQ(all.partitions, 2);
  TraceSearchResponse newest = *store_->Search(Req([](TraceSearchRequest& r) { r.limit = 5; }));
  ASSERT_EQ(newest.traces.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(newest.traces[i].trace_id, Tid(399 - i)) << i;
  // Two minutes of three traces each were enough: a small part of what the full search read.
  EXPECT_LT(newest.inspected_bytes * 20, all.inspected_bytes);
  EXPECT_EQ(newest.partitions, 1);

  // A range ending earlier starts from there.
  TraceSearchResponse early = *store_->Search(Req([](TraceSearchRequest& r) {
    r.range = {.start_ns = static_cast<int64_t>(kBase), .end_ns = static_cast<int64_t>(kBase + 600 * kSec)};
    r.limit = 3;
  }));
  ASSERT_EQ(early.traces.size(), 3u);
  EXPECT_EQ(early.traces[0].trace_id, Tid(30));
  EXPECT_EQ(early.traces[2].trace_id, Tid(28));
}

TEST_F(TraceStoreTest, SearchStopsWithinABusyMinute) {
  // 200 traces within one minute, in four requests.
  for (int r = 0; r < 4; ++r) {
    std::vector<Span> request;
    for (int i = 0; i < 50; ++i) {
      const int t = r * 50 + i;
      request.push_back(MakeSpan(t, 1, 0, "front", "GET", kBase + static_cast<uint64_t>(t) * 100'000'000, kSec));
    }
    ASSERT_TRUE(store_->Consume(std::move(request)).ok());
  }
  TraceSearchResponse all = *store_->Search(Req([](TraceSearchRequest& r) { r.limit = 0; }));
  ASSERT_EQ(all.traces.size(), 200u);
  TraceSearchResponse newest = *store_->Search(Req([](TraceSearchRequest& r) { r.limit = 5; }));
  ASSERT_EQ(newest.traces.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(newest.traces[i].trace_id, Tid(199 - i)) << i;
  // The newest six traces were read, not the whole minute.
  EXPECT_LE(newest.inspected_bytes * 30, all.inspected_bytes);
}

TEST_F(TraceStoreTest, IndexPlanNarrowsTheTracesRead) {
  AddTimeline(store_.get());
  StatusIs scan(SpanStatusCode::kError);
  ErrorsWithPlan planned;
  TraceSearchResponse by_scan = *store_->Search(Req([&](TraceSearchRequest& r) {
    r.filter = &scan;
    r.limit = 0;
  }));
  TraceSearchResponse by_index = *store_->Search(Req([&](TraceSearchRequest& r) {
    r.filter = &planned;
    r.limit = 0;
  }));
  ASSERT_EQ(by_scan.traces.size(), 40u);
  ASSERT_EQ(by_index.traces.size(), 40u);
  for (size_t i = 0; i < 40; ++i) EXPECT_EQ(by_index.traces[i].trace_id, by_scan.traces[i].trace_id);
  EXPECT_EQ(by_index.traces[0].trace_id, Tid(390));
  // Only the error traces' summaries were read.
  EXPECT_LT(by_index.inspected_bytes * 5, by_scan.inspected_bytes);
}

TEST_F(TraceStoreTest, PartitionsWrittenBeforeTheIndexAreStillSearched) {
  AddTimeline(store_.get());
  // Make every partition look as written by a version without the search index.
  for (const std::shared_ptr<kv::Namespace>& ns : kv_.ListNamespaces()) {
    if (ns->name().rfind("traces-", 0) != 0) continue;
    std::unique_ptr<kv::WriteBatch> b = kv_.NewWriteBatch();
    b->Delete(*ns, kIndexedMarkerKey);
    b->DeleteRange(*ns, "T", "U");
    ASSERT_TRUE(kv_.Write({}, b.get()).ok());
  }
  Reopen();
  ErrorsWithPlan planned;
  TraceSearchResponse found = *store_->Search(Req([&](TraceSearchRequest& r) {
    r.filter = &planned;
    r.limit = 4;
  }));
  ASSERT_EQ(found.traces.size(), 4u);
  EXPECT_EQ(found.traces[0].trace_id, Tid(390));
  EXPECT_EQ(found.traces[3].trace_id, Tid(360));
  // New writes to those partitions do not make them look indexed.
  ASSERT_TRUE(store_->Consume({MakeSpan(999, 1, 0, "late", "x", kBase + 30 * kSec, kSec)}).ok());
  Reopen();
  EXPECT_EQ(store_->Search(Req([](TraceSearchRequest& r) { r.limit = 0; }))->traces.size(), 401u);
}

TEST_F(TraceStoreTest, TagsAndValues) {
  Span s = MakeSpan(1, 1, 0, "front", "GET /a", kBase, kSec);
  s.attributes.push_back({"http.status_code", AnyValue::Int(200)});
  s.attributes.push_back({"not.indexed", AnyValue::Int(1)});
  Span t = MakeSpan(2, 1, 0, "back", "work", kBase, kSec);
  t.attributes.push_back({"http.status_code", AnyValue::Int(500)});
  t.attributes.push_back({"http.method", AnyValue::String("GET")});
  ASSERT_TRUE(store_->Consume({s, t}).ok());
  EXPECT_THAT(*store_->TagNames(AttributeScope::kSpan, {}), ElementsAre("http.method", "http.status_code"));
  EXPECT_THAT(*store_->TagNames(AttributeScope::kResource, {}), ElementsAre("service.name"));
  EXPECT_THAT(*store_->TagValues(AttributeScope::kSpan, "http.status_code", {}, 0),
              ElementsAre(AnyValue::Int(200), AnyValue::Int(500)));
  EXPECT_THAT(*store_->TagValues(AttributeScope::kResource, "service.name", {}, 1),
              ElementsAre(AnyValue::String("back")));
  EXPECT_THAT(*store_->SpanNames("front", {}), ElementsAre("GET /a"));
  EXPECT_THAT(*store_->SpanNames("", {}), UnorderedElementsAre("GET /a", "work"));
}

TEST(TraceStoreRocksTest, PersistsAcrossReopen) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/trace_store_rocks";
  std::filesystem::remove_all(dir);
  FakeClock clock;
  {
    auto kv = *kv::RocksKvStore::Open(dir, {});
    auto store = *TraceStore::Open(kv.get(), {}, &clock);
    ASSERT_TRUE(store->Consume({MakeSpan(1, 1, 0, "a", "root", kBase, kSec)}).ok());
    ASSERT_TRUE(store->Consume({MakeSpan(1, 2, 1, "b", "child", kBase + 3 * 3600 * kSec, kSec)}).ok());
  }
  auto kv = *kv::RocksKvStore::Open(dir, {});
  auto store = *TraceStore::Open(kv.get(), {}, &clock);
  absl::StatusOr<std::vector<Span>> spans = store->FindTrace(Tid(1));
  ASSERT_TRUE(spans.ok()) << spans.status();
  ASSERT_EQ(spans->size(), 2u);
  EXPECT_EQ((*spans)[1].name, "child");
  EXPECT_EQ(store->Search({})->traces.size(), 1u);
}

}  // namespace
}  // namespace vigil::traces
