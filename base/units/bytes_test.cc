#include "base/units/bytes.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::units {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kKi = int64_t{1} << 10;
constexpr int64_t kMi = int64_t{1} << 20;
constexpr int64_t kGi = int64_t{1} << 30;
constexpr int64_t kTi = int64_t{1} << 40;
constexpr int64_t kPi = int64_t{1} << 50;
constexpr int64_t kEi = int64_t{1} << 60;

int64_t MustParse(std::string_view text) {
  absl::StatusOr<int64_t> n = ParseByteSize(text);
  EXPECT_TRUE(n.ok()) << text << ": " << n.status();
  return n.ok() ? *n : -1;
}

TEST(ParseByteSizeTest, AcceptsPlainBytesAndEveryUnit) {
  EXPECT_EQ(MustParse("0"), 0);
  EXPECT_EQ(MustParse("42"), 42);
  EXPECT_EQ(MustParse("123B"), 123);
  EXPECT_EQ(MustParse("0B"), 0);
  EXPECT_EQ(MustParse("100KB"), 100 * kKi);
  EXPECT_EQ(MustParse("512MB"), 512 * kMi);
  EXPECT_EQ(MustParse("1GB"), kGi);
  EXPECT_EQ(MustParse("2TB"), 2 * kTi);
  EXPECT_EQ(MustParse("3PB"), 3 * kPi);
  EXPECT_EQ(MustParse("4EB"), 4 * kEi);
  EXPECT_EQ(MustParse("100KiB"), 100 * kKi);
  EXPECT_EQ(MustParse("512MiB"), 512 * kMi);
  EXPECT_EQ(MustParse("10GiB"), 10 * kGi);
  EXPECT_EQ(MustParse("2TiB"), 2 * kTi);
  EXPECT_EQ(MustParse("3PiB"), 3 * kPi);
  EXPECT_EQ(MustParse("4EiB"), 4 * kEi);
  EXPECT_EQ(MustParse("0010MB"), 10 * kMi);
}

TEST(ParseByteSizeTest, AcceptsTheLargestValues) {
  EXPECT_EQ(MustParse("9223372036854775807"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(MustParse("9223372036854775807B"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(MustParse("7EB"), 7 * kEi);
  EXPECT_EQ(MustParse("8191PB"), 8191 * kPi);
}

struct RejectCase {
  std::string input;
  std::string reason;
};

class ParseByteSizeRejectTest : public ::testing::TestWithParam<RejectCase> {};

TEST_P(ParseByteSizeRejectTest, RejectsWithQuotedInputAndReason) {
  const RejectCase& c = GetParam();
  absl::StatusOr<int64_t> n = ParseByteSize(c.input);
  ASSERT_FALSE(n.ok()) << "accepted \"" << c.input << "\" as " << *n;
  EXPECT_EQ(n.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(n.status().message(), HasSubstr("invalid byte size \"" + c.input + "\": " + c.reason));
  EXPECT_THAT(n.status().message(), HasSubstr("e.g. \"512MB\""));
}

INSTANTIATE_TEST_SUITE_P(
    Rejects, ParseByteSizeRejectTest,
    ::testing::Values(RejectCase{"", "empty string"}, RejectCase{"-1", "negative sizes are not allowed"},
                      RejectCase{"-1GB", "negative sizes are not allowed"},
                      RejectCase{"+1GB", "it must start with a digit"}, RejectCase{"GB", "it must start with a digit"},
                      RejectCase{" 1GB", "it must start with a digit"},
                      RejectCase{"1.5GB", "fractions are not allowed"},
                      RejectCase{"1,5GB", "fractions are not allowed"}, RejectCase{"1 GB", "unknown unit \" GB\""},
                      RejectCase{"1GB ", "unknown unit \"GB \""}, RejectCase{"1kB", "unknown unit \"kB\""},
                      RejectCase{"1kb", "unknown unit \"kb\""}, RejectCase{"1mb", "unknown unit \"mb\""},
                      RejectCase{"1Gb", "unknown unit \"Gb\""}, RejectCase{"1GIB", "unknown unit \"GIB\""},
                      RejectCase{"1XB", "unknown unit \"XB\""}, RejectCase{"1K", "unknown unit \"K\""},
                      RejectCase{"1GB1MB", "unknown unit \"GB1MB\""}, RejectCase{"8EB", "larger than the maximum"},
                      RejectCase{"8192PiB", "larger than the maximum"},
                      RejectCase{"9223372036854775808", "larger than the maximum"},
                      RejectCase{"99999999999999999999999KB", "larger than the maximum"}));

TEST(FormatByteSizeTest, UsesTheLargestExactUnit) {
  EXPECT_EQ(FormatByteSize(0), "0B");
  EXPECT_EQ(FormatByteSize(42), "42B");
  EXPECT_EQ(FormatByteSize(1023), "1023B");
  EXPECT_EQ(FormatByteSize(1024), "1KiB");
  EXPECT_EQ(FormatByteSize(1536), "1536B");
  EXPECT_EQ(FormatByteSize(1536 * kKi), "1536KiB");
  EXPECT_EQ(FormatByteSize(512 * kMi), "512MiB");
  EXPECT_EQ(FormatByteSize(10 * kGi), "10GiB");
  EXPECT_EQ(FormatByteSize(kTi), "1TiB");
  EXPECT_EQ(FormatByteSize(kPi), "1PiB");
  EXPECT_EQ(FormatByteSize(7 * kEi), "7EiB");
  EXPECT_EQ(FormatByteSize(std::numeric_limits<int64_t>::max()), "9223372036854775807B");
  EXPECT_EQ(FormatByteSize(-2 * kMi), "-2MiB");
  EXPECT_EQ(FormatByteSize(std::numeric_limits<int64_t>::min()), "-8EiB");
}

TEST(FormatByteSizeTest, RoundTripsThroughTheParser) {
  for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{1000}, kKi, 3 * kMi + 1, 5 * kGi, 100 * kTi, 7 * kEi,
                    std::numeric_limits<int64_t>::max()}) {
    EXPECT_EQ(MustParse(FormatByteSize(n)), n) << FormatByteSize(n);
  }
}

}  // namespace
}  // namespace vigil::units
