#include "tools/datagen/remote_write.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "base/version/version.h"
#include "snappy.h"
#include "wire/prompb/remote.pb.h"

namespace vigil::datagen {
namespace {

std::string Truncate(std::string_view s, size_t n) {
  return s.size() <= n ? std::string(s) : std::string(s.substr(0, n)) + "...";
}

// Whether `host` (an IP literal or name, without brackets) is loopback.
bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  // 127.a.b.c with decimal octets.
  int octets = 0;
  std::string_view rest = host;
  while (!rest.empty()) {
    const size_t dot = rest.find('.');
    const std::string_view part = rest.substr(0, dot);
    int v = -1;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || part.size() > 3 || ec != std::errc() || ptr != part.data() + part.size() || v > 255) {
      return false;
    }
    if (octets == 0 && v != 127) return false;
    ++octets;
    if (dot == std::string_view::npos) break;
    rest = rest.substr(dot + 1);
    if (rest.empty()) return false;
  }
  return octets == 4;
}

// Shared by the shards of one send.
struct SendState {
  SendState(const Fleet& f, http::Client* c, Clock* k, const RemoteWriteOptions& o)
      : fleet(f), client(c), clock(k), options(o) {}

  const Fleet& fleet;
  http::Client* client;
  Clock* clock;
  const RemoteWriteOptions& options;
  http::HeaderList headers;
  std::atomic<int> failed_batches{0};
  absl::Notification stop;  // set when too many batches failed
  absl::Mutex mu;
  RemoteWriteStats totals ABSL_GUARDED_BY(mu);
};

// One sender: its hosts' series, step by step, in batches.
class Shard {
 public:
  Shard(SendState* state, int index) : state_(*state) {
    const auto& series = state_.fleet.series();
    const auto n = static_cast<uint32_t>(state_.options.concurrency);
    for (size_t i = 0; i < series.size(); ++i) {
      if (series[i].host % n != static_cast<uint32_t>(index)) continue;
      cursors_.emplace_back(state_.fleet, i);
      ids_.push_back(i);
    }
  }

  void Run() {
    const auto& series = state_.fleet.series();
    for (int64_t step = 0; step < state_.fleet.steps() && !state_.stop.HasBeenNotified(); ++step) {
      for (size_t k = 0; k < cursors_.size(); ++k) {
        Sample s;
        if (!cursors_[k].Next(&s)) continue;
        prompb::TimeSeries* ts = request_.add_timeseries();
        for (const Label l : series[ids_[k]].labels) {
          prompb::Label* pl = ts->add_labels();
          pl->mutable_name()->assign(l.name.data(), l.name.size());
          pl->mutable_value()->assign(l.value.data(), l.value.size());
        }
        prompb::Sample* ps = ts->add_samples();
        ps->set_value(s.v);
        ps->set_timestamp(s.t);
        if (static_cast<size_t>(request_.timeseries_size()) >= state_.options.batch_samples) Flush();
        if (state_.stop.HasBeenNotified()) break;
      }
    }
    if (request_.timeseries_size() > 0 && !state_.stop.HasBeenNotified()) Flush();
    absl::MutexLock lock(&state_.mu);
    RemoteWriteStats& t = state_.totals;
    t.samples_sent += stats_.samples_sent;
    t.samples_failed += stats_.samples_failed;
    t.requests += stats_.requests;
    t.bytes_sent += stats_.bytes_sent;
    t.retries += stats_.retries;
    t.failed_batches += stats_.failed_batches;
    if (t.first_error.empty()) t.first_error = stats_.first_error;
  }

