// partition_report: bytes on disk per sample and Select latency of persisted partitions, on an OpenMetrics file
// (as written by peerbench's `gen --format openmetrics`).
//
// Reads the file (or stdin with --input -), cuts each series into chunks of --chunk-samples, groups the chunks
// into partitions of --partition-hours aligned windows, and writes them into a fresh RocksDB store per
// compression setting. Prints per setting the bytes on disk per sample (SST files of the partitions, and the
// whole directory), the write time, the raw size of each key space, and then Select latencies on the last store.
//
//   gen --hosts 10 --interval 15s --duration 2h --end-ms 1795305600000 --format openmetrics > /tmp/fleet10.om
//   bazel run -c opt //tsdb/partition:partition_report -- --input /tmp/fleet10.om --dir /tmp/partition_report
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/strings/absl_view.h"
#include "tsdb/chunk/chunk_appender.h"
#include "tsdb/chunk/chunk_header.h"
#include "tsdb/partition/partition_store.h"
#include "tsdb/partition/partition_test_util.h"
#include "wire/exposition/parser.h"

namespace vigil::tsdb::partition {
namespace {

struct Options {
  std::string input = "-";
  std::string dir = "/tmp/partition_report";
  size_t chunk_samples = kDefaultChunkSamples;
  int64_t partition_hours = 2;
  std::string configs = "none,snappy,lz4,zstd-4k,zstd-32k,zstd-64k,zstd-dict,zstd";
  std::string query_metric = "node_cpu_seconds_total";
  int query_repeats = 20;
  bool compact = false;
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// The data set: per partition window, the series and their chunks.
struct DataSet {
  std::map<int64_t, std::vector<SeriesChunks>> windows;
  uint64_t samples = 0;
  uint64_t chunk_bytes = 0;
  uint64_t series = 0;
};

class Loader {
 public:
  Loader(const Options& o, DataSet* data) : o_(o), data_(data), window_ms_(o.partition_hours * 3600 * 1000) {}

  // Adds one sample of the series `key` (name and labels as text; `sample` gives its labels when it is new).
  void AddSample(std::string_view key, const exposition::ParsedSample& sample) {
    const int64_t t = sample.timestamp_ms;
    const double v = sample.value;
    if (key != key_) {
      FlushSeries();
      key_ = std::string(key);
      labels_ = sample.ToLabels();
      ++data_->series;
    }
    const int64_t w = t >= 0 ? t / window_ms_ : -((-t + window_ms_ - 1) / window_ms_);
    if (!ts_.empty() && (w != window_ || ts_.size() >= o_.chunk_samples)) Cut();
    if (!ts_.empty() && t <= ts_.back()) return;  // Out of order: dropped.
    window_ = w;
    ts_.push_back(t);
    vs_.push_back(v);
  }

  void FlushSeries() {
    if (!ts_.empty()) Cut();
    if (current_ != nullptr) current_ = nullptr;
  }

 private:
  void Cut() {
    std::vector<SeriesChunks>& series = data_->windows[window_];
    if (current_ == nullptr || current_window_ != window_ || current_key_ != key_) {
      series.push_back(SeriesChunks{labels_, {}});
      current_ = &series.back();
      current_window_ = window_;
      current_key_ = key_;
    }
    ChunkData c;
    if (!encoder_.Encode(ts_, vs_, &c.bytes).ok()) std::abort();
    c.min_time = ts_.front();
    c.max_time = ts_.back();
    data_->samples += ts_.size();
    data_->chunk_bytes += c.bytes.size();
    current_->chunks.push_back(std::move(c));
    ts_.clear();
    vs_.clear();
  }

  const Options& o_;
  DataSet* data_;
  int64_t window_ms_;
  std::string key_;
  Labels labels_;
  std::vector<int64_t> ts_;
  std::vector<double> vs_;
  int64_t window_ = 0;
  SeriesChunks* current_ = nullptr;
  int64_t current_window_ = 0;
  std::string current_key_;
  ChunkEncoder encoder_;
};

absl::StatusOr<kv::RocksKvOptions> ConfigOptions(std::string_view name) {
  kv::RocksKvOptions o;
  std::vector<std::string> parts = absl::StrSplit(AV(name), '-');
  absl::StatusOr<kv::Compression> c = kv::ParseCompression(parts[0]);
  if (!c.ok()) return c.status();
  o.compression = *c;
  for (size_t i = 1; i < parts.size(); ++i) {
    size_t kib;
    if (parts[i].size() > 1 && parts[i].back() == 'k' &&
        absl::SimpleAtoi(parts[i].substr(0, parts[i].size() - 1), &kib)) {
      o.block_bytes = kib << 10;
    } else if (parts[i] == "dict") {
      o.zstd_max_dict_bytes = 16 << 10;
    } else if (parts[i].size() > 1 && parts[i][0] == 'l') {
      if (!absl::SimpleAtoi(parts[i].substr(1), &o.zstd_level)) return absl::InvalidArgumentError(parts[i]);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown config part \"", parts[i], "\""));
    }
  }
  return o;
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec) && e.path().filename().string().rfind("LOG", 0) != 0) total += e.file_size(ec);
  }
  return total;
}

