// Differential test: the same samples are loaded into Debian's Prometheus 2.42 (backfilled with
// `promtool tsdb create-blocks-from openmetrics`) and into vigil-store (POST /api/v1/import), then every query of
// testdata/differential_queries.txt runs as a range query on both. Results must have the same series (label sets)
// with the same timestamps, and values equal within 1e-6 relative (NaN equal to NaN); a query one side refuses
// must be refused by the other with the same errorType.
//
// Prometheus 2.x closes range windows and the lookback on the left, 3.x (and Vigil) opens them. Sample
// timestamps are therefore never whole seconds, and evaluation times are whole seconds with start ≡ 7 s mod 60
// and a 30 s step, so no window boundary (t - range, subquery steps at multiples of 15 s, 30 s or 1 m) ever falls
// on a sample or an inner evaluation point, and the two semantics agree.
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/http/client.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/support/peers.h"
#include "tests/support/subprocess.h"

namespace vigil {
namespace {

constexpr int64_t kStartS = 1'700'000'000;  // data start (s)
constexpr int64_t kDataS = 4 * 3600;        // data length (s)
constexpr int64_t kIntervalMs = 15'000;

// Deterministic pseudo-random numbers (a 64-bit LCG) so both stores and every run see the same data.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed * 6364136223846793005ULL + 1442695040888963407ULL) {}
  double Uniform() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state_ >> 11) / static_cast<double>(1ULL << 53);
  }

 private:
  uint64_t state_;
};

// One generated series: its OpenMetrics name{labels}, and how its value evolves per scrape.
struct GenSeries {
  std::string rendered;
  enum Kind { kCounter, kGauge, kBig, kSigned, kSmallInt, kConst, kUp, kSparse, kNaNy } kind;
  double value = 0;
  int64_t offset_ms = 0;  // per-series sub-second scrape offset, never 0
};

std::string Render(std::string_view name, const std::vector<std::pair<std::string, std::string>>& labels) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : labels) parts.push_back(absl::StrCat(k, "=\"", v, "\""));
  return absl::StrCat(std::string(name), "{", absl::StrJoin(parts, ","), "}");
}

std::vector<GenSeries> Fleet() {
  std::vector<GenSeries> out;
  auto add = [&](std::string_view name, std::vector<std::pair<std::string, std::string>> labels, GenSeries::Kind kind,
                 double initial) {
    GenSeries s;
    s.rendered = Render(name, labels);
    s.kind = kind;
    s.value = initial;
    s.offset_ms = 7 + static_cast<int64_t>((out.size() * 131) % 900);
    out.push_back(std::move(s));
  };
  for (std::string job : {"api", "web", "db"}) {
    for (std::string inst : {"0", "1"}) {
      add("up", {{"instance", inst}, {"job", job}}, GenSeries::kUp, 1);
      add("memory_usage_bytes", {{"instance", inst}, {"job", job}}, GenSeries::kBig, 4e8 + 1e8 * out.size());
      add("info_metric", {{"instance", inst}, {"job", job}, {"version", "v" + inst}}, GenSeries::kConst, 1);
      for (std::string method : {"get", "post"}) {
        for (std::string code : {"200", "500"}) {
          add("http_requests_total", {{"code", code}, {"instance", inst}, {"job", job}, {"method", method}},
              GenSeries::kCounter, 0);
        }
      }
    }
    double cumulative = 0;
    for (std::string le : {"0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"}) {
      add("request_duration_seconds_bucket", {{"job", job}, {"le", le}}, GenSeries::kCounter, cumulative);
    }
    add("request_duration_seconds_sum", {{"job", job}}, GenSeries::kCounter, 0);
    add("request_duration_seconds_count", {{"job", job}}, GenSeries::kCounter, 0);
  }
  for (std::string inst : {"0", "1"}) {
    for (std::string cpu : {"0", "1"}) {
      for (std::string mode : {"idle", "user", "system"}) {
        add("cpu_seconds_total", {{"cpu", cpu}, {"instance", inst}, {"mode", mode}}, GenSeries::kCounter, 1000);
      }
    }
  }
  for (std::string room : {"kitchen", "cellar", "attic", "garage"}) {
    add("temperature_celsius", {{"room", room}}, room == "garage" ? GenSeries::kNaNy : GenSeries::kSigned, 10);
  }
  for (std::string queue : {"a", "b", "c"}) add("queue_length", {{"queue", queue}}, GenSeries::kSmallInt, 0);
  for (std::string id : {"1", "2"}) add("sparse_metric", {{"id", id}}, GenSeries::kSparse, 5);
  return out;
}

