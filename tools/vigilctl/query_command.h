// `vigilctl query` and `vigilctl query_range`: run PromQL against a store's (or any Prometheus') HTTP API and
// print the result as a table, one row per sample:
//
//   $ vigilctl query 'up' http://store:9201
//   LABELS                          TIME                      VALUE
//   up{instance="a:9100",job="node"}  2023-11-14T22:13:20.000Z  1
#ifndef VIGIL_TOOLS_VIGILCTL_QUERY_COMMAND_H_
#define VIGIL_TOOLS_VIGILCTL_QUERY_COMMAND_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/http/client.h"

namespace vigil::vigilctl {

struct QueryArgs {
  std::string expr;
  // Base URL of the server ("http://store:9201"); a trailing "/" or a path prefix is kept.
  std::string url;
  // Instant query: evaluation time as the API accepts it (RFC3339 or Unix seconds); empty means the server's now.
  std::string time;
  // Range query when `range` is set: start, end (same formats) and step (duration or seconds).
  bool range = false;
  std::string start;
  std::string end;
  std::string step;
  absl::Duration timeout = absl::Minutes(2);
};

// Sends the query (POST form to /api/v1/query or /api/v1/query_range) and returns the printed table. A non-success
// answer becomes an error carrying the server's errorType and error ("bad_data: invalid parameter ...").
absl::StatusOr<std::string> RunQuery(http::Client* client, const QueryArgs& args);

// Renders a query response body (the API's JSON envelope) as the table above; warnings follow as "warning: ..."
// lines. InvalidArgument for a body that is not such an envelope.
absl::StatusOr<std::string> FormatQueryResponse(std::string_view body);

}  // namespace vigil::vigilctl

#endif  // VIGIL_TOOLS_VIGILCTL_QUERY_COMMAND_H_
