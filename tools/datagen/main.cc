// datagen: writes a deterministic node_exporter-like fleet as OpenMetrics text (stdout) or sends it to a
// remote_write receiver on this host. See fleet.h for the data and remote_write.h for the sending.
//
//   datagen --hosts 100 --interval 15s --duration 2h --end-ms 1700000000000 --format openmetrics > fleet.om
//   datagen --hosts 100 --duration 1h --remote-write http://127.0.0.1:9090/api/v1/write --concurrency 4
#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/clock/clock.h"
#include "base/flags/flags.h"
#include "base/http/client.h"
#include "base/version/version.h"
#include "tools/datagen/fleet.h"
#include "tools/datagen/openmetrics.h"
#include "tools/datagen/remote_write.h"

namespace vigil::datagen {
namespace {

absl::Status WriteStdout(std::string_view bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size()) {
    return absl::UnavailableError("writing to stdout failed");
  }
  return absl::OkStatus();
}

int Run(int argc, char** argv) {
  int64_t hosts = 10;
  int64_t first_host = 0;
  absl::Duration interval = absl::Seconds(15);
  absl::Duration duration = absl::Hours(2);
  int64_t end_ms = 0;
  int64_t seed = 1;
  double reboots_per_day = 0.02;
  std::string format;
  std::string remote_write;
  int64_t batch = 2000;
  int64_t concurrency = 1;
  int64_t max_retries = 5;
  absl::Duration timeout = absl::Seconds(30);

  FlagSet flags("datagen", "Generates a deterministic node_exporter-like fleet for tests and benchmarks.");
  flags.Int64("hosts", &hosts, "Number of hosts (node_exporter targets).");
  flags.Int64("first-host", &first_host, "Index of the first host; disjoint ranges give disjoint series.");
  flags.Duration("interval", &interval, "Scrape interval.");
  flags.Duration("duration", &duration, "Time range; samples lie in [end - duration, end).");
  flags.Int64("end-ms", &end_ms, "End of the range in ms since the epoch; 0 means now, rounded down to the interval.");
  flags.Int64("seed", &seed, "Everything random derives from this.");
  flags.Double("reboots-per-day", &reboots_per_day, "Expected reboots (counter resets) per host and day.");
  flags.String("format", &format, "Write the samples to stdout in this format: \"openmetrics\".");
  flags.String("remote-write", &remote_write, "Send the samples to this remote_write URL (loopback only).");
  flags.Int64("batch", &batch, "Samples per remote_write request.");
  flags.Int64("concurrency", &concurrency, "Parallel remote_write senders (hosts are sharded among them).");
  flags.Int64("max-retries", &max_retries, "Retries per remote_write request on 5xx, 429 and network errors.");
  flags.Duration("timeout", &timeout, "Timeout of one remote_write request.");
  if (absl::Status s = flags.Parse(argc, argv); !s.ok()) {
    std::fprintf(stderr, "datagen: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  if (flags.version_requested()) {
    std::printf("%s\n", VersionLine("datagen").c_str());
    return 0;
  }
  if (!flags.positional().empty() || (format.empty() == remote_write.empty()) ||
      (!format.empty() && format != "openmetrics")) {
    std::fprintf(stderr, "datagen: give exactly one of --format=openmetrics and --remote-write=URL (see --help)\n");
    return 2;
  }
  if (hosts < 1 || hosts > 1000000 || first_host < 0 || first_host > 100000000) {
    std::fprintf(stderr, "datagen: --hosts must be in [1, 1000000] and --first-host in [0, 100000000]\n");
    return 2;
  }
  const int64_t interval_ms = absl::ToInt64Milliseconds(interval);
  if (end_ms == 0 && interval_ms > 0) end_ms = absl::ToUnixMillis(absl::Now()) / interval_ms * interval_ms;
  FleetOptions options;
  options.seed = static_cast<uint64_t>(seed);
  options.hosts = static_cast<int>(hosts);
  options.first_host = static_cast<int>(first_host);
  options.interval_ms = interval_ms;
  options.duration_ms = absl::ToInt64Milliseconds(duration);
  options.end_ms = end_ms;
  options.reboots_per_day = reboots_per_day;
  absl::StatusOr<Fleet> fleet = Fleet::Create(options);
  if (!fleet.ok()) {
    std::fprintf(stderr, "datagen: %s\n", std::string(fleet.status().message()).c_str());
    return 2;
  }

  const absl::Time start = absl::Now();
  absl::Status status;
  uint64_t samples = 0;
  std::string extra;
  if (!format.empty()) {
    OutputStats stats;
    status = WriteOpenMetrics(*fleet, WriteStdout, &stats);
    if (status.ok() && std::fflush(stdout) != 0) status = absl::UnavailableError("writing to stdout failed");
    samples = stats.samples;
    extra = absl::StrFormat(" bytes=%d", stats.bytes);
  } else {
    RemoteWriteOptions o;
    o.url = remote_write;
    o.batch_samples = static_cast<size_t>(std::max<int64_t>(1, batch));
    o.concurrency = static_cast<int>(concurrency);
    o.max_retries = static_cast<int>(max_retries);
    o.timeout = timeout;
    if (absl::Status s = CheckLoopbackUrl(o.url); !s.ok()) {
      std::fprintf(stderr, "datagen: %s\n", std::string(s.message()).c_str());
      return 2;
    }
    http::HttplibClient client;
    RemoteWriteStats stats;
    status = SendRemoteWrite(*fleet, &client, RealClock(), o, &stats);
    samples = stats.samples_sent;
    extra = absl::StrFormat(" requests=%d bytes_sent=%d retries=%d failed_batches=%d samples_failed=%d", stats.requests,
                            stats.bytes_sent, stats.retries, stats.failed_batches, stats.samples_failed);
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  // The summary goes to stderr when stdout carries the data.
  std::FILE* summary = format.empty() ? stdout : stderr;
  std::fprintf(summary, "datagen: hosts=%d series=%zu samples=%llu seconds=%.3f samples_per_s=%.0f%s\n",
               fleet->options().hosts, fleet->series().size(), static_cast<unsigned long long>(samples), seconds,
               seconds > 0 ? static_cast<double>(samples) / seconds : 0.0, extra.c_str());
  if (!status.ok()) {
    std::fprintf(stderr, "datagen: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace vigil::datagen

int main(int argc, char** argv) { return vigil::datagen::Run(argc, argv); }
