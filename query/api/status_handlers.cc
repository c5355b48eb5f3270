#include "query/api/status_handlers.h"

#include <unistd.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "base/version/version.h"
#include "query/api/envelope.h"
#include "query/api/json.h"
#include "query/api/params.h"
#include "query/metadata/metadata_store.h"

namespace vigil::query::api {
namespace {

Clock* ClockOf(const PrometheusApiDeps& deps) { return deps.clock != nullptr ? deps.clock : RealClock(); }

// A time as Go's encoding/json writes time.Time in UTC (RFC3339Nano, trailing zeros of the fraction dropped).
void AppendGoTime(absl::Time t, std::string* out) {
  out->push_back('"');
  out->append(absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone()));
  out->push_back('"');
}

void AppendKey(std::string_view key, std::string* out) {
  AppendJsonString(key, out);
  out->push_back(':');
}

struct Stat {
  std::string name;
  uint64_t value = 0;
};

// The `limit` largest, by value then name.
std::vector<Stat> Top(std::vector<Stat> stats, size_t limit) {
  auto by_value = [](const Stat& a, const Stat& b) { return a.value != b.value ? a.value > b.value : a.name < b.name; };
  if (stats.size() > limit) {
    std::partial_sort(stats.begin(), stats.begin() + static_cast<ptrdiff_t>(limit), stats.end(), by_value);
    stats.resize(limit);
  } else {
    std::sort(stats.begin(), stats.end(), by_value);
  }
  return stats;
}

void AppendStats(std::string_view key, const std::vector<Stat>& stats, std::string* out) {
  out->push_back(',');
  AppendKey(key, out);
  out->push_back('[');
  for (size_t i = 0; i < stats.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append("{\"name\":");
    AppendJsonString(stats[i].name, out);
    absl::StrAppend(out, ",\"value\":", stats[i].value, "}");
  }
  out->push_back(']');
}

}  // namespace

void HandleBuildInfo(const PrometheusApiDeps&, const http::Request&, http::Response* resp) {
  BuildInfo info = GetBuildInfo();
  std::string* out = BeginSuccess(resp);
  out->append("{\"version\":");
  AppendJsonString(info.version, out);
  out->append(",\"revision\":\"\",\"branch\":\"\",\"buildUser\":\"\",\"buildDate\":\"\",\"goVersion\":");
  AppendJsonString(info.compiler, out);
  out->push_back('}');
  EndSuccess({}, {}, resp);
}

void HandleRuntimeInfo(const PrometheusApiDeps& deps, const http::Request&, http::Response* resp) {
  char cwd[4096] = {0};
  if (getcwd(cwd, sizeof(cwd)) == nullptr) cwd[0] = '\0';
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  std::string* out = BeginSuccess(resp);
  out->append("{\"startTime\":");
  AppendGoTime(deps.status.start_time, out);
  out->append(",\"CWD\":");
  AppendJsonString(cwd, out);
  out->append(",\"hostname\":");
  AppendJsonString(host, out);
  out->append(",\"serverTime\":");
  AppendGoTime(ClockOf(deps)->Now(), out);
  out->append(",\"reloadConfigSuccess\":true,\"lastConfigTime\":");
  AppendGoTime(deps.status.start_time, out);
  // Go-runtime fields keep their names so clients that decode them find them; the values describe this process.
  absl::StrAppend(out, ",\"corruptionCount\":0,\"goroutineCount\":0,\"GOMAXPROCS\":",
                  std::max(1u, std::thread::hardware_concurrency()),
                  ",\"GOMEMLIMIT\":9223372036854775807,\"GOGC\":\"\",\"GODEBUG\":\"\",\"storageRetention\":");
  AppendJsonString(deps.status.storage_retention, out);
  out->push_back('}');
  EndSuccess({}, {}, resp);
}

void HandleFlags(const PrometheusApiDeps& deps, const http::Request&, http::Response* resp) {
  std::vector<std::pair<std::string, std::string>> flags = deps.status.flags;
  std::sort(flags.begin(), flags.end());
  std::string* out = BeginSuccess(resp);
  out->push_back('{');
  for (size_t i = 0; i < flags.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendKey(flags[i].first, out);
    AppendJsonString(flags[i].second, out);
  }
  out->push_back('}');
  EndSuccess({}, {}, resp);
}

void HandleConfig(const PrometheusApiDeps& deps, const http::Request&, http::Response* resp) {
  std::string* out = BeginSuccess(resp);
  out->append("{\"yaml\":");
  AppendJsonString(deps.status.config_yaml, out);
  out->push_back('}');
  EndSuccess({}, {}, resp);
}

