#include "tsdb/partition/partition_store.h"

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/kv/memory_kv_store.h"
#include "tsdb/partition/partition_test_util.h"

namespace vigil::tsdb::partition {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr int64_t kH = 3600 * 1000;
constexpr int64_t kStep = 15000;

Matcher M(MatchType type, std::string name, std::string value) {
  absl::StatusOr<Matcher> m = Matcher::Create(type, std::move(name), std::move(value));
  EXPECT_TRUE(m.ok()) << m.status();
  return *m;
}

// Label sets of a small fleet. Some labels are absent on some series, so "" matchers have work to do.
Labels FleetLabels(int i) {
  LabelsBuilder b;
  b.Set("__name__", absl::StrCat("metric_", i % 5));
  b.Set("instance", absl::StrCat("host-", i % 13));
  b.Set("job", i % 2 == 0 ? "node" : "api");
  if (i % 3 == 0) b.Set("mode", i % 6 == 0 ? "idle" : "user");
  if (i % 4 == 1) b.Set("cpu", absl::StrCat(i % 7));
  b.Set("id", absl::StrCat(i));
  return b.Build();
}

// Samples every 15 s in [from, to) with values that depend on the series and a salt.
std::vector<Sample> Samples(int series, TimestampMs from, TimestampMs to, double salt = 0) {
  std::vector<Sample> out;
  for (TimestampMs t = from; t < to; t += kStep) out.push_back({t, series * 1000.0 + (t - from) / 1000 + salt});
  return out;
}

class PartitionStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    mem_ = std::make_shared<kv::MemoryKvStore>();
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name) {
      if (c == '/') c = '_';
    }
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = (std::filesystem::path(tmp != nullptr ? tmp : "/tmp") / ("ps_" + name)).string();
    std::filesystem::remove_all(dir_);
    options_.kv.block_cache_bytes = 1 << 20;
    Reopen();
  }

  // Discards the store (as a crash would: no cleanup beyond closing) and opens it again.
  void Reopen() {
    store_.reset();
    absl::StatusOr<std::unique_ptr<PartitionStore>> s =
        GetParam() == "memory" ? PartitionStore::Open(mem_, options_) : PartitionStore::Open(dir_, options_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
  }

  absl::StatusOr<std::unique_ptr<PartitionStore>> TryOpen() {
    store_.reset();
    return GetParam() == "memory" ? PartitionStore::Open(mem_, options_) : PartitionStore::Open(dir_, options_);
  }

  // Writes series [first, last) over [from, to) and records them in the model.
  PartitionMeta Write(int first, int last, TimestampMs from, TimestampMs to, double salt = 0, size_t per_chunk = 120) {
    std::vector<SeriesChunks> series;
    for (int i = first; i < last; ++i) {
      std::vector<Sample> s = Samples(i, from, to, salt);
      for (const Sample& x : s) model_[FleetLabels(i)][x.t] = x.v;
      series.push_back(MakeSeries(FleetLabels(i), s, per_chunk));
    }
    absl::StatusOr<PartitionMeta> meta = store_->WritePartition({from, to - 1}, series);
    EXPECT_TRUE(meta.ok()) << meta.status();
    return meta.ok() ? *meta : PartitionMeta{};
  }

  SelectResult Query(std::vector<Matcher> matchers, TimestampMs mint = kMinTimestampMs,
                     TimestampMs maxt = kMaxTimestampMs) {
    auto q = store_->NewQuerier(mint, maxt);
    EXPECT_TRUE(q.ok());
    absl::StatusOr<SelectResult> r = SelectAll(**q, matchers);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : SelectResult{};
  }

  void ExpectEqual(const SelectResult& got, const SelectResult& want) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].first, want[i].first) << i;
      ASSERT_EQ(got[i].second.size(), want[i].second.size()) << got[i].first.ToString();
      for (size_t j = 0; j < got[i].second.size(); ++j) {
        ASSERT_EQ(got[i].second[j].t, want[i].second[j].t) << got[i].first.ToString() << " " << j;
        ASSERT_EQ(got[i].second[j].v, want[i].second[j].v) << got[i].first.ToString() << " " << j;
      }
    }
  }

  std::vector<Matcher> All() { return {M(MatchType::kRegexMatch, "__name__", ".+")}; }

  size_t NumNamespaces() { return store_->kv()->ListNamespaces().size(); }

  std::shared_ptr<kv::KvStore> mem_;
  std::string dir_;
  PartitionStoreOptions options_;
  std::unique_ptr<PartitionStore> store_;
  Model model_;
};

