#include "model/labels.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/hash/hash_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/hash.h"

namespace vigil {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

static_assert(std::random_access_iterator<Labels::const_iterator>);

std::vector<std::pair<std::string, std::string>> Pairs(const Labels& labels) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Label l : labels) out.emplace_back(l.name, l.value);
  return out;
}

TEST(LabelsTest, EmptySet) {
  const Labels l;
  EXPECT_TRUE(l.empty());
  EXPECT_EQ(l.size(), 0u);
  EXPECT_EQ(l.begin(), l.end());
  EXPECT_EQ(l.Hash(), Hash64(""));
  EXPECT_EQ(l.ToString(), "{}");
  EXPECT_EQ(l.Get("a"), "");
  EXPECT_EQ(l, Labels::FromPairs({}));
}

TEST(LabelsTest, SortsByName) {
  const Labels l = {{"job", "node"}, {"__name__", "up"}, {"instance", "a:9100"}, {"Zeta", "z"}};
  EXPECT_THAT(Pairs(l), ElementsAre(std::pair<std::string, std::string>("Zeta", "z"),
                                    std::pair<std::string, std::string>("__name__", "up"),
                                    std::pair<std::string, std::string>("instance", "a:9100"),
                                    std::pair<std::string, std::string>("job", "node")));
  EXPECT_EQ(l.size(), 4u);
  EXPECT_EQ(l[1], (Label{"__name__", "up"}));
  EXPECT_EQ(l.begin()[3].value, "node");
  EXPECT_EQ(std::distance(l.begin(), l.end()), 4);
}

TEST(LabelsTest, LiteralPairsFollowSetSemantics) {
  // A later pair of the same name wins; an empty value means absent.
  const Labels l = {{"a", "1"}, {"b", ""}, {"a", "2"}};
  EXPECT_EQ(l.ToString(), R"({a="2"})");
}

TEST(LabelsTest, GetHasAndMetricName) {
  const Labels l = {{"__name__", "up"}, {"job", "node"}, {"a", "x"}};
  EXPECT_EQ(l.Get("job"), "node");
  EXPECT_EQ(l.Get("a"), "x");
  EXPECT_EQ(l.Get("absent"), "");
  EXPECT_EQ(l.Get(""), "");
  EXPECT_EQ(l.Get("zzz"), "");
  EXPECT_TRUE(l.Has("job"));
  EXPECT_FALSE(l.Has("jo"));
  EXPECT_FALSE(l.Has("jobs"));
  EXPECT_EQ(l.MetricName(), "up");
  EXPECT_EQ(Labels({{"job", "x"}}).MetricName(), "");
}

TEST(LabelsTest, FromUnsortedSortsAndDropsEmptyValues) {
  absl::StatusOr<Labels> l = Labels::FromUnsorted({{"job", "node"}, {"__name__", "up"}, {"env", ""}});
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(l->ToString(), R"({__name__="up", job="node"})");
}

TEST(LabelsTest, FromUnsortedRejectsDuplicateNames) {
  absl::StatusOr<Labels> l = Labels::FromUnsorted({{"job", "a"}, {"x", "1"}, {"job", "b"}});
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(l.status().message(), HasSubstr("duplicate label name \"job\""));
}

TEST(LabelsTest, FromUnsortedRejectsEmptyNames) {
  absl::StatusOr<Labels> l = Labels::FromUnsorted({{"job", "a"}, {"", "orphan"}});
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(l.status().message(), HasSubstr("empty label name"));
  EXPECT_THAT(l.status().message(), HasSubstr("\"orphan\""));
}

TEST(LabelsTest, HashIsPrometheusLabelsHash) {
  // Prometheus hashes name 0xff value 0xff ... with XXH64; so do we.
  const Labels l = {{"__name__", "up"}, {"job", "node"}};
  EXPECT_EQ(l.Hash(), Hash64(std::string_view("__name__\xffup\xffjob\xffnode\xff", 21)));
  EXPECT_EQ(l.Hash(), 0x01585e2399cc2df6ULL);
}

TEST(LabelsTest, HashEqualForEqualSets) {
  const Labels a = {{"a", "1"}, {"b", "2"}};
  const Labels b = {{"b", "2"}, {"a", "1"}};
  const Labels c = LabelsBuilder().Set("b", "2").Set("a", "1").Build();
  EXPECT_EQ(a.Hash(), b.Hash());
  EXPECT_EQ(a.Hash(), c.Hash());
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, c);
}

TEST(LabelsTest, SeparatorsKeepBoundariesApart) {
  const Labels a = {{"a", "bc"}};
  const Labels b = {{"ab", "c"}};
  EXPECT_NE(a.Hash(), b.Hash());
  EXPECT_NE(a, b);
  const Labels c = {{"a", "b"}, {"c", "d"}};
  const Labels d = {{"a", "bc"}, {"d", "x"}};
  EXPECT_NE(c.Hash(), d.Hash());
}

