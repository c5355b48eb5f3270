// WriteRequestBuilder throughput: node_exporter-shaped samples (a metric name and 3-5 labels, two external
// labels) through Add and Finish, i.e. label merging, protobuf encoding and snappy compression, in samples/s.
//
//   bazel run -c opt //exporters/remote_write:builder_benchmark
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "exporters/remote_write/write_request_builder.h"
#include "model/labels.h"

namespace vigil::remote_write {
namespace {

struct Series {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
};

std::vector<Series> NodeLikeSeries(int n) {
  std::vector<Series> out;
  const char* modes[] = {"idle", "user", "system", "iowait", "irq", "softirq", "steal", "nice"};
  for (int i = 0; i < n; ++i) {
    Series s;
    s.name = i % 3 == 0 ? "node_cpu_seconds_total"
                        : (i % 3 == 1 ? "node_network_receive_bytes_total" : "node_filesystem_avail_bytes");
    s.labels = {{"instance", "10.0.3.17:9100"}, {"job", "node"}};
    if (i % 3 == 0) {
      s.labels.emplace_back("cpu", absl::StrCat(i / 24));
      s.labels.emplace_back("mode", modes[i % 8]);
    } else if (i % 3 == 1) {
      s.labels.emplace_back("device", absl::StrCat("eth", i % 4));
    } else {
      s.labels.emplace_back("device", absl::StrCat("/dev/nvme0n1p", i % 5));
      s.labels.emplace_back("fstype", "ext4");
      s.labels.emplace_back("mountpoint", absl::StrCat("/mnt/disk", i % 5));
    }
    out.push_back(std::move(s));
  }
  return out;
}

void BM_BuildRequests(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::vector<Series> series = NodeLikeSeries(n);
  WriteRequestBuilderOptions o;
  o.external_labels = {{"cluster", "prod-eu-1"}, {"node", "worker-17"}};
  absl::StatusOr<WriteRequestBuilder> b = WriteRequestBuilder::Create(o);
  if (!b.ok()) {
    state.SkipWithError("create failed");
    return;
  }
  std::vector<Label> labels;
  int64_t t = 1700000000000;
  size_t compressed = 0;
  for (auto _ : state) {
    for (int i = 0; i < n; ++i) {
      const Series& s = series[i];
      labels.clear();
      for (const auto& [k, v] : s.labels) labels.push_back({k, v});
      if (!b->AddWithName(s.name, labels, t, 12345.25 + i).ok()) state.SkipWithError("add failed");
    }
    for (const EncodedRequest& r : b->Finish()) compressed += r.body.size();
    t += 15000;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * n);
  state.counters["compressed_bytes_per_sample"] =
      static_cast<double>(compressed) / static_cast<double>(state.iterations() * static_cast<uint64_t>(n));
}
BENCHMARK(BM_BuildRequests)->Arg(2000)->Arg(20000);

}  // namespace
}  // namespace vigil::remote_write
