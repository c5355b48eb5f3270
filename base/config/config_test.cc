#include "base/config/config.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::StartsWith;

struct TsdbConfig {
  absl::Duration retention = absl::Hours(24 * 15);
  int64_t retention_bytes = 0;
  bool wal_compression = false;
  int64_t max_series = 0;
};

struct StorageConfig {
  std::string path = "data/";
  std::string listen_address;
  TsdbConfig tsdb;
};

struct GlobalConfig {
  absl::Duration scrape_interval = absl::Minutes(1);
  double sample_ratio = 1;
  int workers = 4;
  std::map<std::string, std::string> external_labels;
  std::vector<std::string> features = {"default"};
};

struct ScrapeConfig {
  std::string job_name;
  std::vector<std::string> targets;
  bool honor_labels = true;
};

struct Config {
  StorageConfig storage;
  GlobalConfig global;
  std::vector<ScrapeConfig> scrape_configs;
};

absl::Status DecodeTsdb(Object& obj, TsdbConfig* out) {
  obj.Optional("retention", &out->retention);
  obj.Optional("retention_size", &out->retention_bytes, ByteSize);
  obj.Optional("wal_compression", &out->wal_compression);
  obj.Optional("max_series", &out->max_series);
  return obj.Finish();
}

absl::Status DecodeStorage(Object& obj, StorageConfig* out) {
  obj.Optional("path", &out->path);
  obj.Required("listen_address", &out->listen_address);
  obj.OptionalObject("tsdb", [&](Object& o) { return DecodeTsdb(o, &out->tsdb); });
  return obj.Finish();
}

absl::Status DecodeGlobal(Object& obj, GlobalConfig* out) {
  obj.Optional("scrape_interval", &out->scrape_interval);
  if (obj.Optional("sample_ratio", &out->sample_ratio) && out->sample_ratio > 1) {
    obj.AddError("sample_ratio", "must be at most 1");
  }
  obj.Optional("workers", &out->workers);
  obj.Optional("external_labels", &out->external_labels);
  obj.Optional("features", &out->features);
  return obj.Finish();
}

absl::Status DecodeScrape(Object& obj, ScrapeConfig* out) {
  obj.Required("job_name", &out->job_name);
  obj.Optional("targets", &out->targets);
  obj.Optional("honor_labels", &out->honor_labels);
  return obj.Finish();
}

absl::Status DecodeConfig(Object& obj, Config* out) {
  obj.RequiredObject("storage", [&](Object& o) { return DecodeStorage(o, &out->storage); });
  obj.OptionalObject("global", [&](Object& o) { return DecodeGlobal(o, &out->global); });
  obj.OptionalList("scrape_configs", &out->scrape_configs, DecodeScrape);
  return obj.Finish();
}

absl::StatusOr<Config> ParseConfig(std::string_view text) {
  return ParseAndDecode<Config>(text, "store.yaml", DecodeConfig);
}

// The error message of decoding `text` as a Config ("" if it decodes).
std::string ConfigError(std::string_view text) {
  absl::StatusOr<Config> config = ParseConfig(text);
  if (config.ok()) return "";
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument) << config.status();
  return std::string(config.status().message());
}

std::string Msg(const absl::Status& status) { return std::string(status.message()); }

std::string WriteFile(std::string_view name, std::string_view contents) {
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/" + std::string(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  return path;
}

