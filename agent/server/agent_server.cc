#include "agent/server/agent_server.h"

#include <memory>
#include <string>
#include <utility>

#include "wire/exposition/format.h"

namespace vigil::agent {
namespace {

// /metrics is sent in pieces of about this size (whole families), each gzipped as it goes.
constexpr size_t kPieceBytes = size_t{128} << 10;

}  // namespace

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
  // Streamed in pieces of whole families: a 300-container page is 5 MB, which the agent would otherwise hold
  // (twice, with its gzip copy) for every scrape, raising its peak RSS from 14 to 24 MB.
  auto next_family = std::make_shared<size_t>(0);
  resp->body_stream = [snapshot, format, next_family](std::string* piece) {
    return snapshot->RenderSome(format, kPieceBytes, next_family.get(), piece);
  };
}

}  // namespace vigil::agent
