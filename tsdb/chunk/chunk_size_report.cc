// chunk_size_report: how many bytes per sample Vigil's chunk encoding needs on an OpenMetrics file.
//
// Reads `name{labels} value timestamp_seconds` lines (as written by peerbench's `gen --format openmetrics`),
// streaming: only the open chunk of each series is held in memory, so a 4 GB file is fine. Each series is cut
// into chunks of --chunk-samples samples (the last chunk of a series may be shorter), every chunk is encoded and,
// with --verify (default), decoded again and compared bit for bit. Prints bytes per sample overall, per metric
// family and per encoding, and the encode/decode speed.
//
//   bazel run -c opt //tsdb/chunk:chunk_size_report -- --input /tmp/fleet10.om [--chunk-samples 240] [--top 30]
#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/strings/absl_view.h"
#include "tsdb/chunk/chunk_appender.h"
#include "tsdb/chunk/chunk_header.h"
#include "tsdb/chunk/chunk_iterator.h"
#include "wire/exposition/parser.h"

namespace vigil::tsdb {
namespace {

struct Options {
  std::string input = "-";
  size_t chunk_samples = kDefaultChunkSamples;
  size_t top = 30;
  bool verify = true;
};

struct Totals {
  uint64_t samples = 0;
  uint64_t bytes = 0;
  uint64_t chunks = 0;
};

struct Family {
  Totals totals;
  uint64_t series = 0;
  uint64_t time_bits = 0;
  uint64_t value_bits = 0;
  uint64_t header_bytes = 0;
};

struct Series {
  uint32_t family;
  std::vector<int64_t> timestamps;
  std::vector<double> values;
};

class Report {
 public:
  explicit Report(const Options& options) : options_(options) { encoder_.Reserve(options.chunk_samples); }

  // Adds one sample of the series `key` (metric name and labels as text) of metric `name`.
  void AddSample(std::string_view key, std::string_view name, int64_t t, double v) {
    if (key != current_key_) {
      auto [it, inserted] = series_.try_emplace(std::string(key));
      if (inserted) {
        auto [fit, finserted] = family_ids_.try_emplace(std::string(name), families_.size());
        if (finserted) {
          families_.emplace_back();
          family_names_.emplace_back(name);
        }
        it->second.family = static_cast<uint32_t>(fit->second);
        ++families_[fit->second].series;
      }
      current_ = &it->second;
      current_key_ = it->first;
    }
    Series& s = *current_;
    if (!s.timestamps.empty() && t <= s.timestamps.back()) {
      ++out_of_order_;
      return;
    }
    s.timestamps.push_back(t);
    s.values.push_back(v);
    if (s.timestamps.size() >= options_.chunk_samples) Flush(s);
  }

  void FlushAll() {
    for (auto& [key, s] : series_) {
      if (!s.timestamps.empty()) Flush(s);
    }
  }

