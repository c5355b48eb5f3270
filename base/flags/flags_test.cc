#include "base/flags/flags.h"

#include <string>
#include <vector>

#include "base/units/duration.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Vars {
  std::string listen = "0.0.0.0:9090";
  bool wal_compression = true;
  int64_t max_series = 0;
  double ratio = 0.5;
  absl::Duration retention = absl::Hours(24 * 15);
  int64_t retention_bytes = 0;
  std::vector<std::string> urls = {"http://default"};
};

FlagSet MakeFlags(Vars* v) {
  FlagSet f("vigil-store", "Stores things.");
  f.String("web.listen-address", &v->listen, "Listen address.");
  f.Bool("storage.tsdb.wal-compression", &v->wal_compression, "Compress the WAL.");
  f.Int64("storage.tsdb.max-series", &v->max_series, "Series limit.");
  f.Double("ratio", &v->ratio, "A ratio.");
  f.Duration("storage.tsdb.retention.time", &v->retention, "Retention.");
  f.ByteSize("storage.tsdb.retention.size", &v->retention_bytes, "Size limit.");
  f.StringList("remote-write.url", &v->urls, "Where to ship.");
  return f;
}

absl::Status ParseArgs(FlagSet* f, std::vector<const char*> args) {
  args.insert(args.begin(), "prog");
  return f->Parse(static_cast<int>(args.size()), args.data());
}

TEST(FlagSetTest, ParsesEveryFormAndType) {
  Vars v;
  FlagSet f = MakeFlags(&v);
  ASSERT_TRUE(ParseArgs(&f, {"--web.listen-address=127.0.0.1:19091", "--storage.tsdb.max-series", "1000",
                             "--no-storage.tsdb.wal-compression", "--storage.tsdb.retention.time=1h30m",
                             "--storage.tsdb.retention.size=2GB", "--ratio=0.25", "--remote-write.url=http://a",
                             "--remote-write.url", "http://b", "extra", "--", "--not-a-flag"})
                  .ok());
  EXPECT_EQ(v.listen, "127.0.0.1:19091");
  EXPECT_EQ(v.max_series, 1000);
  EXPECT_FALSE(v.wal_compression);
  EXPECT_EQ(v.retention, absl::Minutes(90));
  EXPECT_EQ(v.retention_bytes, int64_t{2} << 30);
  EXPECT_EQ(v.ratio, 0.25);
  EXPECT_THAT(v.urls, ElementsAre("http://a", "http://b"));
  EXPECT_THAT(f.positional(), ElementsAre("extra", "--not-a-flag"));
  EXPECT_TRUE(f.IsSet("web.listen-address"));
  EXPECT_FALSE(f.help_requested());
}

TEST(FlagSetTest, DefaultsStayWhenNotGiven) {
  Vars v;
  FlagSet f = MakeFlags(&v);
  ASSERT_TRUE(ParseArgs(&f, {}).ok());
  EXPECT_EQ(v.listen, "0.0.0.0:9090");
  EXPECT_TRUE(v.wal_compression);
  EXPECT_THAT(v.urls, ElementsAre("http://default"));
  EXPECT_FALSE(f.IsSet("web.listen-address"));
}

TEST(FlagSetTest, ErrorsNameTheFlagAndTheProblem) {
  struct Case {
    std::vector<const char*> args;
    std::string want;
  };
  for (const Case& c : std::vector<Case>{
           {{"--storage.tsdb.retension.time=1d"}, "unknown flag --storage.tsdb.retension.time"},
           {{"--web.listen-address"}, "flag --web.listen-address: missing value"},
           {{"--storage.tsdb.max-series=lots"}, "flag --storage.tsdb.max-series: invalid value \"lots\""},
           {{"--storage.tsdb.retention.time=10x"}, "flag --storage.tsdb.retention.time:"},
           {{"--storage.tsdb.retention.size=-1GB"}, "flag --storage.tsdb.retention.size:"},
           {{"--storage.tsdb.wal-compression=maybe"}, "want true or false"},
           {{"-x"}, "unknown flag -x"},
           {{"--no-web.listen-address"}, "unknown flag --no-web.listen-address"},
       }) {
    Vars v;
    FlagSet f = MakeFlags(&v);
    absl::Status s = ParseArgs(&f, c.args);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.args[0];
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.want)) << c.args[0];
  }
}

TEST(FlagSetTest, HelpAndVersionAreReportedAndUsageListsDefaults) {
  Vars v;
  FlagSet f = MakeFlags(&v);
  ASSERT_TRUE(ParseArgs(&f, {"--help", "--version"}).ok());
  EXPECT_TRUE(f.help_requested());
  EXPECT_TRUE(f.version_requested());
  std::string usage = f.Usage();
  EXPECT_THAT(usage, HasSubstr("usage: vigil-store [<flags>]"));
  EXPECT_THAT(usage, HasSubstr("--storage.tsdb.retention.time=VALUE"));
  EXPECT_THAT(usage, HasSubstr("Retention. (default: " + units::FormatPrometheusDuration(absl::Hours(360)) + ")"));
  EXPECT_THAT(usage, HasSubstr("(default: \"0.0.0.0:9090\")"));
}

}  // namespace
}  // namespace vigil
