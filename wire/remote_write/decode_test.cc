#include "wire/remote_write/decode.h"

#include <bit>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "snappy.h"
#include "wire/prompb/remote.pb.h"

namespace vigil::wire {
namespace {

using ::testing::HasSubstr;

prompb::TimeSeries Series(std::initializer_list<std::pair<std::string, std::string>> labels,
                          std::initializer_list<std::pair<int64_t, double>> samples = {}) {
  prompb::TimeSeries ts;
  for (const auto& [n, v] : labels) {
    prompb::Label* l = ts.add_labels();
    l->set_name(n);
    l->set_value(v);
  }
  for (const auto& [t, v] : samples) {
    prompb::Sample* s = ts.add_samples();
    s->set_timestamp(t);
    s->set_value(v);
  }
  return ts;
}

struct Decoded {
  std::vector<std::vector<std::pair<std::string, std::string>>> labels;
  std::vector<std::vector<std::pair<int64_t, uint64_t>>> samples;  // value bits
};

absl::StatusOr<Decoded> Decode(std::string_view raw) {
  Decoded d;
  absl::Status s = ForEachTimeSeries(raw, [&](const TimeSeriesView& ts) {
    auto& l = d.labels.emplace_back();
    for (const auto& [n, v] : ts.labels) l.emplace_back(n, v);
    auto& smp = d.samples.emplace_back();
    for (const Sample& x : ts.samples) smp.emplace_back(x.t, std::bit_cast<uint64_t>(x.v));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return d;
}

TEST(ForEachTimeSeriesTest, AgreesWithTheGeneratedProtobufClasses) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    prompb::WriteRequest req;
    int n = static_cast<int>(rng() % 20);
    for (int i = 0; i < n; ++i) {
      prompb::TimeSeries* ts = req.add_timeseries();
      for (int l = 0; l < static_cast<int>(rng() % 8); ++l) {
        prompb::Label* label = ts->add_labels();
        label->set_name(std::string(rng() % 5, 'a' + l));
        label->set_value(std::string(rng() % 300, 'x'));
      }
      for (int s = 0; s < static_cast<int>(rng() % 5); ++s) {
        prompb::Sample* smp = ts->add_samples();
        smp->set_timestamp(static_cast<int64_t>(rng()));  // negative ones too
        smp->set_value(std::bit_cast<double>(rng()));     // any bit pattern, NaN payloads included
      }
    }
    if (rng() % 3 == 0) req.add_metadata()->set_help("skipped");
    std::string raw = req.SerializeAsString();
    absl::StatusOr<Decoded> d = Decode(raw);
    ASSERT_TRUE(d.ok()) << d.status();
    ASSERT_EQ(static_cast<int>(d->labels.size()), req.timeseries_size());
    for (int i = 0; i < req.timeseries_size(); ++i) {
      const prompb::TimeSeries& ts = req.timeseries(i);
      ASSERT_EQ(static_cast<int>(d->labels[i].size()), ts.labels_size());
      for (int l = 0; l < ts.labels_size(); ++l) {
        EXPECT_EQ(d->labels[i][l].first, ts.labels(l).name());
        EXPECT_EQ(d->labels[i][l].second, ts.labels(l).value());
      }
      ASSERT_EQ(static_cast<int>(d->samples[i].size()), ts.samples_size());
      for (int s = 0; s < ts.samples_size(); ++s) {
        EXPECT_EQ(d->samples[i][s].first, ts.samples(s).timestamp());
        EXPECT_EQ(d->samples[i][s].second, std::bit_cast<uint64_t>(ts.samples(s).value()));
      }
    }
  }
}

TEST(ForEachTimeSeriesTest, EveryTruncationIsAnErrorOrAShorterRequestNeverACrash) {
  prompb::WriteRequest req;
  *req.add_timeseries() = Series({{"__name__", "up"}, {"job", "node"}}, {{1000, 1}, {2000, 0.5}});
  *req.add_timeseries() = Series({{"__name__", "load1"}}, {{1000, 0.25}});
  std::string raw = req.SerializeAsString();
  for (size_t cut = 0; cut < raw.size(); ++cut) {
    absl::StatusOr<Decoded> d = Decode(raw.substr(0, cut));
    if (!d.ok()) {
      EXPECT_THAT(std::string(d.status().message()), HasSubstr("at byte")) << cut;
    }
  }
  absl::StatusOr<Decoded> garbage = Decode("\x0a\xff\xff\xff\x0f garbage");
  ASSERT_FALSE(garbage.ok());
  EXPECT_THAT(std::string(garbage.status().message()), HasSubstr("length past the end"));
  EXPECT_FALSE(Decode("\x0f").ok());  // wire type 7
}

TEST(ForEachTimeSeriesTest, RefusesNativeHistograms) {
  std::string raw = Series({{"__name__", "h"}}).SerializeAsString();
  raw += std::string("\x22\x00", 2);  // field 4 (histograms), empty message
  std::string req = std::string("\x0a") + static_cast<char>(raw.size()) + raw;
  absl::StatusOr<Decoded> d = Decode(req);
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(std::string(d.status().message()), HasSubstr("native histograms"));
}

TEST(UncompressSnappyTest, RejectsCorruptInputAndBombs) {
  EXPECT_THAT(std::string(UncompressSnappy("definitely not snappy \xff\xff\xff\xff\xff", 1 << 20).status().message()),
              HasSubstr("snappy"));
  std::string big(100000, 'a'), bomb;
  snappy::Compress(big.data(), big.size(), &bomb);
  absl::StatusOr<std::string> too_big = UncompressSnappy(bomb, 1000);
  EXPECT_EQ(too_big.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(too_big.status().message()), HasSubstr("exceeds the limit of 1000 bytes"));
  EXPECT_EQ(*UncompressSnappy(bomb, 1 << 20), big);
}

TEST(ValidateLabelsTest, AcceptsSortedAndRejectsWhatTheSpecForbids) {
  EXPECT_TRUE(ValidateLabels(std::vector<LabelPair>{{"__name__", "up"}, {"empty", ""}, {"job", "x"}}).ok());
  struct Case {
    std::vector<LabelPair> labels;
    std::string want;
  };
  for (const Case& c : std::vector<Case>{
           {{{"job", "x"}, {"__name__", "up"}}, "labels must be sorted by name"},
           {{{"__name__", "up"}, {"a", "1"}, {"a", "2"}}, "duplicate label name \"a\""},
           {{{"", "x"}}, "empty name"},
           {{{"__name__", "up"}, {"bad-name", "x"}}, "invalid label name \"bad-name\""},
           {{{"__name__", "up"}, {"v", "\xff\xfe"}}, "not valid UTF-8"},
           {{}, "no labels"},
       }) {
    absl::Status s = ValidateLabels(c.labels);
    ASSERT_FALSE(s.ok()) << c.want;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.want));
  }
}

}  // namespace
}  // namespace vigil::wire