TEST(ConfigTest, DecodesAValidNestedFile) {
  const std::string path = WriteFile("valid.yaml", R"(# Vigil store.
storage:
  path: /var/lib/vigil
  listen_address: 0.0.0.0:9090
  tsdb:
    retention: 1y2w
    retention_size: 512MB
    wal_compression: true
    max_series: 0x10
global:
  scrape_interval: 1m30s
  sample_ratio: .25
  workers: -3
  external_labels:
    region: eu-west-1
    env: "prod"
    zone: 42
  features: [exemplars, "native-histograms"]
scrape_configs:
  - job_name: node
    targets: [a:9100, b:9100]
  - job_name: vigil
    honor_labels: false
    targets:
      - localhost:9090
  - job_name: "123"
)");
  absl::StatusOr<Config> config = LoadAndDecode<Config>(path, DecodeConfig);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->storage.path, "/var/lib/vigil");
  EXPECT_EQ(config->storage.listen_address, "0.0.0.0:9090");
  EXPECT_EQ(config->storage.tsdb.retention, absl::Hours(24 * (365 + 14)));
  EXPECT_EQ(config->storage.tsdb.retention_bytes, int64_t{512} << 20);
  EXPECT_TRUE(config->storage.tsdb.wal_compression);
  EXPECT_EQ(config->storage.tsdb.max_series, 16);
  EXPECT_EQ(config->global.scrape_interval, absl::Seconds(90));
  EXPECT_EQ(config->global.sample_ratio, 0.25);
  EXPECT_EQ(config->global.workers, -3);
  EXPECT_THAT(config->global.external_labels,
              ElementsAre(Pair("env", "prod"), Pair("region", "eu-west-1"), Pair("zone", "42")));
  EXPECT_THAT(config->global.features, ElementsAre("exemplars", "native-histograms"));
  ASSERT_EQ(config->scrape_configs.size(), 3u);
  EXPECT_EQ(config->scrape_configs[0].job_name, "node");
  EXPECT_THAT(config->scrape_configs[0].targets, ElementsAre("a:9100", "b:9100"));
  EXPECT_TRUE(config->scrape_configs[0].honor_labels);
  EXPECT_EQ(config->scrape_configs[1].job_name, "vigil");
  EXPECT_THAT(config->scrape_configs[1].targets, ElementsAre("localhost:9090"));
  EXPECT_FALSE(config->scrape_configs[1].honor_labels);
  EXPECT_EQ(config->scrape_configs[2].job_name, "123");
}

TEST(ConfigTest, AbsentAndNullKeysKeepDefaults) {
  absl::StatusOr<Config> config = ParseConfig(R"(
storage:
  listen_address: :9090
  path:
  tsdb: ~
global:
  scrape_interval: null
scrape_configs:
)");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->storage.path, "data/");
  EXPECT_EQ(config->storage.tsdb.retention, absl::Hours(24 * 15));
  EXPECT_EQ(config->global.scrape_interval, absl::Minutes(1));
  EXPECT_THAT(config->global.features, ElementsAre("default"));
  EXPECT_TRUE(config->scrape_configs.empty());
}

TEST(ConfigTest, MalformedYamlBadIndentation) {
  absl::StatusOr<ConfigFile> file = Parse("storage:\n  path: /a\n listen_address: :1\n", "store.yaml");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(file.status().message(), "store.yaml:3:2: end of map not found");
}

TEST(ConfigTest, MalformedYamlUnclosedBracket) {
  absl::StatusOr<ConfigFile> file =
      Parse("storage:\n  listen_address: :1\nglobal:\n  features: [a, b\nscrape_configs: []\n", "store.yaml");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(file.status()), StartsWith("store.yaml:5:"));
  EXPECT_THAT(Msg(file.status()), HasSubstr("end of sequence flow not found"));
}

TEST(ConfigTest, MalformedYamlTab) {
  absl::StatusOr<ConfigFile> file = Parse("storage:\n\tpath: x\n", "store.yaml");
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(Msg(file.status()), StartsWith("store.yaml:2:"));
}

TEST(ConfigTest, UnknownKeyNamesLineColumnAndPath) {
  EXPECT_EQ(ConfigError("storage:\n"
                        "  listen_address: :9090\n"
                        "  tsdb:\n"
                        "    retension: 10d\n"
                        "    wal: true\n"
                        "storag: {}\n"),
            "store.yaml:4:5: storage.tsdb: unknown key \"retension\" (did you mean \"retention\"?)\n"
            "store.yaml:5:5: storage.tsdb: unknown key \"wal\"\n"
            "store.yaml:6:1: unknown key \"storag\" (did you mean \"storage\"?)");
}

