// Opening one destination's queued sender the way every agent shipper does (metrics, traces, logs): its disk
// queue in a directory of --queue.dir named by a hash of the URL (so reordering or adding URLs keeps each queue
// with its URL), bounded by --queue.max-size.
#ifndef VIGIL_AGENT_SHIP_AGENT_SENDER_H_
#define VIGIL_AGENT_SHIP_AGENT_SENDER_H_

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "agent/config/agent_config.h"
#include "base/clock/clock.h"
#include "base/fs/file_system.h"
#include "base/http/client.h"
#include "exporters/sender/queued_sender.h"
#include "exporters/sender/sender_metrics.h"

namespace vigil::agent {

// Opens (recovering) the sender for `options` (protocol, url and any callbacks set by the caller) with its queue
// in "<cfg.queue_dir>/<queue_prefix><16 hex digits of Hash64(url)>", created if missing. Not started. Errors name
// the protocol and the URL.
absl::StatusOr<std::unique_ptr<exporters::QueuedSender>> OpenAgentSender(
    const AgentConfig& cfg, std::string_view queue_prefix, exporters::QueuedSenderOptions options, http::Client* client,
    FileSystem* fs, Clock* clock, exporters::SenderMetrics* metrics);

}  // namespace vigil::agent

#endif  // VIGIL_AGENT_SHIP_AGENT_SENDER_H_
