#include "agent/server/agent_server.h"

#include <memory>
#include <string>
#include <utility>

#include "wire/exposition/format.h"

namespace vigil::agent {

AgentServer::AgentServer(const SnapshotExchange* exchange, std::function<bool()> ready, http::ServerOptions options)
    : exchange_(exchange), ready_(std::move(ready)), http_(std::move(options)) {
  http_.Get("/metrics", [this](const http::Request& req, http::Response* resp) { ServeMetrics(req, resp); });
  http_.Get("/-/healthy", [](const http::Request&, http::Response* resp) { resp->body = "vigil-agent is Healthy.\n"; });
  http_.Get("/-/ready", [this](const http::Request&, http::Response* resp) {
    if (ready_()) {
      resp->body = "vigil-agent is Ready.\n";
    } else {
      resp->status = 503;
      resp->body = "vigil-agent is not ready: no collection cycle has completed yet.\n";
    }
  });
  http_.Get("/", [](const http::Request&, http::Response* resp) {
    resp->content_type = "text/html; charset=utf-8";
    resp->body =
        "<html><head><title>vigil-agent</title></head><body><h1>vigil-agent</h1>"
        "<p><a href=\"/metrics\">Metrics</a></p></body></html>\n";
  });
}

void AgentServer::ServeMetrics(const http::Request& req, http::Response* resp) {
  std::shared_ptr<const Snapshot> snapshot = exchange_->Latest();
  if (snapshot == nullptr) {
    resp->status = 503;
    resp->body = "no collection cycle has completed yet\n";
    return;
  }
  const exposition::Format format = exposition::NegotiateFormat(req.Header("Accept"));
  resp->content_type = std::string(exposition::ContentType(format));
  // A little headroom: the page grows and shrinks with the containers on the node.
  resp->body.reserve(last_page_bytes_.load(std::memory_order_relaxed) * 9 / 8 + 4096);
  snapshot->Render(format, &resp->body);
  last_page_bytes_.store(resp->body.size(), std::memory_order_relaxed);
}

}  // namespace vigil::agent