TEST_P(PartitionStoreTest, RoundTripManySeriesAndChunks) {
  PartitionMeta meta = Write(0, 300, 0, 2 * kH);
  EXPECT_EQ(meta.num_series, 300u);
  EXPECT_EQ(meta.num_samples, 300u * 480);
  EXPECT_EQ(meta.num_chunks, 300u * 4);
  EXPECT_EQ(meta.range, (TimeRange{0, 2 * kH - 1}));
  EXPECT_GT(meta.bytes, 0u);
  ExpectEqual(Query(All()), ModelSelect(model_, All(), kMinTimestampMs, kMaxTimestampMs));
  // A window in the middle: samples are clamped to it.
  ExpectEqual(Query(All(), kH + 1, kH + 30 * 60 * 1000), ModelSelect(model_, All(), kH + 1, kH + 30 * 60 * 1000));
  EXPECT_THAT(Query(All(), 2 * kH, 3 * kH), SizeIs(0));

  Reopen();
  ExpectEqual(Query(All()), ModelSelect(model_, All(), kMinTimestampMs, kMaxTimestampMs));
  ASSERT_THAT(store_->Partitions(), SizeIs(1));
  EXPECT_EQ(store_->Partitions()[0], meta);
}

TEST_P(PartitionStoreTest, SelectAndLabelsMatchBruteForce) {
  Write(0, 150, 0, 2 * kH);
  Write(100, 250, 2 * kH, 4 * kH);
  std::mt19937 rng(7);
  const std::vector<std::string> names = {"__name__", "instance", "job", "mode", "cpu", "absent"};
  const std::vector<std::string> values = {
      "",     "metric_1", "metric_3", "host-1",   "host-12",  "node",         "idle", "user",   "3",
      "nope", ".*",       ".+",       "host-1.*", "node|api", "metric_[0-2]", "id.*", "u.*|i.*"};
  const MatchType types[] = {MatchType::kEqual, MatchType::kNotEqual, MatchType::kRegexMatch, MatchType::kRegexNoMatch};
  for (int round = 0; round < 300; ++round) {
    std::vector<Matcher> matchers;
    const int n = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < n; ++k) {
      matchers.push_back(M(types[rng() % 4], names[rng() % names.size()], values[rng() % values.size()]));
    }
    std::string desc;
    for (const Matcher& m : matchers) desc += m.ToString() + " ";
    SCOPED_TRACE(desc);
    const TimestampMs mint = (round % 3 == 0) ? kH : kMinTimestampMs;
    const TimestampMs maxt = (round % 3 == 0) ? 3 * kH : kMaxTimestampMs;
    ExpectEqual(Query(matchers, mint, maxt), ModelSelect(model_, matchers, mint, maxt));

    // LabelNames / LabelValues against the series the model selects (partitions overlap the whole range).
    SelectResult want = ModelSelect(model_, matchers, kMinTimestampMs, kMaxTimestampMs);
    std::set<std::string> want_names, want_instances;
    for (const auto& [labels, samples] : want) {
      for (const Label& l : labels) want_names.emplace(l.name);
      if (labels.Has("instance")) want_instances.emplace(labels.Get("instance"));
    }
    auto q = *store_->NewQuerier(kMinTimestampMs, kMaxTimestampMs);
    absl::StatusOr<std::vector<std::string>> got_names = q->LabelNames(matchers);
    ASSERT_TRUE(got_names.ok()) << got_names.status();
    EXPECT_EQ(*got_names, std::vector<std::string>(want_names.begin(), want_names.end()));
    absl::StatusOr<std::vector<std::string>> got_values = q->LabelValues("instance", matchers);
    ASSERT_TRUE(got_values.ok()) << got_values.status();
    EXPECT_EQ(*got_values, std::vector<std::string>(want_instances.begin(), want_instances.end()));
  }
  auto q = *store_->NewQuerier(kMinTimestampMs, kMaxTimestampMs);
  EXPECT_EQ(*q->LabelNames({}), (std::vector<std::string>{"__name__", "cpu", "id", "instance", "job", "mode"}));
  EXPECT_THAT(*q->LabelValues("job", {}), ::testing::ElementsAre("api", "node"));
  EXPECT_THAT(*q->LabelValues("absent", {}), SizeIs(0));
}