// Raw (uncompressed) bytes of keys and values per key space of every partition.
void PrintSpaces(PartitionStore& store, uint64_t samples) {
  std::map<char, std::pair<uint64_t, uint64_t>> spaces;  // tag -> (keys, bytes)
  for (const auto& ns : store.kv()->ListNamespaces()) {
    auto it = store.kv()->NewIterator(ns, {});
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      char tag = it->key()[0];
      if (tag == 'S' && it->key().size() == 6) tag = 's';  // Labels apart from chunks.
      spaces[tag].first += 1;
      spaces[tag].second += it->key().size() + it->value().size();
    }
  }
  const std::map<char, const char*> names = {
      {'s', "series labels"}, {'S', "chunks"}, {'P', "postings"}, {'L', "listing"}};
  for (const auto& [tag, kb] : spaces) {
    absl::PrintF("    raw %-14s %9d keys %11d B  %.4f B/sample\n", names.at(tag), kb.first, kb.second,
                 static_cast<double>(kb.second) / samples);
  }
}

void TimeQuery(PartitionStore& store, const std::string& title, std::vector<Matcher> matchers, TimestampMs mint,
               TimestampMs maxt, int repeats) {
  std::vector<double> times;
  size_t series = 0, samples = 0;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    auto q = store.NewQuerier(mint, maxt);
    absl::StatusOr<SelectResult> result = SelectAll(**q, matchers);
    times.push_back(Seconds(start));
    if (!result.ok()) {
      std::cerr << "query failed: " << result.status() << "\n";
      std::exit(1);
    }
    series = result->size();
    samples = 0;
    for (const auto& [l, s] : *result) samples += s.size();
  }
  const double first = times[0];
  std::sort(times.begin(), times.end());
  absl::PrintF("  %-58s series %6d samples %8d  first %8.3f ms  median %8.3f ms  (%.1f ns/sample)\n", title, series,
               samples, first * 1e3, times[times.size() / 2] * 1e3,
               times[times.size() / 2] * 1e9 / std::max<size_t>(1, samples));
}

