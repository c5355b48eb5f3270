#include "tools/datagen/openmetrics.h"

#include <bit>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "wire/exposition/parser.h"

namespace vigil::datagen {
namespace {

FleetOptions Small() {
  FleetOptions o;
  o.seed = 7;
  o.hosts = 3;
  o.interval_ms = 15000;
  o.duration_ms = 10 * 60 * 1000;
  o.end_ms = 1700000000000;
  return o;
}

std::string Render(const Fleet& fleet, size_t chunk = 1 << 16, OutputStats* stats = nullptr) {
  std::string out;
  const absl::Status s = WriteOpenMetrics(
      fleet,
      [&](std::string_view bytes) {
        out.append(bytes);
        return absl::OkStatus();
      },
      stats, chunk);
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

TEST(OpenMetricsTest, SameSeedSameBytes) {
  const std::string a = Render(*Fleet::Create(Small()));
  const std::string b = Render(*Fleet::Create(Small()), 1000);  // chunking does not change the bytes
  EXPECT_EQ(a, b);
  FleetOptions other = Small();
  other.seed = 8;
  EXPECT_NE(Render(*Fleet::Create(other)), a);
  EXPECT_TRUE(a.ends_with("\n# EOF\n"));
}

// Checks every sample against the fleet, in order.
struct Checker {
  explicit Checker(const Fleet& f) : fleet(f) {}

  const Fleet& fleet;
  size_t series = 0;
  std::unique_ptr<SeriesCursor> cursor;
  uint64_t samples = 0;
  size_t metadata = 0;

  absl::Status OnSample(const exposition::ParsedSample& s) {
    if (cursor == nullptr || cursor->step() == fleet.steps()) {
      if (cursor != nullptr) ++series;
      cursor = std::make_unique<SeriesCursor>(fleet, series);
    }
    const SeriesInfo& info = fleet.series()[series];
    if (s.ToLabels() != info.labels) return absl::InternalError("labels: " + s.ToLabels().ToString());
    if (s.family != fleet.families()[info.family].name) return absl::InternalError("family " + std::string(s.family));
    if (s.type != fleet.families()[info.family].type) return absl::InternalError("type");
    Sample want;
    if (!cursor->Next(&want)) return absl::InternalError("too many samples");
    if (!s.has_timestamp || s.timestamp_ms != want.t) return absl::InternalError("timestamp");
    if (std::bit_cast<uint64_t>(s.value) != std::bit_cast<uint64_t>(want.v)) {
      return absl::InternalError("value of " + info.labels.ToString());
    }
    ++samples;
    return absl::OkStatus();
  }
  void OnMetadata(const exposition::FamilyMetadata& m) {
    const FamilyInfo& f = fleet.families()[metadata];
    EXPECT_EQ(m.name, f.name);
    EXPECT_EQ(m.type, f.type);
    EXPECT_EQ(m.help, f.help);
    EXPECT_EQ(m.unit, f.unit);
    ++metadata;
  }
};

TEST(OpenMetricsTest, ParsesBackToTheFleet) {
  const Fleet fleet = *Fleet::Create(Small());
  OutputStats stats;
  const std::string text = Render(fleet, 1 << 16, &stats);
  EXPECT_EQ(stats.samples, fleet.total_samples());
  EXPECT_EQ(stats.series, fleet.series().size());
  EXPECT_EQ(stats.bytes, text.size());
  Checker checker(fleet);
  exposition::Parser parser(exposition::Format::kOpenMetrics);
  for (size_t pos = 0; pos < text.size(); pos += 4093) {
    ASSERT_TRUE(parser.Feed(std::string_view(text).substr(pos, 4093), checker).ok()) << parser.status();
  }
  ASSERT_TRUE(parser.Finish(checker).ok()) << parser.status();
  EXPECT_EQ(checker.samples, fleet.total_samples());
  EXPECT_EQ(checker.series + 1, fleet.series().size());
  EXPECT_EQ(checker.metadata, fleet.families().size());
}

TEST(OpenMetricsTest, ChunksAndSinkErrors) {
  const Fleet fleet = *Fleet::Create(Small());
  size_t calls = 0;
  size_t largest = 0;
  ASSERT_TRUE(WriteOpenMetrics(
                  fleet,
                  [&](std::string_view bytes) {
                    ++calls;
                    largest = std::max(largest, bytes.size());
                    return absl::OkStatus();
                  },
                  nullptr, 8192)
                  .ok());
  EXPECT_GT(calls, 10u);
  EXPECT_LT(largest, 8192u + 1024);
  size_t seen = 0;
  const absl::Status s = WriteOpenMetrics(
      fleet, [&](std::string_view) { return ++seen == 3 ? absl::DataLossError("disk full") : absl::OkStatus(); },
      nullptr, 8192);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(seen, 3u);
}

}  // namespace
}  // namespace vigil::datagen