TEST_P(PartitionStoreTest, MergesAcrossPartitionsIncludingOverlaps) {
  Write(0, 20, 0, 2 * kH);
  Write(10, 30, 2 * kH, 4 * kH);
  // Overlaps both, with different values at the same timestamps: written last, so it wins.
  Write(5, 15, kH, 3 * kH, /*salt=*/0.5);
  ExpectEqual(Query(All()), ModelSelect(model_, All(), kMinTimestampMs, kMaxTimestampMs));
  auto one = Query({M(MatchType::kEqual, "id", "12")});
  ASSERT_THAT(one, SizeIs(1));
  EXPECT_EQ(one[0].second.size(), 4 * 240u);           // 4 hours, each timestamp once.
  EXPECT_EQ(one[0].second[240].v, 12 * 1000.0 + 0.5);  // At 1h: the overlapping partition's value.
  // Hints asking only for series skip the chunks but still find the series.
  auto q = *store_->NewQuerier(kMinTimestampMs, kMaxTimestampMs);
  SelectHints hints;
  hints.func = "series";
  std::vector<Matcher> m = {M(MatchType::kEqual, "job", "node")};
  auto set = q->Select(false, &hints, m);
  int n = 0;
  while (set->Next()) ++n;
  EXPECT_EQ(n, 15);
}

TEST_P(PartitionStoreTest, RetentionByTimeThenSize) {
  for (int p = 0; p < 4; ++p) Write(0, 20, p * 2 * kH, (p + 1) * 2 * kH);
  ASSERT_EQ(NumNamespaces(), 4u);
  // Now is 8h; keep 5h: only [0, 2h) ends before 3h.
  auto dropped = store_->ApplyRetention(8 * kH, absl::Hours(5), 0);
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  ASSERT_THAT(*dropped, SizeIs(1));
  EXPECT_EQ((*dropped)[0].range.min_time, 0);
  EXPECT_THAT(store_->Partitions(), SizeIs(3));
  EXPECT_TRUE(Query(All(), 0, 2 * kH - 1).empty());

  // Keep at most the bytes of the two newest partitions.
  std::vector<PartitionMeta> parts = store_->Partitions();
  const uint64_t budget = store_->Stats().bytes - 1;
  dropped = store_->ApplyRetention(8 * kH, absl::ZeroDuration(), budget);
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  ASSERT_THAT(*dropped, SizeIs(1));
  EXPECT_EQ((*dropped)[0].id, parts[0].id);
  EXPECT_LE(store_->Stats().bytes, budget);
  EXPECT_EQ(store_->Stats().partitions_dropped_by_retention, 2u);
  EXPECT_EQ(NumNamespaces(), 2u);

  Reopen();
  EXPECT_THAT(store_->Partitions(), SizeIs(2));
  EXPECT_EQ(store_->Partitions()[0].range.min_time, 4 * kH);
  // Nothing more to drop.
  EXPECT_THAT(*store_->ApplyRetention(8 * kH, absl::Hours(5), 0), SizeIs(0));
}

TEST_P(PartitionStoreTest, CompactionResultEqualsInputs) {
  FakeClock clock;
  options_.clock = &clock;
  Reopen();
  Write(0, 40, 0, 2 * kH);
  Write(10, 50, 2 * kH, 4 * kH);
  Write(20, 60, 4 * kH, 6 * kH);
  Write(0, 60, 6 * kH, 8 * kH);  // Closes the 6h window [0, 6h).
  const SelectResult before = Query(All());
  const uint64_t samples = store_->Stats().samples;
  absl::StatusOr<CompactionResult> r = store_->Compact();
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_THAT(r->outputs, SizeIs(1));
  EXPECT_THAT(r->inputs, SizeIs(3));
  EXPECT_EQ(r->outputs[0].range, (TimeRange{0, 6 * kH - 1}));
  EXPECT_EQ(r->outputs[0].level, 1u);
  EXPECT_EQ(r->outputs[0].num_series, 60u);
  ASSERT_THAT(store_->Partitions(), SizeIs(2));
  EXPECT_EQ(NumNamespaces(), 2u);
  EXPECT_EQ(store_->Stats().samples, samples);
  EXPECT_EQ(store_->Stats().compactions, 1u);
  ExpectEqual(Query(All()), before);
  ExpectEqual(Query(All()), ModelSelect(model_, All(), kMinTimestampMs, kMaxTimestampMs));
  // Nothing left to do.
  EXPECT_THAT(store_->Compact()->outputs, SizeIs(0));
  Reopen();
  ExpectEqual(Query(All()), before);
}

