#include "query/metadata/metadata_store.h"

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace vigil::query {
namespace {

using exposition::MetricType;

MetadataQuery Q(std::string metric, int64_t limit = -1, int64_t limit_per_metric = -1) {
  MetadataQuery q;
  q.metric = std::move(metric);
  q.limit = limit;
  q.limit_per_metric = limit_per_metric;
  return q;
}

MetadataStoreOptions Opts(size_t per_family, size_t families) {
  MetadataStoreOptions o;
  o.max_entries_per_family = per_family;
  o.max_families = families;
  return o;
}

TEST(MetadataStoreTest, PutAndListInNameOrder) {
  MetadataStore store;
  store.Put("up", MetricType::kGauge, "Target up.", "");
  store.Put("node_cpu_seconds_total", MetricType::kCounter, "CPU seconds.", "seconds");
  store.Put("", MetricType::kGauge, "ignored", "");
  auto all = store.List({});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].first, "node_cpu_seconds_total");
  ASSERT_EQ(all[0].second.size(), 1u);
  EXPECT_EQ(all[0].second[0].type, MetricType::kCounter);
  EXPECT_EQ(all[0].second[0].help, "CPU seconds.");
  EXPECT_EQ(all[0].second[0].unit, "seconds");
  EXPECT_EQ(all[1].first, "up");
  EXPECT_EQ(store.size(), 2u);
}

TEST(MetadataStoreTest, RepeatedPutKeepsOneEntryAndDistinctOnesAccumulateMostRecentFirst) {
  MetadataStore store(Opts(2, 100));
  store.Put("m", MetricType::kGauge, "a", "");
  store.Put("m", MetricType::kGauge, "a", "");
  EXPECT_EQ(store.List(Q("m"))[0].second.size(), 1u);
  store.Put("m", MetricType::kGauge, "b", "");
  auto l = store.List(Q("m"));
  ASSERT_EQ(l[0].second.size(), 2u);
  EXPECT_EQ(l[0].second[0].help, "b");
  EXPECT_EQ(l[0].second[1].help, "a");
  // Seen again: moves to the front.
  store.Put("m", MetricType::kGauge, "a", "");
  EXPECT_EQ(store.List(Q("m"))[0].second[0].help, "a");
  // A third distinct entry drops the least recently seen ("b").
  store.Put("m", MetricType::kCounter, "c", "");
  l = store.List(Q("m"));
  ASSERT_EQ(l[0].second.size(), 2u);
  EXPECT_EQ(l[0].second[0].help, "c");
  EXPECT_EQ(l[0].second[1].help, "a");
}

TEST(MetadataStoreTest, LimitsAndMetricFilter) {
  MetadataStore store;
  store.Put("a", MetricType::kGauge, "1", "");
  store.Put("a", MetricType::kGauge, "2", "");
  store.Put("b", MetricType::kCounter, "", "");
  store.Put("c", MetricType::kSummary, "", "");
  EXPECT_EQ(store.List(Q("", 2)).size(), 2u);
  EXPECT_EQ(store.List(Q("", 0)).size(), 0u);
  EXPECT_EQ(store.List(Q("", -1, 1))[0].second.size(), 1u);
  EXPECT_EQ(store.List(Q("b")).size(), 1u);
  EXPECT_TRUE(store.List(Q("nope")).empty());
}

TEST(MetadataStoreTest, MaxFamiliesDropsNewFamilies) {
  MetadataStore store(Opts(4, 1));
  store.Put("a", MetricType::kGauge, "", "");
  store.Put("b", MetricType::kGauge, "", "");
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.dropped(), 1u);
}

TEST(MetadataStoreTest, TypeNames) {
  EXPECT_EQ(MetadataTypeName(MetricType::kUnknown), "unknown");
  EXPECT_EQ(MetadataTypeName(MetricType::kGaugeHistogram), "gaugehistogram");
  EXPECT_EQ(MetadataTypeName(MetricType::kStateSet), "stateset");
}

TEST(MetadataStoreTest, ConcurrentPutsAndLists) {
  MetadataStore store;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < 500; ++i) {
        store.Put("m" + std::to_string(i % 50), MetricType::kGauge, "h" + std::to_string(t), "");
        if (i % 100 == 0) store.List({});
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(store.size(), 50u);
}

}  // namespace
}  // namespace vigil::query
