#include "query/api/result_json.h"

#include <algorithm>
#include <type_traits>
#include <variant>

#include "query/api/json.h"

namespace vigil::query::api {

std::string_view ResultTypeName(const QueryResult& result) {
  switch (result.value.index()) {
    case 0:
      return "scalar";
    case 1:
      return "string";
    case 2:
      return "vector";
    default:
      return "matrix";
  }
}

bool AppendQueryData(const QueryResult& result, int64_t limit, bool open, std::string* out) {
  out->append("{\"resultType\":\"");
  out->append(ResultTypeName(result));
  out->append("\",\"result\":");
  bool truncated = false;
  auto cap = [&](size_t n) {
    if (limit > 0 && n > static_cast<size_t>(limit)) {
      truncated = true;
      return static_cast<size_t>(limit);
    }
    return n;
  };
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, Scalar>) {
          out->push_back('[');
          AppendFloatSeconds(v.t, out);
          out->push_back(',');
          AppendScalarValue(v.v, out);
          out->push_back(']');
        } else if constexpr (std::is_same_v<T, StringValue>) {
          out->push_back('[');
          AppendFloatSeconds(v.t, out);
          out->push_back(',');
          AppendJsonString(v.v, out);
          out->push_back(']');
        } else if constexpr (std::is_same_v<T, Vector>) {
          size_t n = cap(v.size());
          out->push_back('[');
          for (size_t i = 0; i < n; ++i) {
            if (i > 0) out->push_back(',');
            out->append("{\"metric\":");
            AppendLabelsObject(v[i].metric, out);
            out->append(",\"value\":[");
            AppendTimestamp(v[i].t, out);
            out->push_back(',');
            AppendSampleValue(v[i].v, out);
            out->append("]}");
          }
          out->push_back(']');
        } else {
          size_t n = cap(v.size());
          out->push_back('[');
          for (size_t i = 0; i < n; ++i) {
            if (i > 0) out->push_back(',');
            out->append("{\"metric\":");
            AppendLabelsObject(v[i].metric, out);
            // Prometheus omits "values" for a series without points.
            if (!v[i].points.empty()) {
              out->append(",\"values\":[");
              bool first = true;
              for (const Sample& s : v[i].points) {
                if (!first) out->push_back(',');
                first = false;
                out->push_back('[');
                AppendTimestamp(s.t, out);
                out->push_back(',');
                AppendSampleValue(s.v, out);
                out->push_back(']');
              }
              out->push_back(']');
            }
            out->push_back('}');
          }
          out->push_back(']');
        }
      },
      result.value);
  if (!open) out->push_back('}');
  return truncated;
}

}  // namespace vigil::query::api