TEST(LabelsTest, EqualityLooksAtEveryByte) {
  EXPECT_NE(Labels({{"a", "1"}}), Labels({{"a", "2"}}));
  EXPECT_NE(Labels({{"a", "1"}}), Labels({{"a", "1"}, {"b", "1"}}));
  EXPECT_NE(Labels({{"a", "1"}}), Labels());
  EXPECT_EQ(Labels({{"abc", "defgh"}}), Labels({{"abc", "defgh"}}));
}

TEST(LabelsTest, CopyAndMove) {
  const Labels a = {{"__name__", "up"}, {"job", "node"}};
  Labels b = a;
  EXPECT_EQ(a, b);
  Labels c = std::move(b);
  EXPECT_EQ(a, c);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move): moved-from is specified as empty
  EXPECT_EQ(b, Labels());  // NOLINT(bugprone-use-after-move)
  b = c;
  EXPECT_EQ(b, a);
  const Labels& self = b;
  b = self;  // self-assignment
  EXPECT_EQ(b, a);
  c = Labels({{"x", "y"}});
  EXPECT_EQ(c.ToString(), R"({x="y"})");
}

TEST(LabelsTest, CompareAsPrometheus) {
  const Labels empty;
  const Labels a1 = {{"a", "1"}};
  const Labels a2 = {{"a", "2"}};
  const Labels a1b1 = {{"a", "1"}, {"b", "1"}};
  const Labels b0 = {{"b", "0"}};
  const Labels aa0 = {{"aa", "0"}};
  EXPECT_EQ(Compare(a1, a1), 0);
  EXPECT_LT(Compare(a1, a2), 0);
  EXPECT_GT(Compare(a2, a1), 0);
  EXPECT_LT(Compare(a1, a1b1), 0);  // a prefix comes first
  EXPECT_GT(Compare(a1b1, a1), 0);
  EXPECT_LT(Compare(empty, a1), 0);
  EXPECT_LT(Compare(a2, b0), 0);    // names before values
  EXPECT_LT(Compare(a1b1, a2), 0);  // label by label, not by size
  EXPECT_LT(Compare(a2, aa0), 0);   // "a" < "aa"
  // Bytes compare unsigned: a UTF-8 value sorts after ASCII.
  EXPECT_LT(Compare(Labels({{"a", "z"}}), Labels({{"a", "\xc3\xa9"}})), 0);

  std::vector<Labels> sorted = {a1b1, b0, empty, a2, aa0, a1};
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::string> rendered;
  for (const Labels& l : sorted) rendered.push_back(l.ToString());
  EXPECT_THAT(rendered,
              ElementsAre("{}", R"({a="1"})", R"({a="1", b="1"})", R"({a="2"})", R"({aa="0"})", R"({b="0"})"));
}

TEST(LabelsTest, ToStringEscapesLikeGoQuote) {
  const Labels l = {{"__name__", "up"}, {"path", "C:\\dir \"x\"\nnext\ttab"}};
  EXPECT_EQ(l.ToString(), R"({__name__="up", path="C:\\dir \"x\"\nnext\ttab"})");
  EXPECT_EQ(QuoteLabelValue("caf\xc3\xa9"), "\"caf\xc3\xa9\"");  // valid UTF-8 kept
  EXPECT_EQ(QuoteLabelValue("a\x01"
                            "b\x7f"),
            R"("a\x01b\x7f")");                             // control bytes
  EXPECT_EQ(QuoteLabelValue("\xff\xc3"), R"("\xff\xc3")");  // invalid UTF-8
  EXPECT_EQ(QuoteLabelValue(""), R"("")");
  EXPECT_EQ(QuoteLabelValue("\r\a\b\f\v"), R"("\r\a\b\f\v")");
}

TEST(LabelsBuilderTest, SetReplacesAndInsertsInOrder) {
  const Labels base = {{"__name__", "up"}, {"job", "node"}};
  const Labels l = LabelsBuilder(base).Set("job", "api").Set("instance", "h:1").Set("zone", "eu").Build();
  EXPECT_EQ(l.ToString(), R"({__name__="up", instance="h:1", job="api", zone="eu"})");
  EXPECT_EQ(base.ToString(), R"({__name__="up", job="node"})");  // base untouched
}

TEST(LabelsBuilderTest, SetEmptyDeletes) {
  const Labels l = LabelsBuilder(Labels{{"a", "1"}, {"b", "2"}}).Set("a", "").Set("c", "").Build();
  EXPECT_EQ(l.ToString(), R"({b="2"})");
}

TEST(LabelsBuilderTest, Del) {
  LabelsBuilder b(Labels{{"a", "1"}, {"b", "2"}, {"c", "3"}});
  b.Del("b").Del("absent");
  EXPECT_EQ(b.Build().ToString(), R"({a="1", c="3"})");
  EXPECT_EQ(b.Get("a"), "1");
  EXPECT_EQ(b.Get("b"), "");
  EXPECT_EQ(b.size(), 2u);
}

