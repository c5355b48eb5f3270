// vigil-agent's HTTP face: the scrape target and the health checks, on one listen address.
//
//   GET /metrics    the latest completed snapshot, in Prometheus text 0.0.4 or OpenMetrics 1.0 as the Accept
//                   header asks (wire/exposition NegotiateFormat), gzip-compressed when Accept-Encoding allows
//                   (base/http does that); 503 until the first cycle completes
//   GET /-/healthy  200 while the process serves HTTP
//   GET /-/ready    200 once the first collection cycle is published, else 503
//   GET /           a short page pointing at /metrics
#ifndef VIGIL_AGENT_SERVER_AGENT_SERVER_H_
#define VIGIL_AGENT_SERVER_AGENT_SERVER_H_

#include <atomic>
#include <cstddef>
#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "agent/snapshot/snapshot_exchange.h"
#include "base/http/server.h"

namespace vigil::agent {

class AgentServer {
 public:
  // `exchange` must outlive the server; `ready` says whether a cycle has completed (CollectionLoop::ready).
  AgentServer(const SnapshotExchange* exchange, std::function<bool()> ready, http::ServerOptions options);

  absl::Status Start() { return http_.Start(); }
  int port() const { return http_.port(); }
  void Shutdown(absl::Duration grace) { http_.Shutdown(grace); }

  // The underlying server, for routing tests (Handle) and for later receivers to register on.
  http::Server& http() { return http_; }

 private:
  void ServeMetrics(const http::Request& req, http::Response* resp);

  const SnapshotExchange* const exchange_;
  const std::function<bool()> ready_;
  http::Server http_;
};

}  // namespace vigil::agent

#endif  // VIGIL_AGENT_SERVER_AGENT_SERVER_H_
