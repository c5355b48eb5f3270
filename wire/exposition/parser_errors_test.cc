// Every error the exposition parser reports: the exact message (line, column, reason), whether it is fatal, and
// that the same input split anywhere reports the same error.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wire/exposition/parser.h"
#include "wire/exposition/test_util.h"

namespace vigil::exposition {
namespace {

constexpr Format kText = Format::kPrometheusText;
constexpr Format kOM = Format::kOpenMetrics;

struct ErrorCase {
  Format format;
  std::string input;
  std::string message;  // ParseError::Message()
  bool fatal = false;
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << FormatName(c.format) << ": " << c.input; }

class ParserErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ParserErrorTest, ReportsWhereAndWhy) {
  const ErrorCase& c = GetParam();
  const ParseRun run = ParseWhole(c.input, c.format);
  ASSERT_FALSE(run.status.ok());
  EXPECT_EQ(run.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(run.error.Message(), c.message);
  EXPECT_EQ(run.status.message(), c.message);
  EXPECT_EQ(run.error.fatal, c.fatal);
  // The same wherever the input is cut, and fed a byte at a time.
  const std::string want = run.Dump();
  for (size_t cut = 0; cut <= c.input.size(); ++cut) {
    ASSERT_EQ(ParseInPieces(c.input, c.format, {cut}).Dump(), want) << "cut at " << cut;
  }
  EXPECT_EQ(ParseInChunks(c.input, c.format, 1).Dump(), want);
  // A non-fatal error can be skipped: the parse goes on (and fails only on later fatal errors).
  ParserOptions skip;
  skip.skip_bad_lines = true;
  const ParseRun skipped = ParseWhole(c.input, c.format, skip);
  if (!c.fatal) {
    ASSERT_FALSE(skipped.skipped_errors.empty());
    EXPECT_EQ(skipped.skipped_errors[0].Message(), c.message);
  } else {
    EXPECT_EQ(skipped.error.Message(), c.message);
  }
}

// Helpers: a text-format line, and an OpenMetrics document around lines.
ErrorCase T(std::string input, std::string message) { return {kText, std::move(input), std::move(message)}; }
ErrorCase O(std::string lines, std::string message, bool fatal = false) {
  return {kOM, lines + "# EOF\n", std::move(message), fatal};
}

INSTANTIATE_TEST_SUITE_P(
    Syntax, ParserErrorTest,
    ::testing::Values(
        T("ok 1\nfoo{a=\"1\"x} 1\n",
          "line 2, column 10: unexpected character 'x' after label value (expected ',' or '}')"),
        T("foo-bar 1\n", "line 1, column 4: unexpected character '-' in metric name"),
        T("1foo 1\n",
          "line 1, column 1: unexpected character '1' at the start of a sample line (expected a "
          "metric name or '{')"),
        T("\"foo\" 1\n",
          "line 1, column 1: unexpected character '\"' at the start of a sample line (expected a "
          "metric name or '{')"),
        T("foo\n", "line 1, column 4: missing value"), T("foo{} \n", "line 1, column 7: missing value"),
        T("foo{}1\n", "line 1, column 6: unexpected character '1' after the label set (expected a space)"),
        T("foo{a=\"b\" 1\n", "line 1, column 11: unexpected character '1' after label value (expected ',' or '}')"),
        T("foo{a=\"b\"\n", "line 1, column 10: unexpected end of line in label set (missing '}')"),
        T("foo{a=b} 1\n",
          "line 1, column 7: unexpected character 'b' after '=' (expected '\"' to start the value "
          "of label \"a\")"),
        T("foo{a\"b\"} 1\n", "line 1, column 6: unexpected character '\"' after label name \"a\" (expected '=')"),
        T("foo{1a=\"b\"} 1\n",
          "line 1, column 5: unexpected character '1' in label set (expected a label name "
          "or '}')"),
        T("foo{,} 1\n", "line 1, column 5: unexpected character ',' in label set (expected a label name or '}')"),
        T("foo{a=\"1\",,} 1\n", "line 1, column 11: unexpected character ',' in label set (expected a label name)"),
        T("foo{a=\"\\t\"} 1\n",
          "line 1, column 8: invalid escape sequence '\\t' in label value (only \\\\, \\\" "
          "and \\n are allowed)"),
        T("foo{a=\"b\\\"} 1\n", "line 1, column 7: unterminated label value (missing closing '\"')"),
        T("foo{a=\"\xff\"} 1\n", "line 1, column 7: label value is not valid UTF-8"),
        T("foo{a=\"1\",b=\"2\",a=\"3\"} 1\n", "line 1, column 17: duplicate label name \"a\""),
        T("foo{__name__=\"bar\"} 1\n",
          "line 1, column 5: label name \"__name__\" is not allowed (write the metric "
          "name before the braces)"),
        T("foo{\"bar\"} 1\n",
          "line 1, column 5: metric name given twice: \"foo\" before the braces and \"bar\" "
          "inside"),
        T("{a=\"b\",\"bar\"} 1\n", "line 1, column 8: a quoted metric name must be the first item in the braces"),
        T("{\"\"} 1\n", "line 1, column 2: empty metric name"),
        T("{\"foo\",\"\"=\"x\"} 1\n", "line 1, column 8: empty label name"),
        T("{\"foo\" x} 1\n", "line 1, column 8: unexpected character 'x' after quoted name \"foo\" (expected '=')"),
        T("{a=\"b\"} 1\n",
          "line 1, column 1: missing metric name (put it before the braces or quoted first "
          "inside)"),
        T("{\"a.b\"=\"\xc3\"} 1\n", "line 1, column 8: label value is not valid UTF-8"),
        T("{\"\xc3\"} 1\n", "line 1, column 2: quoted name is not valid UTF-8"),
        T("foo abc\n", "line 1, column 5: invalid value \"abc\""),
        T("foo 1_000\n", "line 1, column 5: invalid value \"1_000\""),
        T("foo 0x1p3\n", "line 1, column 5: invalid value \"0x1p3\""),
        T("foo +NaN\n", "line 1, column 5: invalid value \"+NaN\""),
        T("foo 1e400\n", "line 1, column 5: value \"1e400\" out of range"),
        T("foo 1 1.5\n", "line 1, column 7: invalid timestamp \"1.5\""),
        T("foo 1 99999999999999999999\n", "line 1, column 7: timestamp \"99999999999999999999\" out of range"),
        T("foo 1 2 3\n", "line 1, column 9: unexpected text \"3\" after the timestamp"),
        T("foo 1 # {a=\"b\"} 1\n",
          "line 1, column 7: unexpected '#' after the value (exemplars are OpenMetrics "
          "only)"),
        T("foo 1\r\n", "line 1, column 6: carriage return at the end of the line (lines must end with \\n alone)")));

INSTANTIATE_TEST_SUITE_P(
    Metadata, ParserErrorTest,
    ::testing::Values(
        T("# TYPE foo\n", "line 1, column 11: TYPE line for \"foo\" has no type"),
        T("# TYPE foo gaugehistogram\n",
          "line 1, column 12: unknown metric type \"gaugehistogram\" (Prometheus "
          "text 0.0.4 has counter, gauge, histogram, summary and untyped)"),
        T("# TYPE foo counter extra\n", "line 1, column 20: unexpected text \"extra\" after metric type \"counter\""),
        T("# TYPE 1foo counter\n",
          "line 1, column 8: TYPE line: unexpected character '1' (expected a metric "
          "name)"),
        T("# HELP\n", "line 1, column 7: HELP line: missing metric name"),
        T("# TYPE foo-bar counter\n", "line 1, column 11: unexpected character '-' after TYPE metric name"),
        T("# HELP foo \xff\n", "line 1, column 12: HELP text is not valid UTF-8"),
        T("# TYPE foo counter\n# TYPE foo gauge\n",
          "line 2, column 1: second TYPE line for family \"foo\" (the "
          "first is at or after line 1)"),
        T("# HELP foo a\n# HELP foo b\n",
          "line 2, column 1: second HELP line for family \"foo\" (the first is at "
          "or after line 1)"),
        T("foo 1\n# TYPE foo counter\n",
          "line 2, column 1: TYPE line for \"foo\" after its samples (a family's "
          "metadata must come first)"),
        T("# TYPE foo counter\nfoo 1\n# TYPE bar gauge\nbar 1\nfoo 2\n",
          "line 5, column 1: sample \"foo\" of family \"foo\" whose lines ended before (the family began at line "
          "1); a family's lines must be contiguous"),
        T("# TYPE h histogram\nh_sum 1\nother 1\nh_bucket{le=\"1\"} 1\n",
          "line 4, column 1: sample \"h_bucket\" of family \"h\" whose lines ended before (the family began at "
          "line 1); a family's lines must be contiguous"),
        T("# TYPE h histogram\nh 1\n",
          "line 2, column 1: sample \"h\" does not fit histogram family \"h\" (expected "
          "h_bucket, h_sum, h_count)"),
        T("# TYPE h histogram\nh_bucket 1\n", "line 2, column 1: histogram bucket \"h_bucket\" has no \"le\" label"),
        T("# TYPE h histogram\nh_bucket{le=\"x\"} 1\n",
          "line 2, column 1: invalid \"le\" value \"x\" of "
          "\"h_bucket\""),
        T("# TYPE s summary\ns 1\n", "line 2, column 1: summary quantile \"s\" has no \"quantile\" label"),
        T("# TYPE s summary\ns{quantile=\"high\"} 1\n",
          "line 2, column 1: invalid \"quantile\" value \"high\" of "
          "\"s\"")));

INSTANTIATE_TEST_SUITE_P(
    OpenMetrics, ParserErrorTest,
    ::testing::Values(
        O("foo 1 NaN\n", "line 1, column 7: timestamp \"NaN\" is not finite"),
        O("foo 1 abc\n", "line 1, column 7: invalid timestamp \"abc\""),
        O("foo 1 1e300\n", "line 1, column 7: timestamp \"1e300\" out of range"),
        O("foo 1 99999999999999999999\n", "line 1, column 7: timestamp \"99999999999999999999\" out of range"),
        O("\n", "line 1: empty line (OpenMetrics does not allow empty lines)"),
        O("# a comment\n",
          "line 1, column 1: comment lines are not allowed in OpenMetrics (only # TYPE, # HELP, "
          "# UNIT and # EOF)"),
        O("#TYPE foo counter\n",
          "line 1, column 1: comment lines are not allowed in OpenMetrics (only # TYPE, # "
          "HELP, # UNIT and # EOF)"),
        O("# EOF x\n", "line 1, column 6: unexpected text after \"# EOF\""),
        O("# TYPE foo untyped\n",
          "line 1, column 12: unknown metric type \"untyped\" (OpenMetrics 1.0 has counter, "
          "gauge, histogram, gaugehistogram, summary, info, stateset and unknown)"),
        O("# TYPE foo counter\nfoo 1\n",
          "line 2, column 1: sample \"foo\" does not fit counter family \"foo\" "
          "(expected foo_total, foo_created)"),
        O("# TYPE foo_seconds gauge\n# UNIT foo_seconds bytes\n",
          "line 2, column 20: unit \"bytes\" is not a suffix of family name \"foo_seconds\" (expected a name "
          "ending in _bytes)"),
        O("# UNIT foo_seconds sec.onds\n", "line 1, column 23: unexpected character '.' in unit"),
        O("# TYPE c counter\nc_total 1 #{a=\"b\"} 1\n",
          "line 2, column 12: expected a space after the '#' that "
          "starts an exemplar"),
        O("# TYPE c counter\nc_total 1 # a 1\n",
          "line 2, column 13: expected '{' to start the exemplar's labels "
          "after '#'"),
        O("# TYPE c counter\nc_total 1 # {a=\"b\"}\n",
          "line 2, column 20: expected a space and the exemplar's "
          "value"),
        O("# TYPE c counter\nc_total 1 # {a=\"b\"} x\n", "line 2, column 21: invalid exemplar value \"x\""),
        O("# TYPE c counter\nc_total 1 # {a=\"b\"} 1 x\n", "line 2, column 23: invalid exemplar timestamp \"x\""),
        O("# TYPE c counter\nc_total 1 # {a=\"b\"} 1 2 3\n",
          "line 2, column 25: unexpected text \"3\" after the "
          "exemplar"),
        O("# TYPE c counter\nc_total 1 # {\"x\"} 1\n",
          "line 2, column 14: unexpected bare string in exemplar "
          "labels (expected name=\"value\")"),
        O("# TYPE c counter\nc_total 1 # {a=\"1\",a=\"2\"} 1\n", "line 2, column 20: duplicate label name \"a\""),
        O("# TYPE c counter\nc_total 1 # {a=\"" + std::string(130, 'x') + "\"} 1\n",
          "line 2, column 148: exemplar labels have 131 characters (at most 128 are allowed)"),
        O("# TYPE g gauge\ng 1 # {a=\"b\"} 1\n",
          "line 2, column 1: exemplar on \"g\" (only counter _total and "
          "histogram _bucket samples may have one)"),
        O("g 1 # {a=\"b\"} 1\n",
          "line 1, column 1: exemplar on \"g\" (only counter _total and histogram _bucket "
          "samples may have one)"),
        ErrorCase{kOM, "foo 1\n", "line 2: missing \"# EOF\" at the end of OpenMetrics input", true},
        ErrorCase{kOM, "foo 1\n# EOF\nbar 1\n",
                  "line 3: unexpected content after \"# EOF\" (it must be the last "
                  "line)",
                  true},
        ErrorCase{kOM, "# EOF\n\n", "line 2: unexpected content after \"# EOF\" (it must be the last line)", true}));

TEST(ParserErrorTest, LineTooLongIsFatal) {
  ParserOptions options;
  options.max_line_bytes = 16;
  const std::string input = "ok 1\nthis_line_is_far_too_long 1\nok 2\n";
  const ParseRun run = ParseWhole(input, kText, options);
  EXPECT_EQ(run.error.Message(), "line 2: line longer than 16 bytes");
  EXPECT_TRUE(run.error.fatal);
  EXPECT_EQ(run.recorder.samples.size(), 1u);
  // Also when the line arrives in pieces, and when it has no newline at all.
  EXPECT_EQ(ParseInChunks(input, kText, 3, options).error.Message(), "line 2: line longer than 16 bytes");
  EXPECT_EQ(ParseInChunks(std::string(100, 'x'), kText, 7, options).error.Message(),
            "line 1: line longer than 16 bytes");
}

TEST(ParserErrorTest, DuplicateInLargeLabelSet) {
  std::string line = "m{";
  for (int i = 0; i < 30; ++i) line += "l" + std::to_string(i) + "=\"v\",";
  line += "l7=\"again\"} 1\n";
  const ParseRun run = ParseWhole(line, kText);
  EXPECT_EQ(run.error.Message(), "line 1, column 233: duplicate label name \"l7\"");
}

TEST(ParserErrorTest, LongTokensAreCutInMessages) {
  const ParseRun run = ParseWhole("foo " + std::string(200, 'z') + "\n", kText);
  EXPECT_EQ(run.error.Message(), "line 1, column 5: invalid value \"" + std::string(64, 'z') + "\"...");
}

}  // namespace
}  // namespace vigil::exposition
