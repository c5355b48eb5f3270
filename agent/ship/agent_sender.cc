#include "agent/ship/agent_sender.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/log/log.h"
#include "base/strings/absl_view.h"
#include "model/hash.h"

namespace vigil::agent {

absl::StatusOr<std::unique_ptr<exporters::QueuedSender>> OpenAgentSender(
    const AgentConfig& cfg, std::string_view queue_prefix, exporters::QueuedSenderOptions options, http::Client* client,
    FileSystem* fs, Clock* clock, exporters::SenderMetrics* metrics) {
  options.queue_dir = absl::StrFormat("%s/%s%016x", cfg.queue_dir, AV(queue_prefix), Hash64(options.url));
  options.queue.max_bytes = static_cast<uint64_t>(cfg.queue_max_bytes);
  const std::string what = absl::StrCat(options.protocol.name, " ", options.url);
  if (absl::Status s = fs->CreateDirs(options.queue_dir); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat(what, ": ", s.message()));
  }
  absl::StatusOr<std::unique_ptr<exporters::QueuedSender>> sender =
      exporters::QueuedSender::Open(options, client, fs, clock, metrics);
  if (!sender.ok()) return absl::Status(sender.status().code(), absl::StrCat(what, ": ", sender.status().message()));
  log::Info("shipping", {{"protocol", options.protocol.name}, {"url", options.url}, {"queue", options.queue_dir}});
  return sender;
}

}  // namespace vigil::agent
