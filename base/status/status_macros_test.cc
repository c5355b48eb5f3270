#include "base/status/status_macros.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace vigil {
namespace {

absl::Status FailIf(bool fail) { return fail ? absl::InvalidArgumentError("bad") : absl::OkStatus(); }

absl::StatusOr<std::unique_ptr<int>> MakeInt(bool fail, int v) {
  if (fail) return absl::NotFoundError("none");
  return std::make_unique<int>(v);
}

absl::Status Chain(bool first_fails, bool second_fails, int* calls) {
  ++*calls;
  VIGIL_RETURN_IF_ERROR(FailIf(first_fails));
  ++*calls;
  VIGIL_RETURN_IF_ERROR(FailIf(second_fails));
  ++*calls;
  return absl::OkStatus();
}

absl::StatusOr<int> Sum(bool fail_a, bool fail_b) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<int> a, MakeInt(fail_a, 2));  // move-only value
  std::unique_ptr<int> b;
  VIGIL_ASSIGN_OR_RETURN(b, MakeInt(fail_b, 3));  // assignment to an existing lvalue
  return *a + *b;
}

TEST(StatusMacrosTest, ReturnIfErrorStopsAtFirstError) {
  int calls = 0;
  EXPECT_TRUE(Chain(false, false, &calls).ok());
  EXPECT_EQ(calls, 3);
  calls = 0;
  absl::Status s = Chain(true, false, &calls);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(calls, 1);
  calls = 0;
  EXPECT_FALSE(Chain(false, true, &calls).ok());
  EXPECT_EQ(calls, 2);
}

TEST(StatusMacrosTest, AssignOrReturnMovesValueOrPropagates) {
  absl::StatusOr<int> ok = Sum(false, false);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 5);
  EXPECT_EQ(Sum(true, false).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Sum(false, true).status().code(), absl::StatusCode::kNotFound);
}

TEST(StatusMacrosTest, AnnotateKeepsCodeAndPrependsContext) {
  absl::Status s = Annotate(absl::DataLossError("checksum mismatch"), "segment 7");
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "segment 7: checksum mismatch");
  EXPECT_TRUE(Annotate(absl::OkStatus(), "ignored").ok());
}

}  // namespace
}  // namespace vigil