TEST(ConfigTest, BadDuration) {
  const std::string error = ConfigError("storage:\n  listen_address: :9090\n  tsdb:\n    retention: 10x\n");
  EXPECT_THAT(error, StartsWith("store.yaml:4:16: storage.tsdb.retention: invalid duration \"10x\": unknown unit "
                                "\"x\"; want one or more <integer><unit> terms"));
  EXPECT_THAT(ConfigError("storage:\n  listen_address: :9090\n  tsdb:\n    retention: \"1.5h\"\n"),
              StartsWith("store.yaml:4:16: storage.tsdb.retention: invalid duration \"1.5h\": fractions"));
}

TEST(ConfigTest, BadByteSize) {
  EXPECT_THAT(ConfigError("storage:\n  listen_address: :9090\n  tsdb:\n    retention_size: 1.5GB\n"),
              StartsWith("store.yaml:4:21: storage.tsdb.retention_size: invalid byte size \"1.5GB\": fractions are "
                         "not allowed;"));
  EXPECT_THAT(ConfigError("storage:\n  listen_address: :9090\n  tsdb:\n    retention_size: 10gb\n"),
              StartsWith("store.yaml:4:21: storage.tsdb.retention_size: invalid byte size \"10gb\": unknown unit"));
}

TEST(ConfigTest, IntegersOutOfRange) {
  EXPECT_EQ(ConfigError("storage:\n  listen_address: :9090\n"
                        "  tsdb:\n    max_series: 9223372036854775808\n"
                        "global:\n  workers: 3000000000\n"),
            "store.yaml:4:17: storage.tsdb.max_series: integer 9223372036854775808 is out of range "
            "[-9223372036854775808, 9223372036854775807]\n"
            "store.yaml:6:12: global.workers: integer 3000000000 is out of range [-2147483648, 2147483647]");
}

TEST(ConfigTest, WrongNodeTypes) {
  EXPECT_EQ(ConfigError("storage:\n"
                        "  listen_address: [a, b]\n"
                        "  tsdb: 5d\n"
                        "global:\n"
                        "  workers: \"8\"\n"
                        "  sample_ratio: lots\n"
                        "  features: exemplars\n"
                        "  external_labels: [a]\n"
                        "scrape_configs:\n"
                        "  - job_name: x\n"
                        "    honor_labels: yes\n"
                        "  - just-a-string\n"
                        "  - job_name: {a: 1}\n"
                        "    targets: [ok, [nested]]\n"),
            "store.yaml:2:19: storage.listen_address: expected a string, got a list\n"
            "store.yaml:3:9: storage.tsdb: expected a mapping, got \"5d\"\n"
            "store.yaml:5:12: global.workers: expected an integer, got the quoted string \"8\"\n"
            "store.yaml:6:17: global.sample_ratio: expected a number, got \"lots\"\n"
            "store.yaml:7:13: global.features: expected a list of strings, got \"exemplars\"\n"
            "store.yaml:8:20: global.external_labels: expected a mapping of strings, got a list\n"
            "store.yaml:11:19: scrape_configs[0].honor_labels: expected a boolean (true or false), got \"yes\"\n"
            "store.yaml:12:5: scrape_configs[1]: expected a mapping, got \"just-a-string\"\n"
            "store.yaml:13:15: scrape_configs[2].job_name: expected a string, got a mapping\n"
            "store.yaml:14:19: scrape_configs[2].targets[1]: expected a string, got a list");
  EXPECT_EQ(ConfigError("storage:\n  listen_address: :1\nscrape_configs: {job_name: x}\n"),
            "store.yaml:3:17: scrape_configs: expected a list, got a mapping");
  EXPECT_EQ(ConfigError("storage:\n  listen_address: :1\nglobal:\n  external_labels:\n    a:\n    b: [x]\n"),
            "store.yaml:5:5: global.external_labels.a: expected a string, got null\n"
            "store.yaml:6:8: global.external_labels.b: expected a string, got a list");
}

