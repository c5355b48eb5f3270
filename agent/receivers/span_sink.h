// Where trace receivers deliver decoded spans: the agent's queue to the store, or the store's trace store. The
// receivers (trace_receivers.h) are the same in both binaries; only the sink differs.
#ifndef VIGIL_AGENT_RECEIVERS_SPAN_SINK_H_
#define VIGIL_AGENT_RECEIVERS_SPAN_SINK_H_

#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "model/span.h"

namespace vigil::receivers {

// Takes the spans of one request. Called concurrently from HTTP worker threads, so implementations must be
// thread-safe. The status decides what the client is told, and so whether it retries:
//   OK                  stored or queued durably enough to acknowledge (200 / 202);
//   ResourceExhausted   full right now (queue at capacity, rate limit): 429 with Retry-After, the client retries;
//   Unavailable         cannot take data right now (shutting down, storage failing): 503 with Retry-After;
//   InvalidArgument     the data is refused for good (the message says why): 400, the client drops it;
//   anything else       500, which OTLP clients do not retry.
// A sink that refuses a request keeps none of it, so a retried request is not stored twice.
class SpanSink {
 public:
  virtual ~SpanSink() = default;
  virtual absl::Status Consume(std::vector<Span> spans) = 0;

  // The same, for spans that arrived from the TCP peer `peer_addr` ("ip:port", as http::Request::remote_addr).
  // The receivers call this one; a sink that labels spans by their sender (the agent's, adding the sender's
  // pod) overrides it, every other sink ignores the peer.
  virtual absl::Status ConsumeFrom(std::string_view peer_addr, std::vector<Span> spans) {
    (void)peer_addr;
    return Consume(std::move(spans));
  }
};

}  // namespace vigil::receivers

#endif  // VIGIL_AGENT_RECEIVERS_SPAN_SINK_H_
