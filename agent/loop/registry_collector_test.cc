#include "agent/loop/registry_collector.h"

#include <string>

#include "agent/snapshot/snapshot.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::agent {
namespace {

using ::testing::HasSubstr;

TEST(RegistryCollectorTest, CopiesCountersGaugesAndHistogramParts) {
  metrics::Registry registry;
  auto sent = registry.NewCounter("x_samples_sent_total", "Samples sent.", {"url"});
  ASSERT_TRUE(sent.ok());
  (*sent)->WithLabels({"http://a"})->Add(5);
  (*sent)->WithLabels({"http://b"})->Add(7);
  registry.Gauge("x_pending", "Pending samples.")->Set(3);
  registry.Histogram("x_duration_seconds", "Send time.", {0.1, 1})->Observe(0.5);

  RegistryCollector c(&registry, "self");
  EXPECT_EQ(c.name(), "self");
  Snapshot s;
  s.Reset(0);
  ASSERT_TRUE(c.Collect(&s).ok());
  s.Seal();
  std::string page;
  s.Render(exposition::Format::kPrometheusText, &page);
  EXPECT_THAT(page, HasSubstr("# TYPE x_samples_sent_total counter\n# HELP x_samples_sent_total Samples sent.\n"
                              "x_samples_sent_total{url=\"http://a\"} 5\nx_samples_sent_total{url=\"http://b\"} 7\n"));
  EXPECT_THAT(page, HasSubstr("# TYPE x_pending gauge\n# HELP x_pending Pending samples.\nx_pending 3\n"));
  EXPECT_THAT(page, HasSubstr("# TYPE x_duration_seconds_bucket untyped\n"));
  EXPECT_THAT(page, HasSubstr("x_duration_seconds_bucket{le=\"1\"} 1\n"));
  EXPECT_THAT(page, HasSubstr("x_duration_seconds_count 1\n"));
  EXPECT_THAT(page, HasSubstr("x_duration_seconds_sum 0.5\n"));

  // A second cycle sees the new values.
  (*sent)->WithLabels({"http://a"})->Add(1);
  s.Reset(1);
  ASSERT_TRUE(c.Collect(&s).ok());
  s.Seal();
  page.clear();
  s.Render(exposition::Format::kPrometheusText, &page);
  EXPECT_THAT(page, HasSubstr("x_samples_sent_total{url=\"http://a\"} 6\n"));
}

}  // namespace
}  // namespace vigil::agent
