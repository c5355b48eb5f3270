#include "base/log/log.h"

#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::log {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class CapturingSink : public Sink {
 public:
  void Write(std::string_view line) override {
    absl::MutexLock lock(&mu_);
    lines_.emplace_back(line);
  }
  std::vector<std::string> lines() {
    absl::MutexLock lock(&mu_);
    return lines_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> lines_;
};

absl::Time FixedNow() { return absl::FromUnixMillis(1795305600123); }

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetSink(&sink_);
    SetTimeSource(&FixedNow);
    SetLevel(Level::kInfo);
  }
  void TearDown() override {
    SetSink(nullptr);
    SetTimeSource(nullptr);
    SetLevel(Level::kInfo);
  }
  CapturingSink sink_;
};

TEST_F(LogTest, WritesLogfmtWithTimestampLevelCallerAndFields) {
  Info("listening", {{"address", "127.0.0.1:9090"}, {"workers", 4}, {"tls", false}});
  std::vector<std::string> lines = sink_.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], StartsWith("ts=2026-11-22T00:00:00.123Z level=info caller=log_test.cc:"));
  EXPECT_THAT(lines[0], HasSubstr(" msg=listening address=127.0.0.1:9090 workers=4 tls=false"));
}

TEST_F(LogTest, QuotesAndEscapesValuesThatNeedIt) {
  std::string line = FormatLine(FixedNow(), Level::kError, "x.cc:1", "bad \"input\"",
                                {{"err", absl::InvalidArgumentError("line 3:\tunexpected =")}, {"empty", ""}});
  EXPECT_EQ(line,
            "ts=2026-11-22T00:00:00.123Z level=error caller=x.cc:1 msg=\"bad \\\"input\\\"\" "
            "err=\"line 3:\\tunexpected =\" empty=\"\"");
}

TEST_F(LogTest, DropsLinesBelowLevel) {
  Debug("hidden");
  SetLevel(Level::kWarn);
  Info("hidden too");
  Warn("shown");
  Error("shown too");
  std::vector<std::string> lines = sink_.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], HasSubstr("level=warn"));
  EXPECT_THAT(lines[1], HasSubstr("level=error"));
}

TEST_F(LogTest, FieldsRenderDurationsAndStatus) {
  Info("done", {{"took", absl::Milliseconds(1500)}, {"status", absl::OkStatus()}, {"ratio", 0.25}});
  EXPECT_THAT(sink_.lines().at(0), HasSubstr("took=1.5s status=ok ratio=0.25"));
}

TEST(LogLevelTest, ParsesNamesAndRejectsOthers) {
  EXPECT_EQ(*ParseLevel("debug"), Level::kDebug);
  EXPECT_EQ(*ParseLevel("INFO"), Level::kInfo);
  EXPECT_EQ(*ParseLevel("warn"), Level::kWarn);
  EXPECT_EQ(*ParseLevel("error"), Level::kError);
  absl::StatusOr<Level> bad = ParseLevel("verbose");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("unknown log level \"verbose\""));
}

}  // namespace
}  // namespace vigil::log
