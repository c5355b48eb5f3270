// Sends a generated fleet to a Prometheus remote_write 1.0 receiver (contract section 4.1): snappy-compressed
// protobuf WriteRequests with the protocol's headers, in batches, from several connections, retrying 5xx, 429
// and transport errors with exponential backoff. Only loopback receivers are accepted: the generator is a test
// and benchmark tool and must never load a real service by accident.
//
//   RemoteWriteOptions o{.url = "http://127.0.0.1:9090/api/v1/write", .concurrency = 4};
//   VIGIL_RETURN_IF_ERROR(CheckLoopbackUrl(o.url));
//   http::HttplibClient client;
//   RemoteWriteStats stats;
//   absl::Status s = SendRemoteWrite(fleet, &client, RealClock(), o, &stats);
#ifndef VIGIL_TOOLS_DATAGEN_REMOTE_WRITE_H_
#define VIGIL_TOOLS_DATAGEN_REMOTE_WRITE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/clock/clock.h"
#include "base/http/client.h"
#include "tools/datagen/fleet.h"

namespace vigil::datagen {

struct RemoteWriteOptions {
  // The receiver, e.g. "http://127.0.0.1:9090/api/v1/write"; must be loopback (CheckLoopbackUrl).
  std::string url;
  // Samples per request. Each sample is its own TimeSeries, as Prometheus' queue manager sends them.
  size_t batch_samples = 2000;
  // Parallel senders. Hosts are sharded (host index % concurrency); each shard sends its samples in time order,
  // so every series arrives in order.
  int concurrency = 1;
  // Retries of one batch after a 5xx, a 429 or a transport error; other 4xx are never retried.
  int max_retries = 5;
  // The wait before retry k is initial_backoff * 2^(k-1), at most max_backoff; a Retry-After header (seconds)
  // can lengthen it up to max_backoff.
  absl::Duration initial_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(2);
  // Per-request timeout.
  absl::Duration timeout = absl::Seconds(30);
  // Stop everything after this many batches failed for good.
  int max_failed_batches = 10;
  // Sent as User-Agent; "vigil-datagen/<version>" if empty.
  std::string user_agent;
};

// What a send did.
struct RemoteWriteStats {
  uint64_t samples_sent = 0;    // in batches the receiver accepted (2xx)
  uint64_t samples_failed = 0;  // in batches that failed for good
  uint64_t requests = 0;        // HTTP requests made, retries included
  uint64_t bytes_sent = 0;      // compressed request bodies
  uint64_t retries = 0;
  uint64_t failed_batches = 0;
  std::string first_error;  // of the first batch that failed for good
};

// OK if `url` is an http:// URL whose host is a loopback address (127.0.0.0/8, ::1) or "localhost";
// InvalidArgument quoting the URL otherwise.
absl::Status CheckLoopbackUrl(std::string_view url);

// The wait before retry number `retry` (1 for the first).
absl::Duration Backoff(const RemoteWriteOptions& options, int retry);

// Sends every sample of `fleet` (see RemoteWriteOptions) through `client`, waiting between retries on `clock`.
// `stats` (required) is filled in either way. OK when every batch was accepted; otherwise Unavailable saying how
// many batches and samples failed, with the first failure.
absl::Status SendRemoteWrite(const Fleet& fleet, http::Client* client, Clock* clock, const RemoteWriteOptions& options,
                             RemoteWriteStats* stats);

}  // namespace vigil::datagen

#endif  // VIGIL_TOOLS_DATAGEN_REMOTE_WRITE_H_