void HandleTsdbStatus(const PrometheusApiDeps& deps, const http::Request& req, http::Response* resp) {
  constexpr int64_t kMaxLimit = 10000;
  int64_t limit = 10;
  if (std::string s = req.Param("limit"); !s.empty()) {
    absl::StatusOr<int64_t> v = Atoi(s);
    if (!v.ok() || *v < 1) return WriteError({ErrorType::kBadData, "limit must be a positive number"}, resp);
    if (*v > kMaxLimit)
      return WriteError({ErrorType::kBadData, absl::StrCat("limit must not exceed ", kMaxLimit)}, resp);
    limit = *v;
  }
  HeadStats head;
  TimestampMs mint = 0;
  TimestampMs maxt = 0;
  if (deps.head_stats) {
    head = deps.head_stats();
    mint = head.min_time;
    maxt = head.max_time;
  } else {
    maxt = FromTime(ClockOf(deps)->Now());
    mint = maxt - deps.tsdb_status_range_ms;
  }

  absl::flat_hash_map<std::string, uint64_t> series_by_metric;
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> values_by_name;
  absl::flat_hash_map<std::string, uint64_t> series_by_pair;
  int64_t scanned = 0;
  if (mint <= maxt) {
    absl::StatusOr<std::unique_ptr<tsdb::Querier>> q = deps.storage->NewQuerier(mint, maxt);
    if (!q.ok()) return WriteError({ErrorType::kInternal, std::string(q.status().message())}, resp);
    absl::StatusOr<Matcher> all = Matcher::Create(MatchType::kRegexMatch, "__name__", ".+");
    if (!all.ok()) return WriteError({ErrorType::kInternal, std::string(all.status().message())}, resp);
    tsdb::SelectHints hints;
    hints.start = mint;
    hints.end = maxt;
    hints.func = "series";
    std::vector<Matcher> matchers = {*all};
    std::unique_ptr<tsdb::SeriesSet> set = (*q)->Select(false, &hints, matchers);
    std::string pair;
    while (set->Next()) {
      ++scanned;
      const Labels& labels = set->At()->labels();
      ++series_by_metric[AV(labels.MetricName())];
      for (const Label& l : labels) {
        values_by_name[AV(l.name)].emplace(AV(l.value));
        pair.assign(l.name);
        pair.push_back('=');
        pair.append(l.value);
        ++series_by_pair[pair];
      }
    }
    if (!set->Err().ok()) return WriteError({ErrorType::kInternal, std::string(set->Err().message())}, resp);
  }
  if (!deps.head_stats) head.num_series = scanned;

  std::vector<Stat> by_metric, by_name_count, by_name_bytes, by_pair;
  for (auto& [name, n] : series_by_metric) by_metric.push_back({name, n});
  for (auto& [name, values] : values_by_name) {
    uint64_t bytes = 0;
    for (const std::string& v : values) bytes += v.size();
    by_name_count.push_back({name, values.size()});
    by_name_bytes.push_back({name, bytes});
  }
  for (auto& [p, n] : series_by_pair) by_pair.push_back({p, n});
  const size_t top = static_cast<size_t>(limit);

  std::string* out = BeginSuccess(resp);
  absl::StrAppend(out, "{\"headStats\":{\"numSeries\":", head.num_series, ",\"numLabelPairs\":", series_by_pair.size(),
                  ",\"chunkCount\":", std::max<int64_t>(head.chunk_count, 0), ",\"minTime\":", head.min_time,
                  ",\"maxTime\":", head.max_time, "}");
  AppendStats("seriesCountByMetricName", Top(std::move(by_metric), top), out);
  AppendStats("labelValueCountByLabelName", Top(std::move(by_name_count), top), out);
  AppendStats("memoryInBytesByLabelName", Top(std::move(by_name_bytes), top), out);
  AppendStats("seriesCountByLabelValuePair", Top(std::move(by_pair), top), out);
  out->push_back('}');
  EndSuccess({}, {}, resp);
}

void HandleMetadata(const PrometheusApiDeps& deps, const http::Request& req, http::Response* resp) {
  MetadataQuery query;
  if (std::string s = req.Param("limit"); !s.empty()) {
    absl::StatusOr<int64_t> v = Atoi(s);
    if (!v.ok()) return WriteError({ErrorType::kBadData, "limit must be a number"}, resp);
    query.limit = *v;
  }
  if (std::string s = req.Param("limit_per_metric"); !s.empty()) {
    absl::StatusOr<int64_t> v = Atoi(s);
    if (!v.ok()) return WriteError({ErrorType::kBadData, "limit_per_metric must be a number"}, resp);
    query.limit_per_metric = *v;
  }
  query.metric = req.Param("metric");
  std::string* out = BeginSuccess(resp);
  out->push_back('{');
  if (deps.metadata != nullptr) {
    bool first = true;
    for (const auto& [name, entries] : deps.metadata->List(query)) {
      if (!first) out->push_back(',');
      first = false;
      AppendKey(name, out);
      out->push_back('[');
      for (size_t i = 0; i < entries.size(); ++i) {
        if (i > 0) out->push_back(',');
        out->append("{\"type\":");
        AppendJsonString(MetadataTypeName(entries[i].type), out);
        out->append(",\"help\":");
        AppendJsonString(entries[i].help, out);
        out->append(",\"unit\":");
        AppendJsonString(entries[i].unit, out);
        out->push_back('}');
      }
      out->push_back(']');
    }
  }
  out->push_back('}');
  EndSuccess({}, {}, resp);
}

void HandleRules(const PrometheusApiDeps&, const http::Request&, http::Response* resp) {
  WriteSuccess("{\"groups\":[]}", resp);
}

void HandleAlerts(const PrometheusApiDeps&, const http::Request&, http::Response* resp) {
  WriteSuccess("{\"alerts\":[]}", resp);
}

}  // namespace vigil::query::api
