// vigilctl: operator commands for Vigil.
//
//   vigilctl tsdb analyze DIR [--top=N]        what a (stopped) store's data directory holds
//   vigilctl import FILE URL [--format=F]       stream a text/OpenMetrics file into a store's /api/v1/import
//   vigilctl query [--time=T] EXPR URL          run an instant PromQL query and print a table
//   vigilctl query_range --start=S --end=E --step=D EXPR URL   the same over a range
//   vigilctl --version
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/flags/flags.h"
#include "base/http/client.h"
#include "base/version/version.h"
#include "tools/vigilctl/analyze.h"
#include "tools/vigilctl/query_command.h"

namespace vigil::vigilctl {
namespace {

constexpr char kUsage[] =
    "usage:\n"
    "  vigilctl tsdb analyze DIR [--top=N]\n"
    "  vigilctl import FILE URL [--format=openmetrics|text]\n"
    "  vigilctl query [--time=T] EXPR URL\n"
    "  vigilctl query_range --start=S --end=E --step=D EXPR URL\n"
    "  vigilctl --version\n";

int Fail(const std::string& msg) {
  std::fprintf(stderr, "vigilctl: %s\n", msg.c_str());
  return 1;
}

int Analyze(const std::string& dir, int64_t top) {
  absl::StatusOr<TsdbAnalysis> a = AnalyzeTsdb(dir, static_cast<size_t>(top));
  if (!a.ok()) return Fail(std::string(a.status().message()));
  std::fputs(FormatAnalysis(*a).c_str(), stdout);
  return 0;
}

int Import(const std::string& file, std::string url, const std::string& format) {
  std::string content_type;
  if (format == "openmetrics") {
    content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
  } else if (format == "text") {
    content_type = "text/plain; version=0.0.4; charset=utf-8";
  } else {
    return Fail(absl::StrCat("--format: \"", format, "\" is not openmetrics or text"));
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.find("/api/v1/import") == std::string::npos) url += "/api/v1/import";
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (f == nullptr) return Fail(absl::StrCat("cannot open ", file));
  uint64_t sent = 0;
  http::HttplibClient client;
  absl::StatusOr<http::ClientResponse> resp = client.PostStream(
      url, {{"Content-Type", content_type}},
      [&](std::string* chunk) -> absl::StatusOr<bool> {
        chunk->resize(1 << 20);
        size_t n = std::fread(chunk->data(), 1, chunk->size(), f);
        if (n == 0) {
          if (std::ferror(f)) return absl::DataLossError(absl::StrCat("reading ", file, " failed"));
          return false;
        }
        chunk->resize(n);
        sent += n;
        return true;
      },
      absl::Minutes(10));
  std::fclose(f);
  if (!resp.ok()) return Fail(absl::StrCat("import failed after ", sent, " bytes: ", resp.status().message()));
  std::printf("%d %s", resp->status, resp->body.c_str());
  return resp->status == 200 ? 0 : 1;
}

int Query(QueryArgs args) {
  http::HttplibClient client;
  absl::StatusOr<std::string> table = RunQuery(&client, args);
  if (!table.ok()) return Fail(std::string(table.status().message()));
  std::fputs(table->c_str(), stdout);
  return 0;
}

int Run(int argc, char** argv) {
  int64_t top = 20;
  std::string format = "openmetrics";
  QueryArgs query;
  FlagSet flags("vigilctl", "Operator commands for Vigil.");
  flags.Int64("top", &top, "tsdb analyze: how many metrics to list.");
  flags.String("format", &format, "import: openmetrics (timestamps in seconds) or text (milliseconds).");
  flags.String("time", &query.time, "query: evaluation time (RFC3339 or Unix seconds); default the server's now.");
  flags.String("start", &query.start, "query_range: start time (RFC3339 or Unix seconds).");
  flags.String("end", &query.end, "query_range: end time (RFC3339 or Unix seconds).");
  flags.String("step", &query.step, "query_range: resolution step (duration such as 15s, or seconds).");
  if (absl::Status s = flags.Parse(argc, argv); !s.ok()) return Fail(std::string(s.message()));
  if (flags.version_requested()) {
    std::printf("%s\n", VersionLine("vigilctl").c_str());
    return 0;
  }
  const std::vector<std::string>& args = flags.positional();
  if (flags.help_requested() || args.empty()) {
    std::fputs(kUsage, flags.help_requested() ? stdout : stderr);
    return flags.help_requested() ? 0 : 2;
  }
  if (args.size() == 3 && args[0] == "tsdb" && args[1] == "analyze") return Analyze(args[2], top);
  if (args.size() == 3 && args[0] == "import") return Import(args[1], args[2], format);
  if (args.size() == 3 && (args[0] == "query" || args[0] == "query_range")) {
    query.expr = args[1];
    query.url = args[2];
    query.range = args[0] == "query_range";
    if (query.range && (query.start.empty() || query.end.empty() || query.step.empty())) {
      return Fail("query_range needs --start, --end and --step");
    }
    return Query(query);
  }
  std::fputs(kUsage, stderr);
  return 2;
}

}  // namespace
}  // namespace vigil::vigilctl

int main(int argc, char** argv) { return vigil::vigilctl::Run(argc, argv); }
