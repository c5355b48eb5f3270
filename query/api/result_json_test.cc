#include "query/api/result_json.h"

#include <cmath>
#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace vigil::query::api {
namespace {

std::string Data(const QueryResult& r, int64_t limit = 0, bool* truncated = nullptr) {
  std::string out;
  bool t = AppendQueryData(r, limit, /*open=*/false, &out);
  if (truncated != nullptr) *truncated = t;
  return out;
}

TEST(ResultJsonTest, ScalarAsPrometheusHealthCheck) {
  QueryResult r;
  r.value = Scalar{4000, 2};
  EXPECT_EQ(Data(r), R"({"resultType":"scalar","result":[4,"2"]})");
  r.value = Scalar{1500, 1e-7};
  EXPECT_EQ(Data(r), R"({"resultType":"scalar","result":[1.5,"0.0000001"]})");
}

TEST(ResultJsonTest, String) {
  QueryResult r;
  r.value = StringValue{1700000000123, "a<b>\"c\""};
  EXPECT_EQ(Data(r), R"({"resultType":"string","result":[1700000000.123,"a\u003cb\u003e\"c\""]})");
}

TEST(ResultJsonTest, Vector) {
  QueryResult r;
  r.value = Vector{{Labels{{"__name__", "up"}, {"job", "a"}}, 1700000000500, 1},
                   {Labels{{"job", "b"}}, 1700000000500, std::numeric_limits<double>::infinity()},
                   {Labels(), 1700000000500, std::nan("")}};
  EXPECT_EQ(Data(r),
            R"({"resultType":"vector","result":[{"metric":{"__name__":"up","job":"a"},"value":[1700000000.500,"1"]},)"
            R"({"metric":{"job":"b"},"value":[1700000000.500,"+Inf"]},)"
            R"({"metric":{},"value":[1700000000.500,"NaN"]}]})");
  bool truncated = false;
  EXPECT_EQ(
      Data(r, 1, &truncated),
      R"({"resultType":"vector","result":[{"metric":{"__name__":"up","job":"a"},"value":[1700000000.500,"1"]}]})");
  EXPECT_TRUE(truncated);
  Data(r, 3, &truncated);
  EXPECT_FALSE(truncated);
  r.value = Vector{};
  EXPECT_EQ(Data(r), R"({"resultType":"vector","result":[]})");
}

TEST(ResultJsonTest, Matrix) {
  QueryResult r;
  Matrix m;
  m.push_back({Labels{{"job", "a"}}, {{1700000000000, 1}, {1700000015000, 1e6}}});
  m.push_back({Labels{{"job", "b"}}, {}});
  r.value = m;
  EXPECT_EQ(Data(r), R"({"resultType":"matrix","result":[{"metric":{"job":"a"},"values":[[1700000000,"1"],)"
                     R"([1700000015,"1000000"]]},{"metric":{"job":"b"}}]})");
  std::string open;
  AppendQueryData(r, 0, /*open=*/true, &open);
  EXPECT_EQ(open.back(), ']');
  EXPECT_EQ(ResultTypeName(r), "matrix");
}

}  // namespace
}  // namespace vigil::query::api