 private:
  void Flush() {
    const auto samples = static_cast<uint64_t>(request_.timeseries_size());
    request_.SerializeToString(&raw_);
    // Clear() keeps the allocated messages, which the next batch reuses.
    request_.Clear();
    compressed_.clear();
    snappy::Compress(raw_.data(), raw_.size(), &compressed_);
    const RemoteWriteOptions& o = state_.options;
    for (int attempt = 0;; ++attempt) {
      http::HeaderList headers = state_.headers;
      if (attempt > 0) headers.emplace_back("Retry-Attempt", std::to_string(attempt));
      absl::StatusOr<http::ClientResponse> r = state_.client->Post(o.url, headers, compressed_, o.timeout);
      ++stats_.requests;
      stats_.bytes_sent += compressed_.size();
      if (r.ok() && r->status / 100 == 2) {
        stats_.samples_sent += samples;
        return;
      }
      const bool retryable = !r.ok() || http::IsRetryableStatus(r->status);
      if (!retryable || attempt >= o.max_retries) {
        stats_.samples_failed += samples;
        ++stats_.failed_batches;
        if (stats_.first_error.empty()) {
          stats_.first_error = r.ok() ? absl::StrFormat("HTTP %d: %s", r->status, Truncate(r->body, 256))
                                      : std::string(r.status().message());
          if (retryable) stats_.first_error += absl::StrFormat(" (after %d retries)", attempt);
        }
        if (state_.failed_batches.fetch_add(1) + 1 >= o.max_failed_batches && !state_.stop.HasBeenNotified()) {
          state_.stop.Notify();
        }
        return;
      }
      ++stats_.retries;
      absl::Duration wait = Backoff(o, attempt + 1);
      if (r.ok()) {
        int seconds = 0;
        const std::string after = r->Header("Retry-After");
        const auto [ptr, ec] = std::from_chars(after.data(), after.data() + after.size(), seconds);
        if (ec == std::errc() && ptr == after.data() + after.size() && seconds > 0) {
          wait = std::max(wait, std::min(absl::Seconds(seconds), o.max_backoff));
        }
      }
      if (!state_.clock->SleepFor(wait, &state_.stop)) {
        stats_.samples_failed += samples;
        return;  // stopping
      }
    }
  }

  SendState& state_;
  std::vector<SeriesCursor> cursors_;
  std::vector<size_t> ids_;
  prompb::WriteRequest request_;
  std::string raw_;
  std::string compressed_;
  RemoteWriteStats stats_;
};

}  // namespace

absl::Status CheckLoopbackUrl(std::string_view url) {
  absl::StatusOr<http::Url> u = http::ParseUrl(url);
  if (!u.ok()) return u.status();
  if (!IsLoopbackHost(u->host)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "refusing remote-write URL \"%s\": host \"%s\" is not loopback (127.0.0.0/8, ::1, localhost)", url, u->host));
  }
  return absl::OkStatus();
}

absl::Duration Backoff(const RemoteWriteOptions& options, int retry) {
  absl::Duration d = options.initial_backoff;
  for (int i = 1; i < retry && d < options.max_backoff; ++i) d *= 2;
  return std::min(d, options.max_backoff);
}

absl::Status SendRemoteWrite(const Fleet& fleet, http::Client* client, Clock* clock, const RemoteWriteOptions& options,
                             RemoteWriteStats* stats) {
  *stats = RemoteWriteStats{};
  if (absl::Status s = CheckLoopbackUrl(options.url); !s.ok()) return s;
  if (options.concurrency < 1 || options.batch_samples < 1) {
    return absl::InvalidArgumentError(absl::StrFormat("remote write: concurrency (%d) and batch size (%d) must be >= 1",
                                                      options.concurrency, options.batch_samples));
  }
  SendState state(fleet, client, clock, options);
  state.headers = {
      {"Content-Encoding", "snappy"},
      {"Content-Type", "application/x-protobuf"},
      {"User-Agent", options.user_agent.empty() ? "vigil-datagen/" + std::string(kVersion) : options.user_agent},
      {"X-Prometheus-Remote-Write-Version", "0.1.0"}};
  std::vector<std::unique_ptr<Shard>> shards;
  for (int i = 0; i < options.concurrency; ++i) shards.push_back(std::make_unique<Shard>(&state, i));
  std::vector<std::thread> threads;
  for (auto& shard : shards) threads.emplace_back([&shard] { shard->Run(); });
  for (std::thread& t : threads) t.join();
  {
    absl::MutexLock lock(&state.mu);
    *stats = state.totals;
  }
  const uint64_t unsent = fleet.total_samples() - stats->samples_sent - stats->samples_failed;
  if (stats->failed_batches == 0 && unsent == 0) return absl::OkStatus();
  return absl::UnavailableError(
      absl::StrFormat("remote write to %s: %d batches (%d samples) failed, %d samples not sent; first failure: %s",
                      options.url, stats->failed_batches, stats->samples_failed, unsent, stats->first_error));
}

}  // namespace vigil::datagen
