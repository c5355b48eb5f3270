// trace_store_load: fills a TraceStore on RocksDB with a generated microservice fleet's spans (10 million by
// default, ~500 bytes each as OTLP protobuf) and measures what issue 7 asks of the trace store:
//   - ingest: spans per second of wall time and per CPU second of the whole process (RocksDB's flushes and
//     compactions included), `--writers` threads each committing requests of `--request-spans` spans;
//   - stored size: the database directory after a flush and full compaction, in bytes per span, beside the
//     OTLP protobuf bytes per span that went in;
//   - trace by id: FindTrace of random stored traces, median and 99th percentile;
//   - search: Tempo searches over the last hour (TraceQL, limit 20), median of `--repeat` runs each.
//
//   bazel run -c opt //bench/traces:trace_store_load -- --spans=10000000 --dir=/tmp/trace-load
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/clock/clock.h"
#include "base/flags/flags.h"
#include "query/tempoapi/traceql.h"
#include "tsdb/kv/rocksdb_kv_store.h"
#include "tsdb/traces/kv_options.h"
#include "tsdb/traces/trace_store.h"
#include "wire/otlp/encode.h"

namespace vigil {
namespace {

constexpr uint64_t kSec = 1'000'000'000;

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double Now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// Bytes of the files in `dir` whose names end with `suffix`.
uint64_t DirBytes(const std::string& dir, std::string_view suffix) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
      total += e.file_size();
    }
  }
  return total;
}

// A fleet of 20 services with a few operations each; traces of 2-20 spans, 1% with an error, durations spread
// over four decades, attributes as OpenTelemetry's HTTP, database and Kubernetes conventions write them.
class FleetGenerator {
 public:
  // Spans of `total` spans' traces start from `start_ns` to `end_ns` in order, as an application's exporter sends
  // the spans that just ended.
  FleetGenerator(uint64_t seed, uint64_t start_ns, uint64_t end_ns, int64_t total)
      : rng_(seed), start_ns_(start_ns), end_ns_(end_ns), total_(std::max<int64_t>(total, 1)) {
    static const char* kNamespaces[] = {"shop", "payments", "identity", "search"};
    for (int s = 0; s < 20; ++s) {
      auto r = std::make_shared<Resource>();
      const std::string name = absl::StrCat("service-", s);
      r->attributes.push_back({"service.name", AnyValue::String(name)});
      r->attributes.push_back({"service.version", AnyValue::String(absl::StrCat("1.", s % 7, ".3"))});
      r->attributes.push_back({"k8s.namespace.name", AnyValue::String(kNamespaces[s % 4])});
      r->attributes.push_back({"k8s.pod.name", AnyValue::String(absl::StrCat(name, "-7d9f8c6b5-x", s * 37 % 100))});
      r->attributes.push_back({"k8s.node.name", AnyValue::String(absl::StrCat("node-", s % 5))});
      r->attributes.push_back({"telemetry.sdk.language", AnyValue::String(s % 2 ? "go" : "nodejs")});
      resources_.push_back(std::move(r));
    }
  }