// Writes the fleet as OpenMetrics (no TYPE lines: every family is "unknown", which both stores accept as plain
// float series) to `path`.
void WriteOpenMetrics(const std::string& path) {
  std::vector<GenSeries> fleet = Fleet();
  Rng rng(42);
  std::ofstream out(path);
  const int64_t steps = kDataS * 1000 / kIntervalMs;
  for (int64_t i = 0; i < steps; ++i) {
    for (size_t s = 0; s < fleet.size(); ++s) {
      GenSeries& g = fleet[s];
      const double r = rng.Uniform();
      switch (g.kind) {
        case GenSeries::kCounter:
          // Mostly increasing by a random, non-integer amount (so no two rates tie and topk has one answer); about
          // two resets per series in four hours.
          g.value = r < 0.002 ? r * 100 : g.value + r * 20 + (s % 3) * 0.25;
          break;
        case GenSeries::kGauge:
        case GenSeries::kBig:
          g.value += (r - 0.5) * 1e7;
          break;
        case GenSeries::kSigned:
          g.value = std::round((g.value + (r - 0.5) * 3) * 100) / 100;
          break;
        case GenSeries::kNaNy:
          g.value = r < 0.05 ? NAN : 20 * std::sin(static_cast<double>(i) / 40) + r;
          break;
        case GenSeries::kSmallInt:
          g.value = std::floor(r * 6);
          break;
        case GenSeries::kConst:
          break;
        case GenSeries::kUp:
          g.value = r < 0.03 ? 0 : 1;
          break;
        case GenSeries::kSparse:
          // Present for 10 minutes, then gone for 20: lookback and absent_over_time see the gaps.
          if ((i * kIntervalMs / 60000) % 30 >= 10) continue;
          g.value += r;
          break;
      }
      const int64_t t_ms = kStartS * 1000 + i * kIntervalMs + g.offset_ms;
      std::string value = std::isnan(g.value) ? "NaN" : absl::StrFormat("%.17g", g.value);
      out << g.rendered << ' ' << value << ' ' << absl::StrFormat("%d.%03d", t_ms / 1000, t_ms % 1000) << '\n';
    }
  }
  out << "# EOF\n";
}

struct RangeAnswer {
  int http_status = 0;
  std::string error_type;  // empty on success
  std::string body;
  // label set (JSON-ish canonical string) -> [(t_ms, value text)]
  std::map<std::string, std::vector<std::pair<int64_t, std::string>>> series;
};

absl::StatusOr<RangeAnswer> QueryRange(int port, const std::string& query, int64_t start_s, int64_t end_s,
                                       int64_t step_s) {
  http::HttplibClient client;
  std::string body =
      absl::StrCat("query=", testing::PercentEncode(query), "&start=", start_s, "&end=", end_s, "&step=", step_s);
  absl::StatusOr<http::ClientResponse> resp =
      client.Post(testing::LocalUrl(port, "/api/v1/query_range"),
                  {{"Content-Type", "application/x-www-form-urlencoded"}}, std::move(body), absl::Seconds(60));
  if (!resp.ok()) return resp.status();
  RangeAnswer answer;
  answer.http_status = resp->status;
  answer.body = resp->body;
  rapidjson::Document doc;
  doc.Parse(resp->body.c_str());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("status")) {
    return absl::InternalError(absl::StrCat("not a JSON envelope: ", resp->body.substr(0, 300)));
  }
  if (std::string(doc["status"].GetString()) != "success") {
    answer.error_type = doc.HasMember("errorType") ? doc["errorType"].GetString() : "?";
    return answer;
  }
  const auto& data = doc["data"];
  if (std::string(data["resultType"].GetString()) != "matrix") {
    return absl::InternalError(absl::StrCat("resultType ", data["resultType"].GetString()));
  }
  for (const auto& s : data["result"].GetArray()) {
    std::map<std::string, std::string> labels;
    for (const auto& m : s["metric"].GetObject()) labels[m.name.GetString()] = m.value.GetString();
    std::string key;
    for (const auto& [k, v] : labels) absl::StrAppend(&key, k, "=", v, ",");
    auto& points = answer.series[key];
    for (const auto& p : s["values"].GetArray()) {
      points.emplace_back(std::llround(p[0].GetDouble() * 1000), p[1].GetString());
    }
  }
  return answer;
}

bool ValuesEqual(const std::string& a, const std::string& b) {
  if (a == b) return true;
  const double x = std::strtod(a.c_str(), nullptr), y = std::strtod(b.c_str(), nullptr);
  if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
  if (std::isinf(x) || std::isinf(y)) return x == y;
  const double scale = std::max(std::fabs(x), std::fabs(y));
  return std::fabs(x - y) <= 1e-6 * scale || std::fabs(x - y) < 1e-12;
}

