#include "tools/vigilctl/analyze.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/fs/file_system.h"
#include "base/status/status_macros.h"
#include "tsdb/partition/partition_store.h"
#include "tsdb/wal/wal_reader.h"

namespace vigil::vigilctl {

absl::StatusOr<TsdbAnalysis> AnalyzeTsdb(const std::string& dir, size_t top_n) {
  FileSystem* fs = RealFileSystem();
  if (!fs->Exists(dir)) return absl::NotFoundError(absl::StrCat("no such directory: ", dir));
  TsdbAnalysis a;
  std::map<std::string, std::set<std::string>> series_by_metric;

  std::string partitions_dir = JoinPath(dir, "partitions");
  if (fs->Exists(partitions_dir)) {
    tsdb::partition::PartitionStoreOptions options;
    options.compact_after_write = false;
    VIGIL_ASSIGN_OR_RETURN(auto store, tsdb::partition::PartitionStore::Open(partitions_dir, options));
    tsdb::partition::PartitionStoreStats stats = store->Stats();
    a.partitions = stats.partitions;
    a.partition_bytes = stats.bytes;
    a.partition_samples = stats.samples;
    VIGIL_ASSIGN_OR_RETURN(auto querier, store->NewQuerier(kMinTimestampMs, kMaxTimestampMs));
    std::vector<Matcher> all = {*Matcher::Create(MatchType::kRegexMatch, "__name__", ".+")};
    auto set = querier->Select(false, nullptr, all);
    while (set->Next()) {
      const Labels& l = set->At()->labels();
      series_by_metric[std::string(l.MetricName())].insert(l.ToString());
    }
    VIGIL_RETURN_IF_ERROR(set->Err());
  }

  std::string wal_dir = JoinPath(dir, "wal");
  wal::ReplayOptions replay_options;
  replay_options.repair_torn_tail = false;
  VIGIL_ASSIGN_OR_RETURN(wal::ReplayResult r,
                         wal::Replay(
                             fs, wal_dir,
                             [&](std::span<const wal::SeriesRecordView> series) {
                               for (const auto& s : series) {
                                 Labels l = Labels::FromPairs(s.labels);
                                 series_by_metric[std::string(l.MetricName())].insert(l.ToString());
                               }
                               return absl::OkStatus();
                             },
                             [&](std::span<const wal::SampleRecord>) { return absl::OkStatus(); }, replay_options));
  a.wal_bytes = r.bytes;
  a.wal_samples = r.samples;

  for (const auto& [metric, series] : series_by_metric) {
    a.series += series.size();
    a.top_metrics.emplace_back(metric, series.size());
  }
  std::sort(a.top_metrics.begin(), a.top_metrics.end(), [](const auto& x, const auto& y) {
    return x.second != y.second ? x.second > y.second : x.first < y.first;
  });
  if (a.top_metrics.size() > top_n) a.top_metrics.resize(top_n);
  a.samples = a.partition_samples + a.wal_samples;
  if (a.samples > 0) a.bytes_per_sample = static_cast<double>(a.partition_bytes + a.wal_bytes) / a.samples;
  return a;
}

std::string FormatAnalysis(const TsdbAnalysis& a) {
  std::string out;
  absl::StrAppendFormat(&out, "partitions        %d (%d bytes, %d samples)\n", a.partitions, a.partition_bytes,
                        a.partition_samples);
  absl::StrAppendFormat(&out, "wal               %d bytes, %d samples\n", a.wal_bytes, a.wal_samples);
  absl::StrAppendFormat(&out, "series            %d\n", a.series);
  absl::StrAppendFormat(&out, "samples           %d\n", a.samples);
  absl::StrAppendFormat(&out, "bytes per sample  %.3f\n", a.bytes_per_sample);
  absl::StrAppend(&out, "\ntop metrics by series:\n");
  for (const auto& [metric, n] : a.top_metrics) absl::StrAppendFormat(&out, "  %8d  %s\n", n, metric);
  return out;
}

}  // namespace vigil::vigilctl
