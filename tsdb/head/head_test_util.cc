#include "tsdb/head/head_test_util.h"

#include <bit>

#include "gtest/gtest.h"

namespace vigil::tsdb::testing {

absl::Status RecordingCommitLog::Log(std::span<const RefSeries> series, std::span<const RefSample> samples) {
  absl::MutexLock lock(&mu_);
  ++calls_;
  if (!fail_.ok()) return fail_;
  series_.insert(series_.end(), series.begin(), series.end());
  samples_.insert(samples_.end(), samples.begin(), samples.end());
  return absl::OkStatus();
}

void RecordingCommitLog::SetFailure(absl::Status status) {
  absl::MutexLock lock(&mu_);
  fail_ = std::move(status);
}

std::vector<RefSeries> RecordingCommitLog::series() const {
  absl::MutexLock lock(&mu_);
  return series_;
}

std::vector<RefSample> RecordingCommitLog::samples() const {
  absl::MutexLock lock(&mu_);
  return samples_;
}

int RecordingCommitLog::calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

Matcher M(MatchType type, std::string name, std::string value) {
  absl::StatusOr<Matcher> m = Matcher::Create(type, std::move(name), std::move(value));
  EXPECT_TRUE(m.ok()) << m.status();
  return *m;
}

std::vector<std::pair<Labels, std::vector<Sample>>> SelectAll(Querier& q, bool sorted,
                                                              const std::vector<Matcher>& matchers, TimestampMs mint,
                                                              TimestampMs maxt) {
  std::vector<std::pair<Labels, std::vector<Sample>>> out;
  std::unique_ptr<SeriesSet> set = q.Select(sorted, nullptr, matchers);
  while (set->Next()) {
    std::shared_ptr<const Series> s = set->At();
    std::vector<Sample> samples;
    std::unique_ptr<SeriesIterator> it = s->Iterator();
    while (it->Next()) {
      if (it->At().t >= mint && it->At().t <= maxt) samples.push_back(it->At());
    }
    EXPECT_TRUE(it->Err().ok()) << it->Err();
    out.emplace_back(s->labels(), std::move(samples));
  }
  EXPECT_TRUE(set->Err().ok()) << set->Err();
  return out;
}

std::map<Labels, std::vector<Sample>> Query(Head& head, const std::vector<Matcher>& matchers, TimestampMs mint,
                                            TimestampMs maxt) {
  absl::StatusOr<std::unique_ptr<Querier>> q = head.NewQuerier(mint, maxt);
  EXPECT_TRUE(q.ok()) << q.status();
  std::map<Labels, std::vector<Sample>> out;
  for (auto& [labels, samples] : SelectAll(**q, false, matchers)) out[labels] = std::move(samples);
  return out;
}

bool SameSamples(const std::vector<Sample>& a, const std::vector<Sample>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].t != b[i].t || std::bit_cast<uint64_t>(a[i].v) != std::bit_cast<uint64_t>(b[i].v)) return false;
  }
  return true;
}

HeadOptions TestOptions() {
  HeadOptions o;
  o.chunk_range_ms = 1000;
  o.samples_per_chunk = 8;
  o.out_of_order_capacity = 4;
  return o;
}

}  // namespace vigil::tsdb::testing
