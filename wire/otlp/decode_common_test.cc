#include "wire/otlp/decode_common.h"

#include <string>

#include "gtest/gtest.h"
#include "model/labels.h"

namespace vigil::wire::otlp::internal {
namespace {

TEST(AssignBoundedUtf8Test, KeepsValidShortStrings) {
  std::string out;
  AssignBoundedUtf8("héllo", 100, &out);
  EXPECT_EQ(out, "héllo");
}

TEST(AssignBoundedUtf8Test, ReplacesInvalidBytes) {
  std::string out;
  AssignBoundedUtf8(std::string("a\xff"
                                "b\xed\xa0\x80"
                                "c",
                                7),
                    100, &out);
  EXPECT_EQ(out,
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
            "c");
  EXPECT_TRUE(IsValidUtf8(out));
}

TEST(AssignBoundedUtf8Test, TruncatesAtCharacterBoundary) {
  std::string out;
  AssignBoundedUtf8(
      "ab\xE2\x9C\x93"
      "cd",
      4, &out);  // the check mark does not fit whole
  EXPECT_EQ(out, "ab");
  AssignBoundedUtf8(
      "ab\xE2\x9C\x93"
      "cd",
      5, &out);
  EXPECT_EQ(out, "ab\xE2\x9C\x93");
  AssignBoundedUtf8(std::string(1 << 20, 'x'), 16 << 10, &out);
  EXPECT_EQ(out.size(), size_t{16} << 10);
}

TEST(AssignBoundedBytesTest, Truncates) {
  std::string out;
  AssignBoundedBytes(std::string("\xff\xfe\xfd", 3), 2, &out);
  EXPECT_EQ(out, std::string("\xff\xfe", 2));
}

TEST(AcceptOrRejectTest, CountsAndKeepsFirstReason) {
  DecodedSpans out;
  Span good;
  good.trace_id.bytes[0] = 1;
  good.span_id.bytes[0] = 1;
  AcceptOrReject(Span(good), "a", &out);
  Span no_trace = good;
  no_trace.trace_id = TraceId();
  AcceptOrReject(std::move(no_trace), "spans[1]", &out);
  Span no_span = good;
  no_span.span_id = SpanId();
  AcceptOrReject(std::move(no_span), "spans[2]", &out);
  EXPECT_EQ(out.spans.size(), 1u);
  EXPECT_EQ(out.rejected_spans, 2);
  EXPECT_EQ(out.rejection_message, "spans[1]: trace id is missing or all zero");
}

}  // namespace
}  // namespace vigil::wire::otlp::internal