TEST(ConfigTest, MissingRequiredKeys) {
  EXPECT_EQ(ConfigError("storage:\n  path: /data\nscrape_configs:\n  - targets: [x]\n"),
            "store.yaml:2:3: storage: missing required key \"listen_address\"\n"
            "store.yaml:4:5: scrape_configs[0]: missing required key \"job_name\"");
  EXPECT_EQ(ConfigError("global: {}\n"), "store.yaml:1:1: missing required key \"storage\"");
  EXPECT_EQ(ConfigError("storage:\n"), "store.yaml:1:1: required key \"storage\" has no value");
  EXPECT_EQ(ConfigError("storage:\n  listen_address: ~\n"),
            "store.yaml:2:3: storage: required key \"listen_address\" has no value");
}

TEST(ConfigTest, DuplicateKeys) {
  absl::StatusOr<ConfigFile> file =
      Parse("storage:\n  listen_address: :1\n  path: /a\n  path: /b\nscrape_configs:\n  - {job_name: a, job_name: b}\n",
            "store.yaml");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(file.status().message(),
            "store.yaml:4:3: storage: duplicate key \"path\" (first defined on line 3)\n"
            "store.yaml:6:19: scrape_configs[0]: duplicate key \"job_name\" (first defined on line 6)");
}

TEST(ConfigTest, NonScalarKeysAndRecursiveAliases) {
  absl::StatusOr<ConfigFile> file = Parse("? [a, b]\n: c\n", "x.yaml");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(), "x.yaml:1:3: mapping keys must be strings, got a list");
  file = Parse("a: &x [1, *x]\n", "x.yaml");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(), "x.yaml:1:11: a[1]: an alias may not refer to a node that contains it");
}

TEST(ConfigTest, AliasesAreExpanded) {
  absl::StatusOr<Config> config = ParseConfig(
      "storage:\n  listen_address: &addr :9090\nscrape_configs:\n  - &job {job_name: a, targets: [*addr]}\n  - *job\n");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->scrape_configs.size(), 2u);
  EXPECT_THAT(config->scrape_configs[1].targets, ElementsAre(":9090"));
}

TEST(ConfigTest, MultipleDocumentsAreAnError) {
  absl::StatusOr<ConfigFile> file = Parse("a: 1\n---\nb: 2\n", "x.yaml");
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(Msg(file.status()), StartsWith("x.yaml:"));
  EXPECT_THAT(
      Msg(file.status()),
      HasSubstr("x.yaml:2:1: content after the end of the YAML document (a config file holds a single document)"));
  EXPECT_TRUE(Parse("---\na: 1\n...\n", "x.yaml").ok());
}

TEST(ConfigTest, TopLevelMustBeAMapping) {
  absl::StatusOr<ConfigFile> file = Parse("# header\n- a\n- b\n", "x.yaml");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->Decode([](Object&) { return absl::OkStatus(); }).message(),
            "x.yaml:2:1: expected a mapping at the top level, got a list");
  file = Parse("just text", "x.yaml");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->Decode([](Object&) { return absl::OkStatus(); }).message(),
            "x.yaml:1:1: expected a mapping at the top level, got \"just text\"");
}

TEST(ConfigTest, MissingFile) {
  const std::string path = WriteFile("exists.yaml", "") + ".missing";
  absl::StatusOr<ConfigFile> file = LoadFile(path);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(file.status().message(), "cannot open config file \"" + path + "\": No such file or directory");
  absl::StatusOr<Config> config = LoadAndDecode<Config>(path, DecodeConfig);
  EXPECT_EQ(config.status(), file.status());
}