  void Print() const {
    const Totals& all = all_;
    absl::PrintF("input: %s\n", options_.input);
    absl::PrintF(
        "series %d  families %d  samples %d  chunks %d (%d samples per chunk, last chunk of a series may "
        "be shorter)  out-of-order samples dropped %d\n",
        series_.size(), families_.size(), all.samples, all.chunks, options_.chunk_samples, out_of_order_);
    absl::PrintF("TOTAL chunk bytes %d  => %.4f B/sample  (Prometheus 2.42 XOR chunks on the same generator: 2.238)\n",
                 all.bytes, PerSample(all.bytes, all.samples));
    absl::PrintF("  header %.4f B/sample, timestamps %.4f B/sample, values %.4f B/sample, padding rest\n",
                 PerSample(header_bytes_, all.samples), PerSample(time_bits_ / 8.0, all.samples),
                 PerSample(value_bits_ / 8.0, all.samples));
    absl::PrintF("speed: encode %.1f ns/sample (%.2f M samples/s), decode %.1f ns/sample (%.2f M samples/s)%s\n",
                 encode_ns_ / std::max<double>(1, all.samples), all.samples / std::max(1.0, encode_ns_) * 1e3,
                 decode_ns_ / std::max<double>(1, all.samples), all.samples / std::max(1.0, decode_ns_) * 1e3,
                 options_.verify ? "" : " (not verified)");
    if (options_.verify) absl::PrintF("verify: %d mismatching chunks\n", mismatches_);

    absl::PrintF("\nvalue encoding: chunks (share)  samples  bytes  B/sample\n");
    for (int e = 0; e < 4; ++e) {
      const Totals& t = by_value_encoding_[e];
      if (t.chunks == 0) continue;
      absl::PrintF("  %-9s %8d (%5.1f%%) %10d %10d %8.4f\n", ValueEncodingName(static_cast<ValueEncoding>(e)), t.chunks,
                   100.0 * t.chunks / all.chunks, t.samples, t.bytes, PerSample(t.bytes, t.samples));
    }
    absl::PrintF("decimal order (0 raw, 1 delta, 2 delta-of-delta): chunks %d / %d / %d; chunks with exceptions %d\n",
                 by_order_[0], by_order_[1], by_order_[2], chunks_with_exceptions_);
    absl::PrintF("timestamp encoding: regular %d chunks, delta %d chunks, grid-offset %d chunks\n",
                 by_time_encoding_[0], by_time_encoding_[1], by_time_encoding_[2]);

    std::vector<size_t> order(families_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return families_[a].totals.bytes > families_[b].totals.bytes; });
    absl::PrintF("\nfamilies by bytes (top %d): bytes-share  samples-share  B/sample  [time B/s, value B/s]  series\n",
                 options_.top);
    for (size_t i = 0; i < order.size() && i < options_.top; ++i) {
      const Family& f = families_[order[i]];
      absl::PrintF("  %-52s %5.1f%% %5.1f%% %8.4f  [%.3f, %.3f]  %d\n", family_names_[order[i]],
                   100.0 * f.totals.bytes / all.bytes, 100.0 * f.totals.samples / all.samples,
                   PerSample(f.totals.bytes, f.totals.samples), PerSample(f.time_bits / 8.0, f.totals.samples),
                   PerSample(f.value_bits / 8.0, f.totals.samples), f.series);
    }
  }

 private:
  static double PerSample(double bytes, uint64_t samples) { return samples == 0 ? 0 : bytes / samples; }

  void Flush(Series& s) {
    const size_t n = s.timestamps.size();
    chunk_.clear();
    const auto t0 = std::chrono::steady_clock::now();
    const absl::Status status = encoder_.Encode(s.timestamps, s.values, &chunk_);
    const auto t1 = std::chrono::steady_clock::now();
    encode_ns_ += std::chrono::duration<double, std::nano>(t1 - t0).count();
    if (!status.ok()) {
      std::cerr << "encode failed: " << status << "\n";
      std::exit(1);
    }
    if (options_.verify) Verify(s);
    const ChunkEncodeStats& st = encoder_.last_stats();
    const absl::StatusOr<ChunkHeader> h = ParseChunkHeader(chunk_);
    const int ve = static_cast<int>(h->value_encoding);
    Add(&all_, n);
    Add(&by_value_encoding_[ve], n);
    ++by_time_encoding_[static_cast<int>(h->time_encoding)];
    if (st.decimal_order >= 0) ++by_order_[st.decimal_order];
    if (st.value_exceptions > 0) ++chunks_with_exceptions_;
    Family& f = families_[s.family];
    Add(&f.totals, n);
    f.time_bits += st.time_bits;
    f.value_bits += st.value_bits;
    f.header_bytes += st.header_bytes;
    time_bits_ += st.time_bits;
    value_bits_ += st.value_bits;
    header_bytes_ += st.header_bytes;
    // Release the buffers: a finished series (the input is usually grouped by series) should not pin memory.
    std::vector<int64_t>().swap(s.timestamps);
    std::vector<double>().swap(s.values);
  }