TEST_P(PartitionStoreTest, CompactionMergesOverlappingPartitions) {
  Write(0, 30, 0, 2 * kH);
  Write(10, 20, kH, 3 * kH, /*salt=*/0.25);
  const SelectResult before = Query(All());
  ASSERT_TRUE(store_->Compact().ok());
  ASSERT_THAT(store_->Partitions(), SizeIs(1));
  // Series 10..19 had 240 samples in both partitions for the hour they share; now each timestamp is there once.
  EXPECT_EQ(store_->Stats().samples, 30u * 480 + 10u * 240);
  ExpectEqual(Query(All()), before);
  ExpectEqual(Query(All()), ModelSelect(model_, All(), kMinTimestampMs, kMaxTimestampMs));
}

TEST_P(PartitionStoreTest, CrashAfterDataBeforeMetaLeavesNothing) {
  Write(0, 10, 0, 2 * kH);
  options_.test_hook = [](std::string_view point) {
    return point == "write:data_flushed" ? absl::AbortedError("simulated crash") : absl::OkStatus();
  };
  Reopen();
  std::vector<SeriesChunks> series = {MakeSeries(FleetLabels(99), Samples(99, 2 * kH, 4 * kH), 120)};
  EXPECT_EQ(store_->WritePartition({2 * kH, 4 * kH - 1}, series).status().code(), absl::StatusCode::kAborted);
  options_.test_hook = nullptr;
  Reopen();
  EXPECT_THAT(store_->Partitions(), SizeIs(1));
  EXPECT_EQ(NumNamespaces(), 1u);  // The half-written partition was dropped at open.
  ExpectEqual(Query(All()), ModelSelect(model_, All(), kMinTimestampMs, kMaxTimestampMs));
  // New ids do not collide with the leftover's.
  Write(0, 10, 2 * kH, 4 * kH);
  EXPECT_THAT(store_->Partitions(), SizeIs(2));
}

TEST_P(PartitionStoreTest, CrashInsideCompactionNeverDoubleCounts) {
  for (const char* point : {"compact:data_flushed", "compact:catalog_written"}) {
    SCOPED_TRACE(point);
    SetUp();
    Write(0, 20, 0, 2 * kH);
    Write(0, 20, 2 * kH, 4 * kH);
    Write(0, 20, 4 * kH, 6 * kH);
    Write(0, 20, 6 * kH, 8 * kH);
    const SelectResult before = Query(All());
    const uint64_t samples = store_->Stats().samples;
    options_.test_hook = [point](std::string_view p) {
      return p == point ? absl::AbortedError("simulated crash") : absl::OkStatus();
    };
    Reopen();
    EXPECT_FALSE(store_->Compact().ok());
    options_.test_hook = nullptr;
    Reopen();
    EXPECT_EQ(store_->Stats().samples, samples);
    EXPECT_EQ(NumNamespaces(), store_->Partitions().size());
    ExpectEqual(Query(All()), before);
    EXPECT_EQ(store_->Partitions().size(), std::string(point) == "compact:data_flushed" ? 4u : 2u);
    // The compaction completes on the next try.
    ASSERT_TRUE(store_->Compact().ok());
    EXPECT_THAT(store_->Partitions(), SizeIs(2));
    ExpectEqual(Query(All()), before);
  }
}

TEST_P(PartitionStoreTest, CrashInsideRetentionDropsLeftovers) {
  Write(0, 5, 0, 2 * kH);
  Write(0, 5, 2 * kH, 4 * kH);
  options_.test_hook = [](std::string_view p) {
    return p == "retention:catalog_written" ? absl::AbortedError("simulated crash") : absl::OkStatus();
  };
  Reopen();
  EXPECT_FALSE(store_->ApplyRetention(4 * kH, absl::Hours(1), 0).ok());
  options_.test_hook = nullptr;
  Reopen();
  EXPECT_THAT(store_->Partitions(), SizeIs(1));
  EXPECT_EQ(NumNamespaces(), 1u);
}