// The first difference between two answers, or "" when they agree.
std::string Diff(const RangeAnswer& prom, const RangeAnswer& vigil) {
  if (!prom.error_type.empty() || !vigil.error_type.empty()) {
    if (prom.error_type == vigil.error_type) return "";
    return absl::StrCat("prometheus: ", prom.http_status, " ", prom.body.substr(0, 300),
                        "\n  vigil: ", vigil.http_status, " ", vigil.body.substr(0, 300));
  }
  for (const auto& [key, points] : prom.series) {
    auto it = vigil.series.find(key);
    if (it == vigil.series.end()) return absl::StrCat("series {", key, "} missing from vigil");
    const auto& other = it->second;
    for (size_t i = 0; i < std::max(points.size(), other.size()); ++i) {
      if (i >= points.size() || i >= other.size()) {
        return absl::StrCat("{", key, "}: ", points.size(), " points in prometheus, ", other.size(), " in vigil");
      }
      if (points[i].first != other[i].first) {
        return absl::StrCat("{", key, "} point ", i, ": t=", points[i].first, " vs ", other[i].first);
      }
      if (!ValuesEqual(points[i].second, other[i].second)) {
        return absl::StrCat("{", key, "} at t=", points[i].first, ": prometheus ", points[i].second, ", vigil ",
                            other[i].second);
      }
    }
  }
  for (const auto& [key, points] : vigil.series) {
    if (!prom.series.contains(key)) return absl::StrCat("series {", key, "} only in vigil");
  }
  return "";
}

std::vector<std::string> Queries() {
  std::ifstream in("tests/query/testdata/differential_queries.txt");
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    out.push_back(line);
  }
  return out;
}

TEST(PrometheusDifferentialTest, SameAnswersAsPrometheus) {
  const std::vector<std::string> queries = Queries();
  ASSERT_GE(queries.size(), 300u);
  const std::string tmp = testing::TestTmpDir();
  const std::string om = tmp + "/data.om";
  WriteOpenMetrics(om);

  // Prometheus: backfill blocks, then serve them.
  const std::string prom_dir = tmp + "/prometheus";
  ASSERT_EQ(std::system(absl::StrCat("/usr/bin/promtool tsdb create-blocks-from openmetrics ", om, " ", prom_dir, " > ",
                                     tmp, "/promtool.log 2>&1")
                            .c_str()),
            0)
      << "promtool failed; see " << tmp << "/promtool.log";
  std::ofstream(tmp + "/prometheus.yml") << "global:\n  scrape_interval: 1m\n";
  int prom_port = *testing::FreePort();
  auto prom = testing::StartPrometheus(tmp + "/prometheus.yml", prom_dir, prom_port, tmp + "/prometheus.log",
                                       {"--storage.tsdb.retention.time=100y"});
  ASSERT_TRUE(prom.ok()) << prom.status();

  // vigil-store: import the same file.
  int store_port = *testing::FreePort();
  auto store =
      testing::StartVigilStore(tmp + "/store", store_port, tmp + "/store.log", {"--storage.tsdb.retention.time=100y"});
  ASSERT_TRUE(store.ok()) << store.status();
  {
    std::ifstream in(om);
    std::stringstream data;
    data << in.rdbuf();
    http::HttplibClient client;
    auto resp =
        client.Post(testing::LocalUrl(store_port, "/api/v1/import"),
                    {{"Content-Type", "application/openmetrics-text; version=1.0.0"}}, data.str(), absl::Seconds(120));
    ASSERT_TRUE(resp.ok()) << resp.status();
    ASSERT_LT(resp->status, 300) << resp->body;
    ASSERT_EQ(resp->body.find("refused"), std::string::npos) << resp->body;
  }

  // From 90 minutes in (no window reaches before the data: see differential_queries.txt) to 10 minutes past the
  // end (lookback running out).
  const int64_t start = kStartS + 5407, end = kStartS + kDataS + 607, step = 30;
  int failed = 0, with_data = 0;
  for (const std::string& q : queries) {
    absl::StatusOr<RangeAnswer> p = QueryRange(prom_port, q, start, end, step);
    ASSERT_TRUE(p.ok()) << q << ": " << p.status();
    absl::StatusOr<RangeAnswer> v = QueryRange(store_port, q, start, end, step);
    ASSERT_TRUE(v.ok()) << q << ": " << v.status();
    if (!p->series.empty()) ++with_data;
    std::string diff = Diff(*p, *v);
    if (!diff.empty()) {
      ++failed;
      ADD_FAILURE() << "query: " << q << "\n  " << diff;
    }
  }
  std::cout << "differential: " << queries.size() - failed << " of " << queries.size()
            << " queries agree with Prometheus 2.42 (" << with_data << " with a non-empty result)\n";
  // Agreement on empty answers proves little: most queries must select data.
  EXPECT_GE(with_data, 300);
}

}  // namespace
}  // namespace vigil
