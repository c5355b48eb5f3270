#include "agent/ship/shipping.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/loop/registry_collector.h"
#include "agent/ship/agent_sender.h"
#include "base/clock/clock.h"
#include "base/fs/file_system.h"
#include "base/http/client.h"
#include "base/log/log.h"
#include "base/metrics/registry.h"
#include "base/status/status_macros.h"
#include "exporters/remote_write/remote_write_protocol.h"
#include "exporters/remote_write/write_request_builder.h"
#include "exporters/sender/queued_sender.h"
#include "exporters/sender/sender_metrics.h"
#include "model/hash.h"

namespace vigil::agent {
namespace {

// One destination: each cycle becomes requests (external labels added, samples stamped with the cycle time)
// queued on disk; the sender's thread delivers them in order.
class RemoteWriteShipper final : public Shipper {
 public:
  RemoteWriteShipper(remote_write::WriteRequestBuilder builder, std::unique_ptr<exporters::QueuedSender> sender)
      : builder_(std::move(builder)), sender_(std::move(sender)) {}

  void Ship(const Snapshot& snapshot) override {
    uint64_t rejected = 0;
    snapshot.ForEachSample([&](std::span<const Label> series, double value) {
      absl::Status s = builder_.Add(series, snapshot.timestamp(), value);
      if (!s.ok()) {
        // Only a label value that is not UTF-8 gets here (the snapshot checks everything else); one log line
        // per cycle is enough.
        if (rejected++ == 0) log::Warn("sample not shippable", {{"url", sender_->url()}, {"err", s}});
      }
    });
    if (rejected > 0) sender_->metrics().items_dropped->Add(static_cast<double>(rejected));
    for (const remote_write::EncodedRequest& r : builder_.Finish()) {
      if (absl::Status s = sender_->Enqueue(r.body, r.samples); !s.ok()) {
        log::Error("cannot queue a remote_write request; its samples are dropped",
                   {{"url", sender_->url()}, {"err", s}});
      }
    }
  }

  exporters::QueuedSender* sender() { return sender_.get(); }

 private:
  remote_write::WriteRequestBuilder builder_;
  std::unique_ptr<exporters::QueuedSender> sender_;
};

class RemoteWriteShipping final : public Shipping {
 public:
  RemoteWriteShipping() : collector_(&registry_, "remote_write") {}

  absl::Status Init(const AgentConfig& cfg) {
    VIGIL_ASSIGN_OR_RETURN(metrics_, exporters::SenderMetrics::Register(&registry_, "remote_write", "samples"));
    remote_write::WriteRequestBuilderOptions builder_options;
    for (const auto& [name, value] : cfg.external_labels) builder_options.external_labels.emplace_back(name, value);
    for (const RemoteWriteTarget& target : cfg.remote_write) {
      VIGIL_ASSIGN_OR_RETURN(remote_write::WriteRequestBuilder builder,
                             remote_write::WriteRequestBuilder::Create(builder_options));
      exporters::QueuedSenderOptions o;
      o.protocol = remote_write::RemoteWriteProtocol();
      o.url = target.url;
      o.timeout = target.timeout;
      VIGIL_ASSIGN_OR_RETURN(
          std::unique_ptr<exporters::QueuedSender> sender,
          OpenAgentSender(cfg, "", std::move(o), &client_, RealFileSystem(), RealClock(), metrics_.get()));
      sender->Start();
      shippers_.push_back(std::make_unique<RemoteWriteShipper>(std::move(builder), std::move(sender)));
    }
    return absl::OkStatus();
  }

  std::vector<Shipper*> shippers() override {
    std::vector<Shipper*> out;
    for (auto& s : shippers_) out.push_back(s.get());
    return out;
  }

  Collector* metrics_collector() override { return &collector_; }

  absl::Status Close() override {
    absl::Status result;
    for (auto& s : shippers_) {
      s->sender()->Stop();
      if (absl::Status st = s->sender()->queue()->Sync(); !st.ok()) result.Update(st);
    }
    return result;
  }

 private:
  metrics::Registry registry_;
  RegistryCollector collector_;
  http::HttplibClient client_;
  std::unique_ptr<exporters::SenderMetrics> metrics_;
  std::vector<std::unique_ptr<RemoteWriteShipper>> shippers_;
};

class NoShipping final : public Shipping {
 public:
  std::vector<Shipper*> shippers() override { return {}; }
  Collector* metrics_collector() override { return nullptr; }
  absl::Status Close() override { return absl::OkStatus(); }
};

}  // namespace

absl::StatusOr<std::unique_ptr<Shipping>> Shipping::Create(const AgentConfig& cfg) {
  if (cfg.remote_write.empty()) return std::make_unique<NoShipping>();
  auto shipping = std::make_unique<RemoteWriteShipping>();
  VIGIL_RETURN_IF_ERROR(shipping->Init(cfg));
  return shipping;
}

}  // namespace vigil::agent