  void Verify(const Series& s) {
    const auto t0 = std::chrono::steady_clock::now();
    ChunkIterator it(chunk_);
    size_t i = 0;
    bool ok = true;
    while (it.Next()) {
      const auto [t, v] = it.At();
      if (i >= s.timestamps.size() || t != s.timestamps[i] ||
          std::bit_cast<uint64_t>(v) != std::bit_cast<uint64_t>(s.values[i])) {
        ok = false;
      }
      ++i;
    }
    const auto t1 = std::chrono::steady_clock::now();
    decode_ns_ += std::chrono::duration<double, std::nano>(t1 - t0).count();
    if (!ok || i != s.timestamps.size() || !it.Err().ok()) {
      if (++mismatches_ <= 5)
        std::cerr << "round-trip mismatch in family " << family_names_[s.family] << ": " << it.Err() << "\n";
    }
  }

  void Add(Totals* t, size_t n) const {
    t->samples += n;
    t->bytes += chunk_.size();
    ++t->chunks;
  }

  const Options& options_;
  ChunkEncoder encoder_;
  std::string chunk_;
  absl::node_hash_map<std::string, Series> series_;  // Pointer-stable: current_ points into it.
  absl::flat_hash_map<std::string, size_t> family_ids_;
  std::vector<Family> families_;
  std::vector<std::string> family_names_;
  std::string_view current_key_;
  Series* current_ = nullptr;
  Totals all_;
  Totals by_value_encoding_[4];
  uint64_t by_time_encoding_[3] = {};
  uint64_t by_order_[3] = {};
  uint64_t chunks_with_exceptions_ = 0;
  uint64_t time_bits_ = 0;
  uint64_t value_bits_ = 0;
  uint64_t header_bytes_ = 0;
  uint64_t out_of_order_ = 0;
  uint64_t mismatches_ = 0;
  double encode_ns_ = 0;
  double decode_ns_ = 0;
};

int Main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) {
        std::cerr << arg << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--input") {
      options.input = std::string(value());
    } else if (arg == "--chunk-samples") {
      if (!absl::SimpleAtoi(AV(value()), &options.chunk_samples) || options.chunk_samples == 0 ||
          options.chunk_samples > kMaxChunkSamples) {
        std::cerr << "--chunk-samples must be in 1.." << kMaxChunkSamples << "\n";
        return 2;
      }
    } else if (arg == "--top") {
      if (!absl::SimpleAtoi(AV(value()), &options.top)) return 2;
    } else if (arg == "--no-verify") {
      options.verify = false;
    } else {
      std::cerr << "usage: chunk_size_report [--input FILE|-] [--chunk-samples N] [--top N] [--no-verify]\n";
      return 2;
    }
  }
  std::ifstream file;
  std::istream* in = &std::cin;
  if (options.input != "-") {
    file.open(options.input, std::ios::binary);
    if (!file) {
      std::cerr << "cannot open " << options.input << "\n";
      return 1;
    }
    in = &file;
  }
  Report report(options);
  // The input is the generator's OpenMetrics; the shared streaming parser reads it piece by piece.
  struct Handler {
    Report* report;
    std::string key;
    absl::Status OnSample(const exposition::ParsedSample& s) {
      if (!s.has_timestamp) return absl::InvalidArgumentError(absl::StrCat("line ", s.line, ": no timestamp"));
      key.assign(s.name);
      for (const Label& l : s.labels) absl::StrAppend(&key, "\xff", AV(l.name), "\xff", AV(l.value));
      report->AddSample(key, s.name, s.timestamp_ms, s.value);
      return absl::OkStatus();
    }
    absl::Status OnMetadata(const exposition::FamilyMetadata&) { return absl::OkStatus(); }
  } handler{&report, {}};
  exposition::Parser parser(exposition::Format::kOpenMetrics);
  std::string piece(1 << 20, '\0');
  absl::Status status;
  while (status.ok() && *in) {
    in->read(piece.data(), static_cast<std::streamsize>(piece.size()));
    status = parser.Feed(std::string_view(piece.data(), static_cast<size_t>(in->gcount())), handler);
  }
  if (status.ok()) status = parser.Finish(handler);
  if (!status.ok()) {
    std::cerr << options.input << ": " << status.message() << "\n";
    return 1;
  }
  report.FlushAll();
  report.Print();
  return 0;
}

}  // namespace
}  // namespace vigil::tsdb

int main(int argc, char** argv) { return vigil::tsdb::Main(argc, argv); }
