// Query results: what the engine returns and the HTTP API renders. Shapes follow Prometheus' promql.Value:
// a scalar or string at a time, an instant vector of samples, or a matrix of series.
#ifndef VIGIL_QUERY_ENGINE_VALUE_H_
#define VIGIL_QUERY_ENGINE_VALUE_H_

#include <string>
#include <variant>
#include <vector>

#include "model/labels.h"
#include "model/sample.h"
#include "query/promql/ast.h"

namespace vigil::query {

struct Scalar {
  TimestampMs t = 0;
  double v = 0;
};

struct StringValue {
  TimestampMs t = 0;
  std::string v;
};

// One element of an instant vector.
struct VectorSample {
  Labels metric;
  TimestampMs t = 0;
  double v = 0;
};
using Vector = std::vector<VectorSample>;

// One series of a range-query result (or of a range-vector instant query): points oldest first.
struct MatrixSeries {
  Labels metric;
  std::vector<Sample> points;
};
// Series sorted by labels (Labels::Compare) for range queries, as Prometheus sorts them.
using Matrix = std::vector<MatrixSeries>;

// The result of a query. The type follows from the variant: Scalar -> scalar, StringValue -> string,
// Vector -> vector, Matrix -> matrix.
struct QueryResult {
  std::variant<Scalar, StringValue, Vector, Matrix> value;
  // Annotations as Prometheus 3 returns them: warnings (e.g. "PromQL warning: ...") and infos.
  std::vector<std::string> warnings;
  std::vector<std::string> infos;
  // Samples touched, for the optional stats object.
  int64_t total_samples = 0;

  promql::ValueType type() const;
};

}  // namespace vigil::query

#endif  // VIGIL_QUERY_ENGINE_VALUE_H_
