#include "agent/traces/trace_shipping.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/ship/agent_sender.h"
#include "base/clock/clock.h"
#include "base/fs/file_system.h"
#include "base/log/log.h"
#include "base/status/status_macros.h"
#include "model/hash.h"

namespace vigil::agent {
namespace {

// The agent takes requests of up to this size (OTLP SDKs batch 512 spans by default: well under 1 MiB).
constexpr size_t kMaxTraceRequestBytes = size_t{16} << 20;

}  // namespace

absl::StatusOr<std::unique_ptr<TraceShipping>> TraceShipping::Create(const AgentConfig& cfg,
                                                                     discovery::ContainerDiscovery* discovery) {
  if (cfg.traces_urls.empty()) return nullptr;
  std::unique_ptr<TraceShipping> t(new TraceShipping());
  VIGIL_ASSIGN_OR_RETURN(t->metrics_, exporters::SenderMetrics::Register(&t->registry_, "otlp", "spans"));
  std::vector<exporters::QueuedSender*> senders;
  for (const std::string& url : cfg.traces_urls) {
    exporters::QueuedSenderOptions o;
    o.protocol = OtlpTracesProtocol();
    o.url = url;
    VIGIL_ASSIGN_OR_RETURN(
        std::unique_ptr<exporters::QueuedSender> sender,
        OpenAgentSender(cfg, "traces-", std::move(o), &t->client_, RealFileSystem(), RealClock(), t->metrics_.get()));
    sender->Start();
    senders.push_back(sender.get());
    t->senders_.push_back(std::move(sender));
  }
  if (discovery != nullptr) {
    discovery::PeerResolver::Options r;
    r.procfs = cfg.procfs;
    t->resolver_ = std::make_unique<discovery::PeerResolver>(discovery, r);
  }
  t->shipper_ = std::make_unique<SpanShipper>(std::move(senders), t->resolver_.get(), EffectiveNodeName(cfg));
  receivers::TraceReceiverOptions ro;
  ro.max_request_bytes = kMaxTraceRequestBytes;
  t->receivers_ = std::make_unique<receivers::TraceReceivers>(t->shipper_.get(), &t->registry_, ro);
  t->listen_addresses_ = cfg.receiver_listen_addresses;
  return t;
}

TraceShipping::~TraceShipping() {
  if (absl::Status s = Close(absl::ZeroDuration()); !s.ok()) log::Error("closing trace shipping", {{"err", s}});
}

void TraceShipping::RegisterReceivers(http::Server* server) {
  receivers_->RegisterOtlp(server);
  receivers_->RegisterZipkin(server);
}

absl::Status TraceShipping::StartListeners() {
  for (const std::string& address : listen_addresses_) {
    http::ServerOptions o;
    o.listen_address = address;
    o.max_request_bytes = kMaxTraceRequestBytes;
    o.worker_threads = 4;
    auto server = std::make_unique<http::Server>(o);
    RegisterReceivers(server.get());
    if (absl::Status s = server->Start(); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("trace receivers on ", address, ": ", s.message()));
    }
    log::Info("trace receivers listening", {{"address", address}});
    listeners_.push_back(std::move(server));
  }
  return absl::OkStatus();
}

absl::Status TraceShipping::Close(absl::Duration grace) {
  for (auto& l : listeners_) l->Shutdown(grace);
  listeners_.clear();
  absl::Status result;
  for (auto& s : senders_) {
    s->Stop();
    if (absl::Status st = s->queue()->Sync(); !st.ok()) result.Update(st);
  }
  return result;
}

}  // namespace vigil::agent