// Overwrites the value of the first key of partition `index`'s namespace for which `pick(key)` holds.
void Corrupt(kv::KvStore* kv, const std::function<bool(std::string_view)>& pick, std::string_view garbage) {
  std::shared_ptr<kv::Namespace> ns = kv->ListNamespaces().at(0);
  auto it = kv->NewIterator(ns, {});
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (!pick(it->key())) continue;
    auto batch = kv->NewWriteBatch();
    batch->Put(*ns, it->key(), garbage);
    ASSERT_TRUE(kv->Write({}, batch.get()).ok());
    return;
  }
  FAIL() << "no key to corrupt";
}

TEST_P(PartitionStoreTest, CorruptValuesGiveClearErrors) {
  Write(0, 10, 0, 2 * kH);
  auto run = [&](std::vector<Matcher> matchers) -> absl::Status {
    auto q = *store_->NewQuerier(kMinTimestampMs, kMaxTimestampMs);
    return SelectAll(*q, matchers).status();
  };
  // A chunk whose bytes are cut short: the series' iterator fails, naming the partition.
  Corrupt(
      store_->kv(), [](std::string_view k) { return k[0] == 'S' && k.size() == 14; },
      std::string("\x01\x01\x22\x05", 4));
  absl::Status s = run(All());
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_THAT(s.message(), HasSubstr("p0000000000000001"));

  SetUp();
  Write(0, 10, 0, 2 * kH);
  Corrupt(
      store_->kv(), [](std::string_view k) { return k[0] == 'P'; }, std::string("\x01\x05\x01", 3));
  s = run({M(MatchType::kRegexMatch, "__name__", ".+"), M(MatchType::kRegexMatch, "cpu", ".*")});
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_THAT(s.message(), HasSubstr("postings"));

  SetUp();
  Write(0, 10, 0, 2 * kH);
  Corrupt(
      store_->kv(), [](std::string_view k) { return k[0] == 'S' && k.size() == 6; }, "\x07garbage");
  s = run(All());
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_THAT(s.message(), HasSubstr("series 0"));

  // A corrupt meta record: Open refuses with the partition's name instead of guessing.
  SetUp();
  Write(0, 10, 0, 2 * kH);
  auto batch = store_->kv()->NewWriteBatch();
  batch->Put(*store_->kv()->DefaultNamespace(), MetaKey(1), "\x01\x80");
  ASSERT_TRUE(store_->kv()->Write({}, batch.get()).ok());
  absl::StatusOr<std::unique_ptr<PartitionStore>> reopened = TryOpen();
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(reopened.status().message(), HasSubstr("p0000000000000001"));
}

TEST_P(PartitionStoreTest, InvalidInputIsRefusedAndLeavesNothing) {
  std::vector<SeriesChunks> dup = {MakeSeries(FleetLabels(1), Samples(1, 0, kH), 120),
                                   MakeSeries(FleetLabels(1), Samples(1, kH, 2 * kH), 120)};
  absl::Status s = store_->WritePartition({0, 2 * kH}, dup).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("does not sort after"));

  std::vector<SeriesChunks> outside = {MakeSeries(FleetLabels(1), Samples(1, 0, kH), 120)};
  EXPECT_THAT(store_->WritePartition({kH, 2 * kH}, outside).status().message(), HasSubstr("outside"));

  std::vector<SeriesChunks> lying = {MakeSeries(FleetLabels(1), Samples(1, 0, kH), 120)};
  lying[0].chunks[0].max_time += 1;
  EXPECT_THAT(store_->WritePartition({0, kH}, lying).status().message(), HasSubstr("holds 120 samples"));

  std::vector<SeriesChunks> garbage = {{FleetLabels(1), {ChunkData{"\x07zz", 0, 0}}}};
  EXPECT_THAT(store_->WritePartition({0, kH}, garbage).status().message(), HasSubstr("bad chunk"));

  std::vector<SeriesChunks> same_start = {MakeSeries(FleetLabels(1), Samples(1, 0, kH), 120)};
  same_start[0].chunks.push_back(same_start[0].chunks[0]);
  EXPECT_THAT(store_->WritePartition({0, kH}, same_start).status().message(), HasSubstr("does not start after"));

  EXPECT_EQ(store_->WritePartition({0, kH}, {}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->WritePartition({kH, 0}, outside).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NumNamespaces(), 0u);
  EXPECT_THAT(store_->Partitions(), SizeIs(0));
}

