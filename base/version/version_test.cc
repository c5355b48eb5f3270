#include "base/version/version.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil {
namespace {

TEST(VersionTest, LineNamesProgramVersionAndBuild) {
  BuildInfo info = GetBuildInfo();
  EXPECT_EQ(info.version, kVersion);
  EXPECT_FALSE(info.compiler.empty());
  EXPECT_THAT(info.build_type, ::testing::AnyOf("opt", "dbg", "sanitized"));
  EXPECT_EQ(VersionLine("vigil-store"),
            "vigil-store " + info.version + " (" + info.compiler + ", " + info.build_type + ")");
}

}  // namespace
}  // namespace vigil