  // Appends one trace; returns its id.
  TraceId AddTrace(std::vector<Span>* out) {
    static const char* kRoutes[] = {"/api/cart", "/api/orders/{id}", "/api/users/{id}",         "/api/search",
                                    "/healthz",  "/api/checkout",    "/api/items/{id}/reviews", "/login"};
    static const char* kMethods[] = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
    TraceId id;
    for (uint8_t& b : id.bytes) b = static_cast<uint8_t>(rng_());
    const double progress = static_cast<double>(made_) / static_cast<double>(total_);
    const uint64_t start =
        start_ns_ + static_cast<uint64_t>(progress * static_cast<double>(end_ns_ - start_ns_)) + rng_() % (2 * kSec);
    const int n = 2 + static_cast<int>(rng_() % 19);
    const bool failed = rng_() % 100 == 0;
    for (int i = 0; i < n; ++i) {
      Span s;
      s.trace_id = id;
      for (uint8_t& b : s.span_id.bytes) b = static_cast<uint8_t>(rng_());
      if (i > 0) s.parent_span_id = (*out)[out->size() - 1 - rng_() % i].span_id;
      const size_t service = (i == 0 ? rng_() % 4 : rng_() % 20);
      s.resource = resources_[service];
      const char* route = kRoutes[rng_() % 8];
      const char* method = kMethods[rng_() % 6];
      const bool db = service >= 16;
      s.kind = i == 0 ? SpanKind::kServer : (db ? SpanKind::kClient : static_cast<SpanKind>(2 + rng_() % 2));
      s.name = db ? absl::StrCat("SELECT ", route + 5) : absl::StrCat(method, " ", route);
      s.start_time_unix_nano = start + static_cast<uint64_t>(i) * 250'000;
      // 10 µs to 10 s, log-uniform.
      s.end_time_unix_nano =
          s.start_time_unix_nano + static_cast<uint64_t>(1e4 * std::pow(10.0, (rng_() % 6000) / 1e3));
      const bool error = failed && (i == 0 || rng_() % 3 == 0);
      s.status_code = error ? SpanStatusCode::kError : SpanStatusCode::kUnset;
      if (db) {
        s.attributes.push_back({"db.system", AnyValue::String("postgresql")});
        s.attributes.push_back({"db.name", AnyValue::String("orders")});
        s.attributes.push_back({"db.statement", AnyValue::String(absl::StrCat(
                                                    "SELECT id, status, total FROM orders WHERE customer_id = $1 "
                                                    "AND created_at > $2 LIMIT ",
                                                    rng_() % 100))});
        s.attributes.push_back({"net.peer.name", AnyValue::String("orders-db.shop.svc.cluster.local")});
        s.attributes.push_back({"net.peer.port", AnyValue::Int(5432)});
        s.attributes.push_back({"db.user", AnyValue::String("orders_rw")});
        s.attributes.push_back({"db.operation", AnyValue::String("SELECT")});
        s.attributes.push_back({"db.sql.table", AnyValue::String("orders")});
      } else {
        s.attributes.push_back({"http.method", AnyValue::String(method)});
        s.attributes.push_back({"http.route", AnyValue::String(route)});
        s.attributes.push_back({"http.url", AnyValue::String(absl::StrCat("http://shop.example.com", route, "?page=",
                                                                          rng_() % 50, "&session=", rng_() % 100000))});
        s.attributes.push_back({"http.status_code", AnyValue::Int(error ? 500 : (rng_() % 20 == 0 ? 404 : 200))});
        s.attributes.push_back({"http.user_agent", AnyValue::String("Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0")});
        s.attributes.push_back({"net.host.name", AnyValue::String("shop.example.com")});
        s.attributes.push_back({"thread.id", AnyValue::Int(static_cast<int64_t>(rng_() % 64))});
        s.attributes.push_back({"http.scheme", AnyValue::String("http")});
        s.attributes.push_back({"http.flavor", AnyValue::String("1.1")});
        s.attributes.push_back(
            {"net.sock.peer.addr", AnyValue::String(absl::StrCat("10.42.", rng_() % 8, ".", rng_() % 250))});
        s.attributes.push_back({"http.response_content_length", AnyValue::Int(static_cast<int64_t>(rng_() % 20000))});
      }
      if (error) {
        SpanEvent e;
        e.time_unix_nano = s.end_time_unix_nano;
        e.name = "exception";
        e.attributes.push_back({"exception.type", AnyValue::String("TimeoutError")});
        e.attributes.push_back({"exception.message", AnyValue::String("upstream request timed out after 5000 ms")});
        s.events.push_back(std::move(e));
      }
      out->push_back(std::move(s));
    }
    made_ += n;
    return id;
  }

 private:
  std::mt19937_64 rng_;
  uint64_t start_ns_;
  uint64_t end_ns_;
  int64_t total_;
  int64_t made_ = 0;
  std::vector<std::shared_ptr<const Resource>> resources_;
};

template <typename Fn>
std::pair<double, double> MedianAndP99Ms(int runs, Fn fn) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const double t0 = Now();
    fn(i);
    ms.push_back((Now() - t0) * 1e3);
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]};
}