TEST(LabelsBuilderTest, KeepAndDrop) {
  const Labels base = {{"__name__", "up"}, {"instance", "h:1"}, {"job", "node"}, {"zone", "eu"}};
  EXPECT_EQ(LabelsBuilder(base).Keep({"job", "zone", "absent"}).Build().ToString(), R"({job="node", zone="eu"})");
  EXPECT_EQ(LabelsBuilder(base).Drop({"__name__", "zone", "absent"}).Build().ToString(),
            R"({instance="h:1", job="node"})");
  const std::vector<std::string> names = {"instance"};
  EXPECT_EQ(LabelsBuilder(base).Keep(names).Build().ToString(), R"({instance="h:1"})");
  EXPECT_EQ(LabelsBuilder(base).Drop(names).Build().ToString(), R"({__name__="up", job="node", zone="eu"})");
  EXPECT_TRUE(LabelsBuilder(base).Keep({}).Build().empty());
}

TEST(LabelsBuilderTest, BuildTwiceAndReset) {
  LabelsBuilder b;
  b.Set("a", "1");
  const Labels first = b.Build();
  b.Set("b", "2");
  EXPECT_EQ(first.ToString(), R"({a="1"})");
  EXPECT_EQ(b.Build().ToString(), R"({a="1", b="2"})");
  b.Reset(Labels{{"z", "9"}});
  EXPECT_EQ(b.Build().ToString(), R"({z="9"})");
}

TEST(LabelsTest, KeysFlatHashMap) {
  absl::flat_hash_map<Labels, int> m;
  m[Labels{{"a", "1"}}] = 1;
  m[Labels{{"ab", "c"}}] = 2;
  m[Labels{{"a", "bc"}}] = 3;
  m[Labels{{"a", "1"}}] += 10;
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(m.at(Labels{{"a", "1"}}), 11);
  EXPECT_EQ(m.at(LabelsBuilder().Set("ab", "c").Build()), 2);
  EXPECT_FALSE(m.contains(Labels{{"a", "2"}}));
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(
      {Labels(), Labels{{"a", "1"}}, Labels{{"a", "bc"}}, Labels{{"ab", "c"}}, Labels{{"a", "1"}, {"b", "2"}}}));
}

TEST(LabelsTest, KeysStdMap) {
  std::map<Labels, int> m;
  m[Labels{{"b", "1"}}] = 1;
  m[Labels{{"a", "1"}}] = 2;
  EXPECT_EQ(m.begin()->second, 2);
}

TEST(LabelsTest, LargeSet) {
  LabelsBuilder b;
  for (int i = 0; i < 200; ++i) b.Set("label_" + std::to_string(i), std::string(i, 'v'));
  const Labels l = b.Build();
  EXPECT_EQ(l.size(), 199u);  // label_0 has an empty value
  EXPECT_EQ(l.Get("label_150"), std::string(150, 'v'));
  EXPECT_EQ(Labels(l), l);
  EXPECT_GT(l.MemoryBytes(), 199u * 150u / 2);
}

TEST(ValidationTest, MetricNames) {
  for (const char* ok : {"up", "node_cpu_seconds_total", "a:b:c", ":x", "_", "A9"}) {
    EXPECT_TRUE(IsValidMetricName(ok)) << ok;
  }
  for (const char* bad : {"", "9a", "a-b", "a b", "caf\xc3\xa9", "a.b"}) {
    EXPECT_FALSE(IsValidMetricName(bad)) << bad;
  }
}

TEST(ValidationTest, LabelNames) {
  for (const char* ok : {"job", "__name__", "_", "a9", "Zz_1"}) {
    EXPECT_TRUE(IsValidLabelName(ok)) << ok;
  }
  for (const char* bad : {"", "9a", "a:b", "a-b", "a b"}) {
    EXPECT_FALSE(IsValidLabelName(bad)) << bad;
  }
}

TEST(ValidationTest, Utf8) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));  // é € 😀
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));                           // U+10FFFF
  EXPECT_TRUE(IsValidUtf8(std::string_view("a\0b", 3)));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\x80"));              // lone continuation
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(IsValidUtf8("\xf5\x80\x80\x80"));
}

TEST(ValidationTest, ValidateLabels) {
  EXPECT_TRUE(ValidateLabels(Labels{{"__name__", "up"}, {"job", "caf\xc3\xa9"}}).ok());
  EXPECT_TRUE(ValidateLabels(Labels()).ok());

  absl::Status s = ValidateLabels(Labels{{"__name__", "up"}, {"bad-name", "x"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("\"bad-name\""));

  s = ValidateLabels(Labels{{"job", "a\xff"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("invalid UTF-8 in value of label job"));

  s = ValidateLabels(Labels{{"__name__", "1up"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("invalid metric name \"1up\""));

  s = ValidateLabels(LabelsBuilder().Set("", "x").Build());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil
