// Appends, queries, persistence and garbage collection running at once (run under --config=asan too).
#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tsdb/head/head.h"
#include "tsdb/head/head_test_util.h"

namespace vigil::tsdb {
namespace {

using testing::M;

constexpr int kWriters = 4;
constexpr int kSeriesPerWriter = 30;
constexpr int kSteps = 600;  // commits per writer; each appends one sample to each of its live series
constexpr TimestampMs kStep = 10;

Labels WriterSeries(int w, int k) { return {{"__name__", "m"}, {"w", std::to_string(w)}, {"k", std::to_string(k)}}; }

// Series k of a writer receives samples for steps [k, last(k)], with t = step * kStep and v = step; a third of
// the series stop early so they become garbage.
int LastStep(int k) { return k % 3 == 0 ? kSteps / 3 + k : kSteps - 1; }

TEST(HeadConcurrencyTest, AppendQueryTruncateAtOnce) {
  testing::RecordingCommitLog log;
  HeadOptions opts;
  opts.chunk_range_ms = 1000;
  opts.samples_per_chunk = 16;
  opts.commit_log = &log;
  auto head = *Head::Create(opts);
  std::atomic<int> progress[kWriters];
  for (auto& p : progress) p.store(0);
  std::atomic<bool> stop{false};
  std::atomic<int> shared_refused{0};
  std::atomic<TimestampMs> truncated{0};

  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto app = head->NewAppender();
      std::vector<SeriesRef> refs(kSeriesPerWriter, 0);
      for (int step = 0; step < kSteps; ++step) {
        // Keep writing until the maintenance thread has truncated at least once, so the two overlap.
        while (step == kSteps - 1 && truncated.load() == 0) std::this_thread::yield();
        const TimestampMs t = step * kStep;
        for (int k = 0; k < kSeriesPerWriter && k <= step; ++k) {
          if (step > LastStep(k)) continue;
          absl::StatusOr<SeriesRef> ref = app->Append(refs[k], WriterSeries(w, k), t, step);
          ASSERT_TRUE(ref.ok()) << ref.status();
          refs[k] = *ref;
        }
        // A series every writer appends to: concurrent commits may leave a sample behind.
        if (!app->Append(0, {{"__name__", "shared"}}, t + w, step).ok()) shared_refused.fetch_add(1);
        ASSERT_TRUE(app->Commit().ok());
        progress[w].store(step);
      }
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      std::mt19937_64 rng(r);
      while (!stop.load()) {
        const TimestampMs mint = static_cast<TimestampMs>(rng() % (kSteps * kStep));
        auto q = *head->NewQuerier(mint, mint + static_cast<TimestampMs>(rng() % 3000));
        auto set = q->Select(rng() % 2, nullptr,
                             std::vector<Matcher>{M(MatchType::kEqual, "__name__", "m"),
                                                  M(MatchType::kRegexMatch, "k", rng() % 2 ? ".*" : "1.")});
        while (set->Next()) {
          auto it = set->At()->Iterator();
          TimestampMs prev = -1;
          while (it->Next()) {
            const Sample s = it->At();
            ASSERT_EQ(s.v * kStep, static_cast<double>(s.t));
            if (prev >= 0) {
              ASSERT_EQ(s.t, prev + kStep) << set->At()->labels().ToString();
            }
            prev = s.t;
          }
          ASSERT_TRUE(it->Err().ok());
        }
        ASSERT_TRUE(q->LabelValues("k", {}).ok());
        ASSERT_GE(head->MemoryBytes(), 0u);
      }
    });
  }
  threads.emplace_back([&] {
    while (!stop.load()) {
      int slowest = kSteps;
      for (auto& p : progress) slowest = std::min(slowest, p.load());
      const TimestampMs t = (slowest * kStep / 1000 - 1) * 1000;  // an aligned time well behind every writer
      if (t <= truncated.load()) {
        std::this_thread::yield();
        continue;
      }
      head->SetMinValidTime(t);
      ASSERT_TRUE(head->ForEachSeriesChunksBefore(t, [](const PersistSeries&) { return absl::OkStatus(); }).ok());
      head->TruncateBefore(t);
      truncated.store(t);
    }
  });
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  stop.store(true);
  for (size_t i = kWriters; i < threads.size(); ++i) threads[i].join();
  // A last truncation past the series that stopped early, so they are collected whatever the timing was.
  const TimestampMs cut = (kSteps * kStep / 1000 - 1) * 1000;
  ASSERT_GT(cut, (kSteps / 3 + kSeriesPerWriter) * kStep);
  head->SetMinValidTime(cut);
  ASSERT_TRUE(head->ForEachSeriesChunksBefore(cut, [](const PersistSeries&) { return absl::OkStatus(); }).ok());
  head->TruncateBefore(cut);

  // Every live series holds exactly its samples from the last truncation on.
  auto got = testing::Query(*head, {M(MatchType::kEqual, "__name__", "m")});
  for (int w = 0; w < kWriters; ++w) {
    for (int k = 0; k < kSeriesPerWriter; ++k) {
      const TimestampMs first = std::max<TimestampMs>(k * kStep, cut);
      const TimestampMs last = LastStep(k) * kStep;
      auto it = got.find(WriterSeries(w, k));
      if (last < cut) {
        EXPECT_TRUE(it == got.end()) << WriterSeries(w, k).ToString();
        continue;
      }
      ASSERT_TRUE(it != got.end()) << WriterSeries(w, k).ToString();
      ASSERT_FALSE(it->second.empty());
      EXPECT_EQ(it->second.front().t, first);
      EXPECT_EQ(it->second.back().t, last);
      EXPECT_EQ(it->second.size(), static_cast<size_t>((last - first) / kStep + 1));
    }
  }
  EXPECT_GT(head->Stats().series_removed, 0u);
  // Every logged sample was either applied or dropped at commit (only samples of the shared series can be).
  const HeadStats stats = head->Stats();
  EXPECT_EQ(stats.samples_appended + stats.samples_dropped_at_commit, log.samples().size());
  EXPECT_LE(stats.samples_dropped_at_commit + shared_refused.load(), static_cast<uint64_t>(kWriters) * kSteps);
}

}  // namespace
}  // namespace vigil::tsdb