int Run(int argc, char** argv) {
  int64_t spans = 10'000'000;
  int64_t request_spans = 500;
  int64_t writers = 2;
  int64_t hours = 24;
  int64_t repeat = 21;
  std::string dir = "/tmp/vigil-trace-load";
  FlagSet flags("trace_store_load", "Fills a trace store and measures ingest, size, lookup and search.");
  flags.Int64("spans", &spans, "Spans to ingest.");
  flags.Int64("request-spans", &request_spans, "Spans per Consume call (an OTLP request).");
  flags.Int64("writers", &writers, "Threads calling Consume concurrently.");
  flags.Int64("hours", &hours, "The spans' start times spread over this many hours before now.");
  flags.Int64("repeat", &repeat, "Runs of each search.");
  flags.String("dir", &dir, "Database directory (emptied first).");
  if (absl::Status st = flags.Parse(argc, argv); !st.ok()) {
    std::fprintf(stderr, "%s\n%s", std::string(st.message()).c_str(), flags.Usage().c_str());
    return 2;
  }
  std::filesystem::remove_all(dir);
  absl::StatusOr<std::unique_ptr<kv::RocksKvStore>> kv = kv::RocksKvStore::Open(dir, traces::TraceKvOptions());
  if (!kv.ok()) {
    std::fprintf(stderr, "%s\n", kv.status().ToString().c_str());
    return 1;
  }
  FakeClock clock;
  const uint64_t end_ns = static_cast<uint64_t>(absl::ToUnixNanos(clock.Now()));
  const uint64_t start_ns = end_ns - static_cast<uint64_t>(hours) * 3600 * kSec;
  std::unique_ptr<traces::TraceStore> store = *traces::TraceStore::Open(kv->get(), {}, &clock);

  // Each writer generates its requests; the CPU time spent generating (and encoding, to count the input bytes) is
  // measured per thread and taken out of the process's, so that the figure is the store's.
  std::printf("ingesting %lld spans...\n", static_cast<long long>(spans));
  const double cpu0 = CpuSeconds();
  const double wall0 = Now();
  std::atomic<int64_t> ingested{0};
  std::atomic<uint64_t> otlp_bytes{0};
  std::atomic<bool> failed{false};
  std::vector<double> generate_cpu(static_cast<size_t>(writers), 0);
  std::vector<std::vector<TraceId>> ids(static_cast<size_t>(writers));
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      // Each writer sends its share, so that every writer's spans cover the whole time range once.
      const int64_t share = spans / writers + (w == 0 ? spans % writers : 0);
      FleetGenerator gen(static_cast<uint64_t>(w) + 1, start_ns, end_ns - 3 * kSec, share);
      std::vector<Span> request;
      for (int64_t sent = 0; !failed && sent < share;) {
        const double g0 = ThreadCpuSeconds();
        request.clear();
        while (static_cast<int64_t>(request.size()) < request_spans) ids[w].push_back(gen.AddTrace(&request));
        otlp_bytes += wire::otlp::EncodeTracesProto(request).size();
        const int64_t n = static_cast<int64_t>(request.size());
        sent += n;
        generate_cpu[w] += ThreadCpuSeconds() - g0;
        if (absl::Status st = store->Consume(std::move(request)); !st.ok()) {
          std::fprintf(stderr, "consume: %s\n", st.ToString().c_str());
          failed = true;
        }
        request = {};
        ingested += n;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  if (failed) return 1;
  std::vector<TraceId> trace_ids;
  for (const std::vector<TraceId>& v : ids) trace_ids.insert(trace_ids.end(), v.begin(), v.end());
  double generating = 0;
  for (double g : generate_cpu) generating += g;
  const double wall = Now() - wall0;
  const double cpu = CpuSeconds() - cpu0 - generating;
  const double n = static_cast<double>(ingested.load());
  std::printf(
      "ingest: %.0f spans in %.1f s wall, %.1f CPU s: %.0f spans/s, %.0f spans per CPU second (%lld writers, "
      "%lld spans per request)\n",
      n, wall, cpu, n / wall, n / cpu, static_cast<long long>(writers), static_cast<long long>(request_spans));
  std::printf("input: %.0f OTLP protobuf bytes per span (generating them took %.1f CPU s, not counted)\n",
              static_cast<double>(otlp_bytes.load()) / n, generating);

  for (const std::shared_ptr<kv::Namespace>& ns : (*kv)->ListNamespaces()) {
    (void)(*kv)->Flush(*ns);
    (void)(*kv)->CompactRange(*ns);
  }
  // What each kind of record takes, uncompressed, from one partition in the middle.
  std::vector<std::shared_ptr<kv::Namespace>> namespaces = (*kv)->ListNamespaces();
  std::map<char, std::pair<uint64_t, uint64_t>> by_tag;  // records, key + value bytes
  if (namespaces.size() > 2) {
    std::unique_ptr<kv::Iterator> it = (*kv)->NewIterator(namespaces[namespaces.size() / 2], {});
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto& [records, bytes] = by_tag[it->key()[0]];
      ++records;
      bytes += it->key().size() + it->value().size();
    }
  }
  for (const auto& [tag, v] : by_tag) {
    std::printf("  records '%c': %llu, %llu bytes uncompressed\n", tag, static_cast<unsigned long long>(v.first),
                static_cast<unsigned long long>(v.second));
  }
  const double sst = static_cast<double>(DirBytes(dir, ".sst"));
  std::printf("stored: %.1f bytes per span in table files after compaction (%.2f GB); write-ahead log %.2f GB\n",
              sst / n, sst / 1e9, static_cast<double>(DirBytes(dir, ".log")) / 1e9);

  std::mt19937_64 pick(2);
  bool lookup_failed = false;
  auto [find_med, find_p99] = MedianAndP99Ms(1000, [&](int) {
    absl::StatusOr<std::vector<Span>> t = store->FindTrace(trace_ids[pick() % trace_ids.size()]);
    if (!t.ok() || t->empty()) lookup_failed = true;
  });
  if (lookup_failed) std::fprintf(stderr, "a stored trace was not found\n");
  std::printf("trace by id: median %.3f ms, p99 %.3f ms over 1000 random traces of %zu\n", find_med, find_p99,
              trace_ids.size());

  const std::vector<std::string> queries = {
      "{}",
      "{ resource.service.name = \"service-3\" }",
      "{ status = error }",
      "{ duration > 5s }",
      "{ span.http.status_code = 500 && resource.k8s.namespace.name = \"shop\" }",
      "{ name =~ \"POST.*\" && duration > 1s }",
      "{ span.http.route = \"/login\" || resource.service.name = \"service-19\" }",
      // Rare: fewer than 20 traces in the hour match, so the whole hour's candidates are read.
      "{ duration > 9900ms && status = error }",
      "{ resource.service.name = \"service-2\" && span.http.status_code = 500 && kind = server }",
  };
  const traces::TimeRange last_hour{.start_ns = static_cast<int64_t>(end_ns - 3600 * kSec),
                                    .end_ns = static_cast<int64_t>(end_ns)};
  for (const std::string& q : queries) {
    std::unique_ptr<tempoapi::TraceQLQuery> query = *tempoapi::TraceQLQuery::Parse(q);
    traces::TraceSearchRequest req;
    req.range = last_hour;
    req.filter = query->matches_all() ? nullptr : query.get();
    req.limit = 20;
    size_t found = 0;
    uint64_t inspected = 0;
    auto [med, p99] = MedianAndP99Ms(static_cast<int>(repeat), [&](int) {
      absl::StatusOr<traces::TraceSearchResponse> r = store->Search(req);
      if (!r.ok()) {
        std::fprintf(stderr, "search %s: %s\n", q.c_str(), r.status().ToString().c_str());
        return;
      }
      found = r->traces.size();
      inspected = r->inspected_bytes;
    });
    std::printf("search last 1h %-75s median %8.2f ms  max-ish %8.2f ms  (%zu traces, %llu summary bytes read)\n",
                q.c_str(), med, p99, found, static_cast<unsigned long long>(inspected));
  }
  return lookup_failed ? 1 : 0;
}

}  // namespace
}  // namespace vigil

int main(int argc, char** argv) { return vigil::Run(argc, argv); }