TEST_P(PartitionStoreTest, QuerierKeepsReadingAfterDropAndClose) {
  Write(0, 10, 0, 2 * kH);
  auto q = *store_->NewQuerier(kMinTimestampMs, kMaxTimestampMs);
  std::vector<Matcher> m = All();
  auto set = q->Select(true, nullptr, m);
  ASSERT_TRUE(set->Next());
  ASSERT_THAT(*store_->ApplyRetention(100 * kH, absl::Hours(1), 0), SizeIs(1));
  store_.reset();  // The querier even outlives the store.
  int series = 1;
  size_t samples = 0;
  auto it = set->At()->Iterator();
  while (it->Next()) ++samples;
  while (set->Next()) ++series;
  EXPECT_TRUE(set->Err().ok()) << set->Err();
  EXPECT_EQ(series, 10);
  EXPECT_EQ(samples, 480u);
}

TEST_P(PartitionStoreTest, MetricsAndStats) {
  metrics::Registry registry;
  ASSERT_TRUE(store_->RegisterMetrics(&registry).ok());
  Write(0, 10, 0, 2 * kH);
  const std::string text = registry.RenderText();
  EXPECT_THAT(text, HasSubstr("vigil_tsdb_partitions 1\n"));
  EXPECT_THAT(text, HasSubstr("vigil_tsdb_partition_samples 4800\n"));
  EXPECT_THAT(text, HasSubstr("vigil_tsdb_compaction_seconds_total 0\n"));
  PartitionStoreStats stats = store_->Stats();
  EXPECT_EQ(stats.series, 10u);
  EXPECT_EQ(stats.chunks, 40u);
  EXPECT_GT(stats.bytes, 0u);
  store_.reset();
  EXPECT_THAT(registry.RenderText(), ::testing::Not(HasSubstr("vigil_tsdb_partitions")));
}

// Counts the reads the store makes, to check a Select touches only what it needs.
class CountingKvStore : public kv::KvStore {
 public:
  struct Counts {
    int gets = 0;
    int iterators = 0;
    int seeks = 0;
    int nexts = 0;
  };

  explicit CountingKvStore(std::shared_ptr<kv::KvStore> base) : base_(std::move(base)) {}

  std::shared_ptr<kv::Namespace> DefaultNamespace() override { return base_->DefaultNamespace(); }
  std::vector<std::shared_ptr<kv::Namespace>> ListNamespaces() override { return base_->ListNamespaces(); }
  absl::StatusOr<std::shared_ptr<kv::Namespace>> CreateNamespace(std::string_view name) override {
    return base_->CreateNamespace(name);
  }
  absl::Status DropNamespace(const kv::Namespace& ns) override { return base_->DropNamespace(ns); }
  std::unique_ptr<kv::WriteBatch> NewWriteBatch() override { return base_->NewWriteBatch(); }
  absl::Status Write(const kv::WriteOptions& o, kv::WriteBatch* b) override { return base_->Write(o, b); }
  absl::StatusOr<bool> Get(const kv::Namespace& ns, std::string_view key, std::string* value) override {
    ++counts_[ns.name()].gets;
    return base_->Get(ns, key, value);
  }
  std::unique_ptr<kv::Iterator> NewIterator(std::shared_ptr<kv::Namespace> ns, const kv::ReadOptions& o) override {
    Counts* c = &counts_[ns->name()];
    ++c->iterators;
    return std::make_unique<It>(base_->NewIterator(std::move(ns), o), c);
  }
  absl::Status Flush(const kv::Namespace& ns) override { return base_->Flush(ns); }
  absl::Status CompactRange(const kv::Namespace& ns) override { return base_->CompactRange(ns); }
  absl::StatusOr<uint64_t> ApproximateSize(const kv::Namespace& ns) override { return base_->ApproximateSize(ns); }

  std::map<std::string, Counts> counts_;

 private:
  class It : public kv::Iterator {
   public:
    It(std::unique_ptr<kv::Iterator> base, Counts* c) : base_(std::move(base)), c_(c) {}
    bool Valid() const override { return base_->Valid(); }
    void Seek(std::string_view t) override {
      ++c_->seeks;
      base_->Seek(t);
    }
    void SeekToFirst() override {
      ++c_->seeks;
      base_->SeekToFirst();
    }
    void Next() override {
      ++c_->nexts;
      base_->Next();
    }
    std::string_view key() const override { return base_->key(); }
    std::string_view value() const override { return base_->value(); }
    absl::Status status() const override { return base_->status(); }