TEST(ConfigTest, DirectoryIsNotAFile) {
  const char* dir = std::getenv("TEST_TMPDIR");
  ASSERT_NE(dir, nullptr);
  absl::StatusOr<ConfigFile> file = LoadFile(dir);
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(Msg(file.status()), HasSubstr(std::string("config file \"") + dir + "\": Is a directory"));
}

TEST(ConfigTest, EmptyFileIsAnEmptyMapping) {
  for (std::string_view contents : {"", "\n\n", "# nothing configured yet\n", "---\n", "~\n"}) {
    const std::string path = WriteFile("empty.yaml", contents);
    absl::StatusOr<ConfigFile> file = LoadFile(path);
    ASSERT_TRUE(file.ok()) << file.status();
    EXPECT_EQ(file->name(), path);
    GlobalConfig global;
    EXPECT_TRUE(file->Decode([&](Object& o) { return DecodeGlobal(o, &global); }).ok());
    EXPECT_EQ(global.workers, 4);
  }
}

TEST(ConfigTest, EmptyFileStillNeedsRequiredKeys) {
  const std::string path = WriteFile("empty2.yaml", "");
  absl::StatusOr<Config> config = LoadAndDecode<Config>(path, DecodeConfig);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(), path + ":1:1: missing required key \"storage\"");
}

