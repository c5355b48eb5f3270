// The agent's log pipeline, built from its configuration: a Tailer over the node's container log files, a
// TailerLoop, and one queued Loki push sender per --logs.url. Each batch is encoded once (protobuf + snappy) and
// queued for every destination; the batch is acknowledged to the tailer, which then moves its positions file,
// when every destination has answered (2xx, or refused it for good). docs/logs-agent.md.
#ifndef VIGIL_AGENT_LOGS_LOG_SHIPPING_H_
#define VIGIL_AGENT_LOGS_LOG_SHIPPING_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "agent/collector/collector.h"
#include "agent/config/agent_config.h"
#include "agent/logs/tailer.h"
#include "agent/logs/tailer_loop.h"
#include "agent/loop/registry_collector.h"
#include "base/clock/clock.h"
#include "base/fs/file_system.h"
#include "base/http/client.h"
#include "base/metrics/registry.h"
#include "exporters/sender/queued_sender.h"
#include "exporters/sender/sender_metrics.h"

namespace vigil::agent::logs {

// Loki's push protocol as the queued sender speaks it: snappy-compressed PushRequest protobufs, in lines.
exporters::SenderProtocol LokiPushProtocol();

// Tailer options from the agent's configuration: CRI files under --path.pod-logs, Docker's json-file logs under
// --path.docker-containers, the node name, --logs.positions-file and --logs.max-line-size.
TailerOptions TailerOptionsFrom(const AgentConfig& cfg);

class LogShipping {
 public:
  // Null when cfg.logs_urls is empty. Opens each destination's queue under cfg.queue_dir and the positions file,
  // and starts the senders. `client` (null: the shipping's own) must outlive the result.
  static absl::StatusOr<std::unique_ptr<LogShipping>> Create(const AgentConfig& cfg, FileSystem* fs, Clock* clock,
                                                             http::Client* client);
  ~LogShipping();

  // Starts the thread that reads the files and ships what it reads.
  void Start();

  // The tailer's and senders' metrics (vigil_agent_logs_*, vigil_agent_loki_lines_*) for each cycle.
  Collector* metrics_collector() { return &collector_; }
  // Stops reading and sending, and saves the positions; what was read but not acknowledged is read again
  // after the next start.
  absl::Status Close();

  // What the tailer thread runs per batch (exposed for tests that drive it without the thread).
  void Ship(LogBatch batch);
  Tailer* tailer() { return tailer_.get(); }
  const std::vector<std::unique_ptr<exporters::QueuedSender>>& senders() const { return senders_; }

 private:
  LogShipping() : collector_(&registry_, "logs") {}
  void Done(std::string_view metadata);

  metrics::Registry registry_;
  RegistryCollector collector_;
  std::unique_ptr<http::HttplibClient> own_client_;
  std::unique_ptr<exporters::SenderMetrics> metrics_;
  std::unique_ptr<Tailer> tailer_;
  std::vector<std::unique_ptr<exporters::QueuedSender>> senders_;
  std::unique_ptr<TailerLoop> loop_;
  std::string body_, scratch_;  // The loop thread's encoding buffers.
  absl::Mutex mu_;
  // Destinations still to answer, per batch token.
  absl::flat_hash_map<uint64_t, size_t> pending_ ABSL_GUARDED_BY(mu_);
  bool closed_ = false;
};

}  // namespace vigil::agent::logs

#endif  // VIGIL_AGENT_LOGS_LOG_SHIPPING_H_
