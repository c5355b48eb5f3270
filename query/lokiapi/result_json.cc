#include "query/lokiapi/result_json.h"

#include <cstdint>
#include <string>
#include <variant>

#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "query/api/json.h"

namespace vigil::lokiapi {
namespace {

using query::api::AppendFloatSeconds;
using query::api::AppendJsonString;
using query::api::AppendLabelsObject;
using query::api::AppendScalarValue;

// Non-negative integer fields of the stats object.
void Field(std::string_view name, uint64_t v, std::string* out, bool comma = true) {
  absl::StrAppend(out, comma ? "," : "", "\"", AV(name), "\":", v);
}

void AppendChunkStoreStats(const logengine::QueryStats& s, std::string* out) {
  out->append(R"({"totalChunksRef":0,"totalChunksDownloaded":0,"chunksDownloadTime":0,)"
              R"("queryReferencedStructuredMetadata":false,"chunk":{)");
  Field("headChunkBytes", 0, out, false);
  Field("headChunkLines", 0, out);
  Field("decompressedBytes", s.bytes_processed, out);
  Field("decompressedLines", s.lines_processed, out);
  Field("compressedBytes", 0, out);
  Field("totalDuplicates", 0, out);
  Field("postFilterLines", s.post_filter_lines, out);
  Field("headChunkStructuredMetadataBytes", 0, out);
  Field("decompressedStructuredMetadataBytes", s.structured_metadata_bytes, out);
  out->append(R"(},"chunkRefsFetchTime":0,"congestionControlLatency":0,"pipelineWrapperFilteredLines":0})");
}

void AppendCacheStats(std::string* out) {
  static constexpr std::string_view kCaches[] = {"chunk",        "index",        "result",      "statsResult",
                                                 "volumeResult", "seriesResult", "labelResult", "instantMetricResult"};
  out->push_back('{');
  bool first = true;
  for (std::string_view c : kCaches) {
    absl::StrAppend(out, first ? "" : ",", "\"", AV(c),
                    R"(":{"entriesFound":0,"entriesRequested":0,"entriesStored":0,"bytesReceived":0,)"
                    R"("bytesSent":0,"requests":0,"downloadTime":0,"queryLengthServed":0})");
    first = false;
  }
  out->push_back('}');
}

void AppendSample(TimestampMs t_ms, double v, std::string* out) {
  out->push_back('[');
  AppendFloatSeconds(t_ms, out);
  out->push_back(',');
  AppendScalarValue(v, out);
  out->push_back(']');
}

void AppendStreams(const logengine::Streams& streams, bool categorize, std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < streams.size(); ++i) {
    const logengine::LogStream& s = streams[i];
    if (i > 0) out->push_back(',');
    out->append(R"({"stream":)");
    AppendLabelsObject(s.labels, out);
    out->append(R"(,"values":[)");
    for (size_t j = 0; j < s.lines.size(); ++j) {
      const logengine::LogLine& l = s.lines[j];
      if (j > 0) out->push_back(',');
      absl::StrAppend(out, "[\"", l.timestamp_ns, "\",");
      AppendJsonString(l.line, out);
      if (categorize) {
        out->append(",{");
        bool any = false;
        if (!l.structured_metadata.empty()) {
          out->append(R"("structuredMetadata":)");
          AppendLabelsObject(l.structured_metadata, out);
          any = true;
        }
        if (!l.parsed.empty()) {
          if (any) out->push_back(',');
          out->append(R"("parsed":)");
          AppendLabelsObject(l.parsed, out);
        }
        out->push_back('}');
      }
      out->push_back(']');
    }
    out->append("]}");
  }
  out->push_back(']');
}

}  // namespace

void AppendStatsJson(const logengine::QueryStats& s, std::string* out) {
  const double secs = s.exec_time_seconds;
  auto per_second = [secs](uint64_t n) -> uint64_t {
    return secs > 0 ? static_cast<uint64_t>(static_cast<double>(n) / secs) : 0;
  };
  out->append(R"({"summary":{)");
  Field("bytesProcessedPerSecond", per_second(s.bytes_processed), out, false);
  Field("linesProcessedPerSecond", per_second(s.lines_processed), out);
  Field("totalBytesProcessed", s.bytes_processed, out);
  Field("totalLinesProcessed", s.lines_processed, out);
  out->append(R"(,"execTime":)");
  query::api::AppendJsonNumber(secs, out);
  out->append(R"(,"queueTime":0,"subqueries":0)");
  Field("totalEntriesReturned", s.entries_returned, out);
  out->append(R"(,"splits":0,"shards":0)");
  Field("totalPostFilterLines", s.post_filter_lines, out);
  Field("totalStructuredMetadataBytesProcessed", s.structured_metadata_bytes, out);
  out->append(R"(},"querier":{"store":)");
  AppendChunkStoreStats(s, out);
  out->append(R"(},"ingester":{"totalReached":0,"totalChunksMatched":0,"totalBatches":0,"totalLinesSent":0,)"
              R"("store":)");
  logengine::QueryStats zero;
  AppendChunkStoreStats(zero, out);
  out->append(R"(},"cache":)");
  AppendCacheStats(out);
  out->push_back('}');
}

std::string QueryResponseJson(const logengine::QueryResult& result, bool categorize_labels) {
  std::string out = R"({"status":"success","data":{"resultType":)";
  if (const auto* streams = std::get_if<logengine::Streams>(&result.value)) {
    out.append(R"("streams",)");
    if (categorize_labels) out.append(R"("encodingFlags":["categorize-labels"],)");
    out.append(R"("result":)");
    AppendStreams(*streams, categorize_labels, &out);
  } else if (const auto* vec = std::get_if<logengine::Vector>(&result.value)) {
    out.append(R"("vector","result":[)");
    for (size_t i = 0; i < vec->size(); ++i) {
      if (i > 0) out.push_back(',');
      out.append(R"({"metric":)");
      AppendLabelsObject((*vec)[i].metric, &out);
      out.append(R"(,"value":)");
      AppendSample((*vec)[i].t_ms, (*vec)[i].value, &out);
      out.push_back('}');
    }
    out.push_back(']');
  } else if (const auto* m = std::get_if<logengine::Matrix>(&result.value)) {
    out.append(R"("matrix","result":[)");
    for (size_t i = 0; i < m->size(); ++i) {
      if (i > 0) out.push_back(',');
      out.append(R"({"metric":)");
      AppendLabelsObject((*m)[i].metric, &out);
      out.append(R"(,"values":[)");
      for (size_t j = 0; j < (*m)[i].points.size(); ++j) {
        if (j > 0) out.push_back(',');
        AppendSample((*m)[i].points[j].t, (*m)[i].points[j].v, &out);
      }
      out.append("]}");
    }
    out.push_back(']');
  } else {
    const auto& s = std::get<logengine::ScalarValue>(result.value);
    out.append(R"("scalar","result":)");
    AppendSample(s.t_ms, s.value, &out);
  }
  out.append(R"(,"stats":)");
  AppendStatsJson(result.stats, &out);
  out.append("}}");
  return out;
}

}  // namespace vigil::lokiapi