TEST(ConfigTest, ScalarForms) {
  struct Scalars {
    int i = 0;
    int64_t l = 0;
    double d = 0;
    bool b = false;
    std::string s;
  };
  auto decode = [](std::string_view text) {
    return ParseAndDecode<Scalars>(text, "s.yaml", [](Object& o, Scalars* out) {
      o.Optional("i", &out->i);
      o.Optional("l", &out->l);
      o.Optional("d", &out->d);
      o.Optional("b", &out->b);
      o.Optional("s", &out->s);
      return o.Finish();
    });
  };
  absl::StatusOr<Scalars> s = decode("i: -0x10\nl: -9223372036854775808\nd: 1e3\nb: false\ns: 12.50\n");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->i, -16);
  EXPECT_EQ(s->l, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(s->d, 1000);
  EXPECT_FALSE(s->b);
  EXPECT_EQ(s->s, "12.50");
  s = decode("i: 0o17\nl: +9223372036854775807\nd: -.inf\nb: true\ns: 'quoted: yes'\n");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->i, 15);
  EXPECT_EQ(s->l, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(s->d, -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(s->b);
  EXPECT_EQ(s->s, "quoted: yes");
  s = decode("d: .nan\n");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(std::isnan(s->d));
  s = decode("d: 7\ni: 007\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->d, 7);
  EXPECT_EQ(s->i, 7);

  EXPECT_EQ(decode("i: 1.5\n").status().message(), "s.yaml:1:4: i: expected an integer, got \"1.5\"");
  EXPECT_EQ(decode("i: 12abc\n").status().message(), "s.yaml:1:4: i: expected an integer, got \"12abc\"");
  EXPECT_EQ(decode("i: 0x\n").status().message(), "s.yaml:1:4: i: expected an integer, got \"0x\"");
  EXPECT_EQ(decode("i: -2147483649\n").status().message(),
            "s.yaml:1:4: i: integer -2147483649 is out of range [-2147483648, 2147483647]");
  EXPECT_EQ(decode("d: 1,5\n").status().message(), "s.yaml:1:4: d: expected a number, got \"1,5\"");
  EXPECT_EQ(decode("d: inf\n").status().message(), "s.yaml:1:4: d: expected a number, got \"inf\"");
  EXPECT_EQ(decode("d: 1e999\n").status().message(), "s.yaml:1:4: d: number 1e999 is out of range for a double");
  EXPECT_EQ(decode("b: True\n").status().message(), "s.yaml:1:4: b: expected a boolean (true or false), got \"True\"");
  EXPECT_EQ(decode("b: \"true\"\n").status().message(),
            "s.yaml:1:4: b: expected a boolean (true or false), got the quoted string \"true\"");
  EXPECT_EQ(decode("b: on\n").status().message(), "s.yaml:1:4: b: expected a boolean (true or false), got \"on\"");
  EXPECT_EQ(decode("s: [x]\n").status().message(), "s.yaml:1:4: s: expected a string, got a list");
}

TEST(ConfigTest, AllErrorsAreCollectedInPositionOrder) {
  EXPECT_EQ(ConfigError("global:\n"
                        "  sample_ratio: 2\n"
                        "  bogus: 1\n"
                        "storage:\n"
                        "  tsdb:\n"
                        "    retention: forever\n"),
            "store.yaml:2:17: global.sample_ratio: must be at most 1\n"
            "store.yaml:3:3: global: unknown key \"bogus\"\n"
            "store.yaml:5:3: storage: missing required key \"listen_address\"\n"
            "store.yaml:6:16: storage.tsdb.retention: invalid duration \"forever\": unexpected \"f\" at offset 0 "
            "where a number was expected; want one or more <integer><unit> terms, largest unit first and each unit "
            "at most once, with units y, w, d, h, m, s, ms (e.g. \"15s\", \"1h30m\", \"2d12h\"), or \"0\"");
}

TEST(ConfigTest, DecoderStatusesAndAddError) {
  absl::StatusOr<ConfigFile> file = Parse("jobs:\n  - name: a\n  - name: b\n    extra: 1\nlimit: 5\n", "j.yaml");
  ASSERT_TRUE(file.ok()) << file.status();
  absl::Status nested_finish;
  const absl::Status status = file->Decode([&](Object& root) {
    int limit = 0;
    root.Required("limit", &limit);
    if (limit > 3) root.AddError("limit", "must be at most 3");
    root.AddError("", "whole-file problem");
    root.AddError("absent", "derived problem");
    std::vector<std::string> names;
    root.OptionalList("jobs", &names, [&](Object& job, std::string* name) -> absl::Status {
      job.Required("name", name);
      if (*name == "a") return absl::FailedPreconditionError("job a is reserved");
      nested_finish = job.Finish();
      return nested_finish;
    });
    EXPECT_THAT(names, ElementsAre("a", "b"));
    EXPECT_TRUE(root.Has("jobs"));
    EXPECT_FALSE(root.Has("nope"));
    EXPECT_EQ(root.path(), "");
    return absl::OkStatus();  // Finish() is called for us.
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "j.yaml:1:1: whole-file problem\n"
            "j.yaml:1:1: absent: derived problem\n"
            "j.yaml:2:5: jobs[0]: job a is reserved\n"
            "j.yaml:4:5: jobs[1]: unknown key \"extra\"\n"
            "j.yaml:5:8: limit: must be at most 3");
  // A nested Finish reports only its own subtree.
  EXPECT_EQ(nested_finish.message(), "j.yaml:4:5: jobs[1]: unknown key \"extra\"");
}

TEST(ConfigTest, ObjectPaths) {
  absl::StatusOr<ConfigFile> file = Parse("a:\n  b:\n    - c: {}\n", "p.yaml");
  ASSERT_TRUE(file.ok());
  std::vector<std::string> paths;
  ASSERT_TRUE(file->Decode([&](Object& root) {
                    paths.push_back(root.path());
                    root.RequiredObject("a", [&](Object& a) {
                      paths.push_back(a.path());
                      std::vector<int> unused;
                      a.RequiredList("b", &unused, [&](Object& b, int*) {
                        paths.push_back(b.path());
                        b.RequiredObject("c", [&](Object& c) {
                          paths.push_back(c.path());
                          return c.Finish();
                        });
                        return b.Finish();
                      });
                      return a.Finish();
                    });
                    return root.Finish();
                  })
                  .ok());
  EXPECT_THAT(paths, ElementsAre("", "a", "a.b[0]", "a.b[0].c"));
}

}  // namespace
}  // namespace vigil::config
