#include "tsdb/logs/log_generator.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"

namespace vigil::tsdb::logs {
namespace {

constexpr const char* kLevels[] = {"info", "info", "info", "info", "info", "info", "debug", "debug", "warn", "error"};
constexpr const char* kLoggers[] = {"api.handler",    "api.auth",     "db.pool",     "cache.redis",
                                    "worker.billing", "worker.email", "grpc.server", "http.client"};
constexpr const char* kMessages[] = {"request completed",
                                     "request started",
                                     "user authenticated",
                                     "cache miss, loading from database",
                                     "slow query detected",
                                     "connection returned to pool",
                                     "retrying upstream call after timeout",
                                     "invoice generated",
                                     "email enqueued for delivery",
                                     "token refresh failed: signature expired"};
constexpr const char* kMethods[] = {"GET", "GET", "GET", "GET", "POST", "POST", "PUT", "DELETE"};
constexpr const char* kPaths[] = {"/api/v1/users/", "/api/v1/orders/",   "/api/v1/items/", "/healthz",
                                  "/api/v2/search", "/static/js/app.js", "/api/v1/cart/",  "/login"};
constexpr int kStatuses[] = {200, 200, 200, 200, 200, 200, 201, 204, 301, 304, 400, 401, 404, 404, 500, 503};
constexpr const char* kAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 "
    "Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 "
    "Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "curl/8.4.0",
    "kube-probe/1.28",
    "Go-http-client/1.1",
    "okhttp/4.12.0"};
constexpr const char* kExceptions[] = {
    "java.lang.NullPointerException: Cannot invoke \"com.acme.order.Order.getCustomer()\" because \"order\" is null",
    "java.lang.IllegalStateException: Connection pool exhausted (max=50, waiting=12)",
    "java.net.SocketTimeoutException: Read timed out",
    "org.springframework.dao.DataIntegrityViolationException: could not execute statement; constraint "
    "[orders_pkey]",
    "java.util.concurrent.TimeoutException: Waited 30000 milliseconds for future"};
constexpr const char* kFrames[] = {
    "com.acme.order.OrderService.placeOrder(OrderService.java",
    "com.acme.order.OrderController.create(OrderController.java",
    "com.acme.billing.InvoiceClient.fetch(InvoiceClient.java",
    "com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java",
    "org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java",
    "org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java",
    "jakarta.servlet.http.HttpServlet.service(HttpServlet.java",
    "org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java",
    "org.apache.tomcat.util.net.NioEndpoint$SocketProcessor.doRun(NioEndpoint.java",
    "java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java",
    "java.base/java.lang.Thread.run(Thread.java"};

template <typename T, size_t N>
constexpr size_t Size(const T (&)[N]) {
  return N;
}

}  // namespace

std::string_view LogKindName(LogKind kind) {
  switch (kind) {
    case LogKind::kJsonApp:
      return "json";
    case LogKind::kNginx:
      return "nginx";
    case LogKind::kJavaStack:
      return "java";
    case LogKind::kMixed:
      return "mixed";
  }
  return "unknown";
}

LogGenerator::LogGenerator(LogKind kind, uint64_t seed) : kind_(kind), state_(seed * 0x9E3779B97F4A7C15ULL + 1) {}

uint64_t LogGenerator::Next() {
  // splitmix64
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t LogGenerator::Uniform(uint64_t n) { return Next() % n; }

uint64_t LogGenerator::Skewed(uint64_t n) {
  // The cube of a uniform [0, 1): small values are common (hot users, fast requests), large ones rare.
  const double u = static_cast<double>(Next() >> 11) / static_cast<double>(uint64_t{1} << 53);
  return static_cast<uint64_t>(u * u * u * static_cast<double>(n));
}

void LogGenerator::Hex(int digits, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t bits = Next();
  for (int i = 0; i < digits; ++i) {
    if (i % 16 == 15) bits = Next();
    out->push_back(kHex[bits & 15]);
    bits >>= 4;
  }
}

void LogGenerator::Json(TimestampNs t, std::string* out) {
  const char* level = kLevels[Uniform(Size(kLevels))];
  absl::StrAppend(
      out, "{\"ts\":\"", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromUnixNanos(t), absl::UTCTimeZone()),
      "\",\"level\":\"", level, "\",\"logger\":\"", kLoggers[Uniform(Size(kLoggers))], "\",\"msg\":\"",
      kMessages[Uniform(Size(kMessages))], "\",\"method\":\"", kMethods[Uniform(Size(kMethods))], "\",\"path\":\"",
      kPaths[Uniform(Size(kPaths))], Skewed(100000), "\",\"status\":", kStatuses[Uniform(Size(kStatuses))]);
  absl::StrAppendFormat(out, ",\"duration_ms\":%.3f", static_cast<double>(Skewed(2000000)) / 1000.0);
  absl::StrAppend(out, ",\"user_id\":\"u-", Uniform(50000), "\",\"request_id\":\"");
  Hex(16, out);
  out->append("\"");
  if (Uniform(2) == 0) {
    out->append(",\"trace_id\":\"");
    Hex(32, out);
    out->append("\"");
  }
  out->append("}");
}

