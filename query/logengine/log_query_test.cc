// Log queries: selection, pipeline, grouping by final labels, direction, limit, [start, end), interval,
// categorize-labels, and the errors Loki gives.
#include <string>

#include "gtest/gtest.h"
#include "query/logengine/engine.h"
#include "query/logengine/test_data.h"
#include "query/logengine/test_store.h"

namespace vigil::logengine {
namespace {

using tsdb::logs::Direction;

class LogQueryTest : public ::testing::Test {
 protected:
  LogQueryTest() { FillTestStore(&store_); }

  std::string Run(std::string query, Direction dir = Direction::kBackward, size_t limit = 1000, int64_t start = S(0),
                  int64_t end = S(10), int64_t interval = 0) {
    QueryParams p;
    p.query = std::move(query);
    p.start_ns = start;
    p.end_ns = end;
    p.direction = dir;
    p.limit = limit;
    p.interval_ns = interval;
    absl::StatusOr<QueryResult> r = engine_.Query(p);
    if (!r.ok()) return "error: " + std::string(r.status().message());
    const Streams* s = std::get_if<Streams>(&r->value);
    if (s == nullptr) return "not streams";
    return StreamsString(*s);
  }

  TestLogStore store_;
  Engine engine_{store_.store(), EngineOptions{}};
};

TEST_F(LogQueryTest, LineFilterBackwardNewestFirst) {
  EXPECT_EQ(Run(R"({app="x"} |= "error")"),
            R"({app="x", env="prod"}: [level=error latency=40 msg=boom]@4 [level=error latency=20 msg=boom]@2)");
}

TEST_F(LogQueryTest, ForwardOldestFirst) {
  EXPECT_EQ(Run(R"({app="x"} |= "error")", Direction::kForward),
            R"({app="x", env="prod"}: [level=error latency=20 msg=boom]@2 [level=error latency=40 msg=boom]@4)");
}

TEST_F(LogQueryTest, LimitKeepsNewestAcrossStreamsBackward) {
  // Newest three of all streams of app x: S(5) prod, then S(4) of both streams.
  EXPECT_EQ(Run(R"({app="x"})", Direction::kBackward, 3),
            R"({app="x", env="dev"}: [level=warn latency=15 msg=slow]@4; )"
            R"({app="x", env="prod"}: [level=info latency=50 msg=ok]@5 [level=error latency=40 msg=boom]@4)");
}

TEST_F(LogQueryTest, LimitKeepsOldestForward) {
  EXPECT_EQ(Run(R"({app="x"})", Direction::kForward, 1), R"({app="x", env="prod"}: [level=info latency=10 msg=ok]@1)");
}

TEST_F(LogQueryTest, EndIsExclusiveStartInclusive) {
  EXPECT_EQ(Run(R"({app="x", env="prod"})", Direction::kForward, 100, S(2), S(4)),
            R"({app="x", env="prod"}: [level=error latency=20 msg=boom]@2 [level=info latency=30 msg=ok]@3)");
}

TEST_F(LogQueryTest, ParsedLabelsSplitStreams) {
  EXPECT_EQ(Run(R"({app="x"} | logfmt | level!="info" | line_format "{{.msg}}")"),
            R"({app="x", env="dev", latency="15", level="warn", msg="slow"}: [slow]@4; )"
            R"({app="x", env="prod", latency="20", level="error", msg="boom"}: [boom]@2; )"
            R"({app="x", env="prod", latency="40", level="error", msg="boom"}: [boom]@4)");
}

TEST_F(LogQueryTest, StructuredMetadataFoldedIntoStreamLabels) {
  EXPECT_EQ(Run(R"({app="y"} | json | __error__="")"),
            R"({app="y", level="error", status="500", trace_id="abc"}: [{"level":"error","status":500}]@3)");
  // The metadata is a label to filters too.
  EXPECT_EQ(Run(R"({app="y"} | trace_id="abc")"), R"({app="y", trace_id="abc"}: [{"level":"error","status":500}]@3)");
}

TEST_F(LogQueryTest, ParseErrorsKeepLinesWithErrorLabel) {
  EXPECT_EQ(
      Run(R"({app="y"} | json | __error__!="")"),
      R"({__error__="JSONParserErr", __error_details__="Value looks like object, but can't find closing '}' symbol", app="y"}: [not json]@6)")
      << "the exact details text is the json parser's; what matters is the __error__ label";
}

TEST_F(LogQueryTest, CategorizeLabelsSeparatesMetadataAndParsed) {
  QueryParams p;
  p.query = R"({app="y"} | json | __error__="")";
  p.start_ns = S(0);
  p.end_ns = S(10);
  p.limit = 10;
  p.categorize_labels = true;
  absl::StatusOr<QueryResult> r = engine_.Query(p);
  ASSERT_TRUE(r.ok()) << r.status();
  const Streams& s = std::get<Streams>(r->value);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].labels.ToString(), R"({app="y"})");
  ASSERT_EQ(s[0].lines.size(), 1u);
  EXPECT_EQ(s[0].lines[0].structured_metadata.ToString(), R"({trace_id="abc"})");
  EXPECT_EQ(s[0].lines[0].parsed.ToString(), R"({level="error", status="500"})");
}

TEST_F(LogQueryTest, IntervalThinsEachStream) {
  EXPECT_EQ(Run(R"({app="x", env="prod"})", Direction::kForward, 100, S(0), S(10), 2000000000),
            R"({app="x", env="prod"}: [level=info latency=10 msg=ok]@1 [level=info latency=30 msg=ok]@3 )"
            R"([level=info latency=50 msg=ok]@5)");
}

TEST_F(LogQueryTest, NoMatchesIsEmpty) { EXPECT_EQ(Run(R"({app="nope"})"), ""); }

TEST_F(LogQueryTest, Errors) {
  EXPECT_EQ(Run(R"({app="x")"), "error: parse error at line 1, col 9: syntax error: unexpected $end, expecting } or ,");
  EXPECT_EQ(Run(R"({app="x"})", Direction::kBackward, 5001),
            "error: max entries limit per query exceeded, limit > max_entries_limit_per_query (5001 > 5000)");
  EXPECT_EQ(Run(R"({app="x"})", Direction::kBackward, 0), "error: limit must be a positive value");
  EXPECT_EQ(Run(R"({app=~".*"})").substr(0, 20), "error: parse error :");

  QueryParams p;
  p.query = R"({app="x"})";
  p.instant = true;
  p.start_ns = p.end_ns = S(5);
  absl::StatusOr<QueryResult> r = engine_.Query(p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "log queries are not supported as an instant query type, please change your query to a range query type");
}

TEST_F(LogQueryTest, StatsCountScannedAndReturned) {
  QueryParams p;
  p.query = R"({app="x", env="prod"} |= "error")";
  p.start_ns = S(0);
  p.end_ns = S(10);
  p.limit = 100;
  absl::StatusOr<QueryResult> r = engine_.Query(p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->stats.lines_processed, 5u);
  EXPECT_EQ(r->stats.post_filter_lines, 2u);
  EXPECT_EQ(r->stats.entries_returned, 2u);
  EXPECT_EQ(r->stats.streams, 1u);
  EXPECT_GT(r->stats.bytes_processed, 100u);
}

}  // namespace
}  // namespace vigil::logengine
