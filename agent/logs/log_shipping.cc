#include "agent/logs/log_shipping.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/ship/agent_sender.h"
#include "base/log/log.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "model/hash.h"
#include "wire/loki/push_encode.h"

namespace vigil::agent::logs {
namespace {

// How long the tailer thread waits when there was nothing new to read.
constexpr absl::Duration kPollInterval = absl::Milliseconds(250);

std::string TrimSlash(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

}  // namespace

exporters::SenderProtocol LokiPushProtocol() {
  exporters::SenderProtocol p;
  p.name = "loki";
  p.items = "lines";
  p.headers = {{"Content-Type", std::string(wire::loki::kPushProtobufContentType)}};
  return p;
}

TailerOptions TailerOptionsFrom(const AgentConfig& cfg) {
  TailerOptions o;
  o.cri_paths = {absl::StrCat(TrimSlash(cfg.pod_logs_dir), "/*/*/*.log")};
  o.docker_paths = {absl::StrCat(TrimSlash(cfg.docker_containers_dir), "/*/*-json.log")};
  o.node = EffectiveNodeName(cfg);
  o.positions_file = cfg.logs_positions_file;
  o.max_line_bytes = static_cast<size_t>(cfg.logs_max_line_bytes);
  // Promtail's batch size: a batch is held in about five copies on its way out (text, protobuf, snappy body,
  // queue frame, request), so 1 MiB batches keep the agent's peak RSS under 30 MB while shipping.
  o.poll_bytes = std::max<size_t>(size_t{1} << 20, o.max_line_bytes);
  return o;
}

absl::StatusOr<std::unique_ptr<LogShipping>> LogShipping::Create(const AgentConfig& cfg, FileSystem* fs, Clock* clock,
                                                                 http::Client* client) {
  if (cfg.logs_urls.empty()) return nullptr;
  std::unique_ptr<LogShipping> s(new LogShipping());
  if (client == nullptr) {
    s->own_client_ = std::make_unique<http::HttplibClient>();
    client = s->own_client_.get();
  }
  VIGIL_ASSIGN_OR_RETURN(s->metrics_, exporters::SenderMetrics::Register(&s->registry_, "loki", "lines"));
  VIGIL_ASSIGN_OR_RETURN(s->tailer_, Tailer::Create(TailerOptionsFrom(cfg), fs, clock, &s->registry_));
  LogShipping* self = s.get();
  for (const std::string& url : cfg.logs_urls) {
    exporters::QueuedSenderOptions o;
    o.protocol = LokiPushProtocol();
    o.url = url;
    o.on_done = [self](std::string_view metadata, exporters::SendVerdict) { self->Done(metadata); };
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<exporters::QueuedSender> sender,
                           OpenAgentSender(cfg, "logs-", std::move(o), client, fs, clock, s->metrics_.get()));
    // Batches queued by an earlier run carry that run's tokens; the tailer re-reads them from its acknowledged
    // positions instead, so sending them too would deliver their lines twice.
    size_t stale = 0;
    queue::QueueRecord record;
    while (true) {
      absl::StatusOr<bool> got = sender->queue()->Peek(&record);
      if (!got.ok() || !*got) break;
      if (!sender->queue()->Ack(record.id).ok()) break;
      ++stale;
    }
    if (stale > 0) {
      log::Info("dropped log batches queued by the previous run; their lines are read again from the positions file",
                {{"url", url}, {"batches", stale}});
    }
    s->senders_.push_back(std::move(sender));
  }
  for (auto& sender : s->senders_) sender->Start();
  s->loop_ = std::make_unique<TailerLoop>(s->tailer_.get(), clock, kPollInterval,
                                          [self](LogBatch batch) { self->Ship(std::move(batch)); });
  return s;
}

void LogShipping::Start() { loop_->Start(); }

LogShipping::~LogShipping() {
  if (absl::Status s = Close(); !s.ok()) log::Error("closing log shipping", {{"err", s}});
}

void LogShipping::Ship(LogBatch batch) {
  if (batch.empty()) return;
  wire::loki::EncodePushRequestSnappy(batch.PushStreams(), &body_, &scratch_);
  const std::string token = absl::StrCat(batch.token);
  {
    absl::MutexLock lock(&mu_);
    pending_[batch.token] = senders_.size();
  }
  for (auto& sender : senders_) {
    if (absl::Status s = sender->Enqueue(body_, static_cast<uint32_t>(batch.entries), token); !s.ok()) {
      // Counted as dropped by the sender. Acknowledge this destination's share anyway: otherwise the tailer's
      // in-flight bytes never clear and reading stops for good.
      log::Error("cannot queue a log batch; its lines are dropped for this destination",
                 {{"url", sender->url()}, {"err", s}});
      Done(token);
    }
  }
}

void LogShipping::Done(std::string_view metadata) {
  uint64_t token = 0;
  if (!absl::SimpleAtoi(AV(metadata), &token)) return;
  {
    absl::MutexLock lock(&mu_);
    auto it = pending_.find(token);
    if (it == pending_.end() || --it->second > 0) return;
    pending_.erase(it);
  }
  if (absl::Status s = tailer_->Ack(token); !s.ok()) log::Error("saving log positions failed", {{"err", s}});
}

absl::Status LogShipping::Close() {
  if (closed_) return absl::OkStatus();
  closed_ = true;
  if (loop_ != nullptr) loop_->Stop();
  absl::Status result;
  for (auto& s : senders_) {
    s->Stop();
    if (absl::Status st = s->queue()->Sync(); !st.ok()) result.Update(st);
  }
  if (tailer_ != nullptr) {
    if (absl::Status st = tailer_->SavePositions(); !st.ok()) result.Update(st);
  }
  return result;
}

}  // namespace vigil::agent::logs