int Main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "missing value for " << a << "\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--input") {
      o.input = value();
    } else if (a == "--dir") {
      o.dir = value();
    } else if (a == "--chunk-samples") {
      o.chunk_samples = std::stoul(value());
    } else if (a == "--partition-hours") {
      o.partition_hours = std::stol(value());
    } else if (a == "--configs") {
      o.configs = value();
    } else if (a == "--query-metric") {
      o.query_metric = value();
    } else if (a == "--compact") {
      o.compact = true;
    } else if (a == "--query-repeats") {
      o.query_repeats = std::stoi(value());
    } else {
      std::cerr << "unknown flag " << a << "\n";
      return 2;
    }
  }

  DataSet data;
  {
    const auto start = std::chrono::steady_clock::now();
    std::ifstream file;
    std::istream* in = &std::cin;
    if (o.input != "-") {
      file.open(o.input, std::ios::binary);
      if (!file) {
        std::cerr << "cannot open " << o.input << "\n";
        return 1;
      }
      in = &file;
    }
    Loader loader(o, &data);
    struct Handler {
      Loader* loader;
      std::string key;
      absl::Status OnSample(const exposition::ParsedSample& s) {
        if (!s.has_timestamp) return absl::InvalidArgumentError(absl::StrCat("line ", s.line, ": no timestamp"));
        key.assign(s.name);
        for (const Label& l : s.labels) absl::StrAppend(&key, "\xff", AV(l.name), "\xff", AV(l.value));
        loader->AddSample(key, s);
        return absl::OkStatus();
      }
      absl::Status OnMetadata(const exposition::FamilyMetadata&) { return absl::OkStatus(); }
    } handler{&loader, {}};
    exposition::Parser parser(exposition::Format::kOpenMetrics);
    std::string piece(1 << 20, '\0');
    absl::Status status;
    while (status.ok() && *in) {
      in->read(piece.data(), static_cast<std::streamsize>(piece.size()));
      status = parser.Feed(std::string_view(piece.data(), static_cast<size_t>(in->gcount())), handler);
    }
    if (status.ok()) status = parser.Finish(handler);
    if (!status.ok()) {
      std::cerr << o.input << ": " << status.message() << "\n";
      return 1;
    }
    loader.FlushSeries();
    absl::PrintF("input %s: %d series, %d samples, %d partition windows of %dh, read and encoded in %.1f s\n", o.input,
                 data.series, data.samples, data.windows.size(), o.partition_hours, Seconds(start));
    absl::PrintF("chunk bytes alone: %d B = %.4f B/sample (%d samples per chunk)\n", data.chunk_bytes,
                 static_cast<double>(data.chunk_bytes) / data.samples, o.chunk_samples);
  }

  std::unique_ptr<PartitionStore> store;
  std::vector<std::string> configs = absl::StrSplit(o.configs, ',');
  for (const std::string& config : configs) {
    absl::StatusOr<kv::RocksKvOptions> kv_options = ConfigOptions(config);
    if (!kv_options.ok()) {
      std::cerr << kv_options.status() << "\n";
      return 2;
    }
    const std::string dir = o.dir + "/" + config;
    std::filesystem::remove_all(dir);
    store.reset();
    PartitionStoreOptions options;
    options.kv = *kv_options;
    absl::StatusOr<std::unique_ptr<PartitionStore>> opened = PartitionStore::Open(dir, options);
    if (!opened.ok()) {
      std::cerr << opened.status() << "\n";
      return 1;
    }
    store = *std::move(opened);
    const auto start = std::chrono::steady_clock::now();
    for (const auto& [w, series] : data.windows) {
      const int64_t window_ms = o.partition_hours * 3600 * 1000;
      absl::StatusOr<PartitionMeta> meta = store->WritePartition({w * window_ms, (w + 1) * window_ms - 1}, series);
      if (!meta.ok()) {
        std::cerr << meta.status() << "\n";
        return 1;
      }
    }
    const double write_s = Seconds(start);
    const PartitionStoreStats stats = store->Stats();
    const uint64_t dir_bytes = DirBytes(dir);
    absl::PrintF(
        "%-10s partitions %d  SST bytes %10d = %.4f B/sample  dir (no LOG) %10d = %.4f B/sample  write %.2f s "
        "(%.2f M samples/s)\n",
        config, stats.partitions, stats.bytes, static_cast<double>(stats.bytes) / stats.samples, dir_bytes,
        static_cast<double>(dir_bytes) / stats.samples, write_s, stats.samples / write_s / 1e6);
    if (&config == &configs.back()) PrintSpaces(*store, stats.samples);
  }

  if (o.compact) {
    absl::StatusOr<CompactionResult> r = store->Compact();
    if (!r.ok()) {
      std::cerr << r.status() << "\n";
      return 1;
    }
    const PartitionStoreStats stats = store->Stats();
    absl::PrintF(
        "compaction (%s): %d inputs -> %d outputs in %.2f s; now %d partitions, SST bytes %d = %.4f B/sample\n",
        configs.back(), r->inputs.size(), r->outputs.size(), absl::ToDoubleSeconds(r->duration), stats.partitions,
        stats.bytes, static_cast<double>(stats.bytes) / stats.samples);
  }

  // Select latency on the last store.
  const std::vector<PartitionMeta> parts = store->Partitions();
  const TimestampMs maxt = parts.back().range.max_time;
  const TimestampMs hour = 3600 * 1000;
  absl::PrintF("\nSelect latency (store: %s; %d repeats; 'first' is the first run after writing):\n", configs.back(),
               o.query_repeats);
  auto m = [](MatchType t, std::string n, std::string v) { return *Matcher::Create(t, std::move(n), std::move(v)); };
  TimeQuery(*store, absl::StrCat(o.query_metric, " last 1h"), {m(MatchType::kEqual, "__name__", o.query_metric)},
            maxt - hour + 1, maxt, o.query_repeats);
  TimeQuery(*store, absl::StrCat(o.query_metric, "{mode=\"idle\"} last 1h"),
            {m(MatchType::kEqual, "__name__", o.query_metric), m(MatchType::kEqual, "mode", "idle")}, maxt - hour + 1,
            maxt, o.query_repeats);
  TimeQuery(*store, "node_load1 last 1h", {m(MatchType::kEqual, "__name__", "node_load1")}, maxt - hour + 1, maxt,
            o.query_repeats);
  TimeQuery(*store, "up{instance=~\"node0000[0-4].*\"} last 1h",
            {m(MatchType::kEqual, "__name__", "up"), m(MatchType::kRegexMatch, "instance", "node0000[0-4].*")},
            maxt - hour + 1, maxt, o.query_repeats);
  TimeQuery(
      *store, "node_network_receive_bytes_total{device!=\"lo\"} all",
      {m(MatchType::kEqual, "__name__", "node_network_receive_bytes_total"), m(MatchType::kNotEqual, "device", "lo")},
      kMinTimestampMs, kMaxTimestampMs, o.query_repeats);
  return 0;
}

}  // namespace
}  // namespace vigil::tsdb::partition

int main(int argc, char** argv) { return vigil::tsdb::partition::Main(argc, argv); }