void LogGenerator::Nginx(TimestampNs t, std::string* out) {
  const uint64_t client = Skewed(2000);
  absl::StrAppend(out, "10.", client % 4, ".", (client * 7919) % 256, ".", (client * 104729) % 256, " - - [",
                  absl::FormatTime("%d/%b/%Y:%H:%M:%S +0000", absl::FromUnixNanos(t), absl::UTCTimeZone()), "] \"",
                  kMethods[Uniform(Size(kMethods))], " ", kPaths[Uniform(Size(kPaths))], Skewed(10000));
  if (Uniform(3) == 0) absl::StrAppend(out, "?page=", Uniform(20), "&sort=desc");
  absl::StrAppend(out, " HTTP/1.1\" ", kStatuses[Uniform(Size(kStatuses))], " ", Skewed(60000), " \"",
                  Uniform(4) == 0 ? "https://shop.example.com/cart" : "-", "\" \"", kAgents[Uniform(Size(kAgents))],
                  "\"");
  absl::StrAppendFormat(out, " %.3f", static_cast<double>(Skewed(3000)) / 1000.0);
}

void LogGenerator::Java(TimestampNs t, std::string* out) {
  absl::StrAppend(out, absl::FormatTime("%Y-%m-%d %H:%M:%E3S", absl::FromUnixNanos(t), absl::UTCTimeZone()),
                  " ERROR [http-nio-8080-exec-", 1 + Uniform(200), "] c.a.o.OrderController - Request failed\n",
                  kExceptions[Uniform(Size(kExceptions))]);
  const size_t frames = 8 + Uniform(25);
  const size_t start = Uniform(3);
  for (size_t i = 0; i < frames; ++i) {
    absl::StrAppend(out, "\n\tat ", kFrames[(start + i) % Size(kFrames)], ":", 40 + (i * 37 + start) % 900, ")");
  }
  if (Uniform(3) == 0)
    absl::StrAppend(out, "\nCaused by: ", kExceptions[Uniform(Size(kExceptions))], "\n\t... ", Uniform(40), " more");
}

std::string LogGenerator::Line(TimestampNs t) {
  std::string out;
  LogKind k = kind_;
  if (k == LogKind::kMixed) {
    const uint64_t r = Uniform(100);
    k = r < 60 ? LogKind::kJsonApp : r < 95 ? LogKind::kNginx : LogKind::kJavaStack;
  }
  switch (k) {
    case LogKind::kJsonApp:
      Json(t, &out);
      break;
    case LogKind::kNginx:
      Nginx(t, &out);
      break;
    case LogKind::kJavaStack:
    case LogKind::kMixed:
      Java(t, &out);
      break;
  }
  return out;
}

LogEntry LogGenerator::Entry(TimestampNs t) {
  LogEntry e;
  e.timestamp_ns = t;
  e.line = Line(t);
  if (kind_ == LogKind::kJsonApp && Uniform(4) == 0) {
    std::string trace;
    Hex(32, &trace);
    e.structured_metadata = Labels{{"trace_id", trace}};
  }
  return e;
}

std::vector<Labels> GeneratedStreams(int n) {
  static constexpr const char* kNamespaces[] = {"prod", "staging", "kube-system", "monitoring"};
  static constexpr const char* kApps[] = {"api", "checkout", "billing", "frontend", "worker", "ingress-nginx"};
  std::vector<Labels> out;
  for (int i = 0; i < n; ++i) {
    const std::string app = kApps[i % 6];
    out.push_back(Labels{{"namespace", kNamespaces[(i / 6) % 4]},
                         {"app", app},
                         {"pod", absl::StrCat(app, "-7f9c", i / 24, "-x", i % 7)},
                         {"container", app},
                         {"stream", i % 5 == 0 ? "stderr" : "stdout"}});
  }
  return out;
}

}  // namespace vigil::tsdb::logs
