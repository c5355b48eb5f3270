// Helpers shared by the WAL tests: replaying a directory into plain vectors and comparing samples bit for bit.
#ifndef VIGIL_TSDB_WAL_WAL_TEST_UTIL_H_
#define VIGIL_TSDB_WAL_WAL_TEST_UTIL_H_

#include <bit>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "model/labels.h"
#include "tsdb/wal/records.h"
#include "tsdb/wal/wal_reader.h"

namespace vigil::wal::testing {

// Everything a replay handed out, copied.
struct Replayed {
  std::vector<SeriesRecord> series;
  std::vector<SampleRecord> samples;
  ReplayResult result;
};

inline absl::StatusOr<Replayed> ReplayAll(FileSystem* fs, std::string_view dir, ReplayOptions options = {}) {
  Replayed out;
  absl::StatusOr<ReplayResult> r = Replay(
      fs, dir,
      [&](std::span<const SeriesRecordView> series) {
        for (const SeriesRecordView& s : series) out.series.push_back({s.ref, Labels::FromPairs(s.labels)});
        return absl::OkStatus();
      },
      [&](std::span<const SampleRecord> samples) {
        out.samples.insert(out.samples.end(), samples.begin(), samples.end());
        return absl::OkStatus();
      },
      options);
  if (!r.ok()) return r.status();
  out.result = *std::move(r);
  return out;
}

// Equal refs, timestamps and value bits (so NaN payloads count).
inline bool SameSample(const SampleRecord& a, const SampleRecord& b) {
  return a.ref == b.ref && a.t == b.t && std::bit_cast<uint64_t>(a.v) == std::bit_cast<uint64_t>(b.v);
}

inline void ExpectSameSamples(std::span<const SampleRecord> got, std::span<const SampleRecord> want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_TRUE(SameSample(got[i], want[i]))
        << "sample " << i << ": got {" << got[i].ref << ", " << got[i].t << ", 0x" << std::hex
        << std::bit_cast<uint64_t>(got[i].v) << std::dec << "} want {" << want[i].ref << ", " << want[i].t << ", 0x"
        << std::hex << std::bit_cast<uint64_t>(want[i].v) << "}";
  }
}

inline void ExpectSameSeries(std::span<const SeriesRecord> got, std::span<const SeriesRecord> want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].ref, want[i].ref) << "series " << i;
    EXPECT_EQ(got[i].labels, want[i].labels) << "series " << i << ": " << got[i].labels.ToString();
  }
}

// `n` samples of a few series scraped at the same time, starting at `t0`.
inline std::vector<SampleRecord> MakeSamples(size_t n, int64_t t0 = 1700000000000, uint64_t ref0 = 1) {
  std::vector<SampleRecord> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back({ref0 + i % 97, t0 + static_cast<int64_t>(i / 97) * 15000, static_cast<double>(i) * 0.5});
  }
  return out;
}

// `n` series with refs ref0, ref0+1, ...
inline std::vector<SeriesRecord> MakeSeries(size_t n, uint64_t ref0 = 1) {
  std::vector<SeriesRecord> out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back({ref0 + i, Labels{{"__name__", "http_requests_total"},
                                    {"instance", "host-" + std::to_string(i) + ":9100"},
                                    {"job", "node"}}});
  }
  return out;
}

}  // namespace vigil::wal::testing

#endif  // VIGIL_TSDB_WAL_WAL_TEST_UTIL_H_
