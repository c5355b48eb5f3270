#include "server/store_config.h"

#include <algorithm>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::server {
namespace {

using ::testing::HasSubstr;

std::string WriteFile(const std::string& name, const std::string& text) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string path = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", name);
  std::ofstream(path) << text;
  return path;
}

absl::Status Load(const std::string& yaml, std::vector<const char*> args, StoreConfig* cfg) {
  FlagSet flags("vigil-store", "test");
  RegisterStoreFlags(&flags, cfg);
  args.insert(args.begin(), "vigil-store");
  if (absl::Status s = flags.Parse(static_cast<int>(args.size()), args.data()); !s.ok()) return s;
  return LoadStoreConfigFile(WriteFile("store.yaml", yaml), flags, cfg);
}

TEST(StoreConfigTest, FileSetsValuesAndFlagsOverrideThem) {
  StoreConfig cfg;
  ASSERT_TRUE(Load(R"(
web:
  listen_address: 127.0.0.1:1234
storage:
  tsdb:
    path: /var/lib/vigil
    retention_time: 30d
    retention_size: 10GB
    out_of_order_time_window: 10m
limits:
  max_series: 500000
)",
                   {"--storage.tsdb.retention.time=2d"}, &cfg)
                  .ok());
  EXPECT_EQ(cfg.listen_address, "127.0.0.1:1234");
  EXPECT_EQ(cfg.path, "/var/lib/vigil");
  EXPECT_EQ(cfg.retention, absl::Hours(48));  // the flag wins
  EXPECT_EQ(cfg.retention_bytes, int64_t{10} << 30);
  EXPECT_EQ(cfg.out_of_order_window, absl::Minutes(10));
  EXPECT_EQ(cfg.max_series, 500000);
  EXPECT_THAT(cfg.config_text, HasSubstr("max_series: 500000"));
  EXPECT_TRUE(ValidateStoreConfig(cfg).ok());
}

TEST(StoreConfigTest, ErrorsNameFileLineAndKey) {
  StoreConfig cfg;
  absl::Status s = Load("storage:\n  tsdb:\n    retension_time: 1d\n    retention_size: lots\n", {}, &cfg);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("store.yaml:3:5: storage.tsdb: unknown key \"retension_time\""));
  EXPECT_THAT(std::string(s.message()), HasSubstr("store.yaml:4:21: storage.tsdb.retention_size:"));
}

TEST(StoreConfigTest, ValidationRejectsBadCombinations) {
  StoreConfig cfg;
  cfg.wal_fsync = "sometimes";
  EXPECT_THAT(std::string(ValidateStoreConfig(cfg).message()), HasSubstr("\"sometimes\" is not one of"));
  cfg = StoreConfig{};
  cfg.max_series = -1;
  EXPECT_FALSE(ValidateStoreConfig(cfg).ok());
  cfg = StoreConfig{};
  cfg.log_level = "chatty";
  EXPECT_FALSE(ValidateStoreConfig(cfg).ok());
}

}  // namespace
}  // namespace vigil::server

namespace vigil::server {
namespace {

TEST(StoreConfigTest, QueryOptionsFromFileAndFlags) {
  StoreConfig cfg;
  ASSERT_TRUE(Load(R"(
query:
  max_samples: 1000
  timeout: 30s
  lookback_delta: 10m
)",
                   {"--query.timeout=1m"}, &cfg)
                  .ok());
  EXPECT_EQ(cfg.query_max_samples, 1000);
  EXPECT_EQ(cfg.query_timeout, absl::Minutes(1));  // the flag wins
  EXPECT_EQ(cfg.query_lookback_delta, absl::Minutes(10));
  EXPECT_TRUE(ValidateStoreConfig(cfg).ok());
  cfg.query_max_samples = 0;
  EXPECT_THAT(ValidateStoreConfig(cfg).message(), HasSubstr("query.max-samples"));
  StoreConfig bad;
  absl::Status s = Load("query:\n  timeout: soon\n", {}, &bad);
  EXPECT_THAT(s.message(), HasSubstr("query.timeout"));
}

TEST(StoreConfigTest, FlagValuesAndRetentionText) {
  StoreConfig cfg;
  auto flags = StoreFlagValues(cfg);
  bool found = false;
  for (const auto& [name, value] : flags) {
    if (name == "query.lookback-delta") {
      found = true;
      EXPECT_EQ(value, "5m");
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(RetentionText(cfg), "15d");
  cfg.retention_bytes = int64_t{10} << 30;
  EXPECT_EQ(RetentionText(cfg), "15d or 10GiB");
  cfg.retention = absl::ZeroDuration();
  cfg.retention_bytes = 0;
  EXPECT_EQ(RetentionText(cfg), "0s");
}

}  // namespace
}  // namespace vigil::server

namespace vigil::server {
namespace {

TEST(StoreConfigTest, SpanMetricsFromFileAndFlags) {
  StoreConfig cfg;
  ASSERT_TRUE(Load(R"(
traces:
  spanmetrics:
    flush_interval: 30s
    max_series: 500
    service_graphs: false
)",
                   {"--traces.spanmetrics.enabled=false"}, &cfg)
                  .ok());
  EXPECT_FALSE(cfg.spanmetrics_enabled);
  EXPECT_EQ(cfg.spanmetrics_flush_interval, absl::Seconds(30));
  EXPECT_EQ(cfg.spanmetrics_max_series, 500);
  EXPECT_FALSE(cfg.spanmetrics_service_graphs);
  EXPECT_TRUE(ValidateStoreConfig(cfg).ok());
  cfg.spanmetrics_flush_interval = absl::ZeroDuration();
  EXPECT_THAT(ValidateStoreConfig(cfg).message(), HasSubstr("traces.spanmetrics.flush-interval"));
  StoreConfig bad;
  EXPECT_THAT(Load("traces:\n  spanmetrics:\n    flush_every: 1s\n", {}, &bad).message(), HasSubstr("flush_every"));
}

TEST(StoreConfigTest, TraceSearchAttributesFromFileAndFlags) {
  StoreConfig defaults;
  EXPECT_NE(std::find(defaults.trace_search_resource_attributes.begin(),
                      defaults.trace_search_resource_attributes.end(), "k8s.pod.name"),
            defaults.trace_search_resource_attributes.end());
  StoreConfig cfg;
  ASSERT_TRUE(Load(R"(
traces:
  search:
    resource_attributes: [team]
    span_attributes: [http.route, db.system]
)",
                   {"--traces.search.resource-attributes=region", "--traces.search.resource-attributes=zone"}, &cfg)
                  .ok());
  EXPECT_THAT(cfg.trace_search_resource_attributes, testing::ElementsAre("region", "zone"));
  EXPECT_THAT(cfg.trace_search_span_attributes, testing::ElementsAre("http.route", "db.system"));
  bool listed = false;
  for (const auto& [flag, value] : StoreFlagValues(cfg)) {
    if (flag == "traces.search.span-attributes") listed = value == "http.route,db.system";
  }
  EXPECT_TRUE(listed);
  StoreConfig bad;
  EXPECT_THAT(Load("traces:\n  search:\n    span_attributes: 7\n", {}, &bad).message(), HasSubstr("span_attributes"));
}

}  // namespace
}  // namespace vigil::server