   private:
    std::unique_ptr<kv::Iterator> base_;
    Counts* c_;
  };

  std::shared_ptr<kv::KvStore> base_;
};

TEST(PartitionStoreReadCostTest, SelectTouchesOnlyNeededPostingsAndChunks) {
  auto counting = std::make_shared<CountingKvStore>(std::make_shared<kv::MemoryKvStore>());
  auto store = *PartitionStore::Open(counting, {});
  for (int p = 0; p < 4; ++p) {
    std::vector<SeriesChunks> series;
    for (int i = 0; i < 1000; ++i)
      series.push_back(MakeSeries(FleetLabels(i), Samples(i, p * 2 * kH, (p + 1) * 2 * kH), 240));
    ASSERT_TRUE(store->WritePartition({p * 2 * kH, (p + 1) * 2 * kH - 1}, series).ok());
  }
  counting->counts_.clear();
  // One hour inside the third partition; metric_1 on host-3: 1000 / 65 series.
  auto q = *store->NewQuerier(4 * kH + kH / 2, 5 * kH + kH / 2 - 1);
  std::vector<Matcher> m = {M(MatchType::kEqual, "__name__", "metric_1"), M(MatchType::kEqual, "instance", "host-3")};
  auto result = SelectAll(*q, m);
  ASSERT_TRUE(result.ok()) << result.status();
  const size_t n = result->size();
  EXPECT_GE(n, 15u);
  for (const auto& [labels, samples] : *result) EXPECT_EQ(samples.size(), 240u);
  ASSERT_EQ(counting->counts_.size(), 1u) << "only the overlapping partition is read";
  const CountingKvStore::Counts& c = counting->counts_.begin()->second;
  EXPECT_EQ(c.gets, 2);  // The two postings lists.
  EXPECT_EQ(c.iterators, 1);
  EXPECT_EQ(c.seeks, static_cast<int>(n));      // One seek per series (none of them are adjacent).
  EXPECT_LE(c.nexts, static_cast<int>(3 * n));  // Its two chunks and the key after them.

  // One metric's series have adjacent ids (ids follow label order): reading them takes a single seek.
  counting->counts_.clear();
  std::vector<Matcher> metric = {M(MatchType::kEqual, "__name__", "metric_2")};
  auto all_of_metric = SelectAll(**store->NewQuerier(4 * kH + kH / 2, 5 * kH + kH / 2 - 1), metric);
  ASSERT_TRUE(all_of_metric.ok()) << all_of_metric.status();
  EXPECT_EQ(all_of_metric->size(), 200u);
  EXPECT_EQ(counting->counts_.begin()->second.seeks, 1);

  // A dashboard's next refresh: the same postings come from the partition's cache, and so does a label pair
  // that matches nothing.
  counting->counts_.clear();
  auto again = SelectAll(**store->NewQuerier(4 * kH + kH / 2, 5 * kH + kH / 2 - 1), m);
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_EQ(again->size(), result->size());
  for (size_t i = 0; i < again->size(); ++i) EXPECT_EQ((*again)[i].first, (*result)[i].first);
  EXPECT_EQ(counting->counts_.begin()->second.gets, 0);
  std::vector<Matcher> none = {M(MatchType::kEqual, "__name__", "metric_1"), M(MatchType::kEqual, "job", "none")};
  for (int round = 0; round < 2; ++round) {
    counting->counts_.clear();
    auto empty = SelectAll(**store->NewQuerier(4 * kH + kH / 2, 5 * kH + kH / 2 - 1), none);
    ASSERT_TRUE(empty.ok()) << empty.status();
    EXPECT_TRUE(empty->empty());
    const int gets = counting->counts_.empty() ? 0 : counting->counts_.begin()->second.gets;
    EXPECT_EQ(gets, round == 0 ? 1 : 0) << round;
  }
}

INSTANTIATE_TEST_SUITE_P(Kv, PartitionStoreTest, ::testing::Values("memory", "rocksdb"));

}  // namespace
}  // namespace vigil::tsdb::partition
